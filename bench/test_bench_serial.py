"""5. Serial throughput (host pty and QEMU, window vs stream mode) and, from the same QEMU runs,
Cortex-M4F instructions per window (SysTick ticks x 40 under -icount shift=0)."""
import shutil
from pathlib import Path

import pytest

from bench.conftest import ROOT, SHARED, record
from gaitedge import parity

RF = ROOT / "firmware_models" / "wisdm46_rf30_identify"
NB = ROOT / "firmware_models" / "wisdm46_nb_identify"


@pytest.mark.parametrize("target,n", [("host", 200), ("qemu", 20)])
@pytest.mark.parametrize("mode", ["window", "stream"])
def test_serial_throughput(benchmark, target, n, mode):
    if target == "qemu" and shutil.which("qemu-system-arm") is None:
        pytest.skip("no qemu")
    rep = benchmark.pedantic(parity.run, args=(RF,), kwargs=dict(target=target, data=SHARED / "raw", n_windows=n,
                                                                  mode=mode, log=lambda *a: None, timeout=5.0),
                             rounds=1, iterations=1)
    assert rep["passed"]
    record("serial", f"{target}_{mode}_windows_per_s", rep["throughput_windows_per_s"])
    if target == "qemu" and mode == "window":
        record("m4", "rf30_extended_feature_instructions_per_window", rep["device_ticks"]["features_median"] * 40)
        record("m4", "rf30_model_instructions_per_window", rep["device_ticks"]["model_median"] * 40)


@pytest.mark.parametrize("fs", ["paper", "extended"])
def test_m4_feature_instructions(fs, tmp_path):
    """Instructions per window for each feature set on the M4F (a small NB model carries it)."""
    if shutil.which("qemu-system-arm") is None:
        pytest.skip("no qemu")
    from gaitedge import evaluate, models
    from gaitedge.export import export_model
    ds = evaluate.build_dataset(SHARED / "raw", "accel", fs)
    est = models.make_classifier("nb").fit(ds.X, ds.y)
    models.save_model(est, tmp_path / "m", task="identify", classifier="nb", featureset=fs, sensors=["accel"],
                      feature_names=ds.feature_names)
    export_model(tmp_path / "m", tmp_path / "b")
    rep = parity.run(tmp_path / "b", target="qemu", data=SHARED / "raw", n_windows=10, log=lambda *a: None)
    assert rep["passed"]
    record("m4", f"{fs}_feature_instructions_per_window", rep["device_ticks"]["features_median"] * 40)
    record("m4", f"nb46_{fs}_model_instructions_per_window", rep["device_ticks"]["model_median"] * 40)
