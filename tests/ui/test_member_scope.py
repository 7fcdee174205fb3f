"""A member's lists show their own village only (the services refuse the rest; the screens do
not offer it): the village choices, the classes and teams of other villages."""

from __future__ import annotations

import datetime as dt

import pytest

from fieldapp.services import auth
from fieldapp.services.access import Session
from fieldapp.services.training import ClassRequest
from fieldapp.services.workspace import Workspace
from fieldapp.ui.context import AppContext

TODAY = dt.date.today()


@pytest.fixture
def member_context(commune, qapp):
    staff = Workspace(commune)
    villages = sorted(staff.villages(), key=lambda v: v["position"])
    mine, other = villages[0], villages[1]
    for name, village in (("Lớp của bản", mine["id"]), ("Lớp bản khác", other["id"]),
                          ("Lớp của xã", None)):
        staff.training.save_class(ClassRequest(name, TODAY, TODAY, skills=("s1",),
                                               learner_type="citizen", village_id=village))
    for name, village in (("Tổ bản", mine["id"]), ("Tổ bản khác", other["id"]),
                          ("Tổ xã", None)):
        staff.teams.save_team(name, village_id=village)
    user_id = commune.users.add_user("Lý Thị Hoa", "member", village_id=mine["id"])
    auth.set_pin(staff, commune.users.get(user_id), "975318")
    context = AppContext(Workspace(commune, Session.of_user(commune.users.get(user_id))))
    yield context, mine, other
    context.dispose()


def _items(combo) -> list[str]:
    return [combo.itemText(i) for i in range(combo.count())]


def test_households_offer_the_members_village_only(member_context, qtbot):
    from fieldapp.ui.screens.households import HouseholdsScreen

    context, mine, other = member_context
    screen = HouseholdsScreen(context)
    qtbot.addWidget(screen)
    assert _items(screen.village) == [mine["name"]]
    assert {r["village_name"] for r in screen.model.rows()} == {mine["name"]}
    dialog = screen.add_household(show=False)
    assert _items(dialog.village) == [mine["name"]]


def test_sessions_offer_the_members_village_only(member_context, qtbot):
    from fieldapp.ui.screens.sessions import SessionsScreen

    context, mine, _other = member_context
    screen = SessionsScreen(context)
    qtbot.addWidget(screen)
    assert _items(screen.village) == [mine["name"]]
    assert _items(screen.log.village) == [mine["name"]]


def test_classes_and_teams_of_other_villages_are_not_listed(member_context, qtbot):
    from fieldapp.ui.screens.teams import TeamsScreen
    from fieldapp.ui.screens.training import TrainingScreen

    context, _mine, _other = member_context
    training = TrainingScreen(context)
    qtbot.addWidget(training)
    assert sorted(r["name"] for r in training.model.rows()) == ["Lớp của bản", "Lớp của xã"]
    teams = TeamsScreen(context)
    qtbot.addWidget(teams)
    names = sorted(r["name"] for r in teams.teams.rows())
    assert "Tổ bản khác" not in names and {"Tổ bản", "Tổ xã"} <= set(names)


def test_reports_of_the_members_village(member_context, qtbot):
    from fieldapp.ui.screens.reports import ReportsScreen

    context, mine, _other = member_context
    screen = ReportsScreen(context)
    qtbot.addWidget(screen)
    assert _items(screen.village) == [mine["name"]]


def test_staff_see_every_village(context, qtbot):
    from fieldapp.ui.screens.households import HouseholdsScreen

    screen = HouseholdsScreen(context)
    qtbot.addWidget(screen)
    assert _items(screen.village)[0] == "All villages" and screen.village.count() == 4


def test_a_member_is_offered_to_remove_their_villages_classes_only(member_context, qtbot):
    """Remove… follows the service's rule (fieldapp.services.guards): a class of the
    member's village, yes; one of the whole commune, no, with the reason in its tooltip."""
    from fieldapp.ui.screens.training import TrainingScreen

    context, _mine, _other = member_context
    screen = TrainingScreen(context)
    qtbot.addWidget(screen)
    offered = {}
    for row in range(screen.model.rowCount()):
        screen.table.setCurrentIndex(screen.model.index(row, 0))
        name = screen.model.rows()[row]["name"]
        offered[name] = (screen.remove_button.isEnabled(), screen.remove_button.toolTip())
    assert offered["Lớp của bản"] == (True, "")
    assert offered["Lớp của xã"][0] is False and "commune" in offered["Lớp của xã"][1]
