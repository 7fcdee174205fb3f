"""A province laptop and its communes for the warehouse tests: demo communes joined to the
province office, each sending it everything in a package (the real sync path).

Imported as ``from province_world import ...`` (tests/ is on sys.path, as for sync_world).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from fieldapp.services.setup import SetupRequest, run_setup
from fieldapp.services.sync import exchange, province
from fieldapp.storage.store import Store

OFFICE_VILLAGE = "(văn phòng tỉnh)"


def make_office(folder: Path, name: str = "Tỉnh Lạng Sơn", province_name: str = "Lạng Sơn"
                ) -> Store:
    store = Store.open(folder / "province.db")
    run_setup(store, SetupRequest(name, province_name, [OFFICE_VILLAGE], "Hoàng Thị Mai",
                                  "commune_staff", "246810"))
    return store


def join(office: Store, commune: Store, folder: Path, n: int) -> None:
    request = province.write_request(commune, folder / f"req{n}.json")
    _name, hub = province.register_request(office, request, folder / f"hub{n}.json")
    province.join_province(commune, hub)


def send(commune: Store, office: Store, folder: Path, name: str) -> None:
    """The commune's package of what the province has not acknowledged, imported there."""
    package = exchange.export_package(commune, folder / f"{name}.fieldsync", to="province")
    report = exchange.import_package(office, package.path)
    assert report.status == "applied", report.message


def consolidate(folder: Path, demos: list[Path], office: Store | None = None
                ) -> tuple[Store, list[Store]]:
    """The office (made if not given) with every demo commune joined and sent."""
    office = office or make_office(folder)
    communes = []
    for n, demo in enumerate(demos):
        path = folder / f"commune{n}.db"
        shutil.copy(demo, path)
        commune = Store.open(path)
        join(office, commune, folder, n)
        send(commune, office, folder, f"first{n}")
        communes.append(commune)
    return office, communes
