"""How a write of a file's bytes changes what callers keep with it (its Annotations).

Three writers put bytes at a key: the upload route (with the hosted upload's fields and its overwrite rules),
a copy, move or restore (which carry the source's annotations whole), and anyone writing to the bucket
directly (whose S3 tags and `x-amz-meta-*` seed a new file's annotations). The ingest applies the update to
the annotations the key had, if it had a live file: the rules are the hosted upload API's.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from .records import Annotations

# The S3 tag that makes an object private (isPrivateFile): the bucket policy refuses it to the public
# distribution, so only signed URLs reach it. An upload through the API sets it with isPrivateFile; a direct
# upload sets it itself; a copy keeps it (S3 copies tags).
PRIVATE_TAG = "imagemeta-private"
PRIVATE_TAG_VALUE = "true"


@dataclass(frozen=True)
class AnnotationUpdate:
    """What a write of new bytes says about the file's annotations.

    `tags` and `custom_metadata` None: the write gave none; then `overwrite_*` decides whether an overwritten
    file's are removed (the upload's `overwriteTags`/`overwriteCustomMetadata`, default true) or kept. The
    coordinates and description describe the bytes written: absent ones are removed on overwrite.
    """

    tags: tuple[str, ...] | None = None
    overwrite_tags: bool = True
    custom_metadata: Mapping[str, Any] | None = None
    overwrite_custom_metadata: bool = True
    custom_coordinates: str | None = None
    description: str | None = None
    is_private: bool = False
    is_published: bool = True

    def applied_to(self, old: Annotations | None) -> Annotations:
        """The annotations after the write, over those of the file it replaces (None: a new file)."""
        kept = old or Annotations()
        return Annotations(
            tags=self.tags if self.tags is not None else (() if self.overwrite_tags else kept.tags),
            custom_metadata=(dict(self.custom_metadata) if self.custom_metadata is not None
                             else {} if self.overwrite_custom_metadata else dict(kept.custom_metadata)),
            custom_coordinates=self.custom_coordinates,
            description=self.description,
            is_private=self.is_private,
            is_published=self.is_published,
        )


@dataclass(frozen=True)
class Carried:
    """A copy, move or restore: the source's annotations, whole, whatever the destination had."""

    annotations: Annotations = field(default_factory=Annotations)

    def applied_to(self, old: Annotations | None) -> Annotations:
        return self.annotations


@dataclass(frozen=True)
class FromBucket:
    """A write straight to the bucket: its S3 tags and user metadata (typed by the custom metadata fields)
    become a new file's annotations; on an overwrite they replace the old ones when the object has any, and
    the old ones stay otherwise (an S3 client that knows nothing of annotations does not erase them). Whether
    the file is private is always the object's: its private tag is what the delivery goes by."""

    tags: tuple[str, ...] = ()
    custom_metadata: Mapping[str, Any] = field(default_factory=dict)
    is_private: bool = False

    def applied_to(self, old: Annotations | None) -> Annotations:
        if old is None:
            return Annotations(tags=self.tags, custom_metadata=dict(self.custom_metadata), is_private=self.is_private)
        return Annotations(
            tags=self.tags or old.tags,
            custom_metadata=dict(self.custom_metadata) if self.custom_metadata else dict(old.custom_metadata),
            custom_coordinates=old.custom_coordinates,
            description=old.description,
            is_private=self.is_private,
            is_published=old.is_published,
        )


Update = AnnotationUpdate | Carried | FromBucket


def bucket_tags(tags: tuple[tuple[str, str], ...]) -> tuple[str, ...]:
    """S3 tags as the File object's tags: `key`, or `key=value` for a tag with a value (the private tag is none)."""
    return tuple(name if not value else f"{name}={value}" for name, value in tags if name != PRIVATE_TAG)


def is_private_object(tags: tuple[tuple[str, str], ...]) -> bool:
    """Whether an object's S3 tags make it private."""
    return (PRIVATE_TAG, PRIVATE_TAG_VALUE) in tags


def private_tagging() -> str:
    """The private tag as S3's Tagging parameter (and x-amz-tagging header) spells it."""
    return urlencode({PRIVATE_TAG: PRIVATE_TAG_VALUE})
