"""Windowing: recordings -> planar windows (N, 3, n) with subject/activity/time labels.

Two modes:

- ``paper``: non-overlapping windows of n samples inside one activity segment
  (a run of consecutive lines with the same activity). A timestamp step that is
  not positive or is longer than ``max_gap_s`` (default 0.2 s, four sample
  periods at 20 Hz) breaks the segment: the window that would have spanned it
  is dropped and counted in ``stats["gap_windows_dropped"]``, and windowing
  restarts after the gap. Samples left over at the end of a segment are
  counted in ``stats["tail_samples"]``.
- ``wisdm``: the lab's chunking (reproduces its ARFF files): consecutive chunks
  of n lines from the first line, across activity changes, no gap handling.
  A chunk is kept only if a line follows it, and takes the activity (and
  subject) of that following line. (The shared README says "of its last
  reading"; the two agree except when an activity ends exactly on a chunk
  boundary, where the lab's files, e.g. subject 1619 gyro, follow the rule here.)

Fused accel+gyro windows pair each accelerometer window with the gyroscope
window of the same subject and activity whose start time is nearest, if the
starts differ by at most ``tol_s`` (0.5 s); each gyro window is used once.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from gaitedge.data import Recording, parse_activities

WINDOW_LEN = 200
MAX_GAP_S = 0.2


@dataclass
class Windows:
    X: np.ndarray            # float32 (N, 3, n) planar
    subject: np.ndarray      # str (N,)
    activity: np.ndarray     # '<U1' (N,)
    t0: np.ndarray           # int64 (N,) ns, first sample
    t1: np.ndarray           # int64 (N,) ns, last sample
    sensor: str = "accel"
    stats: dict = field(default_factory=dict)
    rec: np.ndarray | None = None      # int64 (N,) index of the recording in the list windowed
    start: np.ndarray | None = None    # int64 (N,) first sample's index in that recording

    def __len__(self):
        return len(self.subject)

    def take(self, idx) -> "Windows":
        return Windows(self.X[idx], self.subject[idx], self.activity[idx], self.t0[idx],
                       self.t1[idx], self.sensor, dict(self.stats), self.rec[idx], self.start[idx])

    @staticmethod
    def empty(n=WINDOW_LEN, sensor="accel"):
        return Windows(np.zeros((0, 3, n), np.float32), np.array([], dtype=str),
                       np.array([], dtype="<U1"), np.zeros(0, np.int64), np.zeros(0, np.int64), sensor,
                       rec=np.zeros(0, np.int64), start=np.zeros(0, np.int64))

    @staticmethod
    def concat(parts, sensor="accel", n=WINDOW_LEN) -> "Windows":
        parts = [p for p in parts if len(p)]
        if not parts:
            return Windows.empty(n, sensor)
        cat = lambda f: np.concatenate([getattr(p, f) for p in parts])  # noqa: E731
        return Windows(cat("X"), cat("subject"), cat("activity"), cat("t0"), cat("t1"), sensor,
                       rec=cat("rec"), start=cat("start"))


def _planar(xyz, starts, n):
    idx = starts[:, None] + np.arange(n)[None, :]
    return np.ascontiguousarray(xyz[idx].transpose(0, 2, 1))   # (N, 3, n)


def _runs(values):
    """Start/stop of runs of equal consecutive values."""
    if len(values) == 0:
        return []
    change = np.flatnonzero(values[1:] != values[:-1]) + 1
    b = np.concatenate([[0], change, [len(values)]])
    return list(zip(b[:-1], b[1:]))


def window_paper(rec: Recording, n=WINDOW_LEN, max_gap_s=MAX_GAP_S, stats=None):
    stats = stats if stats is not None else {}
    starts = []
    max_gap = int(max_gap_s * 1e9)
    for a, b in _runs(rec.activity):
        t = rec.t_ns[a:b]
        step = np.diff(t)
        bad = np.flatnonzero((step <= 0) | (step > max_gap)) + 1   # piece boundaries
        edges = np.concatenate([[0], bad, [b - a]])
        stats["gaps"] = stats.get("gaps", 0) + len(bad)
        for k, (p, q) in enumerate(zip(edges[:-1], edges[1:])):
            m = (q - p) // n
            starts += [a + p + i * n for i in range(m)]
            rest = (q - p) - m * n
            if k < len(edges) - 2:          # the piece ended at a gap
                stats["gap_windows_dropped"] = stats.get("gap_windows_dropped", 0) + (1 if rest else 0)
                stats["gap_samples_dropped"] = stats.get("gap_samples_dropped", 0) + rest
            else:
                stats["tail_samples"] = stats.get("tail_samples", 0) + rest
    starts = np.array(starts, dtype=np.int64)
    return _make(rec, starts, n, rec.activity[starts] if len(starts) else np.array([], "<U1"))


def window_wisdm(rec: Recording, n=WINDOW_LEN, stats=None):
    m = (len(rec) - 1) // n          # chunk i needs line (i+1)*n to exist
    starts = np.arange(m, dtype=np.int64) * n
    labels = rec.activity[starts + n] if m else np.array([], "<U1")
    if stats is not None:
        stats["tail_samples"] = stats.get("tail_samples", 0) + len(rec) - m * n
    return _make(rec, starts, n, labels)


def _make(rec, starts, n, labels):
    N = len(starts)
    if N == 0:
        return Windows.empty(n, rec.sensor)
    return Windows(_planar(rec.xyz, starts, n), np.full(N, rec.subject, dtype=object).astype(str),
                   np.asarray(labels, dtype="<U1"), rec.t_ns[starts], rec.t_ns[starts + n - 1], rec.sensor,
                   rec=np.full(N, -1, np.int64), start=starts.astype(np.int64))


def make_windows(recs, mode="paper", activities="A", n=WINDOW_LEN, max_gap_s=MAX_GAP_S) -> Windows:
    """Window every recording (load them with activities="all" for the wisdm mode, whose
    chunks run across activities), then keep the windows of the requested activities."""
    if mode not in ("paper", "wisdm"):
        raise ValueError(f"windowing must be 'paper' or 'wisdm', got {mode!r}")
    stats = {"recordings": len(recs), "samples": int(sum(len(r) for r in recs))}
    parts = []
    for k, r in enumerate(recs):
        parts.append(window_paper(r, n, max_gap_s, stats) if mode == "paper" else window_wisdm(r, n, stats))
        parts[-1].rec[:] = k
    sensor = recs[0].sensor if recs else "accel"
    w = Windows.concat(parts, sensor, n)
    acts = parse_activities(activities)
    if acts is not None and len(w):
        w = w.take(np.flatnonzero(np.isin(w.activity, list(acts))))
    stats["windows"] = len(w)
    w.stats = stats
    return w


def fuse(acc: Windows, gyr: Windows, tol_s=0.5):
    """Pair accel and gyro windows by start time (see module doc). Returns (acc_idx, gyr_idx)."""
    tol = int(tol_s * 1e9)
    ai, gi = [], []
    used = np.zeros(len(gyr), dtype=bool)
    for key in sorted(set(zip(acc.subject, acc.activity))):
        a_idx = np.flatnonzero((acc.subject == key[0]) & (acc.activity == key[1]))
        g_idx = np.flatnonzero((gyr.subject == key[0]) & (gyr.activity == key[1]))
        if not len(g_idx):
            continue
        g_t0 = gyr.t0[g_idx]
        for i in a_idx:
            d = np.abs(g_t0 - acc.t0[i])
            d = np.where(used[g_idx], np.iinfo(np.int64).max, d)
            j = int(np.argmin(d))
            if d[j] <= tol:
                used[g_idx[j]] = True
                ai.append(i)
                gi.append(g_idx[j])
    return np.array(ai, dtype=np.int64), np.array(gi, dtype=np.int64)


@dataclass
class Shifted:
    """Training-only windows between two consecutive rows (see ``shifted``)."""
    X: list                  # per source, float32 (M, 3, n)
    a: np.ndarray            # int64 (M,) row the shifted window starts in
    b: np.ndarray            # int64 (M,) the row right after it (contiguous in every source)
    offset: np.ndarray       # int64 (M,) start offset from row a, samples


def shifted(sources, hop: int) -> Shifted:
    """Windows starting every ``hop`` samples strictly between row r and row r' whenever, in every
    source, r' starts in the same recording where r ends. ``sources``: (recordings, Windows) pairs
    with aligned rows (one sensor, or accel and gyro rows paired by ``fuse``). Every sample of such
    a window belongs to its two parent rows, so a training set may use it exactly when it holds
    both parents: no sample of a test window ever reaches training (gaitedge's augmentation)."""
    if hop < 1:
        raise ValueError(f"augmentation hop must be >= 1 sample, got {hop}")
    w0 = sources[0][1]
    n = w0.X.shape[2] if len(w0) else WINDOW_LEN
    where = {(int(k), int(j)): r for r, (k, j) in enumerate(zip(w0.rec, w0.start))}
    X, a, b, off = [[] for _ in sources], [], [], []
    for r in range(len(w0)):
        nxt = where.get((int(w0.rec[r]), int(w0.start[r]) + n))
        if nxt is None or any(w.rec[nxt] != w.rec[r] or w.start[nxt] != w.start[r] + n for _, w in sources):
            continue
        for d in range(hop, n, hop):
            for x, (recs, w) in zip(X, sources):
                j = int(w.start[r]) + d
                x.append(recs[int(w.rec[r])].xyz[j:j + n].T)
            a.append(r)
            b.append(nxt)
            off.append(d)
    return Shifted([np.ascontiguousarray(np.array(x, dtype=np.float32).reshape(-1, 3, n)) for x in X],
                   np.array(a, np.int64), np.array(b, np.int64), np.array(off, np.int64))
