"""2. The streaming windower, cost per pushed sample; 3. host inference: scikit-learn vs the
exported C model compiled for the host."""
from pathlib import Path

import numpy as np
import pytest

from bench import _chelpers
from bench.conftest import ROOT, mean_seconds, record
from gaitedge import evaluate, features, models
from gaitedge.hostmodel import HostModel

RF = ROOT / "firmware_models" / "wisdm46_rf30_identify"
NB = ROOT / "firmware_models" / "wisdm46_nb_identify"


@pytest.fixture(scope="module")
def stream(real_windows):
    return np.ascontiguousarray(real_windows.X[:200].transpose(0, 2, 1).reshape(-1, 3))   # 40 000 samples


def test_stream_c_push_only(benchmark, stream):
    m = _chelpers.stream_module()
    out = m.ffi.new("float[]", 1)
    fb = m.ffi.from_buffer
    benchmark.pedantic(m.lib.stream_all, args=(fb("float[]", stream), len(stream), -1, out), rounds=20, iterations=5)
    record("stream", "c_ns_per_sample_push_only", round(1e9 * mean_seconds(benchmark) / len(stream), 2))


def test_stream_c_with_paper_features(benchmark, stream):
    m = _chelpers.stream_module()
    out = m.ffi.new("float[]", 200 * 211)
    fb = m.ffi.from_buffer
    benchmark.pedantic(m.lib.stream_all, args=(fb("float[]", stream), len(stream), 0, out), rounds=20, iterations=2)
    record("stream", "c_ns_per_sample_with_paper_features", round(1e9 * mean_seconds(benchmark) / len(stream), 2))


def test_stream_python_push(benchmark, stream):
    s = stream[:4000]

    def run():
        sw = features.StreamingWindower(200)
        for x, y, z in s.tolist():
            sw.push(x, y, z)
    benchmark.pedantic(run, rounds=5, iterations=1)
    record("stream", "python_ns_per_sample_incl_ffi", round(1e9 * mean_seconds(benchmark) / len(s), 1))


@pytest.fixture(scope="module")
def rf_setup():
    from bench.conftest import SHARED
    ds = evaluate.build_dataset(SHARED / "raw", "accel", "extended")
    meta, m = models.load_model(RF)
    return ds.X, m.to_sklearn()


def test_sklearn_batch(benchmark, rf_setup):
    X, sk = rf_setup
    benchmark.pedantic(sk.predict, args=(X,), rounds=5, iterations=1)
    record("inference", "sklearn_rf30_batch_us_per_window", round(1e6 * mean_seconds(benchmark) / len(X), 2))


def test_sklearn_single(benchmark, rf_setup):
    X, sk = rf_setup
    benchmark.pedantic(sk.predict, args=(X[:1],), rounds=50, iterations=1)
    record("inference", "sklearn_rf30_single_us_per_window", round(1e6 * mean_seconds(benchmark), 1))


def test_exported_c_host(benchmark, rf_setup):
    X, sk = rf_setup
    m = _chelpers.model_module(RF)
    Xf = np.ascontiguousarray(X, dtype=np.float32)
    out = np.zeros(len(X), dtype=np.int32)
    fb = m.ffi.from_buffer
    benchmark.pedantic(m.lib.predict_all, args=(fb("float[]", Xf), len(X), X.shape[1], fb("int[]", out)),
                       rounds=20, iterations=5)
    classes = np.array(HostModel(RF).manifest["classes"])
    assert (classes[out] == sk.predict(X)).all()
    record("inference", "exported_c_rf30_us_per_window", round(1e6 * mean_seconds(benchmark) / len(X), 3))
