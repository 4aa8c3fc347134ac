"""Results: the table, the ratios against their goals, the machine and the Python, as JSON."""

from __future__ import annotations

import json
import os
import platform
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.load import Measurement

GOAL = 0.5


@dataclass(frozen=True, slots=True)
class Ratio:
    name: str
    clients: int
    value: float
    """Throughput of the numerator over throughput of the denominator: what goals judge."""
    cpu_value: float | None
    """The same comparison by CPU time per request (denominator's over numerator's): less
    sensitive to other work on the machine than throughput, a cross-check."""
    goal: float | None
    """None: reported for context, no goal was set for it."""

    @property
    def verdict(self) -> str:
        if self.goal is None:
            return "(no goal)"
        return "PASS" if self.value >= self.goal else "MISS"

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "clients": self.clients,
            "value": round(self.value, 3),
            "by_cpu_per_request": None if self.cpu_value is None else round(self.cpu_value, 3),
            "goal": self.goal,
            "verdict": self.verdict,
        }


def ratio(
    name: str,
    numerator: Measurement,
    denominator: Measurement,
    goal: float | None,
) -> Ratio:
    value = numerator.throughput / denominator.throughput if denominator.throughput else 0.0
    mine, theirs = numerator.server_cpu_ms_per_request, denominator.server_cpu_ms_per_request
    cpu_value = None if mine is None or theirs is None or mine == 0 else theirs / mine
    return Ratio(name, numerator.clients, value, cpu_value, goal)


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gib() -> float | None:
    try:
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith("MemTotal:"):
                    return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


def machine_info(postgres_version: str, load_before: float) -> dict[str, Any]:
    return {
        "cpus": len(os.sched_getaffinity(0)),
        "cpu_model": _cpu_model(),
        "memory_gib": _memory_gib(),
        "kernel": platform.release(),
        "postgres": postgres_version,
        "load_average_before": round(load_before, 2),
    }


def python_info() -> dict[str, Any]:
    """Which interpreter ran the servers and the driver, and how it was built.

    Builds differ a lot in pure-Python speed (the pyenv and the Debian 3.11 on the same
    machine do), so figures only compare within one interpreter. The configure flags
    say whether a source build asked for PGO/LTO; distribution builds may not show them.
    """
    real = os.path.realpath(sys.executable)
    configure = sysconfig.get_config_var("CONFIG_ARGS") or ""
    if "/.pyenv/" in real:
        build = "pyenv"
    elif real.startswith(("/usr/bin/", "/usr/local/bin/", "/bin/")):
        build = "system"
    else:
        build = "other"
    return {
        "version": platform.python_version(),
        "implementation": platform.python_implementation(),
        "executable": sys.executable,
        "real_path": real,
        "build": build,
        "configured_with_pgo": "--enable-optimizations" in configure,
        "configured_with_lto": "--with-lto" in configure,
    }


def _number(value: float | None, places: int) -> str:
    return "-" if value is None else f"{value:.{places}f}"


def format_table(title: str, measurements: list[Measurement]) -> str:
    header = (
        f"{'scenario':<28}{'clients':>8}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}"
        f"{'CPU ms/req':>12}{'driver CPU':>12}{'errors':>8}"
    )
    lines = [title, header, "-" * len(header)]
    for m in measurements:
        lines.append(
            f"{m.scenario:<28}{m.clients:>8}{m.throughput:>9.0f}"
            f"{m.percentile_ms(0.50):>9.1f}{m.percentile_ms(0.99):>9.1f}"
            f"{_number(m.server_cpu_ms_per_request, 2):>12}{m.driver_cpu_percent:>11.0f}%"
            f"{m.errors:>8}"
        )
    return "\n".join(lines)


def format_ratios(title: str, ratios: list[Ratio]) -> str:
    """Three places: the verdict is on the exact value, and 0.497 printed as 0.50 next to
    MISS would read as a contradiction."""
    lines = [title, f"{'ratio':<22}{'clients':>8}{'req/s':>8}{'CPU/req':>10}   goal (on req/s)"]
    for r in ratios:
        goal = "-" if r.goal is None else f">= {r.goal}"
        lines.append(
            f"{r.name:<22}{r.clients:>8}{r.value:>8.3f}{_number(r.cpu_value, 3):>10}"
            f"   {goal:<8} {r.verdict}"
        )
    return "\n".join(lines)


def format_environment(machine: dict[str, Any], python: dict[str, Any]) -> str:
    memory = machine["memory_gib"]
    asked = [
        flag
        for flag, key in (("--enable-optimizations", "pgo"), ("--with-lto", "lto"))
        if python[f"configured_with_{key}"]
    ]
    return "\n".join(
        [
            f"machine: {machine['cpus']} CPUs ({machine['cpu_model']}), "
            f"{memory} GiB RAM, Linux {machine['kernel']}, PostgreSQL {machine['postgres']}",
            f"python:  {python['implementation']} {python['version']} ({python['build']} build, "
            f"configured {'with ' + ' '.join(asked) if asked else 'without PGO/LTO flags'}) "
            f"{python['real_path']}",
            f"load:    1-minute load average {machine['load_average_before']} when the run "
            "started (anything else running shares these CPUs)",
        ]
    )


def measurement_dict(m: Measurement) -> dict[str, Any]:
    return {
        "scenario": m.scenario,
        "clients": m.clients,
        "seconds": m.seconds,
        "requests": m.requests,
        "requests_per_second": round(m.throughput, 1),
        "p50_ms": round(m.percentile_ms(0.50), 2),
        "p99_ms": round(m.percentile_ms(0.99), 2),
        "server_cpu_ms_per_request": None
        if m.server_cpu_ms_per_request is None
        else round(m.server_cpu_ms_per_request, 3),
        "driver_cpu_percent": round(m.driver_cpu_percent, 1),
        "errors": m.errors,
        "first_error": m.first_error,
    }


def write_json(path: Path, document: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2) + "\n")
