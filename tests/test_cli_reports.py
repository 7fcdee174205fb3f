"""The report and export commands: what they write, one-line errors with exit code 2, the
warning before an export with names."""

from __future__ import annotations

import pytest

from fieldapp.cli import main


@pytest.fixture(autouse=True)
def vietnamese(monkeypatch):
    monkeypatch.setenv("FIELDAPP_LANG", "vi")


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli") / "demo.db"
    assert main(["demo", "--db", str(path), "--households", "40", "--seed", "6"]) == 0
    return path


def _household(db):
    import sqlite3

    conn = sqlite3.connect(str(db))
    try:
        return conn.execute("select id from households where deleted = 0 limit 1").fetchone()[0]
    finally:
        conn.close()


def _code(db):
    """The household's short code as printed on its papers."""
    return _household(db).replace("-", "")[:8].upper()


def test_every_report_command_writes_its_pdf(db, tmp_path, capsys):
    narrative = tmp_path / "words.txt"
    narrative.write_text("Đoạn thứ nhất do xã viết.\n\nĐoạn thứ hai.", encoding="utf-8")
    commands = [
        ["report", "commune", "--db", str(db), "--out", str(tmp_path / "a.pdf")],
        ["report", "commune", "--db", str(db), "--out", str(tmp_path / "b.pdf"),
         "--village", "Bản Khuông", "--period", "2026-Q4", "--narrative", str(narrative)],
        ["report", "progress", "--db", str(db), "--out", str(tmp_path / "c.pdf"),
         "--lang", "tyz"],
        ["report", "questionnaire", "--form", "household_survey", "--lang", "nut",
         "--out", str(tmp_path / "d.pdf")],
        ["report", "questionnaire", "--form", "household_survey", "--lang", "vi",
         "--db", str(db), "--household", _code(db), "--out", str(tmp_path / "e.pdf")],
        ["report", "household", "--db", str(db), "--household", _household(db), "--lang",
         "tyz", "--out", str(tmp_path / "f.pdf")],
    ]
    for command in commands:
        assert main(command) == 0, command
        out = capsys.readouterr().out
        assert out.startswith("Đã ghi ") and "KB" in out
    assert all((tmp_path / f"{c}.pdf").read_bytes().startswith(b"%PDF") for c in "abcdef")
    from pypdf import PdfReader

    def text_of(path):
        return "\n".join(page.extract_text() for page in PdfReader(str(path)).pages)

    assert "Đoạn thứ nhất do xã viết." in text_of(tmp_path / "b.pdf")
    assert _code(db) in text_of(tmp_path / "e.pdf")


def test_the_report_as_docx_and_the_province_report(db, tmp_path, capsys):
    assert main(["report", "commune", "--db", str(db), "--out", str(tmp_path / "a.docx"),
                 "--period", "2026"]) == 0
    assert (tmp_path / "a.docx").read_bytes().startswith(b"PK")
    assert main(["report", "province", "--db", str(db), "--out", str(tmp_path / "p.pdf"),
                 "--period", "2026-H2"]) == 0
    assert (tmp_path / "p.pdf").read_bytes().startswith(b"%PDF")


def test_exports_warn_about_names_first(db, tmp_path, capsys):
    assert main(["export-xlsx", "--db", str(db), "--out", str(tmp_path / "x.xlsx")]) == 0
    captured = capsys.readouterr()
    assert captured.err.startswith("Lưu ý: tệp xuất này có họ tên")
    assert "Đã ghi" in captured.out and "bảng" in captured.out
    assert main(["export-csv", "--db", str(db), "--out", str(tmp_path / "csv"),
                 "--without-names"]) == 0
    captured = capsys.readouterr()
    assert captured.err == "" and (tmp_path / "csv" / "indicators.csv").is_file()


@pytest.mark.parametrize("args, message", [
    (["report", "commune", "--out", "{tmp}/nowhere/x.pdf"], "thư mục {tmp}/nowhere không tồn tại"),
    (["report", "commune", "--out", "{tmp}/x.pdf", "--period", "2026-Q5"],
     "không phải là một kỳ"),
    (["report", "commune", "--out", "{tmp}/x.odt"], "hãy ghi báo cáo ra tệp .pdf hoặc .docx"),
    (["report", "commune", "--out", "{tmp}/x.pdf", "--narrative", "{tmp}/none.txt"],
     "Không đọc được {tmp}/none.txt: tệp hoặc thư mục chứa nó không tồn tại"),
    (["report", "commune", "--out", "{tmp}/x.pdf", "--village", "Bản Không Có"],
     "Không có thôn, bản Bản Không Có"),
    (["report", "household", "--out", "{tmp}/x.pdf", "--household", "x", "--lang", "vi"],
     "hãy nhập ít nhất 6 ký tự của mã hộ"),
    (["report", "household", "--out", "{tmp}/x.pdf", "--household", "ffffffff", "--lang",
      "vi"], "Cơ sở dữ liệu này không có hộ ffffffff"),
    (["export-xlsx", "--out", "{tmp}"], "là một thư mục"),
    (["export-xlsx", "--out", "{tmp}/x.csv"], "x.csv: hãy ghi bảng tính ra tệp .xlsx"),
])
def test_bad_input_is_one_line_and_exit_2(db, tmp_path, capsys, args, message):
    args = [a.format(tmp=tmp_path) for a in args]
    command = args[:2] if args[0] == "report" else args[:1]
    rest = args[len(command):]
    assert main(command + ["--db", str(db)] + rest) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("fieldapp: ")
    assert message.format(tmp=tmp_path) in err


def test_a_missing_database_is_not_created(tmp_path, capsys):
    missing = tmp_path / "none.db"
    assert main(["report", "commune", "--db", str(missing), "--out",
                 str(tmp_path / "x.pdf")]) == 2
    assert not missing.exists()
    assert main(["report", "questionnaire", "--form", "nope", "--lang", "vi", "--out",
                 str(tmp_path / "x.pdf")]) == 2
    assert "Không có mẫu phiếu nope" in capsys.readouterr().err
