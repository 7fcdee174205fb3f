"""``fieldapp --self-check``: one line per check in the user's language, exit 0 only when all
pass; a missing file of a built app, or a form that no longer loads, fails its line."""

from __future__ import annotations

import sys

import pytest

from fieldapp import paths
from fieldapp.cli import main
from fieldapp.i18n import catalog
from fieldapp.services import selfcheck


@pytest.fixture(autouse=True)
def vietnamese(monkeypatch):
    monkeypatch.delenv("FIELDAPP_LANG", raising=False)
    monkeypatch.setenv("LANG", "vi_VN.UTF-8")


def test_every_check_passes_from_source(capsys):
    assert main(["--self-check"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == len(selfcheck.names()) + 1
    assert all(line.startswith("ĐẠT") for line in lines[:-1])
    assert "Vẽ màn hình" in lines[-2] and lines[-1].startswith("Cả 10 mục kiểm tra đều đạt")
    assert any("vẽ được để xem trước" in line for line in lines)  # the preview's PDFium


def test_the_pdf_check_draws_the_page_as_the_preview_does(tmp_path):
    """A built app without PDFium, or one that draws nothing, fails the PDF line: the
    check renders the first page with pypdfium2 and looks for ink."""
    from reportlab.pdfgen import canvas

    for name, text in (("blank.pdf", ""), ("written.pdf", "Xã Tự Kiểm")):
        page = canvas.Canvas(str(tmp_path / name))
        if text:
            page.drawString(72, 720, text)
        page.showPage()
        page.save()
    assert selfcheck._drawn(tmp_path / "written.pdf")
    assert not selfcheck._drawn(tmp_path / "blank.pdf")


def test_a_built_app_missing_a_file_fails_its_line(tmp_path, monkeypatch, capsys):
    top = tmp_path / "fieldapp"
    bundle = top / "_internal"
    bundle.mkdir(parents=True)
    (top / "fieldapp").write_bytes(b"")
    (bundle / selfcheck.MANIFEST).write_text("fieldapp\n_internal/libQt6Core.so.6\n")
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(bundle), raising=False)
    catalog.set_language("vi")
    with pytest.raises(selfcheck.CheckFailed) as raised:
        selfcheck.app_files()
    assert "_internal/libQt6Core.so.6" in str(raised.value)
    assert "cài đặt lại" in str(raised.value)
    (bundle / "libQt6Core.so.6").write_bytes(b"")
    assert selfcheck.app_files() == "có đủ 2 tệp"


def test_a_form_that_does_not_load_fails_and_the_exit_code_is_1(tmp_path, monkeypatch, capsys):
    forms = tmp_path / "forms"
    forms.mkdir()
    (forms / "broken.xlsx").write_bytes(b"not a workbook")
    monkeypatch.setattr(paths, "forms_dir", lambda: forms)
    assert main(["--self-check"]) == 1
    out = capsys.readouterr().out
    failed = [line for line in out.splitlines() if line.startswith("LỖI")]
    assert failed and "broken.xlsx" in failed[0]
    assert "cài đặt lại fieldapp" in out.splitlines()[-1]


def test_a_missing_module_in_a_built_app_is_one_clear_line(monkeypatch, tmp_path):
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path / "_internal"), raising=False)
    missing = paths.missing_in_bundle(ModuleNotFoundError("No module named '_cffi_backend'",
                                                         name="_cffi_backend"))
    assert missing is not None and "_cffi_backend" in str(missing)
    assert paths.missing_in_bundle(ValueError("x")) is None
