"""The near-duplicate search over a local folder of images (the CLI's and the library's)."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from .errors import ImageMetaError, NotFound
from .extraction import extract
from .limits import DEFAULT_LIMITS, Limits
from .similar import DEFAULT_MAX_DISTANCE, check_max_distance, matches


def search_folder(
    query_path: str | Path,
    folder: str | Path,
    max_distance: int = DEFAULT_MAX_DISTANCE,
    limits: Limits = DEFAULT_LIMITS,
) -> list[dict]:
    """The images under `folder` (recursively) within max_distance of the image at query_path, nearest first."""
    check_max_distance(max_distance)
    if not Path(folder).is_dir():
        raise NotFound(detail=f"{folder} is not a folder")
    query = extract(query_path, limits)["pHash"]
    query_file = Path(query_path).resolve()
    found = matches(query, folder_hashes(Path(folder), limits), max_distance, exclude=str(query_file))
    return [{"path": m.key, "pHash": m.phash, "distance": m.distance} for m in found]


def folder_hashes(folder: Path, limits: Limits) -> Iterator[tuple[str, str]]:
    """(resolved path, pHash) of every readable image under folder; other files are skipped."""
    for path in sorted(folder.rglob("*")):
        if not path.is_file():
            continue
        try:
            yield str(path.resolve()), extract(path, limits)["pHash"]
        except (ImageMetaError, OSError):
            continue  # not an image, or unreadable: a folder search covers the images it can read
