"""Five communes consolidated through a province laptop into a real PostgreSQL warehouse, which
then equals the province database (``warehouse check``, and counted here independently) after
a publish killed half-way and resumed, edits, a merge of households and an erasure that
arrives after the data it erases."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter

from fieldapp import cli
from fieldapp.services.sync.review import merge_households
from fieldapp.services.workspace import Workspace
from fieldapp.warehouse import indicator_sql
from fieldapp.warehouse.connect import connect
from province_world import consolidate, send

SEEDS = (41, 42, 43, 44, 45)
HOUSEHOLDS = 14


def _warehouse_counts(dsn: str, table: str) -> Counter:
    with connect(dsn) as conn:
        return Counter(dict(conn.execute(
            f'select wh_commune, count(*) from fieldapp."{table}" group by 1').fetchall()))


def _province_households(office) -> Counter:
    return Counter(dict(office.conn.execute(
        "select v.commune_id, count(*) from households h join villages v on v.id = "
        "h.village_id group by 1").fetchall()))


def _duplicated_groups(dsn: str) -> int:
    with connect(dsn) as conn:
        return conn.execute("select count(*) from (select 1 from fieldapp.history group by "
                            "record_id, hlc, device having count(*) > 1) d").fetchone()[0]


def _check(office_path, dsn, capsys) -> str:
    code = cli.main(["warehouse", "check", "--db", str(office_path), "--dsn", dsn])
    out = capsys.readouterr().out
    assert code == 0, out
    return out


def _publish(office_path, dsn, capsys, *extra) -> str:
    code = cli.main(["warehouse", "publish", "--db", str(office_path), "--dsn", dsn, *extra])
    said = capsys.readouterr()
    assert code == 0, said.err
    return said.out


def _kill_half_way(office_path, dsn) -> int:
    """``fieldapp warehouse publish`` in its own process, killed (SIGKILL) inside a batch once
    some batches are committed: as soon as the first is, the cursor's row is locked here, so
    the next batch waits at its end (its rows written, not committed) until the kill."""
    command = [sys.executable, "-m", "fieldapp", "warehouse", "publish", "--db",
               str(office_path), "--dsn", dsn, "--batch", "200"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               env=dict(os.environ, FIELDAPP_LANG="en"))
    deadline = time.monotonic() + 120
    with connect(dsn, autocommit=True) as watch, connect(dsn) as lock:
        while True:
            row = watch.execute("select seq from fieldapp.sources").fetchone()
            if row and row[0] > 0:
                lock.execute("select seq from fieldapp.sources for update")
                break
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "the publish committed no batch"
            time.sleep(0.005)
        time.sleep(0.5)  # the publisher writes its next batch and waits for the row
        process.send_signal(signal.SIGKILL)
        process.wait()
        lock.rollback()
        seq, finished = watch.execute("select seq, finished from fieldapp.sources").fetchone()
    assert process.returncode == -signal.SIGKILL, process.communicate()
    assert seq > 0 and not finished
    return seq


def test_five_communes_through_a_province_laptop_equal_the_warehouse(
        tmp_path, warehouse, demo_commune, capsys, monkeypatch):
    monkeypatch.setenv("FIELDAPP_LANG", "en")
    office, communes = consolidate(tmp_path, [demo_commune(HOUSEHOLDS, s) for s in SEEDS])
    office_path = office.path
    last = office.log.last_seq()

    # A first publish killed half-way, then resumed: everything once.
    assert _kill_half_way(office_path, warehouse) < last
    out = _publish(office_path, warehouse, capsys)
    assert "stopped half-way" in out
    assert _duplicated_groups(warehouse) == 0
    _check(office_path, warehouse, capsys)
    assert _warehouse_counts(warehouse, "households") == _province_households(office)
    assert len(_warehouse_counts(warehouse, "households")) == len(SEEDS)
    with connect(warehouse) as conn:
        assert conn.execute("select seq from fieldapp.sources").fetchone()[0] == last
        # The indicators' cases, filled once at the end of the resumed first publish.
        form = indicator_sql.installed_set(conn)["form"]
        assert conn.execute("select count(distinct submission_id) from fieldapp.survey_cases "
                            "where case_no = 0").fetchone()[0] == conn.execute(
            "select count(*) from fieldapp.submissions where form_id = %s", [form]
        ).fetchone()[0] > 0

    # Nothing new: nothing sent.
    assert "already holds everything" in _publish(office_path, warehouse, capsys)

    # Edits at two communes, a merge at a third, new households at a fourth.
    first = communes[0]
    edited = first.scalar("select id from households where deleted = 0 order by id")
    old_name = first.households.get(edited)["head_name"]
    first.households.update(edited, {"head_name": "Nông Văn Sửa"})
    person = communes[1].scalar("select id from persons where deleted = 0 order by id")
    communes[1].persons.update(person, {"birth_year": 1961})
    survivor, absorbed = [r[0] for r in communes[2].conn.execute(
        "select id from households where deleted = 0 and merged_into is null order by id "
        "limit 2")]
    absorbed_persons = [r[0] for r in communes[2].conn.execute(
        "select id from persons where household_id = ?", [absorbed])]
    merge_households(communes[2], survivor, absorbed)
    village = communes[3].villages.list()[0]["id"]
    added = communes[3].households.add_household(village, "Hoàng Thị Mới")
    for n, commune in enumerate(communes[:4]):
        send(commune, office, tmp_path, f"second{n}")
    _publish(office_path, warehouse, capsys)
    _check(office_path, warehouse, capsys)
    with connect(warehouse) as conn:
        assert conn.execute("select head_name from fieldapp.households where id = %s",
                            [edited]).fetchone()[0] == "Nông Văn Sửa"
        values = [r[0] for r in conn.execute(
            "select value #>> '{}' from fieldapp.history_changes where record_id = %s and "
            "field = 'head_name'", [edited])]
        assert old_name in values and "Nông Văn Sửa" in values  # the history keeps both
        merged = conn.execute("select merged_into, deleted from fieldapp.households where "
                              "id = %s", [absorbed]).fetchone()
        assert merged == (survivor, 1)
        moved = {r[0] for r in conn.execute(
            "select household_id from fieldapp.persons where id = any(%s)",
            [absorbed_persons])}
        assert moved <= {survivor} and absorbed_persons
        assert conn.execute("select count(*) from fieldapp.households where id = %s",
                            [added]).fetchone()[0] == 1
    assert _warehouse_counts(warehouse, "households") == _province_households(office)

    # An erasure at commune 4, after its data reached the warehouse: gone there too, with
    # its history, and said in one line.
    fifth = communes[4]
    erased = fifth.scalar("select id from households where deleted = 0 order by id")
    erased_persons = [r[0] for r in fifth.conn.execute(
        "select id from persons where household_id = ?", [erased])]
    Workspace(fifth).privacy.erase("households", erased, "yêu cầu của hộ")
    send(fifth, office, tmp_path, "erasure")
    out = _publish(office_path, warehouse, capsys)
    name = fifth.commune()["name"]
    lines = [line for line in out.splitlines() if line.startswith(f"{name}: ")]
    assert len(lines) == 1 and "erasure" in lines[0], out
    _check(office_path, warehouse, capsys)
    gone = [erased, *erased_persons]
    with connect(warehouse) as conn:
        for table in ("households", "persons"):
            assert conn.execute(f"select count(*) from fieldapp.{table} where id = any(%s)",
                                [gone]).fetchone()[0] == 0
        assert conn.execute("select count(*) from fieldapp.submissions where household_id = "
                            "any(%s)", [gone]).fetchone()[0] == 0
        assert conn.execute("select count(*) from fieldapp.history where record_id = any(%s)",
                            [gone]).fetchone()[0] == 0
        assert conn.execute("select count(*) from fieldapp.erased where rid = %s",
                            [erased]).fetchone()[0] == 1
    assert _duplicated_groups(warehouse) == 0
    for store in (office, *communes):
        store.close()


def test_check_finds_any_difference(tmp_path, warehouse, demo_commune, capsys, monkeypatch):
    """A row changed, a row removed, a history line added or altered in the warehouse: each
    is found, named by commune and kind, and the check exits 1."""
    monkeypatch.setenv("FIELDAPP_LANG", "en")
    office, communes = consolidate(tmp_path, [demo_commune(HOUSEHOLDS, s) for s in SEEDS[:2]])
    _publish(office.path, warehouse, capsys)
    _check(office.path, warehouse, capsys)
    name = communes[0].commune()["name"]
    person = communes[0].scalar("select id from persons order by id")
    tampering = [
        ("update fieldapp.persons set full_name = full_name || 'x' where id = %s", [person],
         "different content"),
        ("delete from fieldapp.persons where id = %s", [person], "in the warehouse"),
        ("insert into fieldapp.history select * from fieldapp.history where record_id = %s "
         "limit 1", [person], "changes of the history"),
        ("update fieldapp.history set changes = changes || '{\"sex\": \"x\"}' where "
         "record_id = %s", [person], "changes of the history"),
    ]
    for sql, params, said in tampering:
        with connect(warehouse) as conn:
            conn.execute(sql, params)
            conn.commit()
        code = cli.main(["warehouse", "check", "--db", str(office.path), "--dsn", warehouse])
        out = capsys.readouterr().out
        assert code == 1, out
        assert any(line.startswith(f"{name}, ") and said in line for line in out.splitlines()), out
        # Put it right again: publish everything once more.
        _publish(office.path, warehouse, capsys, "--full")
        _check(office.path, warehouse, capsys)
    for store in (office, *communes):
        store.close()


def test_history_is_queryable_per_commune(tmp_path, warehouse, demo_commune, capsys):
    office, communes = consolidate(tmp_path, [demo_commune(HOUSEHOLDS, s) for s in SEEDS[:2]])
    _publish(office.path, warehouse, capsys)
    with connect(warehouse) as conn:
        parts = conn.execute(
            "select count(*) from pg_inherits i join pg_class c on c.oid = i.inhparent "
            "where c.relname = 'history'").fetchone()[0]
        assert parts >= 2  # one partition per commune (and the office's own)
        commune = communes[0].meta("commune_id")
        per_commune = dict(conn.execute(
            "select wh_commune, count(*) from fieldapp.history_changes group by 1").fetchall())
        assert per_commune[commune] > 0
        assert sum(per_commune.values()) == office.log.count()
        json.dumps(conn.execute("select changes from fieldapp.history limit 1").fetchone()[0])
    for store in (office, *communes):
        store.close()
