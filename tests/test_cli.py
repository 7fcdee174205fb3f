"""Command line: exit codes, one-line errors, files left untouched."""

from __future__ import annotations

import hashlib
import sqlite3

import pytest

from fieldapp import __version__
from fieldapp.cli import main
from fieldapp.storage.store import Store


@pytest.fixture(autouse=True)
def english(monkeypatch):
    monkeypatch.setenv("FIELDAPP_LANG", "en")


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_version(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert __version__ in capsys.readouterr().out


def test_usage_error_is_one_line_exit_2(capsys):
    assert main(["demo"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "--db" in err


def test_check_healthy_database(tmp_path, capsys):
    path = tmp_path / "ok.db"
    Store.open(path).close()
    assert main(["check", "--db", str(path)]) == 0
    assert "Households: 0" in capsys.readouterr().out


def test_check_reports_broken_foreign_keys(tmp_path, capsys):
    path = tmp_path / "bad-fk.db"
    Store.open(path).close()
    conn = sqlite3.connect(path)
    conn.execute("insert into persons (id, household_id, full_name, device_id, created_at, "
                 "updated_at, rev) values ('p1', 'missing', 'X', 'd', 't', 't', 'r')")
    conn.commit()
    conn.close()
    assert main(["check", "--db", str(path)]) == 1
    assert "persons" in capsys.readouterr().out


@pytest.mark.parametrize("content", [b"", b"hello", b"PK\x03\x04 not sqlite" * 100])
def test_bad_db_file_exit_2_untouched(tmp_path, capsys, content):
    path = tmp_path / "x.db"
    path.write_bytes(content)
    before = digest(path)
    assert main(["check", "--db", str(path)]) == 2
    assert main(["--db", str(path), "--screenshot", str(tmp_path / "shots")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and all(line.startswith("fieldapp:") for line in err)
    assert "Traceback" not in "".join(err)
    assert digest(path) == before


def test_newer_database_refused_by_the_app(tmp_path, capsys):
    path = tmp_path / "new.db"
    Store.open(path).close()
    conn = sqlite3.connect(path)
    conn.execute("insert into _sqlite_migrations (migration_set, name, applied_at) "
                 "values ('fieldapp', 'm900_future', '2030-01-01')")
    conn.commit()
    conn.execute("pragma wal_checkpoint(truncate)")
    conn.close()
    before = digest(path)
    assert main(["--db", str(path), "--screenshot", str(tmp_path / "s")]) == 2
    assert "newer version" in capsys.readouterr().err
    assert digest(path) == before


@pytest.mark.parametrize("where", ["before", "after"])
def test_debug_adds_the_traceback_and_keeps_the_exit_code(tmp_path, capsys, where):
    """--debug is accepted before or after the subcommand, and never changes the exit code."""
    path = tmp_path / "x.db"
    path.write_bytes(b"nope")
    args = ["check", "--db", str(path)]
    assert main(args) == 2
    plain = capsys.readouterr().err
    assert main(["--debug", *args] if where == "before" else [*args, "--debug"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" in err and "Traceback" not in plain
    assert err.rstrip().splitlines()[-1] == plain.strip()  # the same one line, last
    assert main(["demo", "--debug"]) == 2  # a usage error too
    assert "Traceback" in capsys.readouterr().err


def test_check_missing_file_exit_2(tmp_path, capsys):
    assert main(["check", "--db", str(tmp_path / "none.db")]) == 2
    assert not (tmp_path / "none.db").exists()


def test_forms_check_shipped_forms_pass(capsys):
    assert main(["forms", "check"]) == 0


def test_forms_check_bad_file_one_line_per_problem(tmp_path, capsys):
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a workbook")
    assert main(["forms", "check", str(bad)]) == 1
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and out[0].startswith("bad.xlsx")


def test_messages_are_vietnamese_by_default(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("FIELDAPP_LANG")
    monkeypatch.setenv("LANG", "C.UTF-8")
    path = tmp_path / "x.db"
    path.write_bytes(b"hello")
    assert main(["check", "--db", str(path)]) == 2
    assert "không phải" in capsys.readouterr().err


def test_i18n_coverage_command_reports_every_pack(capsys):
    code = main(["i18n", "coverage"])
    out = capsys.readouterr().out
    for language in ("tyz", "nut", "ium"):
        assert f"{language} household_survey" in out
    assert code == 0  # every shipped pack is current with every shipped form
    assert "nut household_survey (shipped)" in out and "inherited from tyz" in out
    assert "reviewed 0, draft" in out and "translated" not in out  # drafts are drafts
    assert "ium@dao-vn glossary: 64 terms: reviewed 0, draft 0, missing 64" in out


def test_i18n_needs_a_subcommand(capsys):
    assert main(["i18n"]) == 2
