"""The built-in sample: 12 subjects walking, watch accel + gyro (WISDM 2019, CC BY 4.0; see README.md)."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from gaitedge.data import Recording

PATH = Path(__file__).with_name("wisdm_walk_sample.npz")
ATTRIBUTION = ("WISDM Smartphone and Smartwatch Activity and Biometrics Dataset (Weiss, UCI ML "
               "Repository 507, 2019, CC BY 4.0); Weiss, Yoneda, Hayajneh, IEEE Access 7, 2019.")


def load(sensor: str = "accel") -> list[Recording]:
    """Recordings of one sensor from the sample (no pickle: allow_pickle=False)."""
    with np.load(PATH, allow_pickle=False) as z:
        subj, t, xyz = z[f"{sensor}_subject"], z[f"{sensor}_t_ns"], z[f"{sensor}_xyz"]
    out = []
    for s in dict.fromkeys(subj.tolist()):
        m = subj == s
        out.append(Recording(s, sensor, t[m], xyz[m], np.full(int(m.sum()), "A", dtype="<U1"), f"sample:{s}"))
    return out
