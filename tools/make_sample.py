"""Rebuild gaitedge/sample/wisdm_walk_sample.npz from ../shared (walking, a few subjects).

    python tools/make_sample.py [--data ../shared/data/wisdm2019-watch] [--subjects 12]
"""
import argparse
from pathlib import Path

import numpy as np

from gaitedge import data

ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
ap.add_argument("--data", default="../shared/data/wisdm2019-watch/raw")
ap.add_argument("--subjects", type=int, default=12)
ap.add_argument("--out", default="gaitedge/sample/wisdm_walk_sample.npz")
a = ap.parse_args()
arrays = {}
acc = {r.subject: r for r in data.load(a.data, "accel", "A")}
gyr = {r.subject: r for r in data.load(a.data, "gyro", "A")}
subjects = sorted(set(acc) & set(gyr))[: a.subjects]
for sensor, recs in (("accel", acc), ("gyro", gyr)):
    sel = [recs[s] for s in subjects]
    arrays[f"{sensor}_subject"] = np.concatenate([np.full(len(r), r.subject) for r in sel]).astype("<U8")
    arrays[f"{sensor}_t_ns"] = np.concatenate([r.t_ns for r in sel])
    arrays[f"{sensor}_xyz"] = np.concatenate([r.xyz for r in sel])
Path(a.out).parent.mkdir(parents=True, exist_ok=True)
np.savez_compressed(a.out, **arrays)
print(f"{a.out}: {len(subjects)} subjects ({', '.join(subjects)}), {Path(a.out).stat().st_size / 1e6:.2f} MB")
