"""Whether the author of a received change was allowed to make it (pure rules, no database).

The receiving side checks every change of a package, as CouchDB checks every replicated
document with ``validate_doc_update(newDoc, oldDoc, userCtx)``: a package's signature proves
which laptop sent it, not that its author could do what it carries. :func:`may_write` answers
for one change (one record, one stamp): None when allowed, else the reason, from

- the kind's declaration (fieldapp.core.kinds): who may create, change or remove its records;
- the :class:`Author` at the change's stamp, as the receiver knows it (its laptop registered
  and not retired, the team member using it, their role and villages then);
- the :class:`Target`: what the change does to the record and where the record is, before
  and after it (its village, its commune).

fieldapp.storage.authority builds both from the receiver's change log.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from fieldapp.core.kinds import (
    CHANGE, CREATE, DEVICE, MEMBER, PROVINCE, REMOVE, STAFF, TRAINER, TRANSLATOR, Kind, Scope)
from fieldapp.i18n.catalog import N_, _

DEVICE_REGISTER = uuid.UUID("6f1c9e3a-2b7d-4c55-9a0e-d3f8b1a47c20")
UNKNOWN = "?"
"""A place (village, commune) the receiver cannot tell: the record it depends on is not here."""

_ROLE_NAMES = {MEMBER: N_("members of its village"), TRAINER: N_("trainers"),
               STAFF: N_("commune staff"), PROVINCE: N_("the province"),
               DEVICE: N_("any registered laptop")}
_ACTIONS = {CREATE: N_("create"), CHANGE: N_("change"), REMOVE: N_("delete or restore")}
_CAPABILITY_NAMES = {TRANSLATOR: N_("team members marked as translators")}


@dataclass(frozen=True)
class Author:
    """Who made a change, at its stamp."""

    device: str
    role: str | None = None
    """MEMBER, TRAINER, STAFF (a commune laptop writes as its staff) or PROVINCE."""
    villages: frozenset[str] = frozenset()
    commune: str | None = None
    user: str | None = None
    problem: str | None = None
    """Why this laptop may write nothing at that stamp (not registered, retired, no team
    member assigned): a message, already translated."""
    capabilities: frozenset[str] = frozenset()
    """The permissions its team member had at that stamp (``translator``)."""
    foreign: bool = False
    """The laptop is in no register this laptop holds (another commune's): only a hub that
    relays it can answer for it, for the kinds every commune shares."""


@dataclass(frozen=True)
class Target:
    """What one change (one record, one stamp) does, and where the record is."""

    action: str
    fields: tuple[str, ...]
    values: Mapping[str, Any] = field(default_factory=dict)
    """The record's values after the change, as far as known (for a grant's condition)."""
    village_before: str | None = None
    village_after: str | None = None
    """None: the record belongs to no village (the commune's); UNKNOWN: cannot tell."""
    commune: str | None = None
    """The commune the record belongs to; None when the kind has none or it is unknown."""


def registration_id(commune: str, device: str) -> str:
    """The id of the ``devices`` record that registers ``device`` in ``commune``'s register
    (the same on every laptop, so registering twice changes nothing)."""
    return str(uuid.uuid5(DEVICE_REGISTER, f"{commune}/{device}"))


def action_of(fields: Mapping[str, Any], creation: bool, kind: Kind) -> str:
    """REMOVE for a change of the tombstone, CREATE for a record's first values (every
    required field, nothing replaced), else CHANGE."""
    if "deleted" in fields:
        return REMOVE
    if creation and all(fields.get(name) is not None for name in kind.required):
        return CREATE
    return CHANGE


def may_write(kind: Kind, target: Target, author: Author) -> str | None:
    """None when ``author`` may do ``target`` to a record of ``kind``; else why not."""
    if author.problem:
        return author.problem
    secret = [f for f in target.fields if f in kind.secret]
    if secret:
        return _("{fields}: PIN hashes and keys are never taken from another laptop.").format(
            fields=", ".join(secret))
    grants = [g for g in kind.grants
              if target.action in g.actions and g.role in (author.role, DEVICE)
              and (g.needs is None or g.needs in author.capabilities)]
    if not grants:
        who = [_(_CAPABILITY_NAMES.get(needs, needs)) if needs else _(_ROLE_NAMES[role])
               for role, needs in kind.roles_for(target.action)]
        who = list(dict.fromkeys(who)) or [_("nobody")]
        return _("Only {who} may {action} a record of this kind ({kind}).").format(
            who=_(" or ").join(who), action=_(_ACTIONS[target.action]), kind=_(kind.label))
    if kind.valid is not None and target.action != REMOVE:
        problem = kind.valid(target.values)
        if problem:
            return problem
    reasons = []
    for g in grants:
        if g.when is not None and not g.when(target.values):
            reasons.append(_("{role} may not write this {kind}.").format(
                role=_(_ROLE_NAMES[g.role]).capitalize(), kind=_(kind.label).lower()))
            continue
        problem = _place_problem(g.role, target, author, kind)
        if problem is None:
            return None
        reasons.append(problem)
    return reasons[0]


def _place_problem(role: str, target: Target, author: Author, kind: Kind) -> str | None:
    if role == MEMBER and kind.scope is Scope.VILLAGE:
        places = [target.village_after]
        if target.action != CREATE:
            places.append(target.village_before)
        if any(p == UNKNOWN for p in places):
            return _("It concerns a record this laptop does not hold, so its village cannot be "
                     "checked.")
        if any(p is None or p not in author.villages for p in places):
            return _("A member writes only records of their own village.")
        return None
    if role == STAFF and target.commune not in (None, UNKNOWN) \
            and author.commune is not None and target.commune != author.commune:
        return _("It belongs to another commune.")
    return None
