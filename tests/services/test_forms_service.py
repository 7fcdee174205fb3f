"""Forms the app offers: shipped ones plus a commune's own in the data folder."""

import shutil

from openpyxl import load_workbook

from fieldapp import paths
from fieldapp.services.forms import FormCatalog, all_form_files, check_form_files


def test_shipped_forms_are_offered():
    ids = {info.form_id for info in FormCatalog().infos()}
    assert {"household_survey", "support_session", "training_progress"} <= ids


def test_commune_form_in_data_folder_is_loaded_and_overrides():
    own = paths.commune_forms_dir()
    own.mkdir(parents=True)
    shutil.copy(paths.forms_dir() / "support_session.xlsx", own / "support_session.xlsx")
    wb = load_workbook(own / "support_session.xlsx")
    ws = wb["settings"]
    header = [c.value for c in ws[1]]
    ws.cell(2, header.index("version") + 1, "2030010101")
    wb.save(own / "support_session.xlsx")
    path, form = FormCatalog().current("support_session")
    assert path.parent == own and form.version == "2030010101"


def test_broken_commune_form_is_reported_not_loaded():
    own = paths.commune_forms_dir()
    own.mkdir(parents=True)
    (own / "broken.xlsx").write_bytes(b"garbage")
    assert own / "broken.xlsx" in all_form_files()
    report = check_form_files()
    lines = report.problems
    assert len(lines) == 1 and lines[0].startswith("broken.xlsx")
    assert report.warnings == []  # the shipped forms work in ODK Collect as they are
    catalog = FormCatalog()
    assert {i.form_id for i in catalog.infos()} >= {"household_survey"}
    assert own / "broken.xlsx" in catalog.problems


def test_an_old_version_is_built_from_the_stored_workbook_without_a_file(tmp_path, monkeypatch):
    import tempfile

    source = paths.forms_dir() / "support_session.xlsx"
    wb = load_workbook(source)
    ws = wb["settings"]
    header = [c.value for c in ws[1]]
    ws.cell(2, header.index("version") + 1, "2001010101")
    old = tmp_path / "old.xlsx"
    wb.save(old)
    stored = {"filename": "support_session.xlsx", "content": old.read_bytes()}

    def no_files(*args, **kwargs):
        raise AssertionError("no temporary file is needed to build a stored form")

    monkeypatch.setattr(tempfile, "TemporaryDirectory", no_files)
    monkeypatch.setattr(tempfile, "mkstemp", no_files)
    catalog = FormCatalog([paths.forms_dir()])
    form = catalog.version("support_session", "2001010101", stored)
    assert form.version == "2001010101" and form.source_label == "support_session.xlsx"
    assert catalog.version("support_session", "2001010101", None) is form  # built once
