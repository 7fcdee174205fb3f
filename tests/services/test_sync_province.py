"""A commune laptop joins its province and sends it everything; the province returns only
that commune's records."""

from __future__ import annotations

import pytest

from fieldapp.errors import UserError
from fieldapp.services.sync import exchange, province
from sync_world import new_commune


def commune_db(path, name, village):
    store = new_commune(path, [village], name)
    hid = store.households.add_household(store.villages.list()[0]["id"], f"Hộ ở {village}")
    store.persons.add_person(hid, f"Hộ ở {village}", birth_year=1970)
    return store


def test_two_communes_consolidate_at_the_province(tmp_path):
    office = new_commune(tmp_path / "province.db", ["(văn phòng tỉnh)"], "Tỉnh Lạng Sơn")
    communes = [commune_db(tmp_path / "a.db", "Xã A", "Bản A"),
                commune_db(tmp_path / "b.db", "Xã B", "Bản B")]
    for n, store in enumerate(communes):
        request = province.write_request(store, tmp_path / f"req{n}.json")
        name, hub_file = province.register_request(office, request, tmp_path / f"hub{n}.json")
        assert name == store.commune()["name"]
        assert province.join_province(store, hub_file) == "Tỉnh Lạng Sơn"
        package = exchange.export_package(store, tmp_path / f"p{n}.fieldsync", to="province")
        report = exchange.import_package(office, package.path)
        assert report.status == "applied", report.message
    heads = sorted(r["head_name"] for r in office.query("select head_name from households"))
    assert heads == ["Hộ ở Bản A", "Hộ ở Bản B"]
    # Back to commune A: its own records, none of commune B's.
    peer = next(p for p in office.query("select * from sync_peers where kind = 'member'")
                if p["name"].startswith("Xã A"))
    back = exchange.export_package(office, tmp_path / "back.fieldsync", to=peer["name"])
    assert exchange.import_package(communes[0], back.path).status == "applied"
    assert "Bản B" not in "\n".join(communes[0].dump())


def test_files_of_the_wrong_kind_are_refused(tmp_path):
    store = commune_db(tmp_path / "a.db", "Xã A", "Bản A")
    request = province.write_request(store, tmp_path / "req.json")
    with pytest.raises(UserError):
        province.join_province(store, request)  # a request is not a hub file
    (tmp_path / "junk.json").write_text("{}")
    with pytest.raises(UserError):
        province.register_request(store, tmp_path / "junk.json", tmp_path / "hub.json")
