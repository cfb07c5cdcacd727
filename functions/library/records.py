"""The library's records as typed values: a file, what callers keep with it, a folder.

Storage decodes an item once into these (service/storage/codec.py); nothing above storage sees DynamoDB's
attribute-value shapes. A file's JSON bodies (its metadata object and embeddedMetadata) are compressed in
its item or spilled to the bucket, so a record carries them as `Body` readers that storage binds: reading
one costs a decompression or a request, and only the routes that answer a body call them.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from imagemeta.errors import ImageMetaError, NotAnImage, TooLarge

from .paths import file_path, folder_path, name_of, parent_prefix

# A JSON body of a record, read on demand (None when the record has none).
Body = Callable[[], Any]
# Errors a record keeps for bytes that are no readable image, by the name it stores.
STORED_ERRORS: dict[str, type[ImageMetaError]] = {"NotAnImage": NotAnImage, "TooLarge": TooLarge}
# The layout records are written in now: 3 keeps the bodies compressed in one attribute and the
# caller's annotations (docs/files-api.md). Older items are read as they are; the backfill rewrites them.
RECORD_VERSION = 3


def no_body() -> None:
    """The body of a record that has none."""
    return None


@dataclass(frozen=True)
class StoredError:
    """Why an object has no metadata: its bytes were no readable image, or too large to read."""

    kind: str  # a key of STORED_ERRORS
    message: str
    help: str

    @classmethod
    def of(cls, error: ImageMetaError) -> StoredError:
        kind = next(name for name, error_type in STORED_ERRORS.items() if isinstance(error, error_type))
        return cls(kind, error.message, error.help)

    def error(self) -> ImageMetaError:
        """The error a lookup of the file's metadata answers (400 or 413)."""
        return STORED_ERRORS[self.kind](self.message, help=self.help)

    @property
    def too_large(self) -> bool:
        return self.kind == "TooLarge"


@dataclass(frozen=True)
class Extraction:
    """What reading an object's bytes gave: its metadata object and embeddedMetadata, or why there are none,
    and the bucket key of the thumbnail made from them (an image's, when one could be made)."""

    metadata: dict[str, Any] | None = None
    embedded: dict[str, Any] | None = None
    error: StoredError | None = None
    thumbnail_key: str | None = None


@dataclass(frozen=True)
class Annotations:
    """What callers keep with a file, beside what S3 and its bytes say: the hosted API's editable fields."""

    tags: tuple[str, ...] = ()
    custom_metadata: Mapping[str, Any] = field(default_factory=dict)
    custom_coordinates: str | None = None
    description: str | None = None
    is_private: bool = False
    is_published: bool = True


@dataclass(frozen=True)
class FileRecord:
    """A live file: the object's facts from S3, what was read of its bytes, and what callers keep with it.

    `version_id` is S3's version where the bucket keeps versions (None otherwise). Images have `format`,
    dimensions, `has_alpha` and `phash`; other files have the stored `error` of their read, or neither when
    they were never an image. `taken_at` is the picture's DateTimeOriginal (embeddedMetadata), when it has one.
    `thumbnail_key` is the bucket key of its thumbnail (a WebP under the service's prefix), when it has one.
    `record_version` is the layout the record was written in (older ones lack facts and annotations).
    `current`: the key's current version; False for a version kept since another replaced it (a file-version),
    `version_number` the N of its name, "Version N" (counted as the library sees S3's version change).
    """

    file_id: str
    key: str
    created_at: str
    updated_at: str
    size: int
    etag: str
    version_id: str | None
    mime: str
    file_type: str  # "image" or "non-image"
    format: str  # the metadata object's format for images; a non-image's lower-case extension
    height: int | None = None
    width: int | None = None
    has_alpha: bool | None = None
    phash: str | None = None
    taken_at: str | None = None
    thumbnail_key: str | None = None
    annotations: Annotations = field(default_factory=Annotations)
    version_number: int = 1
    error: StoredError | None = None
    record_version: int = RECORD_VERSION
    current: bool = True
    metadata: Body = field(default=no_body, compare=False, repr=False)
    embedded_metadata: Body = field(default=no_body, compare=False, repr=False)

    @property
    def name(self) -> str:
        return name_of(self.key)

    @property
    def file_path(self) -> str:
        """The hosted API's filePath: "/" and the key."""
        return file_path(self.key)

    @property
    def folder(self) -> str:
        """The folder holding the file, as a folder path ("/album/")."""
        return folder_path(parent_prefix(self.key))

    def kept_extraction(self) -> Extraction:
        """What the item says its bytes are (its document, or its stored error, and its thumbnail): a kept version
        made current again is not read again."""
        return Extraction(self.metadata(), self.embedded_metadata(), self.error, self.thumbnail_key)

    def is_version(self, version_id: str) -> bool:
        """Whether a caller's versionId names this record's version: its S3 version id, or its fileId (what
        versionInfo.id says of the one version of a file in a bucket without versions)."""
        return version_id in (self.version_id, self.file_id)


@dataclass(frozen=True)
class Folder:
    """A folder as listings and searches see it: S3 has only key prefixes; the library keeps an item each."""

    folder_id: str
    prefix: str  # "album/sub/" ("" is the root)
    name: str
    created_at: str
    updated_at: str
