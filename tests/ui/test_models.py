"""Qt models over plain rows, without any window."""

from PySide6.QtCore import Qt

from fieldapp.ui.models import HouseholdsModel, PersonsModel, RowRole, VillageCountsModel, age_text

DISPLAY = Qt.ItemDataRole.DisplayRole


def _table(model):
    return [[model.index(r, c).data(DISPLAY) for c in range(model.columnCount())]
            for r in range(model.rowCount())]


def _headers(model):
    return [model.headerData(c, Qt.Orientation.Horizontal, DISPLAY)
            for c in range(model.columnCount())]


def test_households_model_shows_labels_not_codes(qapp):
    rows = [{"id": "h1", "head_name": "Đặng Văn Hùng", "village_name": "Bản Khuông",
             "member_count": 3, "ethnicity": "dao", "phone": "0912"},
            {"id": "h2", "head_name": "Nông Thị Mai", "village_name": "Thôn Nà Lầu",
             "member_count": 1234, "ethnicity": "mystery", "phone": None}]
    model = HouseholdsModel(rows)
    assert _headers(model) == ["Head of household", "Village", "Members", "Ethnicity", "Phone"]
    assert _table(model) == [["Đặng Văn Hùng", "Bản Khuông", "3", "Dao", "0912"],
                             ["Nông Thị Mai", "Thôn Nà Lầu", "1,234", "mystery", ""]]
    assert model.index(1, 0).data(RowRole)["id"] == "h2"
    assert model.index(0, 2).data(Qt.ItemDataRole.TextAlignmentRole) & Qt.AlignmentFlag.AlignRight


def test_set_rows_resets_and_empty_model(qapp):
    model = HouseholdsModel()
    assert model.rowCount() == 0
    model.set_rows([{"id": "x", "head_name": "A"}])
    assert model.rowCount() == 1
    assert model.index(5, 0).data(DISPLAY) is None


def test_persons_model_ages_and_relations(qapp):
    rows = [{"full_name": "Hoàng Văn Dũng", "sex": "male", "birth_year": 1970,
             "relation": "head", "ethnicity": "tay"},
            {"full_name": "Nguyễn Văn Ễnh", "sex": "male", "birth_year": None,
             "relation": "child", "ethnicity": "tay"}]
    model = PersonsModel(rows, year=2026)
    assert _table(model) == [
        ["Hoàng Văn Dũng", "Male", "1970 (56)", "Head of household", "Tày"],
        ["Nguyễn Văn Ễnh", "Male", "", "Child", "Tày"]]
    assert age_text(2000, 2026) == "2000 (26)"


def test_village_counts_has_bold_totals_row(qapp):
    rows = [{"id": "v1", "name": "Bản Khuông", "remote": 0, "households": 1200, "persons": 4100},
            {"id": "v2", "name": "Thôn Nà Lầu", "remote": 1, "households": 3, "persons": 9}]
    model = VillageCountsModel(rows)
    assert _table(model) == [["Bản Khuông", "1,200", "4,100"], ["Thôn Nà Lầu", "3", "9"],
                             ["Total", "1,203", "4,109"]]
    assert model.index(2, 0).data(Qt.ItemDataRole.FontRole).bold()
    assert model.index(0, 0).data(Qt.ItemDataRole.FontRole) is None
    model.set_rows([])
    assert model.rowCount() == 0


def test_headers_and_labels_follow_the_language(qapp, qtbot, marking):
    model = HouseholdsModel([{"id": "h", "head_name": "Triệu Thị Yến", "ethnicity": "dao",
                              "member_count": 1}])
    with qtbot.waitSignal(model.headerDataChanged):
        marking()
        model.retranslate()
    assert _headers(model)[0] == "<<Head of household>>"
    assert model.index(0, 3).data(DISPLAY) == "<<Dao>>"
    assert model.index(0, 0).data(DISPLAY) == "Triệu Thị Yến"  # data is never translated


def test_a_year_of_birth_that_is_no_year_shows_as_stored():
    """A survey's answer that is no number, or another laptop's number no year is: shown as
    it is, never failing the screen (the person dialog then offers no year)."""
    from fieldapp.ui.models import birth_year_of

    assert age_text("khoảng 1960", 2026) == "khoảng 1960"
    assert age_text(10**18, 2026) == str(10**18)
    assert age_text("1985", 2026) == "1985 (41)"
    assert [birth_year_of(v) for v in ("x", 10**30, 1985, None)] == [None, None, 1985, None]


def test_the_person_dialog_keeps_a_year_of_birth_that_is_no_year(qtbot):
    """Editing a person whose year of birth is a survey's text keeps that text (shown as it is)
    unless a year is chosen."""
    from fieldapp.ui.screens.registry_dialogs import PersonDialog

    person = {"full_name": "Hoàng Thị Mai", "sex": "female", "birth_year": "khoảng 1960",
              "relation": "head", "ethnicity": "tay"}
    dialog = PersonDialog("Sửa", lambda values: None, person)
    qtbot.addWidget(dialog)
    assert dialog.birth_year.text() == "khoảng 1960"
    assert "birth_year" not in dialog.values()  # left as stored
    dialog.birth_year.setValue(1961)
    assert dialog.values()["birth_year"] == 1961
    unknown = PersonDialog("Sửa", lambda values: None, {**person, "birth_year": None})
    qtbot.addWidget(unknown)
    assert unknown.values()["birth_year"] is None
