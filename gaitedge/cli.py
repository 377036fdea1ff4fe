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


def _add_data_args(p, sensor_choices=("accel", "gyro")):
    p.add_argument("--activities", default="A",
                   help="activities to keep: A (walking, default), all, or a list like A,C")
    p.add_argument("--rate", type=float, default=None,
                   help="resample generic CSV input to this rate in Hz (e.g. 20)")
    p.add_argument("--on-error", choices=("raise", "skip"), default="raise",
                   help="bad raw lines: stop with file:line (default) or skip and count them")


def load_windows(path, sensor, windowing="paper", activities="A", rate=None, on_error="raise"):
    """Raw input (or the built-in sample when path is None) -> Windows of one sensor."""
    if path is None:
        from gaitedge import sample
        recs = sample.load(sensor)
    else:
        recs = gdata.load(path, sensor, activities="all", rate=rate, on_error=on_error)
    return gwin.make_windows(recs, windowing, activities)


def cmd_features(a):
    from gaitedge.io import write_feature_table
    recs = []
    for path in a.inputs:
        recs += gdata.load(path, a.sensor, activities="all", rate=a.rate, on_error=a.on_error)
    w = gwin.make_windows(recs, a.windowing, a.activities)
    if len(w) == 0:
        raise SystemExit(f"gaitedge: error: no complete {a.windowing} windows in the input "
                         f"(activities {a.activities}); nothing written")
    X = gfeat.extract(w.X, a.featureset)
    write_feature_table(a.output, gfeat.feature_names(a.featureset), X, w.activity, w.subject, a.format)
    st = w.stats
    print(f"{len(w)} windows x {X.shape[1]} {a.featureset} features from {st['recordings']} recordings "
          f"({st['samples']} samples; gaps {st.get('gaps', 0)}, windows dropped at gaps "
          f"{st.get('gap_windows_dropped', 0)}) -> {a.output}")
    return 0


def cmd_demo(a):
    from gaitedge import reference, sample
    t = time.perf_counter()
    print("gaitedge demo on the built-in sample:", sample.ATTRIBUTION)
    for sensor in ("accel", "gyro"):
        w = load_windows(None, sensor)
        X = gfeat.extract(w.X, "paper")
        R = reference.features(w.X, "paper")
        diff = float(np.max(np.abs(X - R) / np.maximum(np.abs(R), 1.0)))
        print(f"  {sensor:5s}: {len(set(w.subject))} subjects, {len(w)} windows of 10 s, "
              f"{X.shape[1]} paper features (C core); max rel. diff vs numpy reference {diff:.1e}")
    print(f"done in {time.perf_counter() - t:.1f} s")
    return 0


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

    d = sub.add_parser("demo", help="the whole job on the built-in sample (no arguments needed)")
    d.set_defaults(func=cmd_demo)
    return p


def main(argv=None):
    p = build_parser()
    a = p.parse_args(argv)
    try:
        return a.func(a) or 0
    except KeyboardInterrupt:
        print("gaitedge: interrupted", file=sys.stderr)
        return 130
    except SystemExit:
        raise
    except (gdata.DataError, gfeat.FeatureError, ValueError, OSError, RuntimeError) as e:
        if a.debug:
            raise
        print(f"gaitedge: error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
