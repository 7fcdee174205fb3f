"""What a write changed (fieldapp.core.changed), as the screens get it."""

from fieldapp.core.changed import MANY, Tracker


def test_a_tracker_collects_kinds_and_ids_until_taken():
    tracker = Tracker()
    tracker.note("households", ["h1", "h2"])
    tracker.note_many({"p1": "persons", "h2": "households"})
    changed = tracker.take()
    assert changed.kinds == {"households", "persons"}
    assert changed.ids("households") == {"h1", "h2"} and changed.ids("sessions") == set()
    assert changed.touches("sessions", "persons") and not changed.touches("sessions")
    assert not tracker.take()


def test_too_many_ids_of_a_kind_become_many():
    tracker = Tracker()
    tracker.note("persons", (f"p{n}" for n in range(MANY + 1)))
    tracker.note("persons", ["one more"])
    changed = tracker.take()
    assert changed.ids("persons") is None and changed.touches("persons")
