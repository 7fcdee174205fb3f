"""The note about records of a form version this laptop has not got: the forms it offers are
loaded once and remembered for as long as the form files stay the same."""

from __future__ import annotations

import json

from fieldapp import paths
from fieldapp.services.sync import exchange
from sync_world import join_member, new_commune


def test_known_form_versions_are_remembered_until_the_form_files_change(tmp_path):
    commune = new_commune(tmp_path / "commune.db")
    member = join_member(commune, tmp_path, "Laptop 1")
    village = member.villages.list()[0]["id"]
    member.submissions.add({"form_id": "a_form_from_elsewhere", "form_version": "7",
                            "status": "final", "village_id": village, "answers": {"q": "a"}})
    report = exchange.import_package(commune, exchange.export_package(
        member, tmp_path / "p1.fieldsync").path)
    assert "a_form_from_elsewhere" in " ".join(report.notes)
    remembered = json.loads(commune.meta("known_form_versions"))
    assert any(form == "household_survey" for form, _version in remembered["versions"])
    # The same files: the answer is taken from the database (a forged entry shows it).
    remembered["versions"].append(["a_form_from_elsewhere", "8"])
    commune.set_meta("known_form_versions", json.dumps(remembered))
    member.submissions.add({"form_id": "a_form_from_elsewhere", "form_version": "8",
                            "status": "final", "village_id": village, "answers": {"q": "b"}})
    report = exchange.import_package(commune, exchange.export_package(
        member, tmp_path / "p2.fieldsync").path)
    assert not report.notes
    # A form added to the commune's folder: the forms are loaded again.
    folder = paths.commune_forms_dir()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "notes.txt").write_text("not a form")
    member.submissions.add({"form_id": "a_form_from_elsewhere", "form_version": "8",
                            "status": "final", "village_id": village, "answers": {"q": "c"}})
    report = exchange.import_package(commune, exchange.export_package(
        member, tmp_path / "p3.fieldsync").path)
    assert "a_form_from_elsewhere" in " ".join(report.notes)


def test_a_workbook_kept_already_is_not_loaded_again(tmp_path, monkeypatch):
    """Every package of a member that surveys with a form the app does not ship carries its
    workbook; the commune loads and keeps it once."""
    import hashlib
    import io

    import openpyxl

    import fieldapp.core.forms as forms

    commune = new_commune(tmp_path / "commune.db")
    member = join_member(commune, tmp_path, "Laptop 1")
    village = member.villages.list()[0]["id"]
    book = openpyxl.load_workbook(paths.forms_dir() / "support_session.xlsx")
    settings = book["settings"]
    header = [c.value for c in settings[1]]
    settings.cell(2, header.index("version") + 1, "2099-local")
    data = io.BytesIO()
    book.save(data)
    member.submissions.keep_form_version("support_session", "2099-local",
                                         "support_session.xlsx", data.getvalue())
    loads = []
    original = forms.load_form
    monkeypatch.setattr(forms, "load_form", lambda *a, **k: loads.append(1) or original(*a, **k))
    for n in range(2):
        member.submissions.add({"form_id": "support_session", "form_version": "2099-local",
                                "status": "final", "village_id": village,
                                "answers": {"q": str(n)}})
        report = exchange.import_package(commune, exchange.export_package(
            member, tmp_path / f"p{n}.fieldsync").path)
        assert report.status == "applied", report.message
    assert len(loads) == 1
    assert commune.submissions.has_workbook(hashlib.sha256(data.getvalue()).hexdigest())
