"""The province's report read from the warehouse (the same table as the report the province
laptop computes from its own database), a national warehouse that two provinces publish to,
and bad input: each said in one line, with exit code 2."""

from __future__ import annotations

import os
import subprocess
import sys

from fieldapp import cli
from fieldapp.core.periods import Period
from fieldapp.reports import province_report
from fieldapp.services import warehouse as service
from fieldapp.services.province import gather_province
from fieldapp.warehouse.connect import connect
from fieldapp.warehouse.schema import q
from province_world import consolidate, make_office

SEEDS = (61, 62, 63, 64, 65)
HOUSEHOLDS = 20


def _latest_period(dsn: str) -> Period:
    with connect(dsn) as conn:
        return Period.parse(conn.execute(
            f"select max(period) from {q('surveyed_by_commune')} where period like '____'"
        ).fetchone()[0])


def _run(capsys, *args) -> tuple[int, str, str]:
    code = cli.main(list(args))
    said = capsys.readouterr()
    return code, said.out, said.err


def test_province_report_from_the_warehouse_equals_the_laptops(tmp_path, warehouse,
                                                               demo_commune, capsys,
                                                               monkeypatch):
    monkeypatch.setenv("FIELDAPP_LANG", "vi")
    office, communes = consolidate(tmp_path, [demo_commune(HOUSEHOLDS, s) for s in SEEDS])
    service.WarehouseService(office).publish(warehouse)
    period = _latest_period(warehouse)
    laptop = gather_province(office, period=period)
    remote = service.province_data(warehouse, period=period)
    assert len(remote.communes) == len(SEEDS)
    mine, theirs = province_report.table(laptop), province_report.table(remote)
    # sorted: demo communes of different seeds may share a name (their order is a tie)
    assert sorted(theirs.rows) == sorted(mine.rows) and theirs.header == mine.header
    assert province_report.build(remote).header == province_report.build(laptop).header
    assert any("%" in cell for row in theirs.rows for cell in row[2:])  # shares, not all "–"

    out = tmp_path / "tỉnh.pdf"
    code, said, err = _run(capsys, "warehouse", "report", "--dsn", warehouse, "--out",
                           str(out), "--period", period.key)
    assert code == 0, err
    assert out.stat().st_size > 2000 and str(out) in said
    docx = tmp_path / "tỉnh.docx"
    assert _run(capsys, "warehouse", "report", "--dsn", warehouse, "--out", str(docx),
                "--period", period.key)[0] == 0
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True,
                          text=True).stdout if _has("pdftotext") else ""
    for row in theirs.rows:  # every commune's name (its column wraps it)
        assert not text or row[0].split()[1] in text
    for store in (office, *communes):
        store.close()


def _has(program: str) -> bool:
    import shutil

    return shutil.which(program) is not None


def test_two_provinces_publish_to_a_national_warehouse(tmp_path, dsn, demo_commune, capsys,
                                                       monkeypatch):
    monkeypatch.setenv("FIELDAPP_LANG", "en")
    code, out, err = _run(capsys, "warehouse", "init", "--national", "--dsn", dsn)
    assert code == 0 and "national" in out, err
    provinces = []
    for n, (name, seeds) in enumerate((("Lạng Sơn", SEEDS[:2]), ("Cao Bằng", SEEDS[2:4]))):
        folder = tmp_path / f"p{n}"
        folder.mkdir()
        office, communes = consolidate(folder, [demo_commune(HOUSEHOLDS, s) for s in seeds],
                                       make_office(folder, f"Tỉnh {name}", name))
        provinces.append((office, communes))
        code, out, err = _run(capsys, "warehouse", "publish", "--db", str(office.path),
                              "--dsn", dsn)
        assert code == 0, err
    for office, _communes in provinces:
        code, out, err = _run(capsys, "warehouse", "check", "--db", str(office.path), "--dsn",
                              dsn)
        assert code == 0, out + err
    with connect(dsn) as conn:
        per_province = dict(conn.execute(
            f"select wh_province, count(distinct wh_commune) from {q('households')} "
            "group by 1").fetchall())
        assert sorted(per_province.values()) == [2, 2]
        parts = conn.execute("select count(*) from pg_inherits i join pg_class c on "
                             "c.oid = i.inhparent where c.relname = 'households'").fetchone()[0]
        assert parts == 2  # one partition per province
    data = service.province_data(dsn, period=_latest_period(dsn))
    assert len(data.communes) == 4
    assert {r.name.rsplit("(", 1)[1].rstrip(")") for r in data.communes} == {
        "Lạng Sơn", "Cao Bằng"}
    for office, communes in provinces:
        for store in (office, *communes):
            store.close()


def test_bad_input_is_one_line(tmp_path, cluster, warehouse, demo_commune, capsys,
                               monkeypatch):
    monkeypatch.setenv("FIELDAPP_LANG", "en")
    places = [_mkdir(tmp_path / "a"), _mkdir(tmp_path / "b")]
    one, first = consolidate(places[0], [demo_commune(HOUSEHOLDS, SEEDS[0])],
                             make_office(places[0], "Tỉnh Lạng Sơn", "Lạng Sơn"))
    other, second = consolidate(places[1], [demo_commune(HOUSEHOLDS, SEEDS[1])],
                                make_office(places[1], "Tỉnh Cao Bằng", "Cao Bằng"))
    assert _run(capsys, "warehouse", "publish", "--db", str(one.path), "--dsn",
                warehouse)[0] == 0

    def refused(*args, said: str) -> None:
        code, out, err = _run(capsys, *args)
        assert code == 2, out + err
        lines = err.strip().splitlines()
        assert len(lines) == 1 and said in lines[0] and "Traceback" not in err, err

    socket_dir = tmp_path / "nobody-here"
    refused("warehouse", "check", "--db", str(one.path), "--dsn",
            f"host={socket_dir} dbname=fieldapp", said="Cannot connect to the warehouse")
    refused("warehouse", "publish", "--db", str(one.path), "--dsn", "nonsense=1",
            said="is not a PostgreSQL address")
    refused("warehouse", "publish", "--db", str(other.path), "--dsn", warehouse,
            said="holds Lạng Sơn's records, not Cao Bằng's")
    empty = cluster.create_database("empty_one")
    refused("warehouse", "publish", "--db", str(one.path), "--dsn", empty,
            said="holds no fieldapp warehouse")
    with connect(warehouse) as conn:
        conn.execute(f"update {q('meta')} set value = '0' where key = 'schema_version'")
        conn.commit()
    refused("warehouse", "publish", "--db", str(one.path), "--dsn", warehouse,
            said="schema of an older fieldapp")
    with connect(warehouse) as conn:
        conn.execute(f"update {q('meta')} set value = '99' where key = 'schema_version'")
        conn.commit()
    refused("warehouse", "check", "--db", str(one.path), "--dsn", warehouse,
            said="made by a newer fieldapp")
    # Without psycopg: what is missing, and how to install it.
    monkeypatch.setitem(sys.modules, "psycopg", None)
    refused("warehouse", "init", "--dsn", warehouse, said="pip install 'fieldapp[warehouse]'")
    for store in (one, other, *first, *second):
        store.close()


def _mkdir(path):
    path.mkdir(exist_ok=True)
    return path


def test_publish_and_check_are_for_commune_staff(tmp_path, warehouse, capsys, monkeypatch):
    """Every role of the role matrix (tests/role_world.py): commune staff publish and check;
    anyone else is refused in one line and the warehouse receives nothing."""
    from fieldapp.storage import keyring
    from role_world import NAMES, NOBODY, PIN, ROLES, STAFF, build

    monkeypatch.setattr(keyring, "KDF", keyring.KdfLimits(ops=1, mem=8 * 1024 * 1024))
    monkeypatch.setenv("FIELDAPP_PIN", PIN)
    monkeypatch.setenv("FIELDAPP_LANG", "en")
    monkeypatch.delenv("FIELDAPP_USER", raising=False)
    world = build(tmp_path / "roles")
    database = str(world.folder / "commune.db")
    for role in sorted(ROLES, key=lambda r: r == STAFF):  # staff last: nothing sent before
        who = [] if role == NOBODY else ["--user", NAMES[role]]
        for command in ("publish", "check"):
            code, out, err = _run(capsys, "warehouse", command, "--db", database, "--dsn",
                                  warehouse, *who)
            if role == STAFF:
                assert code == 0, (command, out, err)
                if command == "check":  # its own sign-in is not published yet
                    assert "1 record changed after the last publish was left out" in out
            else:
                assert code == 2 and err.count("\n") == 1 and "unexpected" not in err, (
                    role, command, err)
                with connect(warehouse) as conn:
                    assert conn.execute(f"select count(*) from {q('records')}"
                                        ).fetchone()[0] == 0


def test_init_local_makes_and_restarts_a_cluster_of_its_own(cluster, capsys, monkeypatch):
    """The README's one command for a local warehouse: ``warehouse init --local FOLDER``
    makes the cluster, its database and the schema; run again, it finds it up to date."""
    import shutil
    import tempfile
    from pathlib import Path

    from fieldapp.warehouse.cluster import LocalCluster

    monkeypatch.setenv("FIELDAPP_LANG", "en")
    folder = Path(tempfile.mkdtemp(prefix="fieldapp-local-", dir="/tmp")) / "wh"
    made = LocalCluster(folder)
    try:
        if os.geteuid() == 0:  # the cluster's own account must reach the folder
            code, out, err = _run(capsys, "warehouse", "init", "--local", str(folder))
            assert code == 2 and "cannot enter" in err and err.count("\n") == 1, err
            folder.parent.chmod(0o755)
        code, out, err = _run(capsys, "warehouse", "init", "--local", str(folder))
        assert code == 0 and "Made a province's warehouse" in out and str(folder) in out, err
        made.stop()  # the computer restarted
        code, out, err = _run(capsys, "warehouse", "init", "--local", str(folder))
        assert code == 0 and "is up to date" in out, err
        with connect(made.dsn()) as conn:
            assert conn.execute(f"select value from {q('meta')} where key = 'level'"
                                ).fetchone()[0] == "province"
    finally:
        made.stop()
        shutil.rmtree(folder.parent, ignore_errors=True)
