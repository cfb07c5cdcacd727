"""`make bench`: how fast, how small and how cheap the service is, measured against references in the same run."""
