"""What one million images cost on Lambda arm64, from measured durations and the published prices."""
from __future__ import annotations

from dataclasses import dataclass

# us-east-1, arm64, first pricing tier; the published price as of 2026-11, check the AWS Lambda pricing page.
PRICE_PER_GB_SECOND = 0.0000133334
PRICE_PER_MILLION_REQUESTS = 0.20
PRICE_DATE = "2026-11"
MILLION = 1_000_000
# Lambda gives a function one full vCPU at 1,769 MB and a share in proportion below it (AWS Lambda docs,
# "Memory and computing power"): single-threaded work takes about 1769 / MemorySize times its CPU time there.
FULL_VCPU_MB = 1769


def lambda_seconds(cpu_s: float, wall_s: float, memory_mb: int) -> float:
    """Modelled Lambda duration at memory_mb: the CPU work at that share of a vCPU, plus the time spent waiting."""
    return cpu_s * max(1.0, FULL_VCPU_MB / memory_mb) + max(0.0, wall_s - cpu_s)


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
