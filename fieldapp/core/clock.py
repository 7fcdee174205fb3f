"""Identities and the hybrid logical clock that orders edits across devices.

A revision stamp is ``"<wall ms, 13 digits>-<counter, 4 digits>-<device id>"``: comparing stamps as
strings orders them by wall time, then counter, then device, so every device agrees on which of
two concurrent edits is newer without trusting any one laptop's clock to be right.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

# uuid and datetime are imported where used: this module is on the app's start-up path and
# opening the main window needs neither.


def new_id() -> str:
    """A fresh record identity (UUID4, canonical text form)."""
    import uuid

    return str(uuid.uuid4())


def utc_now_iso(clock: Callable[[], float] = time.time) -> str:
    from datetime import datetime, timezone

    return datetime.fromtimestamp(clock(), tz=timezone.utc).isoformat(timespec="milliseconds")


@dataclass(frozen=True, order=True)
class Stamp:
    wall_ms: int
    counter: int
    device: str

    def __str__(self) -> str:
        return f"{self.wall_ms:013d}-{self.counter:04d}-{self.device}"

    @classmethod
    def parse(cls, text: str) -> "Stamp":
        wall, counter, device = text.split("-", 2)
        return cls(int(wall), int(counter), device)


class HybridLogicalClock:
    """Issues monotonically increasing stamps for one device, and absorbs stamps it receives."""

    def __init__(self, device: str, last: str | None = None,
                 wall: Callable[[], float] = time.time):
        self.device = device
        self._wall = wall
        self._last = Stamp.parse(last) if last else Stamp(0, 0, device)

    @property
    def last(self) -> str:
        return str(self._last)

    def tick(self) -> str:
        now_ms = int(self._wall() * 1000)
        if now_ms > self._last.wall_ms:
            self._last = Stamp(now_ms, 0, self.device)
        else:
            self._last = Stamp(self._last.wall_ms, self._last.counter + 1, self.device)
        return str(self._last)

    def observe(self, remote: str) -> None:
        """Move past a stamp seen in imported data so later local edits order after it."""
        other = Stamp.parse(remote)
        if (other.wall_ms, other.counter) > (self._last.wall_ms, self._last.counter):
            self._last = Stamp(other.wall_ms, other.counter, self.device)
