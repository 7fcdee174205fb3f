"""Home says which laptop this is: the commune's own laptop names its commune (never "has not
joined a commune"), before and after its sync identity exists."""

from __future__ import annotations

from fieldapp.services.sync import identity
from fieldapp.ui.screens.home import HomeScreen


def _home(context, qtbot) -> HomeScreen:
    screen = HomeScreen(context)
    qtbot.addWidget(screen)
    return screen


def test_the_laptop_that_set_the_commune_up_is_the_communes(context, qtbot):
    screen = _home(context, qtbot)
    text = screen.pending.text.text()
    assert "Xã Tân Thành" in text and "not joined" not in text
    assert "sync identity" in text  # what to do before the members can send packages
    assert screen.pending.title.text() == "The commune's laptop"
    assert screen.pending.number.text() == ""
    assert screen.pending.action.isVisibleTo(screen)  # Go to Sync


def test_the_commune_laptop_with_its_identity_receives_packages(context, qtbot):
    identity.create_hub(context.workspace.store)
    screen = _home(context, qtbot)
    text = screen.pending.text.text()
    assert "Xã Tân Thành" in text and "received here" in text
    assert not screen.pending.action.isVisibleTo(screen)


def test_the_commune_laptop_in_vietnamese(context, qtbot):
    from fieldapp.i18n import catalog

    catalog.set_language("vi")
    screen = _home(context, qtbot)
    text = screen.pending.text.text()
    assert "Xã Tân Thành" in text and "chưa tham gia" not in text


def test_the_charts_indicator_names_are_whole_when_the_bars_can_give_way(qtbot):
    """Home's chart at the width it has at 1366x768: a long indicator name is drawn whole,
    the bar taking what is left (down to a fifth of the chart); in a narrow chart the name
    gives way to half the width, elided, whole in the tooltip."""
    from fieldapp.services.today import IndicatorCount
    from fieldapp.ui.screens.home import IndicatorChart

    name = "Người từ 15 tuổi có tài khoản thanh toán điện tử hoặc ví điện tử"
    chart = IndicatorChart()
    qtbot.addWidget(chart)
    chart.set_counts([IndicatorCount("epayment", name, 46, 82, True, "56% (46/82)")])
    chart.resize(720, 200)
    label, text, bar = chart.columns()
    assert label >= chart.fontMetrics().horizontalAdvance(name) + 12
    assert bar >= 720 // 5 and label + text + bar + 16 <= 720
    chart.resize(300, 200)
    label, _text, bar = chart.columns()
    assert label == 150 and bar >= 40
    assert name in chart.toolTip()
