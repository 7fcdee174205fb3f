"""Communes and member laptops for the sync tests: a set-up commune, laptops joined to it.

Imported by the tests as ``from sync_world import ...`` (tests/ is on sys.path: pytest puts the
folder of the root conftest there).
"""

from __future__ import annotations

from pathlib import Path

from fieldapp.services.setup import SetupRequest, run_setup
from fieldapp.services.sync import identity
from fieldapp.storage.store import Store


def new_commune(path: Path, villages=("Bản Khuông",), name: str = "Xã Tân Thành",
                pin: str = "246810") -> Store:
    """A commune database set up with these villages and one commune staff user."""
    store = Store.open(path)
    run_setup(store, SetupRequest(name, "Lạng Sơn", list(villages), "Hoàng Thị Mai",
                                  "commune_staff", pin))
    return store


def join_member(commune: Store, folder: Path, name: str, user_id: str | None = None,
                *, file: str | None = None) -> Store:
    """A new member laptop registered as ``name`` at the commune for ``user_id`` (else for
    the commune's first user, its staff: a laptop with no team member assigned may write
    nothing) and joined with its setup file."""
    user_id = user_id or commune.users.list()[0]["id"]
    registration = identity.register_device(commune, name, user_id)
    stem = file or f"member-{registration.device_id[:8]}"
    setup = identity.write_setup_file(commune, registration, folder / f"{stem}.setup")
    member = Store.open(folder / f"{stem}.db")
    identity.join(member, setup)
    return member


def in_scope(commune: Store, lines: list[str], village: str) -> list[str]:
    """The commune's ``dump`` lines that a member laptop of ``village`` holds: every
    commune-wide record, and the village records the declarations place in ``village``."""
    import json

    from fieldapp.core.kinds import BY_TABLE, Scope
    from fieldapp.storage.scope import place_sql

    keep = []
    for line in lines:
        row = json.loads(line)
        kind = BY_TABLE[row["table"]]
        if kind.scope is Scope.VILLAGE:
            sql, params = place_sql(kind, "t", [village])
            if not commune.scalar(f"select 1 from [{kind.table}] t where t.id = ? and {sql}",
                                  [row["id"], *params]):
                continue
        keep.append(line)
    return keep
