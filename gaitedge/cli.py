"""gaitedge command line: one subcommand per pipeline stage.

Errors print one line (`gaitedge: error: ...`) and exit non-zero; --debug shows
the traceback.
"""
from __future__ import annotations

import argparse
import sys
import time

import numpy as np

from gaitedge import data as gdata
from gaitedge import features as gfeat
from gaitedge import windows as gwin
from gaitedge.models import CLASSIFIERS


def _add_model_knobs(p):
    g = p.add_argument_group("model size knobs (flash vs accuracy on the watch)")
    g.add_argument("--trees", type=int, default=None, help="trees of rf and et (default 100; rotf always has 10)")
    g.add_argument("--max-depth", type=int, default=None, help="tree depth limit")
    g.add_argument("--min-samples-leaf", type=int, default=1, help="rf leaf size")
    g.add_argument("--max-features", type=_max_features, default=None,
                   help="features tried per split (rf, et): sqrt (default), log2 or a fraction like 0.2")


def _add_data_args(p, sensor_choices=("accel", "gyro")):
    p.add_argument("--activities", default="A",
                   help="activities to keep: A (walking, default), all, or a list like A,C")
    p.add_argument("--rate", type=float, default=None,
                   help="resample generic CSV input to this rate in Hz (e.g. 20)")
    p.add_argument("--on-error", choices=("raise", "skip"), default="raise",
                   help="bad raw lines: stop with file:line (default) or skip and count them")


def load_recordings(path, sensor, rate=None, on_error="raise"):
    """Raw input (or the built-in sample when path is None) -> Recordings of one sensor."""
    if path is None:
        from gaitedge import sample
        return sample.load(sensor)
    return gdata.load(path, sensor, activities="all", rate=rate, on_error=on_error)


def load_windows(path, sensor, windowing="paper", activities="A", rate=None, on_error="raise"):
    """Raw input (or the built-in sample when path is None) -> Windows of one sensor."""
    return gwin.make_windows(load_recordings(path, sensor, rate, on_error), windowing, activities)


def cmd_features(a):
    from gaitedge.io import write_feature_table
    recs = []
    for path in a.inputs:
        recs += gdata.load(path, a.sensor, activities="all", rate=a.rate, on_error=a.on_error)
    w = gwin.make_windows(recs, a.windowing, a.activities)
    if len(w) == 0:
        raise ValueError(f"no complete {a.windowing} windows in the input (activities {a.activities}); "
                         f"nothing written")
    X = gfeat.extract(w.X, a.featureset)
    write_feature_table(a.output, gfeat.feature_names(a.featureset), X, w.activity, w.subject, a.format)
    st = w.stats
    print(f"{len(w)} windows x {X.shape[1]} {a.featureset} features from {st['recordings']} recordings "
          f"({st['samples']} samples; gaps {st.get('gaps', 0)}, windows dropped at gaps "
          f"{st.get('gap_windows_dropped', 0)}) -> {a.output}")
    return 0


def cmd_demo(a):
    """The whole job on the built-in sample: features, train, evaluate, export, firmware, device, parity."""
    import tempfile
    from pathlib import Path

    from gaitedge import device, evaluate, models, parity, reference, sample
    from gaitedge.export import export_model
    t = time.perf_counter()
    target = a.target
    if target == "qemu":
        missing = device.toolchain_missing("cortex-m4") + device.toolchain_missing("qemu")
        if missing:
            raise RuntimeError(f"--target qemu: missing {', '.join(missing)}. {device.INSTALL_HINT}")
    out = Path(a.out) if a.out else Path(tempfile.mkdtemp(prefix="gaitedge-demo-"))
    print(f"gaitedge demo on the built-in sample ({sample.ATTRIBUTION})")
    print("1. features (C core via cffi, checked against the numpy reference)")
    for sensor in ("accel", "gyro"):
        w = load_windows(None, sensor)
        X = gfeat.extract(w.X, "extended")
        R = reference.features(w.X, "extended")
        exact = int((X[:, :30] == R[:, :30]).all())
        print(f"   {sensor:5s}: {len(set(w.subject))} subjects, {len(w)} windows of 10 s -> {X.shape[1]} features; "
              f"bins exact: {'yes' if exact else 'NO'}")
    print("2. evaluate (5-fold CV identification; per-user authentication, the paper's protocol)")
    ds = evaluate.build_dataset(None, "accel", "extended")
    for clf in ("rf", "nb"):
        ident = evaluate.identification(ds, clf, folds=5, seed=0, n_estimators=30)
        auth = evaluate.authentication(ds, clf, seed=0, n_estimators=30)
        print(f"   {models.CLASSIFIER_NAMES[clf]:13s}: identification {ident['accuracy']:.1f} % per 10 s window, "
              f"{ident['accuracy_by_seconds'].get('30', 0):.1f} % over 30 s, Most Predicted User "
              f"{ident['most_predicted_user']:.0f} %; authentication EER {auth['10s']['eer_mean']:.1f} % (10 s), "
              f"{auth['30s']['eer_mean']:.1f} % (30 s)")
    print(f"3. train on all windows, export to C ({out})")
    fw_target = "cortex-m4" if target == "qemu" else "host"
    summary = []
    for clf in ("rf", "nb"):
        est = models.make_classifier(clf, 0, n_estimators=30).fit(ds.X, ds.y)
        models.save_model(est, out / f"model_{clf}", task="identify", classifier=clf, featureset="extended",
                          sensors=["accel"], feature_names=ds.feature_names, extra={"window_len": 200,
                                                                                   "sample_rate_hz": 20})
        m = export_model(out / f"model_{clf}", out / "firmware_models" / f"sample_{clf}")
        binary = device.build(out / "firmware_models" / f"sample_{clf}", fw_target)
        rep = device.size_report(binary, fw_target)
        c = rep["components"]
        print(f"   {clf}: {len(m['classes'])} classes; {fw_target} firmware: model {c['model']['flash']:,d} B, "
              f"features {c['features']['flash']:,d} B flash; stack {max(rep['stack']['features'], rep['stack']['model'])} B")
        summary.append((clf, out / "firmware_models" / f"sample_{clf}"))
    print(f"4. parity on the {target} device (features bit for bit, predictions vs host C and scikit-learn)")
    ok = True
    for clf, bundle in summary:
        r = parity.run(bundle, target=target, n_windows=a.windows, report=out / f"parity_{clf}.json",
                       plot=out / f"parity_{clf}.png", log=lambda *x: None)
        ok &= r["passed"]
        print(f"   {clf}: {'PASS' if r['passed'] else 'FAIL'}: {r['answered']}/{r['windows']} windows, features "
              f"bit-identical {r['features_bit_identical']}, class agreement with scikit-learn "
              f"{100 * r['prediction_agreement']['device_vs_sklearn']:.0f} %, {r['throughput_windows_per_s']} windows/s")
    print(f"done in {time.perf_counter() - t:.1f} s; outputs in {out}")
    return 0 if ok else 1


def _csv_list(value, allowed, what):
    items = [v.strip() for v in value.split(",") if v.strip()]
    bad = [v for v in items if v not in allowed]
    if bad or not items:
        raise argparse.ArgumentTypeError(f"{what}: {', '.join(bad) or 'empty'} not in {', '.join(allowed)}")
    return items


def _filter_arg(a):
    if not a.filter:
        return None, None
    col, _, vals = a.filter.partition("=")
    if not vals:
        raise ValueError("--filter takes COLUMN=V1,V2 (e.g. ACTIVITY=A)")
    return col, set(vals.split(","))


def _add_augment(p):
    p.add_argument("--augment", type=float, default=0.0, metavar="SECONDS",
                   help="also train on windows shifted by multiples of SECONDS between two contiguous "
                        "training windows (0 = off, the paper's protocol; 1 = gaitedge's best). A shifted "
                        "window joins a training set only when both windows it spans are in it, so no "
                        "test sample is ever trained on; test windows are unchanged")


def _max_features(v):
    if v in ("sqrt", "log2"):
        return v
    try:
        f = float(v)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--max-features: {v!r} is not sqrt, log2 or a fraction") from None
    if not 0.0 < f <= 1.0:
        raise argparse.ArgumentTypeError(f"--max-features: a fraction must be in (0, 1], got {v}")
    return f


def _knobs(a):
    k = {"n_estimators": a.trees, "max_depth": a.max_depth, "min_samples_leaf": a.min_samples_leaf}
    if a.max_features is not None:
        k["max_features"] = a.max_features
    return k


def cmd_evaluate(a):
    from gaitedge import evaluate
    fcol, fvals = _filter_arg(a)
    if a.data is not None and evaluate._is_table(a.data):
        ds = evaluate.build_dataset(a.data, class_column=a.class_column, filter_column=fcol, filter_values=fvals)
        sensors, featuresets = ["table"], ["table"]
    else:
        sensors = _csv_list(a.sensors, ("accel", "gyro", "fused"), "--sensors")
        featuresets = _csv_list(a.featureset, ("paper", "extended", "wisdm"), "--featureset")
    classifiers = _csv_list(a.classifiers, CLASSIFIERS, "--classifiers")
    if sensors == ["table"]:
        report = {"settings": {"data": a.data, "classifiers": classifiers, "folds": a.folds, "seed": a.seed},
                  "results": {}}
        for c in classifiers:
            report["results"][c] = {"identification": evaluate.identification(ds, c, a.folds, a.seed, a.jobs, **_knobs(a)),
                                    "authentication": evaluate.authentication(ds, c, a.seed, protocol=a.auth_protocol, **_knobs(a))}
            print(f"{c}: identification {report['results'][c]['identification']['accuracy']} %, "
                  f"auth EER {report['results'][c]['authentication']['10s']['eer_mean']} %")
        from gaitedge.io import atomic_write
        import json
        from pathlib import Path
        Path(a.out).mkdir(parents=True, exist_ok=True)
        with atomic_write(Path(a.out) / "report.json") as fh:
            json.dump(report, fh, indent=1, default=evaluate._jsonable)
        return 0
    report = evaluate.run(a.data, sensors, classifiers, featuresets, a.folds, a.seed, a.jobs,
                          a.auth_protocol, a.out, progress=not a.quiet, augment_s=a.augment, **_knobs(a))
    for k, v in report["targets_met"].items():
        print(f"  {k:15s} goal {v['target']:5.1f} %  best {v['best']:6.2f} %  ({v['config']})  "
              f"{'met' if v['met'] else 'NOT met'}")
    print(f"report: {a.out}/report.md, report.json, plots; {report['wall_seconds']} s")
    return 0


def cmd_train(a):
    from gaitedge import evaluate, models
    if a.classifier not in models.DEPLOYABLE:
        raise ValueError(f"only {', '.join(models.DEPLOYABLE)} models are saved for deployment (rotf and mlp "
                         f"are evaluated with 'gaitedge evaluate'), got {a.classifier!r}")
    ds = evaluate.build_dataset(a.data, a.sensors, a.featureset, augment_s=a.augment)
    est = models.make_classifier(a.classifier, a.seed, n_jobs=a.jobs, **_knobs(a))
    y = ds.y
    extra = {"knobs": _knobs(a), "seed": a.seed, "windows": len(ds), "subjects": sorted(set(map(str, ds.y))),
             "data": str(a.data) if a.data else "built-in sample", "window_len": gfeat.WINDOW_LEN,
             "sample_rate_hz": gfeat.RATE_HZ, "augment_s": a.augment}
    if a.task == "authenticate":
        if a.user is None:
            raise ValueError("--task authenticate needs --user ID (the owner)")
        if a.user not in set(map(str, ds.y)):
            raise ValueError(f"user {a.user!r} is not in the data (users: {', '.join(sorted(set(map(str, ds.y)))[:10])}...)")
        y = np.where(ds.y.astype(str) == a.user, "owner", "other")
        extra.update({"user": a.user, "threshold": a.threshold, "positive_class": "owner"})
    X, y = ds.training(np.arange(len(ds)), y)
    est.fit(X, y)
    meta = models.save_model(est, a.out, task=a.task, classifier=a.classifier, featureset=ds.featureset,
                             sensors=[ds.sensors], feature_names=ds.feature_names, extra=extra)
    print(f"trained {a.classifier} ({a.task}) on {len(ds)} windows of {len(set(ds.y))} subjects, "
          f"{ds.X.shape[1]} {ds.featureset} features ({ds.sensors}) -> {a.out} (sha256 {meta['arrays_sha256'][:12]})")
    return 0


def cmd_export(a):
    from gaitedge.export import export_model
    m = export_model(a.model, a.out)
    print(f"exported {m['classifier']} ({m['task']}, {len(m['classes'])} classes, {m['n_features']} "
          f"{m['featureset']} features) -> {a.out}: {', '.join(sorted(m['files_sha256']))}, manifest.json")
    return 0


def cmd_firmware_build(a):
    import json

    from gaitedge import device
    from gaitedge.io import atomic_write
    binary = device.build(a.model, a.target, a.build_dir)
    rep = device.size_report(binary, a.target)
    rep["binary"] = str(binary)
    print(f"built {binary}")
    print(device.format_size_report(rep))
    if a.json:
        with atomic_write(a.json) as fh:
            json.dump(rep, fh, indent=1)
    return 0


def cmd_device_start(a):
    from gaitedge import device
    cls = {"host": device.HostDevice, "qemu": device.QemuDevice}[a.target]
    dev = cls(a.model)
    url = dev.start()
    print(url, flush=True)
    print(f"({a.target} device running; Ctrl-C stops it)", file=sys.stderr, flush=True)
    try:
        while dev.alive:
            time.sleep(0.5)
        print("gaitedge: device exited", file=sys.stderr)
        return 1
    finally:
        dev.stop()


def cmd_parity(a):
    from gaitedge import parity
    if (a.target is None) == (a.port is None):
        raise ValueError("give exactly one of --target host|qemu or --port URL")
    rep = parity.run(a.model, target=a.target, url=a.port, data=a.data, n_windows=a.windows, mode=a.mode,
                     report=a.report, plot=a.plot, timeout=a.timeout, retries=a.retries)
    if a.report:
        print(f"report: {a.report}" + (f", plot: {a.plot}" if a.plot else ""))
    return 0 if rep["passed"] else 1


def build_parser():
    p = argparse.ArgumentParser(
        prog="gaitedge",
        description="Smartwatch gait biometrics: features (C core), models, export to C, device parity.")
    p.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    sub = p.add_subparsers(dest="cmd", metavar="COMMAND", required=True)

    f = sub.add_parser("features", help="raw sensor files -> feature table (ARFF/CSV)",
                       description="Window raw recordings and compute features with the C core.")
    f.add_argument("inputs", nargs="+", metavar="INPUT", help="WISDM raw file(s)/dir(s) or a CSV folder")
    f.add_argument("--sensor", choices=("accel", "gyro"), default="accel")
    f.add_argument("--featureset", choices=list(gfeat.FEATURESETS), default="paper",
                   help="paper (43), wisdm (the lab's 52 ARFF columns), extended (73); see docs/FEATURES.md")
    f.add_argument("--windowing", choices=("paper", "wisdm"), default="paper",
                   help="paper: 200-sample windows inside one activity, split at gaps; wisdm: the lab's chunking")
    f.add_argument("--format", choices=("arff", "csv"), default="arff")
    f.add_argument("-o", "--output", required=True, help="output file (written atomically)")
    _add_data_args(f)
    f.set_defaults(func=cmd_features)

    e = sub.add_parser("evaluate", help="identification + authentication experiments -> report",
                       description="Run the paper's experiments (10-fold CV identification, Most Predicted User, "
                                   "per-user authentication with EER) for every sensor x classifier x feature set "
                                   "and write report.json, report.md (the paper's Tables 2-5 with its numbers "
                                   "beside ours) and PNG plots.")
    e.add_argument("--data", default=None, help="WISDM raw dir/file, CSV folder, or a feature table "
                                                 "(ARFF/CSV file or folder of ARFF); default: the built-in sample")
    e.add_argument("--sensors", default="accel,gyro,fused", help="comma list of accel, gyro, fused")
    e.add_argument("--classifiers", default="nb,rf,rotf,mlp",
                   help="comma list of nb, rf, rotf, mlp (the paper's four) and et (extra trees)")
    e.add_argument("--featureset", default="paper", help="paper, extended (or a comma list of both)")
    e.add_argument("--folds", type=int, default=10)
    e.add_argument("--seed", type=int, default=0)
    e.add_argument("--jobs", type=int, default=1, help="parallel CV folds (scikit-learn n_jobs)")
    e.add_argument("--auth-protocol", choices=("paper", "background"), default="paper",
                   help="paper: 4 training imposters per user; background: every other user except the 4 "
                        "test imposters trains the model (test imposters stay unseen)")
    _add_augment(e)
    e.add_argument("--class-column", default="class", help="subject column of a feature table")
    e.add_argument("--filter", default=None, help="feature table row filter COLUMN=V1,V2 (e.g. ACTIVITY=A)")
    e.add_argument("--quiet", action="store_true", help="no progress bar")
    e.add_argument("--out", required=True, help="output directory")
    _add_model_knobs(e)
    e.set_defaults(func=cmd_evaluate)

    t = sub.add_parser("train", help="fit one deployable model (rf or nb) and save it without pickle",
                       description="Fit a model on all the given data and save model.json + arrays.npz.")
    t.add_argument("--data", default=None, help="raw data as for evaluate; default: the built-in sample")
    t.add_argument("--task", choices=("identify", "authenticate"), default="identify")
    t.add_argument("--user", default=None, help="owner's subject id (authenticate)")
    t.add_argument("--threshold", type=float, default=0.5, help="accept when P(owner) >= this (authenticate)")
    t.add_argument("--classifier", choices=CLASSIFIERS, default="rf",
                   help="rf, et (extra trees) and nb are saved for deployment")
    t.add_argument("--sensors", choices=("accel", "gyro", "fused"), default="accel")
    t.add_argument("--featureset", choices=("paper", "extended"), default="paper")
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--jobs", type=int, default=1)
    _add_augment(t)
    t.add_argument("--out", required=True, help="model directory")
    _add_model_knobs(t)
    t.set_defaults(func=cmd_train)

    x = sub.add_parser("export", help="model directory -> firmware bundle (C model + core + manifest)",
                       description="Write the drop-in C bundle of a trained rf or nb model: gaitedge_model.c/.h "
                                   "(random forest through m2cgen, naive Bayes through gaitedge's emitter), the C "
                                   "feature core byte-identical to csrc/, and manifest.json.")
    x.add_argument("model", help="model directory written by 'gaitedge train'")
    x.add_argument("--out", required=True, help="bundle directory, e.g. firmware_models/NAME")
    x.set_defaults(func=cmd_export)

    fw = sub.add_parser("firmware", help="build the firmware for a bundle and report its size")
    fws = fw.add_subparsers(dest="fwcmd", metavar="ACTION", required=True)
    fb = fws.add_parser("build", help="make the host or Cortex-M4F firmware; print flash/RAM/stack",
                        description="Build csrc/firmware for a model bundle. host: a native program behind a "
                                    "pseudo-terminal; cortex-m4: bare-metal ELF for QEMU mps2-an386 (needs "
                                    "gcc-arm-none-eabi and libnewlib-arm-none-eabi), linked against a 1 MB flash "
                                    "/ 256 KB RAM budget.")
    fb.add_argument("--model", required=True, help="bundle directory (firmware_models/NAME)")
    fb.add_argument("--target", choices=("host", "cortex-m4"), default="host")
    fb.add_argument("--build-dir", default=None, help="where to build (default: a cache keyed by the inputs)")
    fb.add_argument("--json", default=None, help="also write the size report as JSON")
    fb.set_defaults(func=cmd_firmware_build)

    dv = sub.add_parser("device", help="start a device and print its pyserial URL")
    dvs = dv.add_subparsers(dest="devcmd", metavar="ACTION", required=True)
    ds_ = dvs.add_parser("start", help="run the firmware (host pty or QEMU) until Ctrl-C")
    ds_.add_argument("--target", choices=("host", "qemu"), default="host")
    ds_.add_argument("--model", required=True, help="bundle directory")
    ds_.set_defaults(func=cmd_device_start)

    pa = sub.add_parser("parity", help="stream real windows to a device and compare with the host",
                        description="Send N real windows (or stream their samples) to a device running the "
                                    "bundle; compare its features with the host's cffi C core (bit for bit) and "
                                    "its predictions with the host-compiled model and scikit-learn. Exits 1 on "
                                    "any mismatch or unanswered window.")
    pa.add_argument("--model", required=True, help="bundle directory (its manifest's model hash must match the device)")
    pa.add_argument("--target", choices=("host", "qemu"), default=None, help="start this device for the run")
    pa.add_argument("--port", default=None, help="or use a running device: /dev/ttyACM0, socket://HOST:PORT, rfc2217://...")
    pa.add_argument("--data", default=None, help="raw data (default: the built-in sample)")
    pa.add_argument("--windows", type=int, default=20)
    pa.add_argument("--mode", choices=("window", "stream"), default="window",
                    help="window: whole windows (WINDOW); stream: raw samples into the device's windower (SAMPLES)")
    pa.add_argument("--report", default=None, help="JSON report path")
    pa.add_argument("--plot", default=None, help="PNG of device vs host values")
    pa.add_argument("--timeout", type=float, default=2.0, help="seconds per reply")
    pa.add_argument("--retries", type=int, default=3, help="resends per request on timeout/CRC error")
    pa.set_defaults(func=cmd_parity)

    d = sub.add_parser("demo", help="the whole job on the built-in sample (no arguments needed)",
                       description="Features, evaluation, training, export to C, firmware build, device, parity: "
                                   "the whole pipeline on the built-in sample (12 WISDM subjects walking).")
    d.add_argument("--target", choices=("host", "qemu"), default="host",
                   help="host: firmware behind a pseudo-terminal (default); qemu: Cortex-M4F on QEMU mps2-an386")
    d.add_argument("--windows", type=int, default=20, help="windows sent to the device per model")
    d.add_argument("--out", default=None, help="keep the outputs here (default: a new temporary directory)")
    d.set_defaults(func=cmd_demo)
    return p


def main(argv=None):
    import warnings
    p = build_parser()
    a = p.parse_args(argv)
    warnings.showwarning = lambda msg, cat, *rest: print(f"gaitedge: warning: {msg}", file=sys.stderr)
    try:
        return a.func(a) or 0
    except KeyboardInterrupt:
        print("gaitedge: interrupted", file=sys.stderr)
        return 130
    except SystemExit:
        raise
    except (gdata.DataError, gfeat.FeatureError, ValueError, OSError, RuntimeError, argparse.ArgumentTypeError,
            ImportError) as e:
        if a.debug:
            raise
        print(f"gaitedge: error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
