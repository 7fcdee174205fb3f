"""What a well-formed answer of the newer question types looks like (as ODK Collect stores it).

- geopoint: "latitude longitude altitude accuracy" (altitude and accuracy may be 0 or left out);
- geotrace: points separated by ";" (at least two); geoshape: at least three distinct points,
  closed (the first point repeated at the end) as Collect writes it;
- range: a number from start to end on a step of the question's parameters;
- time: "HH:MM:SS.sss" with the UTC offset; datetime: ISO 8601 with milliseconds and offset.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal, InvalidOperation


def parse_point(text: str) -> tuple[float, float, float, float] | None:
    """(latitude, longitude, altitude, accuracy) of a geopoint, or None if malformed."""
    parts = text.split()
    if not 2 <= len(parts) <= 4:
        return None
    try:
        values = [float(p) for p in parts] + [0.0] * (4 - len(parts))
    except ValueError:
        return None
    lat, lon, alt, acc = values
    if not all(math.isfinite(v) for v in values):
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or acc < 0:
        return None
    return lat, lon, alt, acc


def point_text(lat: float, lon: float, alt: float = 0.0, acc: float = 0.0) -> str:
    """A geopoint as Collect writes it: four numbers separated by spaces."""
    return " ".join(_num(v) for v in (lat, lon, alt, acc))


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def parse_points(text: str) -> list[tuple[float, float, float, float]] | None:
    """The points of a geotrace or geoshape, or None if one is malformed."""
    points = []
    for part in text.split(";"):
        if not part.strip():
            continue
        point = parse_point(part)
        if point is None:
            return None
        points.append(point)
    return points


def close_shape(points: list[tuple[float, float, float, float]]) -> list:
    """A shape's points with the first repeated at the end (as Collect stores a geoshape)."""
    if points and points[0][:2] != points[-1][:2]:
        return points + [points[0]]
    return points


def geo_problem(kind: str, value: str) -> str | None:
    """The message key for a malformed geopoint/geotrace/geoshape answer, or None."""
    if kind == "geopoint":
        return None if parse_point(value) is not None else "geopoint"
    points = parse_points(value)
    if points is None:
        return kind
    distinct = {p[:2] for p in points}
    if kind == "geotrace":
        return None if len(points) >= 2 and len(distinct) >= 2 else "geotrace"
    return None if len(distinct) >= 3 else "geoshape"


def range_bounds(parameters: dict[str, str]) -> tuple[Decimal, Decimal, Decimal]:
    """(start, end, step) of a range question (pyxform's defaults 1, 10, 1)."""
    return (Decimal(parameters.get("start", "1")), Decimal(parameters.get("end", "10")),
            Decimal(parameters.get("step", "1")))


def in_range(parameters: dict[str, str], value: str) -> bool:
    """True when ``value`` is a number between start and end on a step from start."""
    try:
        start, end, step = range_bounds(parameters)
        number = Decimal(value.strip())
    except (InvalidOperation, ValueError):
        return False
    if not number.is_finite():
        return False
    low, high = min(start, end), max(start, end)
    if not low <= number <= high:
        return False
    return ((number - start) / step) % 1 == 0


def time_text(value: dt.time, offset: dt.timedelta | None) -> str:
    """A time as ODK stores it: HH:MM:SS.sss and the UTC offset."""
    text = f"{value.hour:02d}:{value.minute:02d}:{value.second:02d}.{value.microsecond // 1000:03d}"
    if offset is not None:
        minutes = int(offset.total_seconds() // 60)
        sign = "+" if minutes >= 0 else "-"
        text += f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    return text
