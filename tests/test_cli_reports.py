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


def test_every_report_command_writes_its_pdf(db, tmp_path, capsys):
    commands = [
        ["report", "commune", "--db", str(db), "--out", str(tmp_path / "a.pdf")],
        ["report", "commune", "--db", str(db), "--out", str(tmp_path / "b.pdf"),
         "--village", "Bản Khuông", "--from", "2026-01-01", "--to", "30/11/2026"],
        ["report", "progress", "--db", str(db), "--out", str(tmp_path / "c.pdf"),
         "--lang", "tyz"],
        ["report", "questionnaire", "--form", "household_survey", "--lang", "nut",
         "--out", str(tmp_path / "d.pdf")],
        ["report", "questionnaire", "--form", "household_survey", "--lang", "vi",
         "--db", str(db), "--household", _household(db), "--out", str(tmp_path / "e.pdf")],
        ["report", "household", "--db", str(db), "--household", _household(db), "--lang",
         "tyz", "--out", str(tmp_path / "f.pdf")],
    ]
    for command in commands:
        assert main(command) == 0, command
        out = capsys.readouterr().out
        assert out.startswith("Đã ghi ") and "KB" in out
    assert all((tmp_path / f"{c}.pdf").read_bytes().startswith(b"%PDF") for c in "abcdef")


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
    (["report", "commune", "--out", "{tmp}/x.pdf", "--from", "2026-02-30"], "không phải là ngày"),
    (["report", "commune", "--out", "{tmp}/x.pdf", "--from", "2026-05-01", "--to",
      "2026-04-01"], "--from không được sau --to"),
    (["report", "commune", "--out", "{tmp}/x.pdf", "--village", "Bản Không Có"],
     "Không có thôn, bản Bản Không Có"),
    (["report", "household", "--out", "{tmp}/x.pdf", "--household", "x", "--lang", "vi"],
     "Cơ sở dữ liệu này không có hộ x"),
    (["export-xlsx", "--out", "{tmp}"], "là một thư mục"),
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
