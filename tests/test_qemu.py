"""The Cortex-M4F firmware on QEMU mps2-an386: real parity over the emulated UART.

CI installs the toolchain (.ci/apt-deps); these skip only where it is truly absent."""
import shutil
from pathlib import Path

import pytest

from gaitedge import device, parity

ROOT = Path(__file__).resolve().parent.parent
missing = device.toolchain_missing("cortex-m4") + device.toolchain_missing("qemu")
pytestmark = [pytest.mark.qemu,
              pytest.mark.skipif(bool(missing), reason=f"missing {missing}: {device.INSTALL_HINT}")]


@pytest.mark.parametrize("name,mode", [("wisdm46_rf30_identify", "window"), ("wisdm46_nb_identify", "stream"),
                                       ("wisdm1600_rf30_authenticate", "window")])
def test_qemu_parity(name, mode, wisdm_dir, tmp_path):
    rep = parity.run(ROOT / "firmware_models" / name, target="qemu", data=wisdm_dir / "raw", n_windows=4,
                     mode=mode, report=tmp_path / "r.json", log=print, timeout=5.0)
    assert rep["passed"], rep["mismatches"] or rep["failed"]
    assert rep["features_bit_identical"] == 4 and rep["scores_bit_identical"] == 4
    assert rep["device_ticks"]["features_median"] > 0


def test_oversized_model_fails_at_link(tmp_path):
    b = tmp_path / "big"
    shutil.copytree(ROOT / "firmware_models" / "wisdm46_nb_identify", b)
    src = (b / "gaitedge_model.c").read_text()     # 1.2 MB of constants the model really uses
    head = "int ge_model_predict(const float *features, float *scores)\n{\n"
    assert head in src
    src = src.replace(head, "const unsigned char ge_ballast[1200000] = {1};\n" + head +
                      "    if (features == (const float *)(const void *)ge_ballast) return -2;\n")
    (b / "gaitedge_model.c").write_text(src)
    with pytest.raises(device.DeviceError, match="1 MB flash budget"):
        device.build(b, "cortex-m4", build_dir=tmp_path / "build")


def test_qemu_process_stopped(tmp_path):
    dev = device.QemuDevice(ROOT / "firmware_models" / "wisdm46_nb_identify")
    dev.start()
    proc = dev.proc
    dev.stop()
    assert proc.poll() is not None


def test_demo_on_qemu(tmp_path):
    import subprocess
    import sys
    r = subprocess.run([sys.executable, "-m", "gaitedge", "demo", "--target", "qemu", "--windows", "3",
                        "--out", str(tmp_path)], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    assert r.stdout.count("PASS") == 2 and "cortex-m4 firmware" in r.stdout
