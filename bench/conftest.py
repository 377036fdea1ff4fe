"""Shared fixtures and the results file for the benchmarks (pytest-benchmark).

Run:  python3 -m pytest bench/ --benchmark-only --benchmark-json=bench/results/benchmark.json
Every rate and ratio below comes from the same run; bench/results/latest.json keeps them with
the machine they ran on."""
import json
import os
import platform
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("GAITEDGE_SHARED", ROOT.parent / "shared")) / "data" / "wisdm2019-watch"
RESULTS = {}


def record(section, key, value):
    RESULTS.setdefault(section, {})[key] = value


def mean_seconds(benchmark):
    return benchmark.stats.stats.mean


@pytest.fixture(scope="session")
def real_windows():
    from gaitedge import data, windows
    return windows.make_windows(data.load(SHARED / "raw", "accel"))


@pytest.fixture(scope="session")
def windows_100k(real_windows):
    reps = int(np.ceil(100_000 / len(real_windows)))
    return np.ascontiguousarray(np.concatenate([real_windows.X] * reps)[:100_000])


def pytest_sessionfinish(session, exitstatus):
    if not RESULTS:
        return
    feats = RESULTS.get("features", {})
    for fs in ("paper", "wisdm", "extended"):
        c, n = feats.get(f"{fs}_c_windows_per_s"), feats.get(f"{fs}_numpy_windows_per_s")
        if c and n:
            feats[f"{fs}_c_over_numpy"] = round(c / n, 1)
        loop = feats.get(f"{fs}_loop_windows_per_s")
        if c and loop:
            feats[f"{fs}_c_over_python_loop"] = round(c / loop, 1)
    info = {"machine": platform.machine(), "processor": platform.processor() or platform.machine(),
            "cpus": os.cpu_count(), "python": platform.python_version(), "system": platform.platform()}
    out = ROOT / "bench" / "results" / "latest.json"
    old = json.loads(out.read_text()) if out.exists() else {}
    old.setdefault("results", {})
    for k, v in RESULTS.items():
        old["results"].setdefault(k, {}).update(v)
    old["machine"] = info
    out.write_text(json.dumps(old, indent=1, sort_keys=True))
    print(f"\nbench results -> {out}")
    for sec, vals in RESULTS.items():
        for k, v in vals.items():
            print(f"  {sec:10s} {k:40s} {v}")
