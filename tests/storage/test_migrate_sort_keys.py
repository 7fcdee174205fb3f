"""m061: numbers in names sort by value. The sort keys a database stored before are made again,
so the lists follow the new order at once and ``check --deep`` (which compares them with what a
replay of the log derives) finds no difference after the upgrade."""

from __future__ import annotations

from fieldapp.i18n.text import name_sort_text, sort_text
from fieldapp.storage.replay import replay_differences
from fieldapp.storage.store import Store
from sync_world import new_commune


def test_stored_sort_keys_follow_the_new_rule_after_the_upgrade(tmp_path):
    path = tmp_path / "commune.db"
    store = new_commune(path, ["Thôn 2", "Thôn 10", "Bản Nà"])
    user = store.users.add_user("Nông Văn 10", "member",
                                village_id=store.villages.list()[0]["id"])
    # What an earlier version stored: keys of another rule (here, simply other text).
    with store.transaction():
        store.conn.execute("update villages set name_sort = 'old ' || name")
        store.conn.execute("update users set name_sort = 'old' where id = ?", [user])
        store.conn.execute("delete from _sqlite_migrations "
                           "where name = 'm061_numbers_sort_by_value'")
    assert replay_differences(path)  # what the upgrade would leave without the migration
    store.close()

    store = Store.open(path)  # migrates
    try:
        villages = store.conn.execute("select name, name_sort from villages").fetchall()
        assert villages and all(stored == sort_text(name) for name, stored in villages)
        assert store.conn.execute("select name_sort from users where id = ?",
                                  [user]).fetchone()[0] == name_sort_text("Nông Văn 10")
        order = [r[0] for r in store.conn.execute(
            "select name from villages where name like 'Thôn %' order by name_sort")]
        assert order == ["Thôn 2", "Thôn 10"]
    finally:
        store.close()
    assert replay_differences(path) == []
