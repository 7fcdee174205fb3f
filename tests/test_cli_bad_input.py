"""Bad input at every command that reads or writes a file the user names: one line on standard
error, in the interface language, exit code 2 (1 where a command documents it: ``import`` and
``forms check`` list refused files), no traceback, no "unexpected error", and the database
byte for byte as it was. Every input is a real file made in tmp_path.

The table is entry point x bad input; a new command that takes a file adds a row to
READERS or WRITERS.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest

from bad_files import LONG, bad_file
from fieldapp.cli import main



@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    from fieldapp.services.demo import create_demo

    path = tmp_path_factory.mktemp("bad-input") / "demo.db"
    create_demo(path, households=3, seed=1)
    return path


@pytest.fixture
def db(demo_db, tmp_path):
    path = tmp_path / "commune.db"
    shutil.copy(demo_db, path)
    return path


@pytest.fixture(autouse=True)
def english(monkeypatch):
    monkeypatch.setenv("FIELDAPP_LANG", "en")
    monkeypatch.delenv("FIELDAPP_USER", raising=False)
    monkeypatch.delenv("FIELDAPP_PIN", raising=False)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


INPUTS = ("missing", "folder", "empty", "garbage", "pdf", "empty zip", "long name",
          "link to itself")

# entry point -> (suffix, argv(database, bad file, tmp_path), exit code)
READERS = {
    "check --db": (".db", lambda db, bad, tmp: ["check", "--db", str(bad)], 2),
    "dump --db": (".db", lambda db, bad, tmp: ["dump", "--db", str(bad)], 2),
    "demo --join": (".setup", lambda db, bad, tmp: [
        "demo", "--db", str(tmp / "new.db"), "--join", str(bad), "--households", "1"], 2),
    "i18n import": (".po", lambda db, bad, tmp: ["i18n", "import", "--db", str(db), str(bad)],
                    2),
    "i18n audio-import": (".xlsx", lambda db, bad, tmp: [
        "i18n", "audio-import", "--db", str(db), str(bad)], 2),
    "setup-file --request": (".request", lambda db, bad, tmp: [
        "setup-file", "--db", str(db), "--out", str(tmp / "x.hub"), "--request", str(bad)], 2),
    "join --hub-file": (".hub", lambda db, bad, tmp: [
        "join", "--db", str(db), "--hub-file", str(bad)], 2),
    "import": (".fieldsync", lambda db, bad, tmp: ["import", "--db", str(db), str(bad)], 1),
    "report commune --narrative": (".txt", lambda db, bad, tmp: [
        "report", "commune", "--db", str(db), "--out", str(tmp / "r.pdf"), "--narrative",
        str(bad)], 2),
    "restore --from": (".bak", lambda db, bad, tmp: [
        "restore", "--db", str(db), "--from", str(bad)], 2),
    "forms check": (".xlsx", lambda db, bad, tmp: ["forms", "check", str(bad)], 1),
}
EXPECTED = {  # inputs a command takes as they are (not bad for it)
    ("import", "folder"): 2,  # a folder of packages, with none in it
    ("import", "long name"): 2,  # no file can have that name: the command line is wrong
}


def run(capsys, argv: list[str]) -> tuple[int, str, str]:
    code = main(argv)
    said = capsys.readouterr()
    return code, said.out, said.err


def one_clear_line(code: int, out: str, err: str, expected: int) -> None:
    assert code == expected, (code, out, err)
    text = err if err.strip() else out
    assert "Traceback" not in err and "unexpected error" not in text, text
    if expected == 2:
        lines = [line for line in err.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("fieldapp: "), err


@pytest.mark.parametrize("kind", INPUTS)
@pytest.mark.parametrize("entry", READERS)
def test_a_bad_input_file_is_one_line_and_changes_nothing(entry, kind, db, tmp_path, capsys):
    suffix, argv, expected = READERS[entry]
    folder = tmp_path / "in"
    folder.mkdir()
    bad = bad_file(kind, folder, suffix)
    before = digest(db)
    code, out, err = run(capsys, argv(db, bad, tmp_path))
    one_clear_line(code, out, err, EXPECTED.get((entry, kind), expected))
    assert digest(db) == before
    assert not (tmp_path / "new.db").exists()


# entry point -> (suffix, argv(database, output path))
WRITERS = {
    "backup --out": (".bak", lambda db, out: ["backup", "--db", str(db), "--out", str(out)]),
    "setup-file --out": (".setup", lambda db, out: [
        "setup-file", "--db", str(db), "--out", str(out)]),
    "join-request --out": (".request", lambda db, out: [
        "join-request", "--db", str(db), "--out", str(out)]),
    "report commune --out": (".pdf", lambda db, out: [
        "report", "commune", "--db", str(db), "--out", str(out)]),
    "report questionnaire --out": (".pdf", lambda db, out: [
        "report", "questionnaire", "--form", "support_session", "--lang", "vi", "--out",
        str(out)]),
    "export-xlsx --out": (".xlsx", lambda db, out: [
        "export-xlsx", "--db", str(db), "--out", str(out), "--without-names"]),
    "export-csv --out": ("", lambda db, out: [
        "export-csv", "--db", str(db), "--out", str(out), "--without-names"]),
    "i18n audio-export --out": (".xlsx", lambda db, out: [
        "i18n", "audio-export", "--db", str(db), "--form", "support_session", "--out",
        str(out)]),
    "demo --db": (".db", lambda db, out: ["demo", "--db", str(out), "--households", "1"]),
    "warehouse init --local": ("", lambda db, out: ["warehouse", "init", "--local", str(out)]),
}
OUTPUTS = ("no such folder", "long name", "under a file")


def bad_output(kind: str, folder: Path, suffix: str) -> Path:
    if kind == "no such folder":
        return folder / "no" / "such" / f"out{suffix}"
    if kind == "long name":
        return folder / f"{LONG}{suffix}"
    (folder / "a-file").write_text("x")
    return folder / "a-file" / f"out{suffix}"


@pytest.mark.parametrize("kind", OUTPUTS)
@pytest.mark.parametrize("entry", WRITERS)
def test_an_output_path_that_cannot_be_written_is_one_line(entry, kind, db, tmp_path, capsys):
    suffix, argv = WRITERS[entry]
    folder = tmp_path / "out"
    folder.mkdir()
    out = bad_output(kind, folder, suffix)
    before = digest(db)
    code, said, err = run(capsys, argv(db, out))
    if entry == "warehouse init --local" and code != 2 and "psycopg" in err:
        pytest.skip("no PostgreSQL tools here")
    if kind == "no such folder" and code == 0:  # made the folders it needed (backup, demo)
        assert out.exists() and not err.strip(), err
        return
    one_clear_line(code, said, err, 2)
    assert digest(db) == before
    assert not list(folder.rglob("*.part")), "a half-written file was left behind"


@pytest.mark.parametrize("entry", ["setup-file --out", "join-request --out",
                                   "i18n audio-export --out"])
def test_an_output_that_is_a_folder_is_refused(entry, db, tmp_path, capsys):
    suffix, argv = WRITERS[entry]
    out = tmp_path / f"out{suffix}"
    out.mkdir()
    code, said, err = run(capsys, argv(db, out))
    one_clear_line(code, said, err, 2)
    assert str(out) in err and out.is_dir() and not any(out.iterdir())


def test_the_reason_is_in_vietnamese_by_default(db, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("FIELDAPP_LANG", "vi")
    out = tmp_path / "no" / "such" / "x.setup"
    code, said, err = run(capsys, ["setup-file", "--db", str(db), "--out", str(out)])
    assert code == 2
    assert "không tồn tại" in err and "does not exist" not in err, err


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file")
def test_an_unreadable_file_is_one_line(db, tmp_path, capsys):
    bad = tmp_path / "locked.txt"
    bad.write_text("Đoạn một.")
    bad.chmod(0)
    code, said, err = run(capsys, ["report", "commune", "--db", str(db), "--out",
                                   str(tmp_path / "r.pdf"), "--narrative", str(bad)])
    one_clear_line(code, said, err, 2)
    assert "permission denied" in err


@pytest.mark.parametrize("content, said", [
    (b"Doan mot.\0\0\0\n\nDoan hai.", "NUL bytes"),
    (b"Doan \xc3( mot", "not a UTF-8 text file"),
    ("Đoạn một.".encode("utf-16"), None),
    (b"\xef\xbb\xbfDoan mot.\r\n\r\nDoan hai.\r\n", None),
])
def test_a_narrative_is_read_as_text_or_refused(content, said, db, tmp_path, capsys):
    narrative = tmp_path / "narrative.txt"
    narrative.write_bytes(content)
    code, out, err = run(capsys, ["report", "commune", "--db", str(db), "--out",
                                  str(tmp_path / "r.pdf"), "--narrative", str(narrative)])
    if said is None:
        assert code == 0, err
    else:
        one_clear_line(code, out, err, 2)
        assert said in err and not (tmp_path / "r.pdf").exists()


def test_an_option_given_twice_is_refused(db, tmp_path, capsys):
    other = tmp_path / "other.db"
    shutil.copy(db, other)
    before = digest(db), digest(other)
    code, out, err = run(capsys, ["erase", "--db", str(db), "--household", "x", "--reason",
                                  "asked", "--db", str(other)])
    one_clear_line(code, out, err, 2)
    assert "--db" in err and "twice" in err
    assert (digest(db), digest(other)) == before


def test_an_empty_erase_target_names_no_record_none(db, capsys):
    code, out, err = run(capsys, ["erase", "--db", str(db), "--household", " ", "--reason",
                                  "asked"])
    one_clear_line(code, out, err, 2)
    assert "None" not in err


def test_random_bytes_without_a_keyring_are_not_called_encrypted(tmp_path, capsys):
    bad = tmp_path / "x.db"
    bad.write_bytes(os.urandom(8192))
    code, out, err = run(capsys, ["dump", "--db", str(bad)])
    one_clear_line(code, out, err, 2)
    assert "keyring" in err and "--user" not in err


@pytest.mark.parametrize("entry", ["demo --join", "setup-file --request", "join --hub-file"])
@pytest.mark.parametrize("kind, said", [("missing", "does not exist"),
                                        ("folder", "is a folder"),
                                        ("long name", "too long")])
def test_a_file_that_is_not_there_is_not_called_damaged(entry, kind, said, db, tmp_path,
                                                          capsys):
    suffix, argv, _code = READERS[entry]
    folder = tmp_path / "in"
    folder.mkdir()
    code, out, err = run(capsys, argv(db, bad_file(kind, folder, suffix), tmp_path))
    one_clear_line(code, out, err, 2)
    assert said in err and "damaged" not in err, err


@pytest.fixture(scope="module")
def encrypted(tmp_path_factory):
    from fieldapp.storage import keyring
    from role_world import build

    before = keyring.KDF
    keyring.KDF = keyring.KdfLimits(ops=1, mem=8 * 1024 * 1024)
    try:
        return build(tmp_path_factory.mktemp("encrypted") / "origin")
    finally:
        keyring.KDF = before


@pytest.fixture
def laptop(encrypted, tmp_path):
    return encrypted.copy(tmp_path / "laptop")


def test_an_empty_pin_is_no_try(laptop, capsys, monkeypatch):
    from role_world import STAFF
    from fieldapp.storage import keyring

    monkeypatch.setenv("FIELDAPP_PIN", "")
    for _ in range(4):  # three wrong PINs would make the next try wait
        code, out, err = run(capsys, ["dump", "--db", str(laptop.db), "--user", "Hoàng Thị Mai"])
        one_clear_line(code, out, err, 2)
        assert "No PIN was given" in err
    ring = keyring.Keyring.for_database(laptop.db)
    assert ring.failures(laptop.users[STAFF])[0] == 0


@pytest.mark.parametrize("content", [b"", b"garbage", b"\xff\xfe\x00", None])
def test_a_damaged_keyring_is_said_in_words(content, laptop, capsys, monkeypatch):
    ring = laptop.db.with_name(laptop.db.name + ".keyring")
    ring.unlink()
    if content is None:
        ring.mkdir()
    else:
        ring.write_bytes(content)
    monkeypatch.setenv("FIELDAPP_PIN", "246813")
    code, out, err = run(capsys, ["dump", "--db", str(laptop.db), "--user", "Hoàng Thị Mai"])
    one_clear_line(code, out, err, 2)
    assert "keyring" in err
    for leak in ("Expecting value", "Errno", "codec"):
        assert leak not in err, err


def test_a_read_only_database_is_said_in_words(tmp_path):
    """Read-only (a write-protected stick, another account's folder): SQLite's own English
    words were quoted; root writes anywhere, so the message is checked on SQLite's error."""
    from fieldapp.storage.engine import sqlite
    from fieldapp.storage.files import _describe

    path = tmp_path / "x.db"
    path.write_bytes(b"")
    said = str(_describe(path, sqlite.OperationalError("attempt to write a readonly database"),
                         encrypted=False))
    assert "read-only" in said and "copy it" in said and "attempt to write" not in said
