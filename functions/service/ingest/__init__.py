"""Records from S3: notifications -> ObjectEvent, the ingest processor, the backfill of older objects."""
