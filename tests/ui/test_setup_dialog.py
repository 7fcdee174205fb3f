"""First-run setup dialog: inline validation, then one transaction through services/setup."""

import unicodedata

import pytest

from fieldapp.i18n import catalog
from fieldapp.services.auth import check_pin
from fieldapp.ui.setup_dialog import SetupDialog
from fieldapp.services.workspace import Workspace


@pytest.fixture
def dialog(store, qtbot):
    widget = SetupDialog(Workspace(store))
    qtbot.addWidget(widget)
    widget.show()
    return widget


def fill(dialog, *, commune="Xã Tân Thành", province="Lạng Sơn",
         villages="Bản Khuông\nThôn Nà Lầu\n", name="Hoàng Thị Mai", pin="246813", confirm="246813"):
    dialog.commune_name.setText(commune)
    dialog.province.setText(province)
    dialog.villages.setPlainText(villages)
    dialog.user_name.setText(name)
    dialog.pin.setText(pin)
    dialog.pin_confirm.setText(confirm)


def test_empty_form_lists_problems_inline_and_writes_nothing(dialog, store):
    dialog.submit()
    assert dialog.problems.isVisible()
    text = dialog.problems.text()
    assert "Enter the commune's name." in text
    assert "Enter at least one village (thôn, bản)." in text
    assert "Enter your name." in text
    assert "The PIN must be 6 to 12 digits." in text
    assert dialog.result() == 0 and dialog.isVisible()
    assert not store.is_set_up


def test_problems_follow_the_typing_after_a_first_attempt(dialog):
    fill(dialog, pin="12")
    assert not dialog.problems.isVisible()  # nothing shouted before the first attempt
    dialog.submit()
    assert dialog.problems.text() == "• The PIN must be 6 to 12 digits."
    dialog.pin.setText("123456")
    assert "too easy to guess" in dialog.problems.text()
    dialog.pin.setText("135246")
    assert "The two PINs are different" in dialog.problems.text()
    dialog.pin_confirm.setText("135246")
    assert not dialog.problems.isVisible()


def test_duplicate_villages_are_refused(dialog):
    fill(dialog, villages="Bản Khuông\nban khuong\n")
    dialog.submit()
    assert "Two villages have the same name." in dialog.problems.text()


def test_successful_setup_with_decomposed_input(dialog, store):
    fill(dialog, commune=unicodedata.normalize("NFD", "Xã Tân Thành"),
         villages=" Bản Khuông \n\nThôn Nà Lầu", name=unicodedata.normalize("NFD", "Hoàng Thị Mai"))
    dialog.language.setCurrentIndex(dialog.language.findData("en"))
    dialog.submit()
    assert dialog.result() == SetupDialog.DialogCode.Accepted
    assert store.is_set_up
    assert store.commune()["name"] == "Xã Tân Thành"
    assert [v["name"] for v in store.villages.list()] == ["Bản Khuông", "Thôn Nà Lầu"]
    user = store.users.get(dialog.user_id)
    assert (user["name"], user["role"]) == ("Hoàng Thị Mai", "commune_staff")
    assert check_pin(user["pin_hash"], "246813")
    assert store.meta("language") == "en"


def test_choosing_a_language_retranslates_the_dialog(dialog, marking):
    assert dialog.commune_box.title() == "Commune"
    marking()
    assert dialog.commune_box.title() == "<<Commune>>"
    assert dialog.role.itemText(0) == "<<Commune staff>>"  # who sets up is commune staff
    catalog.set_language("en")
    assert dialog.commune_box.title() == "Commune"


def test_demo_button_is_offered_only_with_a_demo_path(dialog, store, qtbot, tmp_path):
    assert not dialog.demo_button.isVisibleTo(dialog)
    other = SetupDialog(Workspace(store), demo_path=tmp_path / "demo.db")
    qtbot.addWidget(other)
    assert other.demo_button.isVisibleTo(other)
    assert other.demo_button.text() == "Try the demo commune"


def test_demo_commune_is_created_through_the_task_helper(store, qtbot, tmp_path):
    path = tmp_path / "demo.db"
    dialog = SetupDialog(Workspace(store), demo_path=path, demo_households=12)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.demo_button.click()  # tasks are synchronous in tests
    assert dialog.result() == SetupDialog.DialogCode.Accepted
    assert dialog.demo_db == path
    from fieldapp.storage.store import Store

    demo = Store.open(path)
    try:
        assert demo.is_demo and demo.counts()["households"] == 12
    finally:
        demo.close()
    assert not store.is_set_up  # the new database was left alone


def test_demo_failure_is_shown_inline(store, qtbot, tmp_path, monkeypatch):
    from fieldapp.errors import UserError
    from fieldapp.services import demo

    def refuse(*args, **kwargs):
        raise UserError("No room left on the disk.")

    monkeypatch.setattr(demo, "create_demo", refuse)
    dialog = SetupDialog(Workspace(store), demo_path=tmp_path / "demo.db")
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.demo_button.click()
    assert dialog.problems.text() == "• No room left on the disk."
    assert dialog.demo_button.isEnabled()
    assert dialog.result() == 0
