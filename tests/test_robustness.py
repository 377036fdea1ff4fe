"""Robustness: the bad-input catalogue (docs/BAD_INPUT.md), serial fault soak, device resets,
killed harnesses, and the saved fuzz corpus replayed."""
import json
import os
import signal
import struct
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from gaitedge import data, device, features, models, parity
from gaitedge import protocol as P
from gaitedge.cli import main
from gaitedge.data import DataError
from tests.faults import FaultProxy

ROOT = Path(__file__).resolve().parent.parent
NB = ROOT / "firmware_models" / "wisdm46_nb_identify"
GOOD = "1600,A,100000000,1.0,2.0,9.0;\n1600,A,150000000,1.5,2.5,9.5;\n"


def _raw(tmp_path, text, name="data_1600_accel_watch.txt"):
    p = tmp_path / name
    p.write_text(text)
    return p


# ---------------------------------------------------------------- the catalogue rows

def test_one_line_file_is_no_windows(tmp_path, capsys):
    p = _raw(tmp_path, GOOD.splitlines()[0] + "\n")
    assert main(["features", str(p), "-o", str(tmp_path / "o.arff")]) == 2
    assert "no complete paper windows" in capsys.readouterr().err
    assert not (tmp_path / "o.arff").exists()


@pytest.mark.parametrize("value,msg", [("nan", "NaN or infinite"), ("inf", "NaN or infinite"),
                                       ("1e30", "sample value beyond")])
def test_nan_inf_huge_samples_named(tmp_path, value, msg):
    p = _raw(tmp_path, GOOD + f"1600,A,200000000,1.0,{value},3.0;\n")
    with pytest.raises(DataError, match=f"{p.name}:3: {msg}"):
        data.load(p, "accel")


def test_gyro_file_given_as_accel(tmp_path, wisdm_dir):
    with pytest.raises(DataError, match="file name says gyro"):
        data.load(wisdm_dir / "raw" / "gyro" / "data_1600_gyro_watch.txt", "accel")
    renamed = tmp_path / "data_1600_accel_watch.txt"   # content is gyro, name says accel
    renamed.write_bytes((wisdm_dir / "raw" / "gyro" / "data_1600_gyro_watch.txt").read_bytes())
    with pytest.warns(UserWarning, match="far below gravity"):
        data.load(renamed, "accel")


def test_duplicate_timestamps_split_windows(tmp_path):
    rows = [f"1600,A,{i * 50_000_000},1,2,9;" for i in range(450)]
    rows[300] = rows[299]                           # a duplicated line
    recs = data.load(_raw(tmp_path, "\n".join(rows) + "\n"), "accel")
    from gaitedge.windows import make_windows
    w = make_windows(recs)
    assert len(w) == 1 and w.stats["gaps"] == 1    # [0,200) kept; the window over the duplicate dropped


def test_feature_table_with_missing_values(tmp_path):
    t = tmp_path / "t.csv"
    t.write_text("A,B,class\n1,2,u1\n3,u2\n")
    with pytest.raises(DataError, match=r"t.csv:3: expected 3 values"):
        data.load_feature_table(t)


def test_bundle_with_corrupted_manifest(tmp_path):
    import shutil
    b = tmp_path / "b"
    shutil.copytree(NB, b)
    (b / "manifest.json").write_text("{broken")
    assert main(["parity", "--model", str(b), "--target", "host", "--windows", "2"]) == 2
    shutil.copytree(NB, tmp_path / "c")
    m = json.loads((tmp_path / "c" / "manifest.json").read_text())
    m["model_hash"] = "0" * 64
    (tmp_path / "c" / "manifest.json").write_text(json.dumps(m))
    with pytest.raises(parity.ParityError, match="do not match its manifest"):
        parity.run(tmp_path / "c", target="host", n_windows=2, log=lambda *a: None)


def test_failed_evaluate_leaves_no_half_file(tmp_path, capsys):
    out = tmp_path / "rep"
    assert main(["evaluate", "--data", str(tmp_path / "missing"), "--out", str(out)]) == 2
    assert not (out / "report.json").exists()
    assert "Traceback" not in capsys.readouterr().err


def test_debug_shows_traceback(tmp_path):
    r = subprocess.run([sys.executable, "-m", "gaitedge", "--debug", "features", str(tmp_path / "nope"),
                        "-o", str(tmp_path / "o")], capture_output=True, text=True)
    assert r.returncode != 0 and "Traceback" in r.stderr


# ---------------------------------------------------------------- serial faults

def test_soak_10000_frames_one_percent_faults():
    """10 000 requests through 1 % byte faults (flips, drops, duplicates): every answer used is
    checked against what it must say, so a corrupted answer would show as a silent mismatch.
    Frames are kept small (HELLO, RESET, 3-sample SAMPLES): at 1 % per byte a 600-byte RESULT
    frame almost never arrives intact (0.99^600 = 0.2 %), so windows are soaked elsewhere."""
    n = int(os.environ.get("GAITEDGE_SOAK_FRAMES", 10_000))
    rng = np.random.default_rng(0)
    samples = rng.normal(0, 3, size=(3, 3)).astype(np.float32)
    with device.HostDevice(NB) as dev:
        clean = P.Client(dev.open(timeout=0.5)).hello()
        proxy = FaultProxy(dev.open(timeout=0.01), rate=0.01, seed=7)
        c = P.Client(proxy, timeout=0.02, retries=15)
        ok = loud = 0
        for i in range(n):
            try:
                k = i % 3
                if k == 0:
                    assert c.hello() == clean, "silent mismatch in HELLO"
                elif k == 1:
                    c.reset()
                else:
                    got, buffered = c.samples(samples)
                    assert got == [] and buffered in (3, 6, 9), "silent mismatch in ACK"
                ok += 1
            except P.ProtocolError:
                loud += 1
        st = c.stats
    print(f"soak: {n} requests, {ok} ok, {loud} failed loudly; {proxy.injected} byte faults injected; "
          f"retries {st.retries}, CRC {st.crc_errors}, bad frames {st.bad_frames}, timeouts {st.timeouts}, "
          f"device errors {st.device_errors}, stale {st.stale}")
    assert ok + loud == n and ok > n // 2
    assert proxy.injected > n // 10
    assert st.crc_errors > 0 and st.bad_frames + st.timeouts + st.device_errors > 0


def test_device_reset_mid_run_fails_loudly(tmp_path):
    """The device dies in the middle of a parity run: the run raises or fails, it never passes."""
    dev = device.HostDevice(NB)
    url = dev.start()

    def killer():
        time.sleep(0.3)
        dev.proc.kill()
    import threading
    threading.Thread(target=killer, daemon=True).start()
    try:
        rep = parity.run(NB, url=url, n_windows=200, timeout=0.3, retries=1, log=lambda *a: None)
        assert not rep["passed"] and rep["failed"]
    except (P.ProtocolError, device.DeviceError, OSError):
        pass
    finally:
        dev.stop()


@pytest.mark.parametrize("target", ["host", "qemu"])
def test_killed_harness_leaves_no_device(target, tmp_path):
    if target == "qemu" and (device.toolchain_missing("cortex-m4") or device.toolchain_missing("qemu")):
        pytest.skip(device.INSTALL_HINT)
    code = (f"import sys, time; from gaitedge import device; d = device.{'HostDevice' if target == 'host' else 'QemuDevice'}"
            f"({str(NB)!r}); d.start(); print(d.proc.pid, flush=True); time.sleep(60)")
    h = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    pid = int(h.stdout.readline())
    os.kill(h.pid, signal.SIGKILL)
    h.wait()
    deadline = time.time() + 10
    while time.time() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        try:   # reap if it is our grandchild zombie (it is not ours: just wait)
            time.sleep(0.1)
        except KeyboardInterrupt:
            raise
    with open(f"/proc/{pid}/status") as fh:
        state = [line for line in fh if line.startswith("State")][0]
    assert "Z" in state, f"device process {pid} still running after the harness was killed"


# ---------------------------------------------------------------- the fuzz corpus, replayed

def test_replay_feature_corpus():
    from gaitedge._core import ffi, lib
    files = sorted((ROOT / "fuzz" / "corpus" / "features").glob("*"))
    assert len(files) > 20
    for f in files:
        d = f.read_bytes()
        if len(d) < 2:
            continue
        fs, n = d[0] % 4, 1 + d[1] % 256
        win = np.zeros(3 * 256, np.float32)
        raw = np.frombuffer(d[2:2 + 4 * (len(d[2:]) // 4)][:4 * 3 * 256], dtype=np.float32)
        win[:len(raw)] = raw
        out = ffi.new("float[]", 2 * 211)
        st = lib.ge_features(fs, ffi.from_buffer("float[]", win), n, out)
        if st == 0:
            assert np.isfinite(np.frombuffer(ffi.buffer(out, 4 * lib.ge_feature_count(fs)), np.float32)).all()


def test_replay_device_corpus_through_the_host_firmware():
    files = sorted((ROOT / "fuzz" / "corpus" / "device").glob("*"))
    assert len(files) > 6
    with device.HostDevice(NB) as dev:
        port = dev.open(timeout=0.01)
        for f in files:
            port.write(f.read_bytes() + b"\x00")
            port.read(1 << 20)        # drain the replies as they come
        time.sleep(0.2)
        port.reset_input_buffer()
        assert P.Client(port, timeout=1.0).hello()["model_hash"]
        assert dev.alive
