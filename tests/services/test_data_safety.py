"""Encryption at rest, backups, restore and erasure through the services and the command line.

A commune laptop (encrypted, signed in as its staff) and a member laptop joined to it: after
an erasure on the commune, the name is in neither database file, nor in the next package
either way (its bytes, and its decrypted lines)."""

from __future__ import annotations

import datetime as dt
import os
import random
import stat
from datetime import datetime, timedelta, timezone

import pytest

from fieldapp import cli, paths
from fieldapp.core import demo_data as dd
from fieldapp.i18n.text import fold
from fieldapp.services import auth
from fieldapp.services.demo_surveys import fill_household_survey
from fieldapp.services.forms import FormCatalog
from fieldapp.services.setup import SetupRequest, run_setup
from fieldapp.services.surveys import SurveyService
from fieldapp.services.sync import exchange, identity
from fieldapp.services.workspace import Workspace
from fieldapp.storage import backup as bk
from fieldapp.storage import keyring as kr
from fieldapp.storage.db import StorageError
from fieldapp.storage.engine import is_encrypted_file
from fieldapp.storage.store import Store
from fieldapp.storage.sync_state import SyncState
from fieldapp.sync.package import open_package

TODAY = dt.date(2026, 11, 23)
PIN, NAME, MEMBER = "246813", "Hà Thị Xuyến", "Hà Văn Quýnh"


def file_has(path, *texts: str) -> list[str]:
    data = b"".join(p.read_bytes() for p in (path, path.with_name(path.name + "-wal"))
                    if p.exists())
    return [t for t in texts for form in (t, fold(t)) if form.encode() in data]


def survey(store, village_index=0, names=(NAME, MEMBER)) -> str:
    svc = SurveyService(store, FormCatalog([paths.forms_dir()]), today=lambda: TODAY)
    village = sorted(store.villages.list(), key=lambda v: v["position"])[village_index]["id"]
    members = [dd.Member("head", "female", 1975, "tay", "Hà", names[0]),
               dd.Member("child", "male", 2001, "tay", "Hà", names[1])]
    form, instance = fill_household_survey(svc, random.Random(3), village, members)
    return svc.save(None, form, instance, finalize=True)


@pytest.fixture
def commune_path(tmp_path):
    """A commune database, encrypted under its staff member's PIN (as the first run does)."""
    path = tmp_path / "commune.db"
    store = Store.open(path)
    user_id = run_setup(store, SetupRequest("Xã Tân Thành", "Lạng Sơn", ["Bản Khuông", "Bản Nà"],
                                            "Hoàng Thị Mai", "commune_staff", PIN))
    survey(store)
    user = store.users.get(user_id)
    store.close()
    code = auth.protect(path, user, PIN)
    return path, user_id, code


def test_the_database_is_encrypted_and_private(commune_path):
    path, user_id, code = commune_path
    assert is_encrypted_file(path)
    assert file_has(path, NAME, MEMBER, "Hoàng Thị Mai") == []
    with pytest.raises(StorageError):
        Store.open(path)  # without the key
    with pytest.raises(StorageError):
        Store.open(path, key=kr.new_database_key())
    assert auth.sign_in_info(path).users[0]["name"] == "Hoàng Thị Mai"
    workspace = auth.sign_in(path, user_id, PIN)
    assert workspace.households.search("xuyen")[1] == 1
    workspace.close()
    if os.name != "nt":
        for p in (path, kr.keyring_path(path)):
            assert stat.S_IMODE(p.stat().st_mode) == 0o600, p
    with pytest.raises(auth.WrongPin):
        auth.sign_in(path, user_id, "975318")


def test_a_forgotten_staff_pin_is_recovered_with_the_code_only(commune_path):
    path, user_id, code = commune_path
    with pytest.raises(auth.WrongPin):
        auth.recover(path, "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF", user_id, "975318")
    workspace = auth.recover(path, code.lower().replace("-", " "), user_id, "975318")
    workspace.close()
    auth.sign_in(path, user_id, "975318").close()
    with pytest.raises(auth.WrongPin):
        auth.sign_in(path, user_id, PIN)


def test_backups_are_encrypted_verified_private_and_rotated(commune_path):
    path, user_id, _code = commune_path
    workspace = auth.sign_in(path, user_id, PIN)
    made = workspace.backups.back_up("manual")
    assert is_encrypted_file(made) and file_has(made, NAME) == []
    if os.name != "nt":
        assert stat.S_IMODE(made.stat().st_mode) == 0o600
    assert bk.check_backup(made, workspace.store.key) == workspace.device_id
    assert workspace.backups.daily_if_due() is None  # a backup of today exists
    tomorrow = datetime.now(timezone.utc) + timedelta(hours=25)
    daily = workspace.backups.daily_if_due(now=tomorrow)
    assert daily is not None and daily.name.endswith("-daily.bak")
    workspace.close()
    # A backup killed half-way leaves a .part, never a .bak; the next backup removes it.
    part = bk.backups_dir(path) / "20260101T000000000000Z-daily.bak.part"
    part.write_bytes(b"half")
    workspace = auth.sign_in(path, user_id, PIN)
    workspace.backups.back_up("manual")
    assert not part.exists()
    workspace.close()
    # Rotation keeps the newest, one a day for a week, a week for five, a month for a year.
    folder = bk.backups_dir(path)
    now = datetime(2026, 11, 23, 12, tzinfo=timezone.utc)
    for hours in range(0, 24 * 500, 7):
        when = now - timedelta(hours=hours)
        (folder / f"{when.strftime('%Y%m%dT%H%M%S%f')}Z-daily.bak").write_bytes(b"x")
    bk.thin(path, now=now)
    kept = [b.taken_at for b in bk.list_backups(path) if b.size == 1]
    assert 20 <= len(kept) <= 5 + 7 + 5 + 12
    assert max(now - k for k in kept) < timedelta(days=31 * 12 + 1)


def test_restore_through_the_service_and_the_command_line(commune_path, capsys, monkeypatch):
    path, user_id, _code = commune_path
    workspace = auth.sign_in(path, user_id, PIN)
    before = workspace.backups.back_up("manual")
    survey(workspace.store, 1, ("Lò Văn Sau", "Lò Thị Sau"))
    assert workspace.households.search("lo van sau")[1] == 1
    workspace.backups.restore(before)  # closes the workspace
    workspace = auth.sign_in(path, user_id, PIN)
    assert workspace.households.search("lo van sau")[1] == 0
    assert workspace.store.audit.list()[1]["action"] == "restore"
    workspace.close()
    # The command line: back up, change, restore.
    monkeypatch.setenv("FIELDAPP_PIN", PIN)
    out = path.with_name("manual.bak")
    assert cli.main(["backup", "--db", str(path), "--out", str(out),
                     "--user", "Hoàng Thị Mai"]) == 0
    assert is_encrypted_file(out)
    workspace = auth.sign_in(path, user_id, PIN)
    survey(workspace.store, 1, ("Lò Văn Bảy", "Lò Thị Bảy"))
    workspace.close()
    assert cli.main(["restore", "--db", str(path), "--from", str(out),
                     "--user", "Hoàng Thị Mai"]) == 0
    assert "manual.bak" in capsys.readouterr().out
    workspace = auth.sign_in(path, user_id, PIN)
    assert workspace.households.search("lo van bay")[1] == 0
    workspace.close()
    monkeypatch.setenv("FIELDAPP_PIN", "975318")
    assert cli.main(["backup", "--db", str(path), "--out", str(out) + "2",
                     "--user", "Hoàng Thị Mai"]) == 2  # a wrong PIN: one line, exit 2


def test_a_backup_of_another_database_is_refused(commune_path, tmp_path):
    path, user_id, _code = commune_path
    other = Store.open(tmp_path / "other.db")
    other.close()
    made = bk.backup_database(tmp_path / "other.db", None, "manual")
    workspace = auth.sign_in(path, user_id, PIN)
    with pytest.raises(bk.BackupError):
        workspace.backups.restore(made)


def test_a_damaged_database_is_found_and_its_last_good_backup_restored(commune_path):
    from fieldapp.services.backups import good_backups, restore_file

    path, user_id, _code = commune_path
    workspace = auth.sign_in(path, user_id, PIN)
    workspace.backups.back_up("manual")
    key = workspace.store.key
    workspace.close()
    data = bytearray(path.read_bytes())
    for offset in range(4096 * 3, len(data), 4096 * 2):  # spoil pages
        data[offset:offset + 64] = os.urandom(64)
    path.write_bytes(bytes(data))
    with pytest.raises(auth.DamagedDatabase) as caught:
        auth.sign_in(path, user_id, PIN)
    assert caught.value.key == key
    good = good_backups(path, key)
    assert good
    restore_file(path, good[0].path, key)
    workspace = auth.sign_in(path, user_id, PIN)
    assert workspace.store.quick_check() == []
    workspace.close()


def _package_lines(package_path, private_key, verify_key) -> bytes:
    with open_package(package_path, verify_key=lambda h: verify_key,
                      private_key=lambda h: private_key) as package:
        return b"".join(str([c for g in package.groups() for c in g.changes()]).encode()
                        for _ in (0,))


def test_an_erasure_leaves_no_trace_in_either_database_or_the_next_packages(tmp_path,
                                                                          monkeypatch):
    commune = Store.open(tmp_path / "commune.db")
    staff = run_setup(commune, SetupRequest("Xã Tân Thành", "Lạng Sơn", ["Bản Khuông"],
                                            "Hoàng Thị Mai", "commune_staff", PIN))
    registration = identity.register_device(commune, "Laptop 1", staff)
    setup = identity.write_setup_file(commune, registration, tmp_path / "m.setup")
    member = Store.open(tmp_path / "member.db")
    identity.join(member, setup)
    sid = survey(member)
    household = member.submissions.get(sid)["household_id"]
    first = exchange.export_package(member, tmp_path / "p1.fieldsync")
    assert exchange.import_package(commune, first.path).status == "applied"
    assert file_has(commune.path, NAME)
    # Commune staff erase the household on request (through the command line).
    commune.close()
    assert cli.main(["erase", "--db", str(commune.path), "--household", household,
                     "--reason", "the family asked"]) == 0
    commune = Store.open(tmp_path / "commune.db")
    assert commune.households.get(household) is None
    assert file_has(commune.path, NAME, MEMBER) == []
    # The return package carries the erasure and no name; the member laptop erases too.
    back = exchange.export_package(commune, tmp_path / "r1.fieldsync", to="Laptop 1")
    lines = _package_lines(back.path, identity.device_keys(member)[1],
                           identity.public_keys(*identity.device_keys(commune))[0])
    assert NAME.encode() not in lines and b"erasures" in lines
    assert file_has(back.path, NAME) == []
    assert exchange.import_package(member, back.path).status == "applied"
    assert member.households.get(household) is None
    assert file_has(member.path, NAME, MEMBER) == []
    # The member's next package (even a full one) holds no trace either.
    again = exchange.export_package(member, tmp_path / "p2.fieldsync", full=True)
    hub = SyncState(commune).secret("hub_box_private")
    lines = _package_lines(again.path, hub, identity.public_keys(*identity.device_keys(member))[0])
    assert NAME.encode() not in lines and MEMBER.encode() not in lines
    # And the data sent again from an old package is refused by the erasure.
    assert exchange.import_package(commune, first.path).status in ("already", "applied")
    assert commune.households.get(household) is None
    commune.close()
    member.close()


def test_an_import_is_preceded_by_a_backup(tmp_path):
    commune = Store.open(tmp_path / "commune.db")
    staff = run_setup(commune, SetupRequest("Xã Tân Thành", "Lạng Sơn", ["Bản Khuông"],
                                            "Hoàng Thị Mai", "commune_staff", PIN))
    registration = identity.register_device(commune, "Laptop 1", staff)
    setup = identity.write_setup_file(commune, registration, tmp_path / "m.setup")
    member = Store.open(tmp_path / "member.db")
    identity.join(member, setup)
    survey(member)
    package = exchange.export_package(member, tmp_path / "p1.fieldsync")
    assert bk.list_backups(commune.path) == []
    exchange.import_packages(commune, [package.path], dry_run=True)
    assert bk.list_backups(commune.path) == []  # a dry run changes nothing
    exchange.import_packages(commune, [package.path], dry_run=False)
    backups = bk.list_backups(commune.path)
    assert [b.reason for b in backups] == ["import"]
    assert bk.check_backup(backups[0].path, None) == commune.device_id
    events = [e["action"] for e in commune.audit.list()]
    assert "import" in events
    # the same package again changes nothing: no second backup is made for it
    exchange.import_packages(commune, [package.path], dry_run=False)
    assert len(bk.list_backups(commune.path)) == 1
    commune.close()
    member.close()


def test_workspace_reopen_keeps_key_and_session(commune_path):
    path, user_id, _code = commune_path
    workspace = auth.sign_in(path, user_id, PIN)
    other = workspace.reopen()
    assert other.session == workspace.session and other.store.key == workspace.store.key
    other.close()
    workspace.close()
    assert isinstance(workspace, Workspace)
