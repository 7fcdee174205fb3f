"""The attacks of issue 20, as a member would make them: edit the member laptop's own database
(here through its writer, which is what editing the log with sqlite3 amounts to: changes
stamped by that laptop's device), export a signed package, and hope the commune takes it.

Each forbidden change is refused with its reason, listed in the import report and the import
log, and the commune's data is what it was; the allowed changes of the same package apply."""

from __future__ import annotations

import time

import pytest

from fieldapp.core.changes import Change
from fieldapp.services import auth
from fieldapp.services.sync import exchange, identity
from fieldapp.storage.store import Store
from sync_world import join_member, new_commune


@pytest.fixture
def world(tmp_path):
    commune = new_commune(tmp_path / "commune.db", ["Bản Khuông", "Bản Nà"])
    khuong, na = (v["id"] for v in commune.villages.list())
    staff = commune.users.list()[0]["id"]
    member = commune.users.add_user("Nông Văn Một", "member", village_id=khuong)
    other = commune.users.add_user("Lý Thị Hai", "member", village_id=na)
    theirs = commune.households.add_household(na, "Hoàng Văn Nà")
    ours = commune.households.add_household(khuong, "Lý Văn Khuông")
    laptop = join_member(commune, tmp_path, "Laptop 1", member, file="m1")
    exchange.import_package(laptop, exchange.export_package(
        commune, tmp_path / "r0.fieldsync", to="Laptop 1").path)
    return {"folder": tmp_path, "commune": commune, "laptop": laptop, "staff": staff,
            "member": member, "other": other, "khuong": khuong, "na": na,
            "theirs": theirs, "ours": ours}


def send(w, name: str) -> exchange.ImportReport:
    path = exchange.export_package(w["laptop"], w["folder"] / f"{name}.fieldsync").path
    return exchange.import_package(w["commune"], path)


def refused_alone(w, report, words: str) -> None:
    assert report.status == "applied", report.message
    assert report.refused, "nothing was refused"
    assert any(words in reason for _what, reason in report.refused), report.refused
    logged = w["commune"].query("select counts from sync_imports order by imported_at desc")
    assert words in logged[0]["counts"]


def test_a_member_cannot_promote_itself(world):
    w = world
    w["laptop"].users.update(w["member"], {"role": "commune_staff"})
    before = w["commune"].users.get(w["member"])["role"]
    report = send(w, "promote")
    refused_alone(w, report, "commune staff")
    assert w["commune"].users.get(w["member"])["role"] == before == "member"


def test_a_member_cannot_demote_staff(world):
    w = world
    w["laptop"].users.update(w["staff"], {"role": "member", "village_id": w["khuong"]})
    report = send(w, "demote")
    refused_alone(w, report, "commune staff")
    assert w["commune"].users.get(w["staff"])["role"] == "commune_staff"


def test_a_member_cannot_reset_a_staff_pin_on_an_unencrypted_commune(world):
    w = world
    w["laptop"].users.update(w["staff"], {"pin_hash": auth.hash_pin("482913")})
    send(w, "pin")
    staff = w["commune"].users.get(w["staff"])
    assert auth.check_pin(staff["pin_hash"], "246810")
    assert not auth.check_pin(staff["pin_hash"], "482913")


def test_no_pin_hash_leaves_a_member_laptop(world):
    w = world
    w["laptop"].users.update(w["member"], {"pin_hash": auth.hash_pin("135790")})
    path = exchange.export_package(w["laptop"], w["folder"] / "own.fieldsync").path
    from fieldapp.sync.package import open_package

    seed, _box = identity.device_keys(w["laptop"])
    from fieldapp.services.sync.exchange import _keys_for  # noqa: F401 - reads as the commune
    from fieldapp.sync.package import read_header

    header, *_ = read_header(path)
    verify, private, _peer, _kind = exchange._keys_for(w["commune"], header)
    with open_package(path, verify_key=lambda h: verify, private_key=lambda h: private) as p:
        fields = {f for g in p.groups() for f, *_rest in g.items}
    assert "pin_hash" not in fields


def test_a_member_cannot_erase_a_household_of_another_village(world):
    w = world
    # The member's laptop does not hold the other village's household: it writes the erasure
    # record itself, as sqlite3 would.
    with w["laptop"].transaction():
        w["laptop"].writer.insert("erasures", {"target_table": "households",
                                               "target_id": w["theirs"],
                                               "reason": "x", "user_id": w["member"]})
    report = send(w, "erase")
    refused_alone(w, report, "commune staff")
    assert w["commune"].households.get(w["theirs"]) is not None
    assert not w["commune"].erasures.list()


def test_a_member_cannot_edit_a_household_of_another_village(world):
    w = world
    with w["laptop"].transaction():
        w["laptop"].writer.insert("households", {"id": "forged-household",
                                                 "village_id": w["na"],
                                                 "head_name": "Hộ giả"})
    w["laptop"].households.update(w["ours"], {"phone": "0912000009"})
    report = send(w, "village")
    refused_alone(w, report, "village")
    assert w["commune"].households.get("forged-household") is None
    # The allowed change of the same package applied.
    assert w["commune"].households.get(w["ours"])["phone"] == "0912000009"


def test_a_member_cannot_move_a_household_out_of_its_village(world):
    w = world
    w["laptop"].households.update(w["ours"], {"village_id": w["na"]})
    report = send(w, "move")
    refused_alone(w, report, "village")
    assert w["commune"].households.get(w["ours"])["village_id"] == w["khuong"]


def test_a_member_cannot_write_a_household_of_another_village_by_merging_into_it(world):
    """A merged household's survivor shows its values and every later edit of it: merging
    one's own household into another village's, then editing it, changed that household's
    head and phone at the commune. The merge is refused, so the edit stays on the member's
    own household; in any import order."""
    w = world
    with w["laptop"].transaction():  # the other village's household is not on the laptop
        w["laptop"].writer.update("households", w["ours"], {"merged_into": w["theirs"]})
    w["laptop"].households.update(w["ours"], {"head_name": "Hộ bị chiếm", "phone": "0999"})
    theirs = w["commune"].households.get(w["theirs"])
    report = send(w, "merge-into")
    refused_alone(w, report, "village")
    assert w["commune"].households.get(w["theirs"]) == theirs
    ours = w["commune"].households.get(w["ours"])
    assert (ours["merged_into"], ours["head_name"]) == (None, "Hộ bị chiếm")


def test_a_member_cannot_put_an_audit_event_on_another_team_member(world):
    """Every laptop records its own work in the audit log: a member's laptop writes its
    member's events (or the laptop's own, naming nobody), never staff's."""
    w = world
    with w["laptop"].transaction():
        framed = w["laptop"].writer.insert("audit_events", {"action": "erase",
                                                            "user_id": w["staff"]})
        own = w["laptop"].writer.insert("audit_events", {"action": "sign_in",
                                                         "user_id": w["member"]})
    report = send(w, "audit")
    refused_alone(w, report, "another team member")
    events = {e["id"] for e in w["commune"].audit.list()}
    assert own in events and framed not in events


def test_a_retired_members_laptop_is_refused(world):
    from fieldapp.services.workspace import Workspace
    from fieldapp.services.team import Team

    w = world
    workspace = Workspace(w["commune"], None)
    Team(workspace).retire(w["member"])
    time.sleep(0.01)  # the laptop works on after the retirement (its clock is later)
    hid = w["laptop"].households.add_household(w["khuong"], "Hộ sau khi nghỉ")
    report = exchange.import_package(w["commune"], exchange.export_package(
        w["laptop"], w["folder"] / "late.fieldsync").path)
    assert report.status == "refused" or any("retired" in r for _w, r in report.refused), report
    assert w["commune"].households.get(hid) is None
    with pytest.raises(exchange.ExportError, match="retired"):  # and it receives nothing more
        exchange.export_package(w["commune"], w["folder"] / "none.fieldsync", to="Laptop 1")


def test_a_retired_device_is_refused_but_its_earlier_work_is_kept(world):
    w = world
    early = w["laptop"].households.add_household(w["khuong"], "Hộ trước")
    first = exchange.export_package(w["laptop"], w["folder"] / "early.fieldsync").path
    identity.retire_device(w["commune"], w["laptop"].device_id)
    time.sleep(0.01)
    late = w["laptop"].households.add_household(w["khuong"], "Hộ sau")
    second = exchange.export_package(w["laptop"], w["folder"] / "late.fieldsync").path
    # The later package first: nothing stamped after the retirement is taken, in any order.
    exchange.import_package(w["commune"], second)
    exchange.import_package(w["commune"], first)
    assert w["commune"].households.get(early) is not None
    assert w["commune"].households.get(late) is None


def crafted(w, name: str, lines: list[bytes]):
    """A package signed by the member laptop, holding whatever lines the attacker wrote."""
    from fieldapp.sync import crypto, package as pkg

    commune, laptop = w["commune"], w["laptop"]
    hub = commune.commune()["id"]
    seed, _box = identity.device_keys(laptop)
    box = identity.hub_public_key(commune)
    header = pkg.Header(package_id=f"p-{name}", commune_id=hub, source_device=laptop.device_id,
                        destination=f"hub:{hub}", created_at="2026-11-20",
                        recipient_key=crypto.fingerprint(box))
    path = w["folder"] / f"{name}.fieldsync"
    writer = pkg.PackageWriter(path, header, signing_seed=seed, recipient_public=box)
    writer.add_lines(lines)
    writer.finish(pkg.Manifest(package_id=header.package_id, kind="to_hub",
                               entries=len(lines)))
    return path


def test_a_change_naming_another_device_is_refused(world):
    """The origin device named in a change must be the laptop that signed the package."""
    import json

    w = world
    commune = w["commune"]
    stamp = f"{w['laptop'].clock.tick_stamp().wall_ms:013d}-0000-{commune.device_id}"
    line = json.dumps({"t": "users", "r": w["staff"], "s": stamp,
                       "c": [["role", "member"]]}).encode() + b"\n"
    report = exchange.import_package(commune, crafted(w, "origin", [line]))
    assert report.refused and "another laptop" in report.refused[0][1], report
    assert commune.users.get(w["staff"])["role"] == "commune_staff"


def test_a_dry_run_lists_the_refusals(world):
    w = world
    w["laptop"].users.update(w["member"], {"role": "commune_staff"})
    path = exchange.export_package(w["laptop"], w["folder"] / "dry.fieldsync").path
    before = list(w["commune"].dump())
    [report] = exchange.import_packages(w["commune"], [path], dry_run=True)
    assert report.status == "dry_run" and report.refused
    assert list(w["commune"].dump()) == before


def signed_by_hub(w, name: str, lines: list[bytes]):
    """A return package the commune laptop signs for laptop 1, holding these lines."""
    from fieldapp.sync import crypto, package as pkg

    commune, laptop = w["commune"], w["laptop"]
    seed, _box = identity.device_keys(commune)
    peer = next(p for p in commune.query("select * from sync_peers where kind = 'member'"))
    header = pkg.Header(package_id=f"r-{name}", commune_id=commune.commune()["id"],
                        source_device=commune.device_id, destination=laptop.device_id,
                        created_at="2026-11-20",
                        recipient_key=crypto.fingerprint(bytes(peer["box_key"])))
    path = w["folder"] / f"{name}.fieldsync"
    writer = pkg.PackageWriter(path, header, signing_seed=seed,
                               recipient_public=bytes(peer["box_key"]))
    writer.add_lines(lines)
    writer.finish(pkg.Manifest(package_id=header.package_id, kind="from_hub",
                               entries=len(lines)))
    return path


def test_a_relay_is_checked_for_what_it_relays(world):
    """A return package may carry other laptops' changes, each checked for its original
    author: one made by a laptop the commune never registered is left out on the member
    laptop, the rest applies."""
    import json

    w = world
    stranger = "0" * 8 + "-stranger"
    ok = f"{w['laptop'].clock.tick_stamp().wall_ms:013d}-0000-{w['commune'].device_id}"
    bad = f"{w['laptop'].clock.tick_stamp().wall_ms:013d}-0000-{stranger}"
    lines = [json.dumps({"t": "households", "r": "h-ok", "s": ok,
                         "c": [["village_id", w["khuong"]], ["head_name", "Hộ thật"]]}),
             json.dumps({"t": "households", "r": "h-bad", "s": bad,
                         "c": [["village_id", w["khuong"]], ["head_name", "Hộ giả"]]})]
    report = exchange.import_package(w["laptop"], signed_by_hub(
        w, "relay", [line.encode() + b"\n" for line in lines]))
    assert report.status == "applied", report.message
    assert [why for _what, why in report.refused] == [
        "It comes from a laptop this commune never registered."]
    assert w["laptop"].households.get("h-ok") and not w["laptop"].households.get("h-bad")


def test_a_commune_cannot_write_another_communes_records_at_the_province(tmp_path):
    """At the province, a commune laptop relays only its own commune's laptops and writes
    only its own commune's records."""
    import json

    from fieldapp.services.sync import province

    office = new_commune(tmp_path / "province.db", ["(văn phòng tỉnh)"], "Tỉnh Lạng Sơn")
    communes = [new_commune(tmp_path / f"{n}.db", [f"Bản {n}"], f"Xã {n}") for n in "AB"]
    for n, store in enumerate(communes):
        request = province.write_request(store, tmp_path / f"req{n}.json")
        _name, hub = province.register_request(office, request, tmp_path / f"hub{n}.json")
        province.join_province(store, hub)
        report = exchange.import_package(office, exchange.export_package(
            store, tmp_path / f"up{n}.fieldsync", to="province").path)
        assert report.status == "applied" and not report.refused, report
    a, b = communes
    village_b = b.villages.list()[0]["id"]
    # Commune A renames commune B's village, as its own laptop's change.
    with a.transaction():
        a.writer.apply([Change("villages", village_b, "name", "Bản bị đổi",
                               a.clock.tick_stamp())])
    before = office.villages.get(village_b)["name"]
    report = exchange.import_package(office, exchange.export_package(
        a, tmp_path / "forged.fieldsync", to="province").path)
    assert report.status == "applied"
    assert any("another commune" in why for _what, why in report.refused), report.refused
    assert office.villages.get(village_b)["name"] == before
    assert json.loads(office.query("select counts from sync_imports order by imported_at "
                                   "desc limit 1")[0]["counts"])["refused_count"] >= 1


def test_a_setup_file_carries_only_the_joining_members_own_pin_and_dump_none(world):
    import zipfile

    w = world
    commune = w["commune"]
    from fieldapp.services.workspace import Workspace

    auth.set_pin(Workspace(commune, None), commune.users.get(w["member"]), "482913")
    registration = identity.register_device(commune, "Laptop 2", w["member"])
    setup = identity.write_setup_file(commune, registration, w["folder"] / "two.setup")
    with zipfile.ZipFile(setup) as z:
        lines = z.read("changes.jsonl").decode().splitlines()
    pins = [line for line in lines if '"pin_hash"' in line]
    assert pins and all(w["member"] in line for line in pins)
    assert not any(w["staff"] in line for line in pins)
    assert all("pin_hash" not in line for line in commune.dump())


def test_a_demo_member_laptop_needs_a_setup_file_that_names_its_member(world, tmp_path):
    from fieldapp.errors import UserError
    from fieldapp.services.demo_surveys import create_member_demo

    registration = identity.register_device(world["commune"], "Laptop không tên")
    setup = identity.write_setup_file(world["commune"], registration, tmp_path / "x.setup")
    with pytest.raises(UserError, match="names no team member"):
        create_member_demo(tmp_path / "x.db", setup, households=1)
    assert not (tmp_path / "x.db").exists()
