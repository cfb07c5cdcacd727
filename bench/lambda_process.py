"""Child process: one function's Lambda sandbox, as near as this machine gets.

`python -m bench.lambda_process MODULE EVENTS_JSON RESULT_JSON`, with the function's environment set by the
parent. It imports nothing but the handler module (so its memory is what Lambda's "Max Memory Used" would
count, less the runtime's own), builds the handler as Lambda's init does, then invokes it on each event in
turn. For the init and each invocation it records the wall time, this process's CPU time (user + system: the
function's own work, not the AWS endpoint's, which runs in another process), the peak RSS so far (VmHWM) and
the bytes the function logged (its standard output, which Lambda sends to CloudWatch Logs).
"""
from __future__ import annotations

import importlib
import json
import os
import sys
import tempfile
import time
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Phase:
    """The init or one invocation."""

    wall_s: float
    cpu_s: float
    peak_rss_mb: float  # the process's peak so far
    log_bytes: int
    response: Any = None


@dataclass
class Context:
    """The attributes of Lambda's context that the handlers and Powertools read."""

    function_name: str
    memory_limit_in_mb: int
    timeout_s: int
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:bench"
    aws_request_id: str = ""
    started: float = 0.0

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.timeout_s - (time.monotonic() - self.started)) * 1000))


def peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system


def measured(log: Any, work: Any) -> Phase:
    """Run work(); its wall and CPU time, the peak RSS after it and what it wrote to the log."""
    logged = log.tell()
    wall, cpu = time.perf_counter(), cpu_seconds()
    response = work()
    wall, cpu = time.perf_counter() - wall, cpu_seconds() - cpu
    sys.stdout.flush()
    return Phase(wall, cpu, peak_rss_mb(), log.seek(0, os.SEEK_END) - logged, response)


def main(module: str, events_path: str, result_path: str) -> None:
    events = json.loads(Path(events_path).read_text())
    memory_mb = int(os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128"))
    timeout_s = int(os.environ.get("AWS_LAMBDA_FUNCTION_TIMEOUT", "900"))
    with tempfile.TemporaryFile("w+b") as log:
        os.dup2(log.fileno(), 1)  # the function's log lines, counted, never printed
        init = measured(log, lambda: getattr(importlib.import_module(module), "handler"))
        handler = init.response
        invocations = []
        for event in events:
            context = Context(module, memory_mb, timeout_s, aws_request_id=str(uuid.uuid4()), started=time.monotonic())
            invocations.append(measured(log, lambda: handler(event, context)))
    result = {"init": asdict(init) | {"response": None}, "invocations": [asdict(phase) for phase in invocations]}
    Path(result_path).write_text(json.dumps(result, default=str))


if __name__ == "__main__":
    main(*sys.argv[1:])
