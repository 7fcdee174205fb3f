"""An open database and the use cases on it: what the app's screens and the CLI hold.

Screens never reach the storage layer; they ask a :class:`Workspace` (``workspace.households
.search(...)``, ``workspace.surveys.save(...)``). The app keeps one workspace per connection:
one on the UI thread for quick reads, one on the background reader's thread, and one on the
writer thread that performs every write (fieldapp.ui.writer).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from fieldapp.storage.repositories import SEARCH_LIMIT
from fieldapp.storage.store import Store

if TYPE_CHECKING:
    from fieldapp.services.setup import SetupRequest
    from fieldapp.services.surveys import SurveyService

HOUSEHOLD_SURVEY = "household_survey"

__all__ = ["HOUSEHOLD_SURVEY", "SEARCH_LIMIT", "Households", "Workspace"]


class Households:
    """The household registry as screens read it."""

    def __init__(self, store: Store):
        self._store = store

    def search(self, query: str = "", village_id: str | None = None,
               limit: int = SEARCH_LIMIT) -> tuple[list[dict[str, Any]], int]:
        return self._store.households.search(query, village_id, limit)

    def get(self, household_id: str) -> dict[str, Any] | None:
        return self._store.households.get(household_id)

    def members(self, household_id: str) -> list[dict[str, Any]]:
        return self._store.persons.of_household(household_id)

    def rounds(self, household_id: str, form_id: str = HOUSEHOLD_SURVEY) -> list[dict[str, Any]]:
        """Finalized rounds of a household survey, oldest first (without loading forms)."""
        return self._store.submissions.rounds_of(household_id, form_id)

    def counts_by_village(self) -> list[dict[str, Any]]:
        return self._store.villages.counts()


class Workspace:
    """One open database with its services. Create with :meth:`open`."""

    def __init__(self, store: Store):
        self.store = store
        self.households = Households(store)
        self._surveys: SurveyService | None = None
        self._sync = None
        self._codes = None
        self._registry = None

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
        return self._registry

    def household_page(self, household_id: str):
        from fieldapp.services.household_page import household_page

        return household_page(self.store, self.registry, household_id)

    @property
    def sessions(self):
        """Support sessions (fieldapp.services.sessions)."""
        from fieldapp.services.sessions import Sessions

        return Sessions(self.store, self.codes)

    @property
    def training(self):
        """Training classes (fieldapp.services.training)."""
        from fieldapp.services.training import Training

        return Training(self.store, self.codes)

    @property
    def teams(self):
        """Teams and their activity (fieldapp.services.teams)."""
        from fieldapp.services.teams import Teams

        return Teams(self.store)

    def today_work(self, *, with_indicators: bool = True):
        """Home's list of today's work (fieldapp.services.today)."""
        from fieldapp.services.today import today_work

        return today_work(self.store, with_indicators=with_indicators)

    @classmethod
    def open(cls, path: Path | str, **kwargs) -> "Workspace":
        return cls(Store.open(path, **kwargs))

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
        return self.store.meta("current_user_id")

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
        return self._sync

    @property
    def reports(self):
        """Printing reports and exporting tables (fieldapp.services.reports)."""
        from fieldapp.services.reports import ReportsService

        return ReportsService(self.store)

    @property
    def surveys(self) -> "SurveyService":
        """Filling in forms (imports the form engine on first use)."""
        if self._surveys is None:
            from fieldapp.services.surveys import SurveyService

            self._surveys = SurveyService(self.store)
        return self._surveys
