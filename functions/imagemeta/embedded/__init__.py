"""embeddedMetadata: EXIF, IPTC and XMP consolidated into one flat object, as ExifTool names and prints them."""
from .reader import embedded_metadata, extract_with_embedded, from_walk

__all__ = ["embedded_metadata", "extract_with_embedded", "from_walk"]
