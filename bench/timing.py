"""Repeated runs and their medians: wall time for extraction, process time for the comparison with djpeg."""
from __future__ import annotations

import resource
import statistics
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass

MIN_RUNS = 3
MAX_RUNS = 9
# Each case gets about this much time after its warm-up run, within MIN_RUNS..MAX_RUNS runs.
BUDGET_SECONDS = 3.0
# Interleaved comparisons (several engines in turns): about this long a case, up to this many rounds.
INTERLEAVED_SECONDS = 8.0
MAX_INTERLEAVED_ROUNDS = 31


@dataclass(frozen=True)
class Timing:
    """Medians over `runs` repetitions, in seconds."""

    wall: float
    cpu: float
    runs: int


def run_count(first_run_seconds: float) -> int:
    return max(MIN_RUNS, min(MAX_RUNS, int(BUDGET_SECONDS / max(first_run_seconds, 1e-6))))


def time_call(call: Callable[[], object]) -> Timing:
    """Wall and process-time medians of `call`, after one warm-up run that is not counted."""
    started = time.perf_counter()
    call()
    runs = run_count(time.perf_counter() - started)
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        call()
        cpus.append(time.process_time() - cpu)
        walls.append(time.perf_counter() - wall)
    return Timing(statistics.median(walls), statistics.median(cpus), runs)


Runner = Callable[[], "tuple[float, float] | str"]  # one run: (wall, CPU) seconds, or why it cannot run


def in_process(call: Callable[[], object]) -> Runner:
    """A runner timing `call` in this process: wall and process time."""

    def run() -> tuple[float, float]:
        wall, cpu = time.perf_counter(), time.process_time()
        call()
        return time.perf_counter() - wall, time.process_time() - cpu

    return run


def interleaved(runners: dict[str, Runner]) -> dict[str, Timing | str]:
    """Wall and CPU medians of each runner, run in turns (one run of each per round, so other load on the
    machine falls on all alike), after one warm-up round: as many rounds as fit INTERLEAVED_SECONDS, from
    MAX_RUNS to MAX_INTERLEAVED_ROUNDS (the medians of fast cases then ride out bursts of load); a runner
    that answers why it cannot run keeps that."""
    results: dict[str, Timing | str] = {}
    started = time.perf_counter()
    for name, run in runners.items():
        if isinstance(answer := run(), str):
            results[name] = answer
    live = [name for name in runners if name not in results]
    warm_up = time.perf_counter() - started
    rounds = max(MAX_RUNS, min(MAX_INTERLEAVED_ROUNDS, int(INTERLEAVED_SECONDS / max(warm_up, 1e-6))))
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in live}
    for _ in range(rounds):
        for name in live:
            answer = runners[name]()
            assert not isinstance(answer, str), answer
            samples[name].append(answer)
    for name in live:
        walls, cpus = zip(*samples[name])
        results[name] = Timing(statistics.median(walls), statistics.median(cpus), rounds)
    return results


def child_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_command(argv: list[str]) -> Timing:
    """Wall and process-time (user + system of the child) medians of a command, after one warm-up run."""

    def run_once() -> tuple[float, float]:
        wall, cpu = time.perf_counter(), child_cpu_seconds()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
        return time.perf_counter() - wall, child_cpu_seconds() - cpu

    runs = run_count(run_once()[0])
    walls, cpus = zip(*(run_once() for _ in range(runs)))
    return Timing(statistics.median(walls), statistics.median(cpus), runs)
