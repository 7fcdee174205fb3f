"""Signing in on the command line (fieldapp.cli.signin): who, which PIN, what a refusal says;
and the commands this issue made safe on an encrypted commune laptop: setup-file (private),
restore (this database's backups only), devices. Who may run what: test_role_matrix.py."""

from __future__ import annotations

import io
import os
import stat
import sys

import pytest

from fieldapp import cli
from fieldapp.services import auth
from role_world import HERE, NAMES, PIN, RETIRED, STAFF, build


@pytest.fixture(scope="module")
def origin(tmp_path_factory):
    from fieldapp.storage import keyring

    before = keyring.KDF
    keyring.KDF = keyring.KdfLimits(ops=1, mem=8 * 1024 * 1024)
    try:
        return build(tmp_path_factory.mktemp("signin") / "origin")
    finally:
        keyring.KDF = before


@pytest.fixture
def world(origin, tmp_path, monkeypatch):
    monkeypatch.delenv("FIELDAPP_USER", raising=False)
    monkeypatch.delenv("FIELDAPP_PIN", raising=False)
    monkeypatch.setenv("FIELDAPP_LANG", "en")  # messages are checked in English
    return origin.copy(tmp_path / "laptop")


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    said = capsys.readouterr()
    return code, said.out, said.err


def test_without_a_user_an_encrypted_database_says_how_to_sign_in(world, capsys):
    code, _out, err = run(capsys, "devices", "--db", str(world.db))
    assert code == 2 and "--user" in err and err.count("\n") == 1


def test_the_user_and_pin_from_the_environment_or_the_standard_input(world, capsys,
                                                                     monkeypatch):
    monkeypatch.setenv("FIELDAPP_USER", NAMES[STAFF])
    monkeypatch.setattr(sys, "stdin", io.StringIO(PIN + "\n"))  # not a terminal: one line
    code, out, _err = run(capsys, "devices", "--db", str(world.db))
    assert code == 0 and "Máy Khuông" in out
    monkeypatch.setenv("FIELDAPP_PIN", PIN)
    code, out, _err = run(capsys, "devices", "--db", str(world.db), "--user", "LO VAN KHUONG")
    assert code == 0, _err  # --user wins over FIELDAPP_USER; accents and case ignored


def test_wrong_pins_slow_down_as_in_the_app(world, capsys, monkeypatch):
    monkeypatch.setenv("FIELDAPP_PIN", "975318")
    errors = [run(capsys, "check", "--db", str(world.db), "--user", NAMES[HERE])[2]
              for _ in range(auth.FREE_TRIES + 1)]
    assert all(e.count("\n") == 1 for e in errors)
    assert "30" in errors[auth.FREE_TRIES - 1]  # the third wrong PIN: wait 30 seconds
    monkeypatch.setenv("FIELDAPP_PIN", PIN)  # even the right PIN waits now
    code, _out, err = run(capsys, "check", "--db", str(world.db), "--user", NAMES[HERE])
    assert code == 2 and "Try again in" in err


def test_a_retired_member_cannot_sign_in(world, capsys, monkeypatch):
    monkeypatch.setenv("FIELDAPP_PIN", PIN)
    code, _out, err = run(capsys, "check", "--db", str(world.db), "--user", NAMES[RETIRED])
    assert code == 2 and "cannot sign in" in err


@pytest.mark.skipif(os.name == "nt", reason="POSIX permissions")
def test_a_setup_file_is_private_to_the_account(world, capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("FIELDAPP_PIN", PIN)
    out = tmp_path / "new.setup"
    out.write_bytes(b"an older file, readable by all")
    out.chmod(0o644)
    old = os.umask(0)  # even with a permissive umask
    try:
        code, said, err = run(capsys, "setup-file", "--db", str(world.db), "--out", str(out),
                              "--name", "Máy mới", "--member", NAMES[HERE], "--user",
                              NAMES[STAFF])
    finally:
        os.umask(old)
    assert code == 0, err
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


def test_restore_refuses_another_databases_backup(world, capsys, monkeypatch):
    monkeypatch.setenv("FIELDAPP_PIN", PIN)
    before = world.snapshot()
    code, _out, err = run(capsys, "restore", "--db", str(world.db), "--from",
                          str(world.files["other_backup"]), "--user", NAMES[STAFF])
    assert code == 2 and err.count("\n") == 1
    assert "another database" in err and "Xã Khác" in err
    assert world.snapshot() == before  # a sign-in's own event aside
    # The member laptop's backup is encrypted under another key: refused too, as another's.
    member_backup = world.folder / "member.bak"
    signed = auth.sign_in(world.folder / "member.db", world.users[HERE], PIN)
    signed.store.backup("manual", out=member_backup)
    signed.close()
    code, _out, err = run(capsys, "restore", "--db", str(world.db), "--from",
                          str(member_backup), "--user", NAMES[STAFF])
    assert code == 2 and "another database" in err
    # This database's own backup, made earlier: restored.
    code, out, err = run(capsys, "restore", "--db", str(world.db), "--from",
                         str(world.files["backup"]), "--user", NAMES[STAFF])
    assert code == 0, err


def test_devices_lists_what_export_to_needs(world, capsys, monkeypatch):
    monkeypatch.setenv("FIELDAPP_PIN", PIN)
    code, out, _err = run(capsys, "devices", "--db", str(world.db), "--user", NAMES[STAFF])
    header, *rows = out.splitlines()
    assert header.split() == ["Device", "id", "Name", "Member", "Villages", "Last", "package",
                              "received", "Retired"]
    khuong = next(r for r in rows if "Máy Khuông" in r)
    assert NAMES[HERE] in khuong and "Bản Khuông" in khuong and khuong.endswith("no")
    device = khuong.split()[0]
    assert run(capsys, "export", "--db", str(world.db), "--out", str(world.folder), "--to",
               device, "--user", NAMES[STAFF])[0] == 0
    assert run(capsys, "import", "--db", str(world.db), str(world.files["package"]),
               "--user", NAMES[STAFF])[0] == 0
    code, out, _err = run(capsys, "devices", "--db", str(world.db), "--user", NAMES[STAFF])
    assert "from-member.fieldsync" in next(r for r in out.splitlines() if "Máy Khuông" in r)
