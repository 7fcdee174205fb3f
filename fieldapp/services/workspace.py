"""An open database and the use cases on it: what the app's screens and the CLI hold.

Screens never reach the storage layer; they ask a :class:`Workspace` (``workspace.households
.search(...)``, ``workspace.surveys.save(...)``). The app keeps one workspace per connection:
one on the UI thread for quick reads, one on the background reader's thread, and one on the
writer thread that performs every write (fieldapp.ui.writer).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from fieldapp.services.access import Access, Session
from fieldapp.services.guards import (
    guard_registry, guard_reports, guard_sessions, guard_sync, guard_teams, guard_training)
from fieldapp.storage.repositories import SEARCH_LIMIT
from fieldapp.storage.store import Store

if TYPE_CHECKING:
    from fieldapp.services.setup import SetupRequest
    from fieldapp.services.surveys import SurveyService

HOUSEHOLD_SURVEY = "household_survey"

__all__ = ["HOUSEHOLD_SURVEY", "SEARCH_LIMIT", "Households", "Workspace"]


class Households:
    """The household registry as screens read it, within the signed-in member's villages."""

    def __init__(self, store: Store, access: Access):
        self._store = store
        self._access = access

    def search(self, query: str = "", village_id: str | None = None,
               limit: int = SEARCH_LIMIT) -> tuple[list[dict[str, Any]], int]:
        scope = self._access.village_scope()
        if scope is not None:
            if village_id not in (None, scope):
                return [], 0
            village_id = scope
        return self._store.households.search(query, village_id, limit)

    def get(self, household_id: str) -> dict[str, Any] | None:
        return self._access.check_household(household_id)

    def members(self, household_id: str) -> list[dict[str, Any]]:
        self._access.check_household(household_id)
        return self._store.persons.of_household(household_id)

    def rounds(self, household_id: str, form_id: str = HOUSEHOLD_SURVEY) -> list[dict[str, Any]]:
        """Finalized rounds of a household survey, oldest first (without loading forms)."""
        self._access.check_household(household_id)
        self._access.check_form(form_id)
        return self._store.submissions.rounds_of(household_id, form_id)

    def update(self, household_id: str, values: dict[str, Any]) -> bool:
        self._access.check_household(household_id)
        if "village_id" in values:
            self._access.check_village(values["village_id"])
        return self._store.households.update(household_id, values)

    def delete(self, household_id: str, reason: str) -> None:
        """Tombstone a household (kept in history; an erasure removes it for good)."""
        self._access.check_household(household_id)
        with self._store.transaction():
            self._store.households.tombstone(household_id, reason)
            self._store.audit.record("deletion", user_id=self._store.user_id,
                                     object_table="households", object_id=household_id)

    def counts_by_village(self) -> list[dict[str, Any]]:
        rows = self._store.villages.counts()
        scope = self._access.village_scope() if self._access.session is not None \
            and self._access.session.role != "trainer" else None
        return [r for r in rows if scope is None or r["id"] == scope]


class Workspace:
    """One open database with its services. Create with :meth:`open`."""

    def __init__(self, store: Store, session: Session | None = None):
        self.store = store
        self.session: Session | None = None
        self.access = Access(store, None, workspace=True)
        self.households = Households(store, self.access)
        self._surveys: SurveyService | None = None
        self._sync = None
        self._codes = None
        self._registry = None
        if session is not None:
            self.begin_session(session)

    # -- field workflows ----------------------------------------------------------------------
    def codes(self):
        """Activities, outcomes, skills, levels, attendance and learner types, from the forms
        (fieldapp.services.workflow_codes; loads the forms on first use)."""
        if self._codes is None:
            from fieldapp.services.workflow_codes import load_codes

            self._codes = load_codes(self.surveys.catalog)
        return self._codes

    @property
    def registry(self):
        """Households and persons outside a survey (fieldapp.services.registry)."""
        if self._registry is None:
            from fieldapp.services.registry import Registry

            self._registry = Registry(self.store)
        return guard_registry(self._registry, self.access)

    def household_page(self, household_id: str):
        from fieldapp.services.household_page import household_page

        self.access.check_household(household_id)
        self.registry  # noqa: B018 (made on first use)
        return household_page(self.store, self._registry, household_id)

    @property
    def sessions(self):
        """Support sessions (fieldapp.services.sessions), within the session's rights."""
        from fieldapp.services.sessions import Sessions

        return guard_sessions(Sessions(self.store, self.codes), self.access)

    @property
    def training(self):
        """Training classes (fieldapp.services.training)."""
        from fieldapp.services.training import Training

        return guard_training(Training(self.store, self.codes), self.access)

    @property
    def teams(self):
        """Teams and their activity (fieldapp.services.teams)."""
        from fieldapp.services.teams import Teams

        return guard_teams(Teams(self.store), self.access)

    def today_work(self, *, with_indicators: bool = True):
        """Home's list of today's work (fieldapp.services.today)."""
        from fieldapp.services.access import TRAINER, TRAINER_FORMS
        from fieldapp.services.today import today_work

        session = self.session
        if session is not None and session.role == TRAINER:  # training drafts only
            return today_work(self.store, with_indicators=with_indicators, forms=TRAINER_FORMS)
        # a member's own village (None: the whole commune)
        return today_work(self.store, with_indicators=with_indicators,
                          village_id=self.access.village_scope())

    @classmethod
    def open(cls, path: Path | str, *, key: bytes | None = None,
             session: Session | None = None, **kwargs) -> "Workspace":
        """Open the database at ``path`` (``key``: an encrypted database's key, which only
        a sign-in gives: fieldapp.services.auth.sign_in)."""
        return cls(Store.open(path, key=key, **kwargs), session)

    def reopen(self) -> "Workspace":
        """Another workspace on the same file, key and session (for another thread)."""
        return Workspace.open(self.path, key=self.store.key, session=self.session)

    def begin_session(self, session: Session) -> None:
        """Work as ``session``'s team member from now on (fieldapp.services.auth)."""
        self.session = session
        self.access.session = session
        self.store.user_id = session.user_id
        if self._surveys is not None:
            self._surveys.access = self.access

    @property
    def signed_in(self) -> bool:
        return self.session is not None

    @property
    def role(self) -> str | None:
        return self.session.role if self.session else None

    def close(self) -> None:
        self.store.close()

    # -- this laptop --------------------------------------------------------------------------
    @property
    def path(self) -> Path | None:
        return self.store.path

    @property
    def device_id(self) -> str:
        return self.store.device_id

    @property
    def device_name(self) -> str:
        return self.store.device_name

    @property
    def is_set_up(self) -> bool:
        return self.store.is_set_up

    @property
    def is_demo(self) -> bool:
        return self.store.is_demo

    def commune(self) -> dict[str, Any] | None:
        return self.store.commune()

    def current_user_id(self) -> str | None:
        return self.session.user_id if self.session else self.store.user_id

    def current_user(self) -> dict[str, Any] | None:
        user_id = self.current_user_id()
        return self.store.users.get(user_id) if user_id else None

    def villages(self) -> list[dict[str, Any]]:
        return self.store.villages.list()

    def users(self) -> list[dict[str, Any]]:
        """The commune's users (team members, staff, trainers) in name order."""
        return self.store.users.list()

    def counts(self) -> dict[str, int]:
        return self.store.counts()

    # -- local preferences ------------------------------------------------------------------------
    def setting(self, key: str, user_id: str | None = None) -> Any:
        return self.store.settings.get(key, user_id)

    @staticmethod
    def setting_choices(key: str) -> tuple[Any, ...]:
        from fieldapp.storage.settings import OPTIONS

        return OPTIONS[key].choices or ()

    def set_setting(self, key: str, value: Any, user_id: str | None = None) -> None:
        self.store.settings.set(key, value, user_id)

    def pack_preference(self, user_id: str | None = None):
        from fieldapp.services import preferences

        return preferences.pack_preference(self.store, user_id)

    def remember_pack(self, pack: str | None, mode: str = "bilingual",
                      user_id: str | None = None) -> None:
        from fieldapp.services import preferences

        preferences.remember_pack(self.store, pack, mode, user_id)

    # -- use cases --------------------------------------------------------------------------------
    def run_setup(self, request: "SetupRequest") -> str:
        from fieldapp.services.setup import run_setup

        return run_setup(self.store, request)

    @property
    def sync(self):
        """Sync by file: identity, devices, export, import, review (fieldapp.services.sync)."""
        if self._sync is None:
            from fieldapp.services.sync.service import SyncService

            self._sync = SyncService(self.store)
        return guard_sync(self._sync, self.access)

    def report_kinds(self) -> tuple[str, ...]:
        """The reports and exports the signed-in member may make (fieldapp.services.guards)."""
        from fieldapp.services.guards import report_kinds

        return report_kinds(self.access)

    @property
    def warehouse(self):
        """Publishing this province database to its warehouse (fieldapp.services.warehouse)."""
        from fieldapp.services.guards import guard_warehouse
        from fieldapp.services.warehouse import WarehouseService

        return guard_warehouse(WarehouseService(self.store), self.access)

    @property
    def reports(self):
        """Printing reports and exporting tables (fieldapp.services.reports)."""
        from fieldapp.services.reports import ReportsService

        return guard_reports(ReportsService(self.store), self.access)

    @property
    def translations(self):
        """Label packs reviewed in the app (fieldapp.services.translate)."""
        if getattr(self, "_translations", None) is None:
            from fieldapp.services.translate import Translations

            self._translations = Translations(self)
        return self._translations

    @property
    def surveys(self) -> "SurveyService":
        """Filling in forms (imports the form engine on first use)."""
        if self._surveys is None:
            from fieldapp.services.surveys import SurveyService

            self._surveys = SurveyService(self.store, access=self.access)
        return self._surveys

    # -- access and data safety ------------------------------------------------------------------
    @property
    def audit(self):
        """The audit log (fieldapp.services.audit)."""
        from fieldapp.services.audit import AuditLog

        return AuditLog(self.store, self.access)

    @property
    def team(self):
        """Team members, roles and PINs (fieldapp.services.team)."""
        from fieldapp.services.team import Team

        return Team(self)

    @property
    def backups(self):
        """Backups and restore (fieldapp.services.backups)."""
        from fieldapp.services.backups import Backups

        return Backups(self)

    @property
    def privacy(self):
        """Erasure on request and retention (fieldapp.services.privacy)."""
        from fieldapp.services.privacy import Privacy

        return Privacy(self)

    def change_pin(self, old_pin: str, new_pin: str) -> None:
        from fieldapp.services.pins import change_own_pin

        change_own_pin(self, old_pin, new_pin)

    def confirm_pin(self, pin: str) -> bool:
        from fieldapp.services.pins import confirm_pin

        return confirm_pin(self, pin)
