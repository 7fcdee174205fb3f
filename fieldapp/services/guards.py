"""The access rules (fieldapp.services.access) applied to the services the screens and the
command line share: the registry outside a survey, the household page, support sessions,
training classes, teams, sync (packages, devices, review) and reports.

Each service is wrapped in a :class:`Guarded` proxy whose rules run before the call: a member's
list is narrowed to their village, a member's call for a household, person or session of
another village raises AccessDenied (so does a member's change to a class of another
village, or removing one of the whole commune), and a trainer reaches only training and the
persons they enrol (a search of names, never a household's answers). Methods without a rule are reads of
no one's data (code lists, date checks) and pass through; sync and reports give every public
method a rule (tests/services/test_role_matrix.py holds it). Unrestricted workspaces (a plain
database opened without a sign-in) are not wrapped at all.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from fieldapp.i18n.catalog import _
from fieldapp.services.access import MEMBER, STAFF, TRAINER, Access, AccessDenied
from fieldapp.storage.settings import REPORT_KINDS

Rule = Callable[[Access, Any, tuple, dict], tuple[tuple, dict]]


class Guarded:
    """``inner`` with ``rules[name](access, inner, args, kwargs) -> (args, kwargs)`` run before
    each call of ``name``; a rule raises AccessDenied or narrows the arguments."""

    def __init__(self, inner: Any, access: Access, rules: dict[str, Rule]):
        self._inner = inner
        self._access = access
        self._rules = rules

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._inner, name)
        rule = self._rules.get(name)
        if rule is None or not callable(attr):
            return attr

        def call(*args: Any, **kwargs: Any) -> Any:
            args, kwargs = rule(self._access, self._inner, args, kwargs)
            return attr(*args, **kwargs)

        return call


def _arg(args: tuple, kwargs: dict, position: int, name: str) -> Any:
    return args[position] if len(args) > position else kwargs.get(name)


def _not_trainer(access: Access) -> None:
    if access.session is not None and access.session.role == TRAINER:
        raise AccessDenied(_("Trainers see training records, not the household registry."))


def _household_at(position: int, name: str = "household_id") -> Rule:
    def rule(access, inner, args, kwargs):
        access.check_household(_arg(args, kwargs, position, name))
        return args, kwargs
    return rule


def _village_at(position: int, name: str = "village_id") -> Rule:
    def rule(access, inner, args, kwargs):
        access.check_village(_arg(args, kwargs, position, name))
        return args, kwargs
    return rule


def _person_at(position: int) -> Rule:
    def rule(access, inner, args, kwargs):
        person = access.store.persons.get(_arg(args, kwargs, position, "person_id"))
        if person is not None:
            access.check_household(person["household_id"])
        return args, kwargs
    return rule


def _scoped_filter(access, inner, args, kwargs):
    scope = access.village_scope()
    if scope is not None:
        access.check_village(kwargs.get("village_id") or scope)
        kwargs = {**kwargs, "village_id": scope}
    return args, kwargs


def _scoped_plan(access, inner, args, kwargs):
    scope = access.village_scope()
    where = _arg(args, kwargs, 1, "where")
    if scope is not None and where is not None and where.village_id != scope:
        access.check_village(where.village_id or scope)
        where = dataclasses.replace(where, village_id=scope)
        args, kwargs = (args[0], where), {k: v for k, v in kwargs.items() if k != "where"}
    return args, kwargs


def _persons_for_everyone(access, inner, args, kwargs):
    """Finding a person by name: a trainer enrolling learners searches the whole commune, a
    member their own village."""
    if access.session is None or access.session.role in (STAFF, TRAINER):
        return args, kwargs
    return _scoped_filter(access, inner, args, kwargs)


def _new_person(access, inner, args, kwargs):
    if access.session is not None and access.session.role == TRAINER:
        return args, kwargs  # a learner met at a class
    return _village_at(0)(access, inner, args, kwargs)


def _moved(access, inner, args, kwargs):
    access.check_household(_arg(args, kwargs, 0, "household_id"))
    access.check_village(_arg(args, kwargs, 1, "village_id"))
    return args, kwargs


def _plain(check: Callable[[Access], None]) -> Rule:
    def rule(access, inner, args, kwargs):
        check(access)
        return args, kwargs
    return rule


REGISTRY_RULES: dict[str, Rule] = {
    "filter": _scoped_filter, "plan": _scoped_plan, "person_plan": _persons_for_everyone,
    "household": _household_at(0), "members": _household_at(0),
    "update_household": _household_at(0), "tombstone_household": _household_at(0),
    "restore_household": _household_at(0), "add_person": _household_at(0),
    "move_household": _moved, "add_household": _village_at(0),
    "similar_households": _village_at(0), "new_person": _new_person,
    "person": _person_at(0), "update_person": _person_at(0),
    "tombstone_person": _person_at(0), "restore_person": _person_at(0),
}


def _session_village(access, inner, args, kwargs):
    row = inner.session(_arg(args, kwargs, 0, "session_id"))
    if row is not None:
        access.check_village(row.get("village_id"))
    return args, kwargs


def _request_village(access, inner, args, kwargs):
    _not_trainer(access)
    access.check_village(_arg(args, kwargs, 0, "request").village_id)
    return args, kwargs


def _session_filters(access, inner, args, kwargs):
    _not_trainer(access)
    scope = access.village_scope()
    filters = _arg(args, kwargs, 0, "filters")
    if scope is not None:
        access.check_village(filters.get("village_id") or scope)
        filters = {**filters, "village_id": scope}
        args = (filters, *args[1:]) if args else args
        kwargs = kwargs if args else {**kwargs, "filters": filters}
    return args, kwargs


SESSION_RULES: dict[str, Rule] = {
    "check": _request_village, "log": _request_village, "count": _session_filters,
    "page": _session_filters, "session": _session_village, "remove": _session_village,
    "follow_up_done": _session_village, "request_from": _session_village,
    "due": _plain(_not_trainer),
}

_STAFF_ONLY = _plain(lambda access: access.require_staff())
TEAM_RULES: dict[str, Rule] = {name: _STAFF_ONLY for name in (
    "save_team", "remove_team", "add_member", "update_member", "remove_member")}


_SIGNED_IN = _plain(lambda access: access.require_signed_in())


def _member_class(access: Access, village_id: str | None, *, removing: bool = False) -> None:
    """A member works on the classes of their village and the commune's; removing a class of
    the whole commune is for commune staff and trainers. Everyone else: every class."""
    session = access.signed()
    if session is None or session.role != MEMBER:
        return
    if village_id is None:
        if removing:
            raise AccessDenied(_("A class of the whole commune is removed by commune staff "
                                 "or a trainer."))
        return
    access.check_village(village_id)


def class_removal_refused(access: Access, village_id: str | None) -> str | None:
    """Why the session may not remove a class of ``village_id`` (None: it may), for a screen
    that offers the removal only where the service allows it."""
    try:
        _member_class(access, village_id, removing=True)
    except AccessDenied as refused:
        return str(refused)
    return None


def _class_at(position: int, *, removing: bool = False) -> Rule:
    def rule(access, inner, args, kwargs):
        row = inner.store.classes.get(_arg(args, kwargs, position, "class_id"))
        if row is not None:
            _member_class(access, row["village_id"], removing=removing)
        return args, kwargs
    return rule


def _class_saved(access, inner, args, kwargs):
    request = _arg(args, kwargs, 0, "request")
    if request.class_id:  # nor take another village's class into one's own
        _class_at(0)(access, inner, (request.class_id,), {})
    _member_class(access, request.village_id or None)
    return args, kwargs


def _enrolment_class(access, inner, args, kwargs):
    row = inner.store.enrolments.get(_arg(args, kwargs, 0, "enrolment_id"))
    if row is not None:
        _class_at(0)(access, inner, (row["class_id"],), {})
    return args, kwargs


def _enrolled(access, inner, args, kwargs):
    """Enrolling: into a class the member works on, a new learner of their village."""
    _class_at(0)(access, inner, args, kwargs)
    if kwargs.get("village_id"):
        _member_class(access, kwargs["village_id"])
    return args, kwargs


def _scoped_classes(access, inner, args, kwargs):
    session = access.signed()
    if session is not None and session.role == MEMBER:
        kwargs = {**kwargs, "village_id": access.village_scope()}
    return args, kwargs


TRAINING_RULES: dict[str, Rule] = {
    "check_class": _class_saved, "save_class": _class_saved,
    "remove_class": _class_at(0, removing=True), "unenrol": _enrolment_class,
    "classes": _scoped_classes,
    "enrol": _enrolled,
    **{name: _class_at(0) for name in ("sheet", "check_date", "attendance_range",
                                       "set_attendance", "set_levels", "set_level")},
}


def _hub_is_staff(access, inner, args, kwargs):
    """Packages on a hub (a commune laptop, or one that sends to its province) carry the
    whole commune: commune staff's. A member laptop's own packages: whoever signed in."""
    from fieldapp.services.sync import identity

    if identity.hub_id(inner.store):
        access.require_staff()
    else:
        access.require_signed_in()
    return args, kwargs


SYNC_RULES: dict[str, Rule] = {
    **{name: _SIGNED_IN for name in ("status", "devices", "users", "history", "preview_setup")},
    **{name: _STAFF_ONLY for name in (
        "create_identity", "register_device", "join", "join_request", "join_province",
        "register_commune", "dump", "conflicts", "resolve", "duplicates", "merge",
        "keep_both", "members_of",
        "retire_device", "assign_member")},  # (the last two land with the sync-core branch)
    "export": _hub_is_staff, "import_files": _hub_is_staff,
}


def report_kinds(access: Access) -> tuple[str, ...]:
    """The reports and exports the session may make (ReportsService.make's ``kind``): commune
    staff all of them; a trainer progress sheets and blank questionnaires; a member their own
    village's summary, households' handouts and questionnaires (exports hold every village's
    answers, names included: commune staff's)."""
    session = access.signed()
    if session is None or session.is_staff:
        return REPORT_KINDS
    if session.role == TRAINER:
        return ("progress", "questionnaire")
    return ("commune", "questionnaire", "household")


def _report_made(access, inner, args, kwargs):
    kind, options = _arg(args, kwargs, 0, "kind"), _arg(args, kwargs, 2, "options") or {}
    if kind not in report_kinds(access):
        if kind == "progress":
            raise AccessDenied(_("Progress sheets are printed by trainers and commune staff."))
        if kind in ("xlsx", "csv"):
            access.require_staff()
        access.village_scope()  # a trainer: the household registry is not theirs
        raise AccessDenied(_("Only commune staff can do this."))
    if kind == "commune":  # a member prints their own village's summary
        scope = access.village_scope()
        if scope is not None:
            if options.get("village"):
                from fieldapp.services.summary import find_village

                access.check_village(find_village(inner.store, options["village"])["id"])
            options = {**options, "village": scope}
    elif options.get("household_id") or kind == "household":
        access.check_household(options.get("household_id"))
    if len(args) > 2:
        args = (*args[:2], options, *args[3:])
    else:
        kwargs = {**kwargs, "options": options}
    return args, kwargs


def _found_in_scope(access, inner, args, kwargs):
    """A household found by its code: within a member's village (a trainer has none)."""
    scope = access.village_scope()
    if scope is not None:
        kwargs = {**kwargs, "village_id": scope}
    return args, kwargs


REPORT_RULES: dict[str, Rule] = {
    **{name: _SIGNED_IN for name in ("villages", "classes", "forms", "languages",
                                     "personal_forms")},
    "make": _report_made, "find_household": _found_in_scope,
    "pack_for_household": _household_at(0),
}


def guard_sync(sync: Any, access: Access) -> Any:
    return sync if not access.restricted else Guarded(sync, access, SYNC_RULES)


def guard_warehouse(warehouse: Any, access: Access) -> Any:
    """Publishing to the warehouse and comparing with it: commune staff (of the province
    office's database) only."""
    if not access.restricted:
        return warehouse
    return Guarded(warehouse, access, {name: _STAFF_ONLY for name in
                                       ("publish", "check", "commune_names")})


def guard_reports(reports: Any, access: Access) -> Any:
    return reports if not access.restricted else Guarded(reports, access, REPORT_RULES)


def guard_registry(registry: Any, access: Access) -> Any:
    return registry if not access.restricted else Guarded(registry, access, REGISTRY_RULES)


def guard_sessions(sessions: Any, access: Access) -> Any:
    return sessions if not access.restricted else Guarded(sessions, access, SESSION_RULES)


def guard_teams(teams: Any, access: Access) -> Any:
    return teams if not access.restricted else Guarded(teams, access, TEAM_RULES)


def guard_training(training: Any, access: Access) -> Any:
    return training if not access.restricted else Guarded(training, access, TRAINING_RULES)
