"""Who may do what: the signed-in session and the rules of each role, checked in the services.

- ``member``: the households of their own village (``users.village_id``): reading, surveying,
  editing; nothing of other villages, and no team or audit administration.
- ``commune_staff``: the whole commune, the team (add and retire users, reset PINs, roles),
  the audit log, erasures, backups and restores.
- ``trainer``: training records and the persons enrolled in their classes (issue 10 adds
  classes); no household registry and no survey answers except the training forms.

The rules are enforced here, in the services every screen and command goes through, not only
by hiding buttons: a member's call for a household of another village raises
:class:`AccessDenied`. A workspace without a session on a plain database (the demo, a command
run without ``--user``, a test) is unrestricted: whoever runs it can read the file anyway. An
encrypted database is opened through a sign-in, which always makes a session; one reached
without it (its key in hand but nobody signed in) is refused everything the rules guard.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fieldapp.core.kinds import MEMBER, STAFF, TRAINER, TRAINER_FORMS
from fieldapp.errors import UserError
from fieldapp.i18n.catalog import _

if TYPE_CHECKING:
    from fieldapp.storage.store import Store

__all__ = ["MEMBER", "STAFF", "TRAINER", "TRAINER_FORMS", "Access", "AccessDenied", "Session"]


class AccessDenied(UserError):
    """The signed-in user's role does not allow this; nothing was read or written."""


@dataclass(frozen=True)
class Session:
    """The team member signed in on this laptop."""

    user_id: str
    name: str
    role: str
    village_id: str | None = None

    @property
    def is_staff(self) -> bool:
        return self.role == STAFF

    @classmethod
    def of_user(cls, user: dict[str, Any]) -> "Session":
        return cls(user["id"], user["name"], user["role"], user.get("village_id"))


class Access:
    """The rules for one session (None: unrestricted) over one store. ``workspace``: the rules
    of a workspace, which refuse everything on an encrypted database until someone signs in
    (a service made straight on a store, by code that holds its key, is not refused)."""

    def __init__(self, store: "Store", session: Session | None, *, workspace: bool = False):
        self.store = store
        self.session = session
        self.workspace = workspace

    @property
    def restricted(self) -> bool:
        return self.session is not None or self._anonymous_on_encrypted()

    def _anonymous_on_encrypted(self) -> bool:
        return self.workspace and self.session is None and self.store.encrypted

    def _deny(self, message: str) -> AccessDenied:
        return AccessDenied(message)

    def signed(self) -> Session | None:
        """The session the rules apply to: None (unrestricted) on a plain database opened
        without a sign-in; an encrypted database opened without one is refused."""
        if self._anonymous_on_encrypted():
            raise self._deny(_("Sign in first."))
        return self.session

    # -- villages and households ---------------------------------------------------------------
    def village_scope(self) -> str | None:
        """The one village a member works on; None for the whole commune. Raises for a
        trainer or a member without a village."""
        s = self.signed()
        if s is None or s.role == STAFF:
            return None
        if s.role == TRAINER:
            raise self._deny(_("Trainers see training records, not the household registry."))
        if not s.village_id:
            raise self._deny(_("No village is assigned to you yet: ask commune staff to "
                               "assign one."))
        return s.village_id

    def check_village(self, village_id: str | None) -> None:
        scope = self.village_scope()
        if scope is not None and village_id != scope:
            raise self._deny(_("This belongs to another village; you work on your own "
                               "village only."))

    def check_household(self, household_id: str) -> dict[str, Any] | None:
        """The household row, if the session may see it (AccessDenied otherwise)."""
        scope = self.village_scope()
        row = self.store.households.get(household_id)
        if scope is not None and row is not None and row["village_id"] != scope:
            raise self._deny(_("This household belongs to another village; you work on your "
                               "own village only."))
        return row

    # -- forms and answers ----------------------------------------------------------------------
    def check_form(self, form_id: str) -> None:
        s = self.signed()
        if s is not None and s.role == TRAINER and form_id not in TRAINER_FORMS:
            raise self._deny(_("Trainers do not read or fill in survey answers."))

    def check_submission(self, row: dict[str, Any] | None) -> None:
        if row is None or self.signed() is None:
            return
        self.check_form(row["form_id"])
        if self.session.role == MEMBER:
            village = row.get("village_id")
            if row.get("household_id"):
                household = self.store.households.get(row["household_id"])
                village = household["village_id"] if household else village
            if village is not None:
                self.check_village(village)

    def visible_submissions(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if self.signed() is None:
            return rows
        out = []
        for row in rows:
            try:
                self.check_submission(row)
            except AccessDenied:
                continue
            out.append(row)
        return out

    # -- administration -------------------------------------------------------------------------
    def may_translate(self) -> bool:
        """Whether the signed-in member may edit label packs: commune staff, or a member
        marked translator (fieldapp.services.translate); without a sign-in, yes."""
        session = self.signed()
        if session is None or session.role == STAFF:
            return True
        user = self.store.users.get(session.user_id)
        return bool(user and user.get("translator") and not user.get("deleted"))

    def require_staff(self) -> None:
        session = self.signed()
        if session is not None and not session.is_staff:
            raise self._deny(_("Only commune staff can do this."))

    def require_signed_in(self) -> None:
        """Anyone signed in (and anyone on a plain database): no one's data is narrowed."""
        self.signed()
