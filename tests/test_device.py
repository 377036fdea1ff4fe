"""The host device behind a pty: parity on real windows, refusals, faults, no stray processes."""
import json
import os
import random
import shutil
import time

import numpy as np
import pytest

from gaitedge import device, evaluate, models, parity
from gaitedge import protocol as P
from gaitedge.cli import main
from gaitedge.export import export_model
from tests.faults import FaultProxy


@pytest.fixture(scope="module")
def bundles(tmp_path_factory, wisdm_dir):
    root = tmp_path_factory.mktemp("bundles")
    ds = evaluate.build_dataset(wisdm_dir / "raw", "accel", "paper")
    out = {}
    for clf in ("rf", "nb"):
        est = models.make_classifier(clf, 0, n_estimators=12).fit(ds.X, ds.y)
        models.save_model(est, root / f"m_{clf}", task="identify", classifier=clf, featureset="paper",
                          sensors=["accel"], feature_names=ds.feature_names)
        export_model(root / f"m_{clf}", root / f"b_{clf}")
        out[clf] = root / f"b_{clf}"
    return out


@pytest.mark.parametrize("clf", ["rf", "nb"])
@pytest.mark.parametrize("mode", ["window", "stream"])
def test_host_parity_real_windows(bundles, wisdm_dir, tmp_path, clf, mode):
    rep = parity.run(bundles[clf], target="host", data=wisdm_dir / "raw", n_windows=40, mode=mode,
                     report=tmp_path / "r.json", plot=tmp_path / "r.png", log=lambda *a: None)
    assert rep["passed"], rep["mismatches"]
    assert rep["answered"] == rep["windows"] == 40
    assert rep["features_bit_identical"] == 40 and rep["scores_bit_identical"] == 40
    assert rep["prediction_agreement"] == {"device_vs_host_c": 1.0, "device_vs_sklearn": 1.0, "host_c_vs_sklearn": 1.0}
    assert json.loads((tmp_path / "r.json").read_text())["passed"] is True
    assert (tmp_path / "r.png").read_bytes()[:4] == b"\x89PNG"


def test_refuses_other_model(bundles, tmp_path):
    b = tmp_path / "b"
    shutil.copytree(bundles["rf"], b)
    m = json.loads((b / "manifest.json").read_text())
    with device.HostDevice(bundles["nb"]) as dev:      # the device runs the nb model
        with pytest.raises(parity.ParityError, match="refusing"):
            parity.connect(dev.url, m)


def test_parity_cli_exit_codes(bundles, tmp_path, capsys):
    assert main(["parity", "--model", str(bundles["nb"]), "--target", "host", "--windows", "5",
                 "--report", str(tmp_path / "p.json")]) == 0
    assert "parity PASS" in capsys.readouterr().out
    assert main(["parity", "--model", str(bundles["nb"]), "--windows", "5"]) == 2     # neither target nor port


def test_device_survives_garbage_and_bad_frames(bundles):
    with device.HostDevice(bundles["rf"]) as dev:
        port = dev.open(timeout=0.3)
        rnd = random.Random(1)
        port.write(bytes(rnd.randrange(256) for _ in range(5000)) + b"\x00")
        good = bytearray(P.pack(P.HELLO, 9, b""))
        good[3] ^= 0x40                                           # CRC error
        port.write(bytes(good))
        port.write(P.pack(0x55, 10, b"??"))                       # unknown message
        port.write(P.pack(P.WINDOW, 11, b"\x05\x00" + b"\x00" * 60))   # window too short
        port.write(b"\x01" * 4000 + b"\x00")                      # oversized frame
        time.sleep(0.3)
        replies = port.read(65536).split(b"\x00")
        frames = [P.unpack(r) for r in replies if r]
        assert frames and all(f.type == P.ERROR for f in frames)
        codes = {int.from_bytes(f.payload[:1], "little", signed=True) for f in frames}
        assert {-12, -11} <= codes
        client = P.Client(port)
        assert client.hello()["model_hash"]                      # still serving
        assert dev.alive


def test_fault_injection_never_passes_corrupted_answers(bundles, wisdm_dir):
    from gaitedge import features, windows
    from gaitedge.data import load
    w = windows.make_windows(load(wisdm_dir / "raw" / "accel", "accel"))
    w = w.take(np.arange(0, len(w), max(1, len(w) // 60))[:60])
    host = features.extract(w.X, "paper")
    with device.HostDevice(bundles["rf"]) as dev:
        proxy = FaultProxy(dev.open(timeout=0.2), rate=0.0002, seed=3, delay_prob=0.01)
        client = P.Client(proxy, timeout=0.5, retries=6)
        ok = failed = 0
        for i in range(len(w)):
            try:
                r = client.window(w.X[i])
            except P.ProtocolError:
                failed += 1                                  # loud failure: allowed
                continue
            assert r.features.tobytes() == host[i].tobytes(), "a corrupted answer got through"
            ok += 1
        st = client.stats
    assert proxy.injected > 0 and ok > 0
    assert st.retries + failed > 0                            # faults were seen and handled
    print(f"faults injected {proxy.injected}: ok {ok}, failed loudly {failed}, retries {st.retries}, "
          f"crc {st.crc_errors}, timeouts {st.timeouts}, bad frames {st.bad_frames}")


def test_no_process_left_behind(bundles):
    dev = device.HostDevice(bundles["rf"])
    dev.start()
    pid = dev.proc.pid
    dev.stop()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
