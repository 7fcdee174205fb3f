"""Identities and the hybrid logical clock that orders edits across devices.

A stamp is ``"<wall ms, 13 digits>-<counter, 4 digits>-<device id>"``. Comparing stamps orders
them by wall time, then counter, then device, so every device agrees on which of two concurrent
edits is newer without trusting any one laptop's clock to be right (Kulkarni et al., 2014).

The counter has a fixed width (:data:`COUNTER_LIMIT` values) so that stamps also sort as text.
When it would overflow (more than 10,000 stamps within one millisecond, or a clock that stays
behind a stamp observed from a laptop whose clock runs ahead), the wall part advances by one
millisecond instead, as the HLC paper allows: the stamp stays ahead of everything seen.

A remote stamp more than :data:`MAX_DRIFT_MS` ahead of this laptop's wall clock is refused by
:meth:`HybridLogicalClock.observe` (:class:`ClockDriftError`): adopting it would drag every later
local edit into the future and make it win over edits that are really newer.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

# uuid and datetime are imported where used: this module is on the app's start-up path and
# opening the main window needs neither.

COUNTER_LIMIT = 10_000
"""Counter values per millisecond (4 decimal digits in the text form)."""
MAX_DRIFT_MS = 24 * 3600 * 1000
"""How far ahead of the local wall clock an observed stamp may be (one day: covers a laptop
set to the wrong time zone, refuses one set to the wrong date)."""
_WALL_DIGITS = 13


class ClockDriftError(ValueError):
    """A remote stamp is too far in the future to be adopted."""

    def __init__(self, stamp: "Stamp", ahead_ms: int):
        super().__init__(f"stamp {stamp} is {ahead_ms / 3_600_000:.1f} hours ahead")
        self.stamp = stamp
        self.ahead_ms = ahead_ms


def new_id() -> str:
    """A fresh record identity (UUID4, canonical text form)."""
    import uuid

    return str(uuid.uuid4())


def utc_now_iso(clock: Callable[[], float] = time.time) -> str:
    from datetime import datetime, timezone

    return datetime.fromtimestamp(clock(), tz=timezone.utc).isoformat(timespec="milliseconds")


def iso_from_ms(wall_ms: int) -> str:
    """A stamp's wall time as the ISO 8601 UTC text stored in created_at/updated_at
    (``datetime.isoformat(timespec="milliseconds")``: 2026-11-28T05:50:57.123+00:00)."""
    seconds, ms = divmod(wall_ms, 1000)
    return f"{_iso_second(seconds)}.{ms:03d}+00:00"


@lru_cache(maxsize=4096)  # an import writes the times of a package's records: few seconds
def _iso_second(seconds: int) -> str:
    from datetime import datetime, timezone

    return datetime.fromtimestamp(seconds, tz=timezone.utc).isoformat(timespec="seconds")[:-6]


@dataclass(frozen=True, order=True, slots=True)
class Stamp:
    wall_ms: int
    counter: int
    device: str

    def __post_init__(self) -> None:
        if not 0 <= self.counter < COUNTER_LIMIT or not 0 <= self.wall_ms < 10 ** _WALL_DIGITS:
            raise ValueError(f"stamp out of range: {self.wall_ms}, {self.counter}")

    def __str__(self) -> str:
        return f"{self.wall_ms:013d}-{self.counter:04d}-{self.device}"

    @property
    def hlc(self) -> int:
        """Wall and counter as one integer (the compact form the change log stores)."""
        return self.wall_ms * COUNTER_LIMIT + self.counter

    @classmethod
    def from_hlc(cls, hlc: int, device: str) -> "Stamp":
        wall, counter = divmod(hlc, COUNTER_LIMIT)
        return cls(wall, counter, device)

    @classmethod
    def parse(cls, text: str) -> "Stamp":
        """The stamp written by ``str()``; ValueError for anything else."""
        wall, counter, device = str(text).split("-", 2)
        if len(wall) != _WALL_DIGITS or len(counter) != 4 or not device \
                or not wall.isdigit() or not counter.isdigit():
            raise ValueError(f"not a stamp: {text!r}")
        return cls(int(wall), int(counter), device)


class HybridLogicalClock:
    """Issues strictly increasing stamps for one device, and absorbs stamps it receives.

    One clock per database: every write of that database takes its stamps here (see
    fieldapp.storage.store), and the last stamp is persisted with each transaction.
    """

    def __init__(self, device: str, last: str | None = None,
                 wall: Callable[[], float] = time.time):
        self.device = device
        self._wall = wall
        self._hlc = Stamp.parse(last).hlc if last else 0

    @property
    def last(self) -> str:
        return str(Stamp.from_hlc(self._hlc, self.device))

    def _now_ms(self) -> int:
        return int(self._wall() * 1000)

    def tick(self) -> str:
        """A new stamp, greater than every stamp issued or observed before."""
        return str(self.tick_stamp())

    def tick_stamp(self) -> Stamp:
        # max(wall, last + 1) in the combined integer: a counter at its limit carries into the
        # wall part, so stamps keep sorting whatever the counter (the standard HLC overflow rule).
        self._hlc = max(self._now_ms() * COUNTER_LIMIT, self._hlc + 1)
        return Stamp.from_hlc(self._hlc, self.device)

    def absorb(self, last: str | None) -> None:
        """Catch up with this device's own last stamp as persisted (another connection or
        process may have written since)."""
        if last:
            self._hlc = max(self._hlc, Stamp.parse(last).hlc)

    def check(self, remote: Stamp) -> None:
        """Raise ClockDriftError when ``remote`` is too far ahead of the local wall clock."""
        ahead = remote.wall_ms - self._now_ms()
        if ahead > MAX_DRIFT_MS:
            raise ClockDriftError(remote, ahead)

    def observe(self, remote: str | Stamp) -> None:
        """Move past a stamp seen in imported data so later local edits order after it.

        Raises ClockDriftError (and adopts nothing) for a stamp absurdly far in the future.
        """
        other = remote if isinstance(remote, Stamp) else Stamp.parse(remote)
        self.check(other)
        self._hlc = max(self._hlc, other.hlc)
