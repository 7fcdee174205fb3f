"""Settings: the language switch applies at once everywhere; large text; data locations."""

from PySide6.QtWidgets import QApplication, QWidget

from fieldapp import paths
from fieldapp.i18n import catalog
from fieldapp.ui import fonts
from fieldapp.services.workspace import Workspace


def test_shows_device_and_data_locations(window):
    settings = window.show_screen("settings")
    store = window.context.workspace.store
    assert settings.device_id_value.text() == store.device_id
    assert settings.device_value.text() == store.device_name
    assert settings.db_value.text() == str(store.path)
    assert settings.data_value.text() == str(paths.data_dir())


def test_switching_to_vietnamese_retranslates_without_losing_state(window):
    households = window.show_screen("households")
    households.search.setText("dang")
    households.run_search()
    settings = window.show_screen("settings")
    assert settings.language.currentText() == "English"
    assert window.nav.item(1).text() == "Households"

    settings.language.setCurrentIndex(settings.language.findData("vi"))

    assert catalog.current_language() == "vi"
    assert window.context.workspace.store.meta("language") == "vi"  # remembered for the next start
    assert window.nav.item(1).text() == "Hộ gia đình"
    assert settings.language_label.text() == "Ngôn ngữ giao diện:"
    assert households.village.itemText(0) == "Tất cả thôn/bản"
    assert households.count.text() == "1 hộ gia đình"
    assert window.status_commune.text() == "Xã: Xã Tân Thành"
    # What the user typed and found is still there.
    assert households.search.text() == "dang"
    assert [r["head_name"] for r in households.model.rows()] == ["Đặng Văn Hùng"]
    assert window.current_key() == "settings"

    settings.language.setCurrentIndex(settings.language.findData("en"))
    assert window.nav.item(1).text() == "Households"


def test_large_text_scales_the_application_font(window):
    app = QApplication.instance()
    settings = window.show_screen("settings")
    normal = fonts.BASE_POINT_SIZE
    assert app.font().pointSizeF() == normal
    settings.large_text.setChecked(True)
    try:
        assert app.font().pointSizeF() == normal * fonts.FONT_SCALES[1]
        assert window.context.font_scale() == fonts.FONT_SCALES[1]
        home = window.screen("home")
        assert home.title.font().pointSizeF() > app.font().pointSizeF()
    finally:
        settings.large_text.setChecked(False)
    assert app.font().pointSizeF() == normal


def test_app_font_is_the_bundled_dejavu(qapp):
    assert "DejaVu Sans" in fonts.register_fonts()
    assert fonts.app_font().family() == "DejaVu Sans"


def test_the_retention_period_lists_the_households_to_review(window):
    settings = window.show_screen("settings")
    row = settings.findChild(QWidget, "retention_years").parent()
    store = window.context.workspace.store
    household = store.query("select id, head_name from households where deleted = 0 "
                            "limit 1")[0]
    # a household last changed long ago (its survey too)
    with store.transaction():
        store.conn.execute("update households set updated_at = '2015-03-01T08:00:00.000Z' "
                           "where id = ?", [household["id"]])
        store.conn.execute("update submissions set updated_at = '2015-03-01T08:00:00.000Z' "
                           "where household_id = ?", [household["id"]])
    row.years.setCurrentIndex(row.years.findData(10))
    assert window.context.workspace.setting("retention_years") == 10
    dialog = row.review(show=False)
    assert [r["head_name"] for r in dialog.model.rows()] == [household["head_name"]]
    assert "1 household not updated for 10 years" in dialog.summary.text()
    row.years.setCurrentIndex(row.years.findData(1))
    assert row.review(show=False).model.rowCount() >= 1
