"""Hostile and broken packages: each is refused (or handled) with a clear message, and a refused
package leaves the database exactly as it was."""

from __future__ import annotations

import hashlib
import json
import unicodedata
import zipfile
from pathlib import Path

import pytest

from fieldapp.core.changes import Change
from fieldapp.core.clock import MAX_DRIFT_MS, Stamp
from fieldapp.services.sync import exchange, identity
from fieldapp.storage.store import Store
from sync_world import join_member, new_commune
from fieldapp.sync import crypto, package as pkg
from fieldapp.sync.codec import encode


@pytest.fixture
def pair(tmp_path):
    commune = new_commune(tmp_path / "commune.db")
    registration = identity.register_device(commune, "Laptop 1", commune.users.list()[0]["id"])
    setup = identity.write_setup_file(commune, registration, tmp_path / "m.setup")
    member = Store.open(tmp_path / "member.db")
    identity.join(member, setup)
    village = member.villages.list()[0]["id"]
    hid = member.households.add_household(village, "Lý Văn Páo")
    member.persons.add_person(hid, "Lý Văn Páo", birth_year=1970)
    return tmp_path, commune, member, registration


def good_package(pair) -> Path:
    folder, _commune, member, _reg = pair
    return exchange.export_package(member, folder / "good.fieldsync").path


def refused(commune: Store, path: Path, words: str) -> None:
    before = list(commune.dump())
    log = commune.log.count()
    report = exchange.import_package(commune, path)
    assert report.status == "refused", report
    assert words in report.message, report.message
    assert list(commune.dump()) == before and commune.log.count() == log
    assert commune.query("select count(*) as n from sync_imports")[0]["n"] == 0


def crafted(pair, path: Path, lines: list[bytes], *, extra: dict[str, bytes] | None = None,
            header_changes: dict | None = None, recipient: bytes | None = None) -> Path:
    """A package signed by the registered member, with whatever content the test wants."""
    _folder, commune, member, registration = pair
    header = pkg.Header(package_id="p-" + path.stem, commune_id=commune.commune()["id"],
                        source_device=member.device_id,
                        destination=f"hub:{commune.commune()['id']}", created_at="2026-11-20",
                        recipient_key="")
    box = recipient or identity.hub_public_key(commune)
    header.recipient_key = crypto.fingerprint(box)
    for key, value in (header_changes or {}).items():
        setattr(header, key, value)
    writer = pkg.PackageWriter(path, header, signing_seed=registration.signing_seed,
                               recipient_public=box)
    writer.add_lines(lines)
    for name, data in (extra or {}).items():
        writer._inner.writestr(name, data)
        writer.hashes[name] = hashlib.sha256(data).hexdigest()
    writer.finish(pkg.Manifest(package_id=header.package_id, kind="to_hub",
                               entries=len(lines)))
    return path


def line(record="h-x", field="head_name", value="Tráng A Páo", stamp=None, table="households"):
    stamp = stamp or f"1772323200000-0000-{'d' * 8}"
    return (json.dumps({"t": table, "r": record, "s": stamp, "c": [[field, value]]},
                       ensure_ascii=False) + "\n").encode("utf-8")


def test_a_good_package_is_imported(pair):
    _folder, commune, *_ = pair
    report = exchange.import_package(commune, good_package(pair))
    assert report.status == "applied" and report.new == {"households": 1, "persons": 1}


def test_truncated_file(pair):
    path = good_package(pair)
    data = path.read_bytes()
    for cut in (10, len(data) // 2, len(data) - 10):
        bad = path.with_name(f"cut{cut}.fieldsync")
        bad.write_bytes(data[:cut])
        refused(pair[1], bad, "")


def test_flipped_bytes_in_the_content(pair):
    path = good_package(pair)
    with zipfile.ZipFile(path) as z:
        info = z.getinfo(pkg.PAYLOAD)
        start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    data = bytearray(path.read_bytes())
    data[start + 200] ^= 0xFF
    bad = path.with_name("flipped.fieldsync")
    bad.write_bytes(bytes(data))
    refused(pair[1], bad, "")


def _rewrite(path: Path, out: Path, **replace: bytes) -> Path:
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            dst.writestr(info.filename, replace.get(info.filename, src.read(info.filename)))
    return out


def test_bad_signature(pair):
    path = good_package(pair)
    bad = _rewrite(path, path.with_name("sig.fieldsync"), **{pkg.SIGNATURE: bytes(64)})
    refused(pair[1], bad, "signature")


def test_tampered_header(pair):
    path = good_package(pair)
    with zipfile.ZipFile(path) as z:
        header = json.loads(z.read(pkg.HEADER))
    header["created_at"] = "2030-01-01"
    raw = json.dumps(header, sort_keys=True).encode()
    bad = _rewrite(path, path.with_name("hdr.fieldsync"), **{pkg.HEADER: raw})
    refused(pair[1], bad, "signature")


def test_newer_format(pair):
    path = good_package(pair)
    with zipfile.ZipFile(path) as z:
        header = json.loads(z.read(pkg.HEADER))
    header["version"] = pkg.VERSION + 1
    bad = _rewrite(path, path.with_name("new.fieldsync"),
                   **{pkg.HEADER: json.dumps(header).encode()})
    refused(pair[1], bad, "newer version")


def test_not_a_package(pair, tmp_path):
    for content in (b"", b"hello", b"PK\x03\x04garbage"):
        bad = tmp_path / "x.fieldsync"
        bad.write_bytes(content)
        refused(pair[1], bad, "")


def test_unregistered_device(pair, tmp_path):
    folder, commune, _member, _reg = pair
    other = new_commune(tmp_path / "other-commune.db", ["Bản X"], "Xã Khác")
    stranger_reg = identity.register_device(other, "Stranger")
    stranger = Store.open(tmp_path / "stranger.db")
    identity.join(stranger, identity.write_setup_file(other, stranger_reg, tmp_path / "s.setup"),
                  user_id=other.users.list()[0]["id"])
    stranger.households.add_household(stranger.villages.list()[0]["id"], "Lý Văn B")
    path = exchange.export_package(stranger, tmp_path / "stranger.fieldsync").path
    refused(commune, path, "another commune")
    # The same package's sender pretending to be registered here: not in the register.
    with zipfile.ZipFile(path) as z:
        header = json.loads(z.read(pkg.HEADER))
    header["commune_id"] = commune.commune()["id"]
    header["destination"] = f"hub:{commune.commune()['id']}"
    raw = json.dumps(header, sort_keys=True).encode()
    forged = _rewrite(path, tmp_path / "forged.fieldsync",
                      **{pkg.HEADER: raw, pkg.SIGNATURE: crypto.sign(
                          raw, identity.device_keys(stranger)[0])})
    refused(commune, forged, "not registered")


def test_wrong_key(pair, tmp_path):
    _private, public = crypto.new_box_key()
    path = crafted(pair, tmp_path / "wrongkey.fieldsync", [line()], recipient=public)
    refused(pair[1], path, "key")


def test_zip_bomb(pair, tmp_path):
    bomb = b"0" * (64 * 1024 * 1024)
    path = crafted(pair, tmp_path / "bomb.fieldsync", [line()],
                   extra={"forms/household_survey/1/x.xlsx": bomb})
    refused(pair[1], path, "larger")


def test_entry_names_that_climb_out(pair, tmp_path):
    path = crafted(pair, tmp_path / "dots.fieldsync", [line()],
                   extra={"forms/../../evil.txt": b"x"})
    refused(pair[1], path, "damaged")


def test_an_enormous_line(pair, tmp_path, monkeypatch):
    monkeypatch.setattr(pkg, "MAX_LINE", 1000)
    path = crafted(pair, tmp_path / "long.fieldsync", [line(value="x" * 5000)])
    refused(pair[1], path, "damaged")


def test_invalid_utf8_and_bad_json(pair, tmp_path):
    for n, raw in enumerate((b'{"t": "households", "r": "\xff\xfe"}\n', b"not json\n",
                             b'{"t": "nope", "r": "a", "s": "x", "c": []}\n',
                             b'[1, 2, 3]\n')):
        path = crafted(pair, tmp_path / f"bad{n}.fieldsync", [raw])
        refused(pair[1], path, "not valid")


def test_unknown_table_or_field(pair, tmp_path):
    path = crafted(pair, tmp_path / "field.fieldsync", [line(field="shoe_size")])
    refused(pair[1], path, "no field")


def test_duplicate_entries_inside_one_package(pair, tmp_path):
    path = crafted(pair, tmp_path / "dup.fieldsync", [line(), line(value="Khác")])
    refused(pair[1], path, "twice")


def test_a_stamp_far_in_the_future(pair, tmp_path):
    import time

    far = Stamp(int(time.time() * 1000) + MAX_DRIFT_MS + 10 * 86_400_000, 0, "d" * 8)
    path = crafted(pair, tmp_path / "future.fieldsync", [line(stamp=str(far))])
    refused(pair[1], path, "days after")


def test_decomposed_text_is_stored_composed(pair, tmp_path):
    _folder, commune, member, _reg = pair
    village = commune.villages.list()[0]["id"]
    name = unicodedata.normalize("NFD", "Nguyễn Thị Hoà")
    stamp = member.clock.tick_stamp()
    lines = list(encode([
        Change("households", "h-nfd", "head_name", name, stamp),
        Change("households", "h-nfd", "village_id", village, stamp),
    ]))
    path = crafted(pair, tmp_path / "nfd.fieldsync", lines)
    report = exchange.import_package(commune, path)
    assert report.status == "applied", report.message
    stored = commune.households.get("h-nfd")["head_name"]
    assert stored == unicodedata.normalize("NFC", name) and stored != name
    assert commune.households.search("nguyen thi hoa")[1] == 1


def test_a_package_of_a_form_never_seen_here_is_kept_with_a_note(pair, tmp_path):
    _folder, commune, member, _reg = pair
    stamp = member.clock.tick_stamp()
    lines = list(encode([
        Change("submissions", "s-x", "form_id", "a_form_from_elsewhere", stamp),
        Change("submissions", "s-x", "form_version", "7", stamp),
        Change("submissions", "s-x", "status", "final", stamp),
        Change("submissions", "s-x", "answers/q1", "yes", stamp),
    ]))
    report = exchange.import_package(commune, crafted(pair, tmp_path / "form.fieldsync", lines))
    assert report.status == "applied"
    assert "a_form_from_elsewhere" in " ".join(report.notes)
    assert commune.submissions.get("s-x")["form_id"] == "a_form_from_elsewhere"


def test_a_member_laptop_cannot_read_another_members_package(pair, tmp_path):
    """Packages for the commune are sealed to the commune's key: a member laptop's database and
    setup file (all it holds) open no other member's package and reveal no name in it."""
    folder, commune, member, _reg = pair
    other = join_member(commune, tmp_path, "Laptop 2", file="member2")
    other.households.add_household(other.villages.list()[0]["id"], "Triệu Thị Bí Mật")
    path = exchange.export_package(other, tmp_path / "secret.fieldsync").path
    raw = path.read_bytes()
    assert "Bí Mật".encode() not in raw and b"Bi Mat" not in raw
    # Every key the first member laptop holds, from its database and its setup file.
    keys = [identity.device_keys(member)[1]]
    setup, _files = identity.read_setup_file(folder / "m.setup")
    import base64

    keys.append(base64.b64decode(setup["device"]["box_private"]))
    header, _raw, _sig, sealed = pkg.read_header(path)
    for key in keys:
        with pytest.raises(crypto.CryptoError):
            crypto.unseal(sealed, key)
    report = exchange.import_package(member, path)
    assert report.status == "refused"
    assert "Bí Mật" not in "\n".join(member.dump())


def _three_packages(pair):
    folder, _commune, member, _reg = pair
    village = member.villages.list()[0]["id"]
    paths = []
    for n, head in enumerate(["Hoàng Văn Sơn", "Nông Thị Lan", "Lục Văn Minh"]):
        member.households.add_household(village, head)
        paths.append(exchange.export_package(member, folder / f"{n}.fieldsync").path)
    return paths


def test_several_files_at_once_a_bad_one_is_refused_alone(pair, monkeypatch):
    """Files imported together share a commit (GROUP_ENTRIES) but each applies whole or not at
    all: the broken middle file changes nothing, the files around it are applied."""
    _folder, commune, *_ = pair
    first, middle, last = _three_packages(pair)
    broken = middle.with_name("broken.fieldsync")
    broken.write_bytes(middle.read_bytes()[:-40])
    monkeypatch.setattr(exchange, "GROUP_ENTRIES", 10 ** 9)
    reports = exchange.import_packages(commune, [first, broken, last])
    assert [r.status for r in reports] == ["applied", "refused", "applied"]
    heads = {r["head_name"] for r in commune.query("select head_name from households")}
    # The last package holds every household of the laptop (the commune had not acknowledged).
    assert heads == {"Lý Văn Páo", "Hoàng Văn Sơn", "Nông Thị Lan", "Lục Văn Minh"}
    assert commune.query("select count(*) as n from sync_imports")[0]["n"] == 2


@pytest.mark.parametrize("group", [1, 10 ** 9])
def test_a_cancel_keeps_the_files_imported_before_it(pair, group, monkeypatch):
    _folder, commune, *_ = pair
    paths = _three_packages(pair)
    monkeypatch.setattr(exchange, "GROUP_ENTRIES", group)
    calls = []

    def cancelled():
        calls.append(1)
        return len(commune.query("select * from sync_imports")) == 1

    with pytest.raises(exchange.ImportCancelled, match="after 1 file"):
        exchange.import_packages(commune, paths, cancelled=cancelled)
    reopened = Store.open(commune.path)
    assert [r["file"] for r in reopened.query("select file from sync_imports")] == ["0.fieldsync"]
    assert {r["head_name"] for r in reopened.query("select head_name from households")} == {"Lý Văn Páo", "Hoàng Văn Sơn"}
    assert not commune.conn.in_transaction


@pytest.mark.parametrize("path", ["answers/../x", "answers//x", "answers/a/", "answers/./a",
                                  "answers/a\nb", "answers/\x00", "answers/@k", "answers/r@"])
def test_an_answer_path_that_no_form_makes_is_refused(pair, tmp_path, path):
    """Such a field would be kept in the log and either vanish from the answers or stand for
    another answer (``answers//x`` for ``answers/x``), the last one read winning."""
    _folder, commune, member, _reg = pair
    village = commune.villages.list()[0]["id"]
    lines = list(encode(Change("submissions", "s-path", name, value, member.clock.tick_stamp())
                        for name, value in (("form_id", "household_survey"),
                                            ("form_version", "1"), ("status", "final"),
                                            ("village_id", village), (path, "v"))))
    refused(commune, crafted(pair, tmp_path / "path.fieldsync", lines), "no field")
    edit = list(encode([Change("submissions", "s-path", path, "v", member.clock.tick_stamp(),
                               member.clock.tick_stamp())]))
    refused(commune, crafted(pair, tmp_path / "path-edit.fieldsync", edit), "no field")


def test_a_package_id_copied_from_another_laptops_package_takes_nothing_from_it(pair):
    """A package's id is in its header, readable by whoever holds the file: a member who puts
    another laptop's package id into a package of their own does not make that package
    "already imported"."""
    folder, commune, member, _reg = pair
    other = join_member(commune, folder, "Laptop 2", file="m2")
    village = commune.villages.list()[0]["id"]
    theirs = other.households.add_household(village, "Hoàng Thị Thật")
    real = exchange.export_package(other, folder / "real.fieldsync").path
    stolen = pkg.read_header(real)[0].package_id
    fake = _same_id_package(pair, folder / "fake.fieldsync", stolen)
    assert exchange.import_package(commune, fake).status == "applied"
    report = exchange.import_package(commune, real)
    assert report.status == "applied", report.message
    assert commune.households.get(theirs) is not None
    assert exchange.import_package(commune, real).status == "already"
    assert exchange.import_package(commune, fake).status == "already"


def _same_id_package(pair, path: Path, package_id: str) -> Path:
    _folder, commune, member, registration = pair
    village = commune.villages.list()[0]["id"]
    stamp = member.clock.tick_stamp()
    lines = list(encode([Change("households", "h-fake", "village_id", village, stamp),
                         Change("households", "h-fake", "head_name", "Giả", stamp)]))
    hub = commune.commune()["id"]
    box = identity.hub_public_key(commune)
    header = pkg.Header(package_id=package_id, commune_id=hub, source_device=member.device_id,
                        destination=f"hub:{hub}", created_at="2026-11-20",
                        recipient_key=crypto.fingerprint(box))
    writer = pkg.PackageWriter(path, header, signing_seed=registration.signing_seed,
                               recipient_public=box)
    writer.add_lines(lines)
    writer.finish(pkg.Manifest(package_id=package_id, kind="to_hub", entries=len(lines)))
    return path


@pytest.mark.parametrize("package_id", ["", "a/b", "a\nb"])
def test_a_package_id_that_is_not_a_name_is_refused(pair, tmp_path, package_id):
    path = _same_id_package(pair, tmp_path / "id.fieldsync", package_id)
    refused(pair[1], path, "damaged")


def test_a_carried_label_pack_is_installed_only_if_it_passes_the_checks_of_an_import(pair):
    """A return package's packs are installed on the member laptop: one with a translation
    far longer than its source (one such made a form take a gigabyte to open) or that does
    not parse is not, and the pack installed before stays."""
    import re

    from fieldapp.i18n.packs import imported_packs_dir, shipped_packs_dir
    from fieldapp.services.sync.carried import store_carried

    _folder, _commune, member, _reg = pair
    name = "packs/tyz/household_survey.po"
    good = (shipped_packs_dir() / "tyz" / "household_survey.po").read_bytes()
    assert store_carried(member, {name: good}) == [name]
    installed = imported_packs_dir() / "tyz" / "household_survey.po"
    assert installed.read_bytes() == good
    huge = re.sub(rb'\nmsgstr "[^"\n]+"', b'\nmsgstr "' + b"x" * 100_000 + b'"', good, count=1)
    for bad in (huge, b'msgid "x\nmsgstr', "khô".encode() * 10):
        assert bad != good and store_carried(member, {name: bad}) == []
        assert installed.read_bytes() == good


def test_a_package_naming_an_entry_twice_is_refused(pair, tmp_path):
    """zipfile reads the last of two entries of one name, another reader the first: an
    unsigned header before the signed one is refused, not read past."""
    import warnings

    good = good_package(pair)
    with zipfile.ZipFile(good) as z:
        entries = {i.filename: z.read(i.filename) for i in z.infolist()}
    path = tmp_path / "twice.fieldsync"
    with warnings.catch_warnings(), zipfile.ZipFile(path, "w") as out:
        warnings.simplefilter("ignore")  # zipfile warns of the duplicate name
        out.writestr(pkg.HEADER, b'{"format": "fieldsync"}')
        for name, data in entries.items():
            out.writestr(name, data)
    refused(pair[1], path, "damaged")


@pytest.mark.parametrize("acknowledges,log_range", [({"seq": 10**30}, [1, 2]),
                                                    ({"seq": 1}, [1, 10**30]),
                                                    ({"seq": -1}, [1, 2])])
def test_a_manifest_whose_numbers_no_log_holds_is_refused(pair, tmp_path, acknowledges,
                                                          log_range):
    """A sequence number past SQLite's integers failed the import with the catch-all
    message."""
    _folder, commune, member, registration = pair
    path = tmp_path / "numbers.fieldsync"
    hub = commune.commune()["id"]
    box = identity.hub_public_key(commune)
    header = pkg.Header(package_id="p-numbers", commune_id=hub, source_device=member.device_id,
                        destination=f"hub:{hub}", created_at="2026-11-20",
                        recipient_key=crypto.fingerprint(box))
    writer = pkg.PackageWriter(path, header, signing_seed=registration.signing_seed,
                               recipient_public=box)
    writer.add_lines([line()])
    writer.finish(pkg.Manifest(package_id="p-numbers", kind="to_hub", entries=1,
                               acknowledges=acknowledges, log_range=log_range))
    refused(commune, path, "damaged")


@pytest.mark.parametrize("field", ["answers/q", "entities.household", "deleted_reason"])
def test_a_file_content_outside_a_bytes_field_is_refused(pair, tmp_path, field):
    """Answers are stored as JSON: a file content in one failed the import with the
    catch-all message."""
    _folder, commune, member, _reg = pair
    village = commune.villages.list()[0]["id"]
    lines = list(encode(Change("submissions", "s-bytes", name, value, member.clock.tick_stamp())
                        for name, value in (("form_id", "household_survey"),
                                            ("form_version", "1"), ("status", "final"),
                                            ("village_id", village), (field, b"\x00"))))
    refused(commune, crafted(pair, tmp_path / "bytes.fieldsync", lines), "type")
