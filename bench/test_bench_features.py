"""1. Host feature extraction: batched C core (cffi) vs vectorised numpy reference vs a per-window
Python loop, on real WISDM windows replicated to 100 000."""
import numpy as np
import pytest

from bench.conftest import mean_seconds, record
from gaitedge import features, reference

SETS = ["paper", "wisdm", "extended"]


@pytest.mark.parametrize("fs", SETS)
def test_c_core_batched(benchmark, windows_100k, fs):
    out = benchmark.pedantic(features.extract, args=(windows_100k, fs), rounds=5, iterations=1, warmup_rounds=1)
    assert out.shape == (100_000, features.n_features(fs))
    record("features", f"{fs}_c_windows_per_s", round(len(windows_100k) / mean_seconds(benchmark)))


@pytest.mark.parametrize("fs", SETS)
def test_numpy_reference_vectorised(benchmark, windows_100k, fs):
    X = windows_100k[:10_000]
    benchmark.pedantic(reference.features, args=(X, fs), rounds=3, iterations=1)
    record("features", f"{fs}_numpy_windows_per_s", round(len(X) / mean_seconds(benchmark)))


@pytest.mark.parametrize("fs", SETS)
def test_python_loop_per_window(benchmark, windows_100k, fs):
    X = windows_100k[:300]
    benchmark.pedantic(lambda: [reference.features(x[None], fs) for x in X], rounds=3, iterations=1)
    record("features", f"{fs}_loop_windows_per_s", round(len(X) / mean_seconds(benchmark)))
