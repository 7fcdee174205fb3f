"""UI fixtures: a populated commune, fonts registered, background tasks run synchronously."""

from __future__ import annotations

import pytest

from fieldapp.i18n import catalog
from fieldapp.ui import tasks
from fieldapp.services.workspace import Workspace

# Names chosen for the search tests: accents, đ/Đ, and one name sharing no letters with others.
HOUSEHOLDS = [
    # village index, head, ethnicity, members: (name, sex, birth year, relation)
    (0, "Đặng Văn Hùng", "dao", [("Đặng Thị Lan", "female", 1982, "spouse"),
                                 ("Đặng Văn Phúc", "male", 2008, "child")]),
    (0, "Nguyễn Thị Hoa", "kinh", [("Trần Văn Bình", "male", 1975, "spouse")]),
    (1, "Hoàng Văn Dũng", "tay", [("Nguyễn Văn Ễnh", "male", 2001, "child")]),
    (1, "Nông Thị Mai", "nung", []),
    (2, "Dương Văn An", "tay", [("Lý Thị Ánh", "female", 1990, "spouse")]),
    (2, "Triệu Thị Yến", "dao", []),
]


def fill_households(store, households=HOUSEHOLDS, year_of_head=1970):
    """Add households and their members to a set-up store; return {head name: household id}."""
    villages = store.villages.list()
    by_position = sorted(villages, key=lambda v: v["position"])
    ids = {}
    with store.transaction():
        for village_index, head, ethnicity, members in households:
            village = by_position[village_index]
            hid = store.households.add_household(village["id"], head, ethnicity=ethnicity, poor_status="near_poor",
                                      phone="0912345678",
                                      properties={"grid_power": "yes", "mobile_signal": "weak",
                                                  "barriers": "data_cost no_signal"})
            store.persons.add_person(hid, head, sex="male" if " Văn " in head else "female",
                             birth_year=year_of_head, relation="head", ethnicity=ethnicity)
            for name, sex, born, relation in members:
                store.persons.add_person(hid, name, sex=sex, birth_year=born, relation=relation,
                                 ethnicity=ethnicity)
            ids[head] = hid
    return ids


@pytest.fixture
def commune(setup_store):
    """The conftest commune (three villages) with the households above."""
    fill_households(setup_store)
    return setup_store


@pytest.fixture(autouse=True)
def _sync_tasks(qapp):
    from fieldapp.ui import fonts

    fonts.register_fonts()
    fonts.apply_app_font(qapp)  # as the app does at start-up
    with tasks.synchronous():
        yield


@pytest.fixture
def context(commune, qapp):
    from fieldapp.ui.context import AppContext

    ctx = AppContext(Workspace(commune))
    yield ctx
    ctx.dispose()


@pytest.fixture
def window(commune, qtbot):
    from fieldapp.ui.app import build_main_window

    win = build_main_window(Workspace(commune))
    qtbot.addWidget(win)
    win.show()
    yield win
    win.close()


class MarkingTranslations(catalog.NullTranslations):
    def gettext(self, message):
        return f"<<{message}>>"

    def ngettext(self, singular, plural, n):
        return f"<<{singular if n == 1 else plural}>>"

    def pgettext(self, context, message):
        return f"<<{message}>>"

    def npgettext(self, context, singular, plural, n):
        return f"<<{singular if n == 1 else plural}>>"


def install_marking() -> None:
    catalog.install_translations(MarkingTranslations(), "xx")


@pytest.fixture
def marking():
    """Call the returned function to switch to the marking catalog."""
    return install_marking
