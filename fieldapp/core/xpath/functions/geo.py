"""Geography of geopoint/geotrace/geoshape answers: area() (JavaRosa's enclosed-area(), the
name pyxform's and Collect's documentation both use), distance() and geofence().

A geopoint is "latitude longitude [altitude [accuracy]]"; a trace or shape is points separated
by ';'. Distances follow ODK Collect: on a sphere of the WGS84 equatorial radius, in metres.
"""

from __future__ import annotations

import math

from fieldapp.core.xpath.errors import ExprArityError, Message
from fieldapp.core.xpath.functions.registry import flatten, register
from fieldapp.core.xpath.nodes import Call, Literal, Number
from fieldapp.core.xpath.values import NAN, to_string
from fieldapp.i18n.catalog import N_

EARTH_RADIUS = 6_378_137.0


def points(text: str) -> list[tuple[float, float]] | None:
    """[(latitude, longitude)] of a geopoint, geotrace or geoshape answer; None if malformed."""
    out = []
    for part in text.split(";"):
        fields = part.split()
        if not fields:
            continue
        if len(fields) < 2 or len(fields) > 4:
            return None
        try:
            lat, lon = float(fields[0]), float(fields[1])
        except ValueError:
            return None
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            return None
        out.append((lat, lon))
    return out


def _arguments(values) -> list[tuple[float, float]] | None:
    texts = [to_string(v) for v in flatten(values)]
    if len(texts) == 1:
        return points(texts[0])
    found = []
    for text in texts:
        p = points(text)
        if p is None or len(p) != 1:
            return None
        found.extend(p)
    return found


def _haversine(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (math.sin((lat2 - lat1) / 2) ** 2
         + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2)
    return 2 * EARTH_RADIUS * math.asin(min(1.0, math.sqrt(h)))


@register("distance", 1, None)
def _distance(ctx, *values):
    pts = _arguments(values)
    if not pts or len(pts) < 2:
        return NAN
    return sum(_haversine(a, b) for a, b in zip(pts, pts[1:]))


@register("enclosed-area", 1)
@register("area", 1)
def _area(ctx, value):
    pts = points(to_string(value))
    if not pts or len(pts) < 3:
        return NAN
    # Spherical polygon area (the formula ODK Collect uses).
    total = 0.0
    for (lat1, lon1), (lat2, lon2) in zip(pts, pts[1:] + pts[:1]):
        total += math.radians(lon2 - lon1) * (
            2 + math.sin(math.radians(lat1)) + math.sin(math.radians(lat2)))
    return abs(total * EARTH_RADIUS ** 2 / 2.0)


def _geofence_check(node: Call, text: str) -> None:
    shape = node.args[1]
    if isinstance(shape, (Literal, Number)):
        raise ExprArityError(Message(N_("the second argument of geofence() must be a geoshape "
                                        "question, as in {example}"),
                                     example="geofence(${point}, ${area})"), shape.pos, text)


@register("geofence", 2, check=_geofence_check)
def _geofence(ctx, point, shape):
    p = points(to_string(point))
    polygon = points(to_string(shape))
    if not p or len(p) != 1 or not polygon or len(polygon) < 3:
        return False
    y, x = p[0]
    inside = False
    for (y1, x1), (y2, x2) in zip(polygon, polygon[1:] + polygon[:1]):
        if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
            inside = not inside
    return inside
