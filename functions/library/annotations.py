"""How writes change what callers keep with a file (its Annotations): new bytes, and edits through the API.

Three writers put bytes at a key: the upload route (with the hosted upload's fields and its overwrite rules),
a copy, move or restore (which carry the source's annotations whole), and anyone writing to the bucket
directly (whose S3 tags and `x-amz-meta-*` seed a new file's annotations). The ingest applies the update to
the annotations the key had, if it had a live file: the rules are the hosted upload API's. An Edit (PATCH
details, addTags, removeTags) changes a live file's annotations alone, in its record.
"""
from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlencode

from imagemeta.errors import BadParameter, echo

from .records import Annotations

# The hosted API's bound on the tags of one request (their characters in all), and what a tag may not hold:
# `%` (the hosted rule) and `,` (tags travel comma-joined in an upload form).
MAX_TAG_CHARACTERS = 500
_TAG_REFUSED = re.compile(r"[%,]")
# What a tag is trimmed of: the white space of JavaScript's String.trim() (ECMAScript's), which the OpenAPI
# description's Tag pattern spells out character by character, so a tag it allows is never refused here nor one
# it refuses kept. Python's str.strip() differs: it also trims \x1c-\x1f and \x85, and keeps \ufeff.
TAG_SPACE = " \t\n\v\f\r\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u2028\u2029\u202f\u205f\u3000\ufeff"
# What callers keep with one file, as JSON: its record is one DynamoDB item (400 KB), whose document may take
# up to 350 KB (storage/docs.py); the rest is the record's own.
MAX_ANNOTATION_BYTES = 40 * 1024
MAX_DESCRIPTION_CHARACTERS = 10_000
_COORDINATES = re.compile(r"\d{1,9},\d{1,9},\d{1,9},\d{1,9}")
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
    # The custom metadata fields' defaultValues, for the fields the result has no value of.
    defaults: Mapping[str, Any] = field(default_factory=dict)

    def applied_to(self, old: Annotations | None) -> Annotations:
        """The annotations after the write, over those of the file it replaces (None: a new file)."""
        kept = old or Annotations()
        custom = (dict(self.custom_metadata) if self.custom_metadata is not None
                  else {} if self.overwrite_custom_metadata else dict(kept.custom_metadata))
        return Annotations(
            tags=self.tags if self.tags is not None else (() if self.overwrite_tags else kept.tags),
            custom_metadata={**self.defaults, **custom},
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
    defaults: Mapping[str, Any] = field(default_factory=dict)  # as AnnotationUpdate's, for a new file
    is_private: bool = False

    def applied_to(self, old: Annotations | None) -> Annotations:
        if old is None:
            return Annotations(tags=self.tags, custom_metadata={**self.defaults, **self.custom_metadata},
                               is_private=self.is_private)
        return Annotations(
            tags=self.tags or old.tags,
            custom_metadata=dict(self.custom_metadata) if self.custom_metadata else dict(old.custom_metadata),
            custom_coordinates=old.custom_coordinates,
            description=old.description,
            is_private=self.is_private,
            is_published=old.is_published,
        )


Update = AnnotationUpdate | Carried | FromBucket


class Unchanged:
    """An Edit's value for what it leaves as it is."""

    def __repr__(self) -> str:
        return "UNCHANGED"


UNCHANGED = Unchanged()


@dataclass(frozen=True)
class Edit:
    """A change of a live file's annotations through the API: PATCH /v1/files/{fileId}/details, addTags,
    removeTags. `tags` replaces them all (() unsets them); `add_tags` and `remove_tags` change some; custom
    metadata is merged, a None value unsetting its key; coordinates and description are replaced (None unsets)."""

    tags: tuple[str, ...] | Unchanged = UNCHANGED
    add_tags: tuple[str, ...] = ()
    remove_tags: tuple[str, ...] = ()
    custom_metadata: Mapping[str, Any] = field(default_factory=dict)
    custom_coordinates: str | None | Unchanged = UNCHANGED
    description: str | None | Unchanged = UNCHANGED
    is_published: bool | None = None

    def applied_to(self, old: Annotations) -> Annotations:
        """The annotations after the edit; BadParameter when they would outgrow what a file keeps."""
        tags = old.tags if isinstance(self.tags, Unchanged) else self.tags
        tags = tuple(tag for tag in dict.fromkeys((*tags, *self.add_tags)) if tag not in self.remove_tags)
        custom = {**old.custom_metadata, **self.custom_metadata}
        changed = replace(
            old,
            tags=tags,
            custom_metadata={name: value for name, value in custom.items() if value is not None},
            custom_coordinates=(old.custom_coordinates if isinstance(self.custom_coordinates, Unchanged)
                                else self.custom_coordinates),
            description=old.description if isinstance(self.description, Unchanged) else self.description,
            is_published=old.is_published if self.is_published is None else self.is_published,
        )
        bounded(changed)
        return changed


def bounded(annotations: Annotations) -> Annotations:
    """The annotations, unless they are over what one file keeps (MAX_ANNOTATION_BYTES of JSON: 400)."""
    size = len(json.dumps([annotations.tags, annotations.custom_metadata, annotations.custom_coordinates,
                           annotations.description], ensure_ascii=False).encode())
    if size > MAX_ANNOTATION_BYTES:
        raise BadParameter(f"A file keeps at most {MAX_ANNOTATION_BYTES // 1024} KB of tags, customMetadata, "
                           "customCoordinates and description in all; this change would make it more.")
    return annotations


def checked_tags(values: Any, parameter: str = "tags") -> tuple[str, ...]:
    """Tags a request gives (a list of text): each trimmed, non-empty, without `%` or `,`; 500 characters in all."""
    if not isinstance(values, (list, tuple)) or not all(isinstance(tag, str) for tag in values):
        raise BadParameter(f"Parameter `{parameter}` must be a list of text tags.")
    tags = tuple(dict.fromkeys(tag.strip(TAG_SPACE) for tag in values))
    for tag in tags:
        if not tag or _TAG_REFUSED.search(tag):
            raise BadParameter(f"Parameter `{parameter}`: {echo(tag)} is not a tag (non-empty, no `%` or `,`).")
    if sum(len(tag) for tag in tags) > MAX_TAG_CHARACTERS:
        raise BadParameter(f"Parameter `{parameter}` holds more than {MAX_TAG_CHARACTERS} characters of tags.")
    return tags


def checked_coordinates(value: Any, parameter: str = "customCoordinates") -> str | None:
    """`x,y,width,height` in whole pixels (the hosted form), or None to unset them."""
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not _COORDINATES.fullmatch(value.strip()):
        raise BadParameter(f"Parameter `{parameter}` must be x,y,width,height in whole pixels; got {echo(value)}.")
    return value.strip()


def checked_description(value: Any, parameter: str = "description") -> str | None:
    """A file's description (text; empty or None unsets it)."""
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > MAX_DESCRIPTION_CHARACTERS:
        raise BadParameter(f"Parameter `{parameter}` must be text of at most {MAX_DESCRIPTION_CHARACTERS} characters.")
    return value or None


def bucket_tags(tags: tuple[tuple[str, str], ...]) -> tuple[str, ...]:
    """S3 tags as the File object's tags: `key`, or `key=value` for a tag with a value (the private tag is none)."""
    return tuple(name if not value else f"{name}={value}" for name, value in tags if name != PRIVATE_TAG)


def is_private_object(tags: tuple[tuple[str, str], ...]) -> bool:
    """Whether an object's S3 tags make it private."""
    return (PRIVATE_TAG, PRIVATE_TAG_VALUE) in tags


def private_tagging() -> str:
    """The private tag as S3's Tagging parameter (and x-amz-tagging header) spells it."""
    return urlencode({PRIVATE_TAG: PRIVATE_TAG_VALUE})
