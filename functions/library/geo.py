"""LocationTaken searches: a circle ("lat,lng 5km"), a box from its diagonal ("lat,lng|lat,lng"), or a polygon
of four vertices ("lat,lng|lat,lng|lat,lng|lat,lng"), as the hosted API writes them; and whether a point lies in
one. Coordinates are decimal degrees (south and west negative), as embeddedMetadata keeps GPS positions.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

from imagemeta.errors import BadParameter, echo

EARTH_RADIUS_M = 6_371_008.8
MAX_RADIUS_M = 20_040_000  # half the equator: every point on the earth
_POINT = re.compile(r"\s*(-?\d{1,3}(?:\.\d{1,15})?)\s*,\s*(-?\d{1,3}(?:\.\d{1,15})?)\s*")
_RADIUS = re.compile(r"\s*(\d{1,8}(?:\.\d{1,6})?)\s*(km|m)\s*", re.IGNORECASE)

Point = tuple[float, float]


@dataclass(frozen=True)
class Shape:
    """A circle (one vertex and a radius in metres) or a polygon (its vertices; a box has the four corners)."""

    vertices: tuple[Point, ...]
    radius_m: float | None = None

    def box(self) -> tuple[float, float, float, float] | None:
        """(south, north, west, east) bounds every point of the shape lies within; None when they would wrap
        around a pole or the antimeridian (then nothing is pruned by them)."""
        if self.radius_m is None:
            latitudes = [lat for lat, _ in self.vertices]
            longitudes = [lng for _, lng in self.vertices]
            return min(latitudes), max(latitudes), min(longitudes), max(longitudes)
        (lat, lng), = self.vertices
        reach = math.degrees(self.radius_m / EARTH_RADIUS_M)
        if abs(lat) + reach >= 90:
            return None
        across = reach / math.cos(math.radians(abs(lat) + reach))
        if abs(lng) + across >= 180:
            return None
        return lat - reach, lat + reach, lng - across, lng + across


def shape_of(field: str, text: str) -> Shape:
    """The shape a LocationTaken value writes; BadParameter naming the field otherwise."""
    circle, _, radius = text.partition(" ")
    if radius.strip():
        found = _RADIUS.fullmatch(radius)
        centre = _point(field, circle)
        if not found:
            raise BadParameter(f"searchQuery: `{field}`'s radius is a distance in km or m; got {echo(radius)}.")
        metres = float(found.group(1)) * (1000 if found.group(2).lower() == "km" else 1)
        return Shape((centre,), min(metres, MAX_RADIUS_M))
    corners = [_point(field, part) for part in text.split("|")]
    if len(corners) == 2:
        (lat1, lng1), (lat2, lng2) = corners
        return Shape(((lat1, lng1), (lat1, lng2), (lat2, lng2), (lat2, lng1)))
    if len(corners) == 4:
        return Shape(tuple(corners))
    raise BadParameter(f"searchQuery: `{field}` is \"lat,lng 5km\", \"lat,lng|lat,lng\" (a box) or four "
                       f"\"lat,lng\" vertices joined by |; got {echo(text)}.")


def _point(field: str, text: str) -> Point:
    found = _POINT.fullmatch(text)
    if not found:
        raise BadParameter(f"searchQuery: `{field}` needs \"latitude,longitude\" in degrees; got {echo(text)}.")
    lat, lng = float(found.group(1)), float(found.group(2))
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise BadParameter(f"searchQuery: `{field}`: {echo(text)} is no latitude (-90..90), longitude (-180..180).")
    return lat, lng


def contains(shape: Shape, lat: float, lng: float) -> bool:
    """Whether a point lies in the shape (a circle by great-circle distance; a polygon by ray casting)."""
    if shape.radius_m is not None:
        (centre_lat, centre_lng), = shape.vertices
        return _distance_m(centre_lat, centre_lng, lat, lng) <= shape.radius_m
    inside = False
    vertices = shape.vertices
    for (lat1, lng1), (lat2, lng2) in zip(vertices, vertices[1:] + vertices[:1], strict=True):
        if (lat1 <= lat <= lat2 or lat2 <= lat <= lat1) and (lng1 <= lng <= lng2 or lng2 <= lng <= lng1) and \
                (lat2 - lat1) * (lng - lng1) == (lng2 - lng1) * (lat - lat1):
            return True  # on an edge
        if (lat1 > lat) != (lat2 > lat) and lng < lng1 + (lat - lat1) * (lng2 - lng1) / (lat2 - lat1):
            inside = not inside
    return inside


def _distance_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance (haversine)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lng2 - lng1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))
