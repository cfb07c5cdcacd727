"""The obvious implementation, the reference to beat: Pillow full decode + imagehash + exifread."""
from __future__ import annotations

import io
import logging

import exifread
import imagehash
import pillow_heif
from PIL import Image

from imagemeta.limits import DEFAULT_MAX_PIXELS

pillow_heif.register_heif_opener()
# The same pixel limit as the service (Pillow's own default would warn at 89 MP).
Image.MAX_IMAGE_PIXELS = DEFAULT_MAX_PIXELS
# exifread logs a warning for every file without EXIF (the PNG); the table is the output here.
logging.getLogger("exifread").setLevel(logging.ERROR)


def obvious_metadata(data: bytes) -> dict:
    """What a straightforward service would compute for the same object: every pixel decoded."""
    tags = exifread.process_file(io.BytesIO(data))
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        return {
            "width": image.width,
            "height": image.height,
            "size": len(data),
            "format": image.format,
            "hasColorProfile": "icc_profile" in image.info,
            "hasTransparency": image.mode in {"RGBA", "LA", "PA"} or "transparency" in image.info,
            "pHash": str(imagehash.phash(image)),
            "exif": {name: str(value) for name, value in tags.items()},
        }
