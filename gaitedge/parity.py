"""The parity harness: stream recorded windows to a device, compare with the host window by window.

For every window the device's features must equal the host's cffi build of the
same C core bit for bit (tolerance 0: same source, same float32 operations,
-ffp-contract=off on both), and its predicted class must equal both the
host-compiled exported model and scikit-learn. A window without a valid reply
(after the client's bounded retries) is a failure, never a pass.
"""
from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np

from gaitedge import features as gfeat
from gaitedge import protocol as P
from gaitedge.device import DeviceError, HostDevice, QemuDevice
from gaitedge.hostmodel import HostModel
from gaitedge.io import atomic_write, read_json
from gaitedge.models import load_model


class ParityError(RuntimeError):
    pass


def _windows(manifest, data, n):
    from gaitedge.cli import load_windows
    sensor = manifest["sensors"][0]
    if sensor not in ("accel", "gyro"):
        raise ParityError(f"the device takes one sensor's windows; this model uses {sensor!r}")
    w = load_windows(data, sensor)
    if len(w) == 0:
        raise ParityError("no windows in the data")
    # spread the picks over subjects: every k-th window
    idx = np.linspace(0, len(w) - 1, num=min(n, len(w))).round().astype(int)
    return w.take(np.unique(idx))


def connect(url, manifest, attempts=40, timeout=2.0, retries=3):
    """Open the port and HELLO (retrying while an emulator comes up); refuse a different model."""
    import serial
    last = None
    for _ in range(attempts):
        try:
            port = serial.serial_for_url(url, baudrate=115200, timeout=0.2)
        except (serial.SerialException, OSError) as e:
            last = e
            time.sleep(0.25)
            continue
        client = P.Client(port, timeout=timeout, retries=retries)
        try:
            hello = client.hello()
            break
        except (P.ProtocolError, serial.SerialException, OSError) as e:
            last = e
            port.close()
            time.sleep(0.25)
    else:
        raise DeviceError(f"no HELLO from {url}: {last}")
    if hello["model_hash"] != manifest["model_hash"]:
        port.close()
        raise ParityError(f"device runs model {hello['model_hash'][:12]}..., the manifest says "
                          f"{manifest['model_hash'][:12]}...: refusing to compare different models")
    for key in ("featureset", "n_features"):
        if hello[key] != manifest[key]:
            port.close()
            raise ParityError(f"device {key} {hello[key]!r} != manifest {manifest[key]!r}")
    return port, client, hello


def run(bundle, *, target=None, url=None, data=None, n_windows=20, mode="window", report=None, plot=None,
        timeout=2.0, retries=3, log=print):
    bundle = Path(bundle)
    manifest = read_json(bundle / "manifest.json", ParityError, "not an exported bundle")
    meta, model = load_model(bundle)
    if meta["arrays_sha256"] != manifest["model_hash"]:
        raise ParityError("bundle's model.json/arrays.npz do not match its manifest")
    sk = model.to_sklearn()
    hostc = HostModel(bundle)
    w = _windows(manifest, data, n_windows)
    fs = manifest["featureset"]
    host_feat = gfeat.extract(w.X, fs)
    host_idx, host_scores = hostc.predict(host_feat)
    sk_pred = np.asarray(sk.predict(host_feat)).astype(str)
    classes = np.array(manifest["classes"])
    dev = None
    if target is not None:
        dev = {"host": HostDevice, "qemu": QemuDevice}[target](bundle)
        url = dev.start()
    try:
        port, client, hello = connect(url, manifest, timeout=timeout, retries=retries)
        log(f"device {url}: {hello['firmware']}, model {hello['model_hash'][:12]} ({hello['classifier']}, "
            f"{hello['task']}, {hello['n_features']} {hello['featureset']} features)")
        results, failures = [None] * len(w), []
        t0 = time.perf_counter()
        if mode == "stream":
            client.reset()
        for i in range(len(w)):
            try:
                if mode == "window":
                    results[i] = client.window(w.X[i])
                else:
                    for attempt in range(retries + 1):
                        try:
                            got, _ = client.samples(w.X[i].T)
                            break
                        except P.ProtocolError:
                            if attempt == retries:
                                raise
                            client.reset()      # a lost SAMPLES reply: restart the window cleanly
                    if len(got) != 1:
                        raise P.ProtocolError(f"expected one window from 200 samples, got {len(got)}")
                    results[i] = got[0]
            except P.ProtocolError as e:
                failures.append({"window": i, "error": str(e)})
        elapsed = time.perf_counter() - t0
        port.close()
    finally:
        if dev is not None:
            dev.stop()
    return _compare(manifest, w, host_feat, host_idx, host_scores, sk_pred, classes, results, failures,
                    client.stats, elapsed, url, mode, report, plot, log)


def _compare(manifest, w, host_feat, host_idx, host_scores, sk_pred, classes, results, failures, stats,
             elapsed, url, mode, report, plot, log):
    names = manifest["feature_names"]
    ok = [i for i, r in enumerate(results) if r is not None]
    dev_feat = np.full_like(host_feat, np.nan)
    dev_idx = np.full(len(results), -1)
    dev_scores = np.full_like(host_scores, np.nan)
    dev_status = np.zeros(len(results), dtype=int)
    for i in ok:
        r = results[i]
        dev_status[i] = r.status
        if r.status == 0 and len(r.features) == len(names):
            dev_feat[i], dev_idx[i], dev_scores[i] = r.features, r.cls, r.scores
    got = np.array(ok, dtype=int)
    bits_equal = np.array([host_feat[i].tobytes() == dev_feat[i].tobytes() for i in got], dtype=bool)
    absdiff = np.abs(dev_feat[got].astype(np.float64) - host_feat[got])
    reldiff = absdiff / np.maximum(np.abs(host_feat[got]), 1e-30)
    per_feature = {n: {"max_abs": float(np.nanmax(absdiff[:, j])) if len(got) else None,
                       "max_rel": float(np.nanmax(reldiff[:, j])) if len(got) else None}
                   for j, n in enumerate(names)}
    scores_equal = np.array([host_scores[i].tobytes() == dev_scores[i].tobytes() for i in got], dtype=bool)
    dev_vs_host = (dev_idx[got] == host_idx[got])
    dev_vs_sk = (classes[np.clip(dev_idx[got], 0, None)] == sk_pred[got]) & (dev_idx[got] >= 0)
    host_vs_sk = classes[host_idx] == sk_pred
    n = len(results)
    passed = (not failures and bits_equal.all() and scores_equal.all() and dev_vs_host.all()
              and dev_vs_sk.all() and host_vs_sk.all() and len(got) == n)
    mismatches = [{"window": int(i), "subject": str(w.subject[i]),
                   "features_bit_identical": bool(b), "device_class": str(classes[dev_idx[i]]) if dev_idx[i] >= 0 else None,
                   "host_c_class": str(classes[host_idx[i]]), "sklearn_class": str(sk_pred[i])}
                  for i, b in zip(got, bits_equal)
                  if not b or dev_idx[i] != host_idx[i] or classes[host_idx[i]] != sk_pred[i]]
    ticks = [r.feature_ticks >> 8 for r in results if r is not None]
    mticks = [r.model_ticks >> 8 for r in results if r is not None]
    rep = {
        "passed": bool(passed), "device": url, "mode": mode, "model_hash": manifest["model_hash"],
        "featureset": manifest["featureset"], "windows": n, "answered": len(got), "failed": failures,
        "features_bit_identical": int(bits_equal.sum()), "scores_bit_identical": int(scores_equal.sum()),
        "tolerance": "features and scores bit-identical (0 ulp); predictions identical",
        "prediction_agreement": {"device_vs_host_c": float(dev_vs_host.mean()) if len(got) else 0.0,
                                 "device_vs_sklearn": float(dev_vs_sk.mean()) if len(got) else 0.0,
                                 "host_c_vs_sklearn": float(host_vs_sk.mean())},
        "max_abs_diff": float(np.nanmax(absdiff)) if len(got) else None,
        "max_rel_diff": float(np.nanmax(reldiff)) if len(got) else None,
        "per_feature": per_feature, "mismatches": mismatches,
        "throughput_windows_per_s": round(len(got) / elapsed, 2) if elapsed > 0 else None,
        "seconds": round(elapsed, 3),
        "device_ticks": {"features_median": int(np.median(ticks)) if ticks else None,
                         "model_median": int(np.median(mticks)) if mticks else None,
                         "note": "SysTick ticks on cortex-m4 (x40 = instructions under qemu -icount shift=0); "
                                 "ns on the host device"},
        "link": {"requests": stats.requests, "retries": stats.retries, "timeouts": stats.timeouts,
                 "crc_errors": stats.crc_errors, "bad_frames": stats.bad_frames,
                 "device_errors": stats.device_errors, "stale_replies": stats.stale,
                 "bytes_out": stats.bytes_out, "bytes_in": stats.bytes_in},
        "sklearn_vs_float32_max_score_diff": None,
    }
    log(f"parity {'PASS' if passed else 'FAIL'}: {len(got)}/{n} windows answered, features bit-identical "
        f"{bits_equal.sum()}/{len(got)}, scores bit-identical {scores_equal.sum()}/{len(got)}, class agreement "
        f"device=host C {100 * rep['prediction_agreement']['device_vs_host_c']:.1f} %, device=scikit-learn "
        f"{100 * rep['prediction_agreement']['device_vs_sklearn']:.1f} %; max |diff| {rep['max_abs_diff']}; "
        f"{rep['throughput_windows_per_s']} windows/s; retries {stats.retries}, CRC errors {stats.crc_errors}, "
        f"timeouts {stats.timeouts}")
    if report:
        with atomic_write(report) as fh:
            json.dump(rep, fh, indent=1)
    if plot and len(got):
        _plot(host_feat[got], dev_feat[got], names, plot, passed)
    return rep


def _plot(host, dev, names, path, passed):
    import matplotlib.pyplot as plt

    from gaitedge.plots import _save
    fig, (a, b) = plt.subplots(1, 2, figsize=(11, 4.5))
    a.scatter(host.ravel(), dev.ravel(), s=4, alpha=0.5)
    lo, hi = np.nanmin(host), np.nanmax(host)
    a.plot([lo, hi], [lo, hi], "r:", lw=0.8)
    a.set_xscale("symlog")
    a.set_yscale("symlog")
    a.set_xlabel("host (cffi C core)")
    a.set_ylabel("device")
    a.set_title(f"features, all windows: {'identical' if passed else 'DIFFER'}")
    d = np.nanmax(np.abs(dev.astype(np.float64) - host), axis=0)
    b.bar(range(len(names)), d)
    b.set_xticks(range(0, len(names), max(1, len(names) // 20)), names[::max(1, len(names) // 20)], rotation=90, fontsize=7)
    b.set_ylabel("max |device - host|")
    b.set_title("per-feature max abs. difference")
    _save(fig, path)
