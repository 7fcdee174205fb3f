"""``fieldapp check --deep``: the tables compared with a replay of the change log."""

from __future__ import annotations

import pytest

from fieldapp.cli import main
from fieldapp.storage.store import Store


@pytest.fixture(autouse=True)
def english(monkeypatch):
    monkeypatch.setenv("FIELDAPP_LANG", "en")


def test_a_healthy_database_replays_to_its_tables(tmp_path, capsys):
    path = tmp_path / "demo.db"
    assert main(["demo", "--db", str(path), "--households", "20"]) == 0
    capsys.readouterr()
    assert main(["check", "--deep", "--db", str(path)]) == 0
    assert capsys.readouterr().out.strip().endswith("OK")


def test_a_row_that_is_not_what_the_log_makes_is_listed_and_exits_1(tmp_path, capsys):
    path = tmp_path / "demo.db"
    assert main(["demo", "--db", str(path), "--households", "20"]) == 0
    store = Store.open(path)
    person = store.query("select id from persons order by id limit 1")[0]["id"]
    household = store.query("select id from households order by id limit 1")[0]["id"]
    store.conn.execute("update persons set birth_year = 1800 where id = ?", [person])
    store.conn.execute("delete from households where id = ?", [household])
    store.conn.commit()
    store.close()
    capsys.readouterr()
    assert main(["check", "--db", str(path)]) in (0, 1)  # without --deep: no replay
    capsys.readouterr()
    assert main(["check", "--deep", "--db", str(path)]) == 1
    out = capsys.readouterr().out
    assert f"persons {person}: the row differs from what the change log makes" in out
    assert f"households {household}: the change log makes a row the table lacks" in out
