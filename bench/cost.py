"""What one million images cost on Lambda arm64, from measured durations and the published prices."""
from __future__ import annotations

from dataclasses import dataclass

# us-east-1, arm64, first pricing tier; the published price as of 2026-11, check the AWS Lambda pricing page.
PRICE_PER_GB_SECOND = 0.0000133334
PRICE_PER_MILLION_REQUESTS = 0.20
PRICE_DATE = "2026-11"
MILLION = 1_000_000


@dataclass(frozen=True)
class Cost:
    workload: str
    memory_mb: int
    seconds_per_image: float
    images_per_invocation: int

    @property
    def compute_usd(self) -> float:
        """Per million images: GB-seconds at the configured memory."""
        return MILLION * self.seconds_per_image * self.memory_mb / 1024 * PRICE_PER_GB_SECOND

    @property
    def requests_usd(self) -> float:
        """Per million images: one request per invocation, each handling `images_per_invocation`."""
        return PRICE_PER_MILLION_REQUESTS / self.images_per_invocation

    @property
    def total_usd(self) -> float:
        return self.compute_usd + self.requests_usd
