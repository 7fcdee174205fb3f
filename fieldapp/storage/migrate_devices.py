"""Migration m040: the register of laptops, from what a hub knew of them locally.

A commune laptop (a hub) registered its member laptops in its local ``sync_peers``; from
m040 each registration is also a synced ``devices`` record (fieldapp.core.kinds), so that
member laptops and the province can tell who wrote what they receive. The hub registers
itself ("hub", or "province" for a province office, which registered commune laptops), each
member laptop with its team member (tombstoned "retired" when it was retired) and the province
it joined. Member laptops receive the records with the commune's next package; the changes
they sent before are not judged again.
"""

from __future__ import annotations

from typing import Any

from sqlite_utils import Database

from fieldapp.core.clock import HybridLogicalClock
from fieldapp.storage.changelog import ChangeLog
from fieldapp.storage.repositories import registration

HUB, PROVINCE, MEMBER = "hub", "province", "member"


def seed_devices(db: Database) -> None:
    conn = db.conn
    meta = dict(conn.execute("select key, value from app_meta").fetchall())
    device, hub = meta.get("device_id"), meta.get("hub_id")
    commune = meta.get("commune_id") or hub
    if not device or not commune:
        return
    # A member laptop takes back the changes its commune refuses from now on; those it sent
    # before were judged by the rules of then (fieldapp.storage.authority).
    acked = conn.execute("select max(our_acked) from sync_peers where kind = 'hub'").fetchone()
    if not hub and acked and acked[0]:
        conn.execute("insert into app_meta(key, value) values ('own_changes_checked', ?) "
                     "on conflict(key) do update set value = excluded.value", [str(acked[0])])
    peers = [dict(zip(("device", "kind", "name", "user_id", "hub_id", "commune_id", "active"),
                      row)) for row in conn.execute(
        "select device, kind, name, user_id, hub_id, commune_id, active from sync_peers")]
    rows: list[dict[str, Any]] = []
    if hub:
        province = any(p["kind"] == "member" and p["commune_id"] for p in peers)
        rows.append(registration(hub, device, meta.get("device_name"),
                                 PROVINCE if province else HUB))
        for peer in peers:
            if peer["kind"] == "member" and not peer["commune_id"]:
                rows.append(registration(hub, peer["device"], peer["name"], MEMBER,
                                         user_id=peer["user_id"], retired=not peer["active"]))
        for peer in peers:
            if peer["kind"] == "hub" and peer["hub_id"] != commune:
                rows.append(registration(hub, peer["device"], peer["name"], PROVINCE))
    if not rows:
        return
    from fieldapp.storage.writer import RecordWriter

    clock = HybridLogicalClock(device, meta.get("hlc_last"))
    RecordWriter(conn, ChangeLog(conn), clock).insert_many("devices", rows)
    conn.execute("insert into app_meta(key, value) values ('hlc_last', ?) on conflict(key) "
                 "do update set value = excluded.value", [clock.last])

