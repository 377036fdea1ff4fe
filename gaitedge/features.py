"""Features through the C core (cffi): batch of planar windows in, float32 array out.

The definitions are in docs/FEATURES.md; gaitedge.reference is the numpy twin.
"""
from __future__ import annotations

import numpy as np

from gaitedge._core import ffi, lib

FEATURESETS = {"paper": 0, "wisdm": 1, "extended": 2}
WINDOW_LEN = lib.GE_WINDOW_LEN
RATE_HZ = lib.GE_SAMPLE_RATE_HZ

STATUS = {
    0: "ok",
    -1: "null pointer",
    -2: f"window length outside [{lib.GE_WINDOW_MIN}, {lib.GE_WINDOW_MAX}]",
    -3: "NaN or Inf sample",
    -4: "sample magnitude above GE_MAX_ABS",
    -5: "unknown feature set",
    -6: "no complete window",
    -7: "invalid argument",
}

_AX = "XYZ"


def feature_names(featureset: str = "paper") -> list[str]:
    """Column names of a feature set, in the C core's order."""
    fs = _fs(featureset)
    bins = [f"{a}{k}" for a in _AX for k in range(10)]
    per = lambda stem: [f"{a}{stem}" for a in _AX]  # noqa: E731
    if fs == 1:
        return (bins + per("AVG") + per("PEAK") + per("ABSOLDEV") + per("STANDDEV") + per("VAR")
                + ["XYCOS", "XZCOS", "YZCOS", "XYCOR", "XZCOR", "YZCOR", "RESULTANT"])
    paper = bins + per("AVG") + per("PEAK") + per("ABSOLDEV") + per("STANDDEV") + ["RESULTANT"]
    if fs == 0:
        return paper
    tail = [f"{a}{s}" for a in _AX for s in ("MIN", "MAX", "SKEW", "KURT", "ACLAG", "ACVAL", "JERK", "ZCR")]
    acf = [f"{a}AC{lag}" for a in _AX for lag in (1, 2, 3, 4, 6, 8, 10, 12, 15, 20)]
    chans = ("X", "Y", "Z", "MAG")
    quant = [f"{c}Q{q:02d}" for c in chans for q in (5, 10, 25, 50, 75, 90, 95)]
    bands = [f"{c}SB{b:02d}" for c in chans for b in range(1, 21)]
    return paper + tail + ["MAGSTD", "MAGMIN", "MAGMAX", "XYCOR", "XZCOR", "YZCOR"] + acf + quant + bands


def n_features(featureset: str = "paper") -> int:
    return int(lib.ge_feature_count(_fs(featureset)))


def _fs(featureset) -> int:
    if isinstance(featureset, int) and featureset in FEATURESETS.values():
        return featureset
    try:
        return FEATURESETS[featureset]
    except (KeyError, TypeError):
        raise ValueError(f"unknown feature set {featureset!r}; choose from {list(FEATURESETS)}") from None


class FeatureError(ValueError):
    """A window the C core refused; .status holds the per-window codes."""

    def __init__(self, msg, status):
        super().__init__(msg)
        self.status = status


def extract(windows, featureset: str = "paper", *, errors: str = "raise"):
    """Features of windows shaped (N, 3, n) (planar x, y, z) via one C call.

    errors="raise" raises FeatureError naming the first refused window;
    errors="nan" leaves NaN rows and returns (features, status).
    """
    fs = _fs(featureset)
    w = np.ascontiguousarray(windows, dtype=np.float32)
    if w.ndim != 3 or w.shape[1] != 3:
        raise ValueError(f"windows must have shape (N, 3, n), got {w.shape}")
    N, _, n = w.shape
    nf = int(lib.ge_feature_count(fs))
    out = np.empty((N, nf), dtype=np.float32)
    status = np.zeros(N, dtype=np.int32)
    if N:
        lib.ge_features_batch(fs, ffi.from_buffer("float[]", w), N, n,
                              ffi.from_buffer("float[]", out, require_writable=True),
                              ffi.from_buffer("int32_t[]", status, require_writable=True))
    if errors == "nan":
        return out, status
    bad = np.flatnonzero(status)
    if bad.size:
        i = int(bad[0])
        raise FeatureError(f"window {i}: {STATUS.get(int(status[i]), status[i])} "
                           f"({bad.size} of {N} windows refused)", status)
    return out


class StreamingWindower:
    """Python handle on the C streaming windower (the same code the watch runs)."""

    def __init__(self, length: int = WINDOW_LEN, hop: int | None = None, featureset: str = "paper"):
        self._buf = ffi.new("float[]", 3 * length)
        self._w = ffi.new("ge_window_t *")
        st = lib.ge_window_init(self._w, self._buf, length, hop or length)
        if st != 0:
            raise ValueError(f"ge_window_init: {STATUS.get(st, st)}")
        self.fs = _fs(featureset)
        self._out = ffi.new("float[]", lib.ge_feature_count(self.fs))

    def push(self, x: float, y: float, z: float):
        """Push one sample; returns the feature vector when a window completes, else None."""
        st = lib.ge_window_push(self._w, x, y, z)
        if st != 1:
            return None
        st = lib.ge_window_features(self._w, self.fs, self._out)
        if st != 0:
            raise FeatureError(f"window {self._w.windows - 1}: {STATUS.get(st, st)}", st)
        return np.frombuffer(ffi.buffer(self._out), dtype=np.float32).copy()

    def reset(self):
        lib.ge_window_reset(self._w)
