"""Background reads: a second connection on one worker thread, the newest request wins."""

from fieldapp.ui import tasks
from fieldapp.ui.reader import BackgroundReader


def test_synchronous_mode_reads_on_the_ui_store(commune, qapp):
    reader = BackgroundReader(commune)
    got = []
    reader.request("households", lambda store: store is commune, got.append)
    assert got == [True]
    reader.close()


def test_threaded_reads_use_their_own_connection_and_only_the_newest_is_delivered(commune, qtbot):
    reader = BackgroundReader(commune)
    delivered = []
    tasks.set_synchronous(False)
    try:
        for query in ("d", "da", "dan", "dang"):
            reader.request(
                "households",
                lambda store, q=query: (q, store is not commune,
                                        [r["head_name"] for r in store.households.search(q)[0]]),
                delivered.append)
        qtbot.waitUntil(lambda: not reader.pending())
    finally:
        tasks.set_synchronous(True)
        reader.close()
    # The first query was already running; its result is dropped because newer ones came
    # meanwhile, and of those only the newest runs.
    assert delivered == [("dang", True, ["Đặng Văn Hùng"])]


def test_closed_reader_ignores_requests(commune, qapp):
    reader = BackgroundReader(commune)
    reader.close()
    got = []
    reader.request("x", lambda store: 1, got.append)
    assert got == []
