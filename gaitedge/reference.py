"""Plain numpy reference of the feature sets in docs/FEATURES.md.

Vectorised over windows; used by the tests to check the C core and by the
benchmarks as the "what a Python user would write" peer. Continuous features
are computed in float64 from the float32 samples; decisions that must be
bit-exact (bin edges, peak thresholds, peak comparisons) use the same float32
operations as the C core.
"""
from __future__ import annotations

import numpy as np

RATE_HZ = 20
AC_MIN_LAG, AC_MAX_LAG = 5, 50
MIN_VAR = np.float32(1e-12)
ACF_LAGS = (1, 2, 3, 4, 6, 8, 10, 12, 15, 20)
QUANTILES = (5, 10, 25, 50, 75, 90, 95)
N_BANDS = 20
_F32 = np.float32
_FRACS = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.0], dtype=np.float32)


def _axes(wins):
    """(N, 3, n) float32 -> (N*3, n) float32 rows, one per axis."""
    w = np.ascontiguousarray(wins, dtype=np.float32)
    if w.ndim != 3 or w.shape[1] != 3:
        raise ValueError(f"windows must have shape (N, 3, n), got {w.shape}")
    return w.reshape(-1, w.shape[2])


def bins_range(x):
    """Paper bins: 10 equal bins over [min, max] (float32 arithmetic)."""
    mn = x.min(axis=1, keepdims=True)
    span = x.max(axis=1, keepdims=True) - mn
    with np.errstate(divide="ignore", invalid="ignore"):
        t = ((x - mn) * _F32(10)) / span
    b = np.where(span > 0, np.minimum(np.nan_to_num(t).astype(np.int64), 9), 0)
    return _bincount_rows(b, x.shape[1])


def bins_fixed(x):
    """WISDM bins: fixed 2.5 wide (float32 arithmetic)."""
    v = x / _F32(2.5)
    b = np.where(v < -1, 0, np.where(v > 7, 9, np.floor(v).astype(np.int64) + 2))
    return _bincount_rows(b, x.shape[1])


def _bincount_rows(b, n):
    rows = np.arange(b.shape[0])[:, None]
    counts = np.zeros((b.shape[0], 10), dtype=np.int64)
    np.add.at(counts, (np.broadcast_to(rows, b.shape), b), 1)
    return counts.astype(np.float32) / np.float32(n)   # float32 division, as in C


def time_between_peaks(x):
    """Paper time between peaks in ms (docs/FEATURES.md)."""
    m, n = x.shape
    c = x[:, 1:-1]
    mask = (c > x[:, :-2]) & (c >= x[:, 2:])
    npk = mask.sum(axis=1)
    out = np.full(m, n * (1000.0 / RATE_HZ), dtype=np.float64)
    ok = npk >= 3
    if not ok.any():
        return out
    c, mask, mn = c[ok], mask[ok], x[ok].min(axis=1)
    top = np.where(mask, c, -np.inf).max(axis=1).astype(np.float32)
    thr = mn[:, None] + _FRACS[None, :] * (top - mn)[:, None]          # float32 (M, 10)
    level = (c[:, None, :] < thr[:, :, None]).sum(axis=1)               # (M, n-2)
    passing = mask[:, None, :] & (level[:, None, :] <= np.arange(10)[None, :, None])
    counts = passing.sum(axis=2)                                        # (M, 10)
    k = np.argmax(counts >= 3, axis=1)
    sel = passing[np.arange(len(k)), k]                                 # (M, n-2)
    first = np.argmax(sel, axis=1)
    last = sel.shape[1] - 1 - np.argmax(sel[:, ::-1], axis=1)
    total = counts[np.arange(len(k)), k]
    gap = (last - first).astype(np.float32) / (total - 1).astype(np.float32)
    out[ok] = gap * _F32(1000.0 / RATE_HZ)
    return out


def wisdm_peak(x):
    """The lab's XPEAK: mean gap between peaks leaving out the last, times 10."""
    m, n = x.shape
    pk = np.zeros((m, n), dtype=bool)
    pk[:, 0] = x[:, 0] > x[:, 1]
    pk[:, 1:n - 2] = (x[:, 1:n - 2] > x[:, 0:n - 3]) & (x[:, 1:n - 2] > x[:, 2:n - 1])
    pk[:, n - 1] = x[:, n - 1] > x[:, n - 2]
    p = pk.sum(axis=1)
    first = np.argmax(pk, axis=1)
    idx = np.where(pk, np.arange(n)[None, :], -1)
    srt = np.sort(idx, axis=1)
    prev = srt[:, -2]
    with np.errstate(divide="ignore", invalid="ignore"):
        v = (prev - first).astype(np.float32) / (p - 2).astype(np.float32) * _F32(10)
    return np.where(p >= 3, v, 0.0)


def _corr(a, b, center):
    if center:
        a = a - a.mean(axis=1, keepdims=True)
        b = b - b.mean(axis=1, keepdims=True)
    den = np.sqrt((a * a).sum(axis=1)) * np.sqrt((b * b).sum(axis=1))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, (a * b).sum(axis=1) / den, 0.0)


def mean_f32(x):
    """The C core's float32 mean, bit for bit: 4 sequential lanes, (a0+a1)+(a2+a3), / n."""
    m, n = x.shape
    q = 4 * (n // 4)
    lanes = [np.cumsum(x[:, k:q:4], axis=1, dtype=np.float32)[:, -1] if q else np.zeros(m, np.float32)
             for k in range(4)]
    if q < n:   # the remainder goes into lane 0, in order
        lanes[0] = np.cumsum(np.concatenate([lanes[0][:, None], x[:, q:]], axis=1), axis=1,
                             dtype=np.float32)[:, -1]
    return ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) / np.float32(n)


def _moments(x64):
    mean = x64.mean(axis=1)
    const = x64.min(axis=1) == x64.max(axis=1)
    mean[const] = x64[const, 0]           # a constant axis: mean is its value, exactly (as in C)
    e = x64 - mean[:, None]
    return mean, e, (e * e).sum(axis=1)


def _resultant(w64):
    return np.sqrt((w64 ** 2).sum(axis=1)).mean(axis=1)


def paper(wins):
    """The paper's 43 features, (N, 3, n) float32 -> (N, 43) float64."""
    x = _axes(wins)
    N, n = wins.shape[0], x.shape[1]
    x64 = x.astype(np.float64)
    mean, e, ss = _moments(x64)
    cols = [
        bins_range(x).reshape(N, 30),
        mean.reshape(N, 3),
        time_between_peaks(x).reshape(N, 3),
        np.abs(e).mean(axis=1).reshape(N, 3),
        np.sqrt(ss / n).reshape(N, 3),
        _resultant(x64.reshape(N, 3, n))[:, None],
    ]
    return np.hstack(cols)


def wisdm(wins):
    """The lab's 52 ARFF columns (no MFCC), (N, 3, n) float32 -> (N, 52) float64."""
    x = _axes(wins)
    N, n = wins.shape[0], x.shape[1]
    x64 = x.astype(np.float64)
    mean, e, ss = _moments(x64)
    sd = np.sqrt(ss) / n
    w = x64.reshape(N, 3, n)
    pairs = [(0, 1), (0, 2), (1, 2)]
    cols = [
        bins_fixed(x).reshape(N, 30),
        mean.reshape(N, 3),
        wisdm_peak(x).reshape(N, 3),
        np.abs(e).mean(axis=1).reshape(N, 3),
        sd.reshape(N, 3),
        np.sqrt(sd).reshape(N, 3),
        np.stack([_corr(w[:, i], w[:, j], False) for i, j in pairs], axis=1),
        np.stack([_corr(w[:, i], w[:, j], True) for i, j in pairs], axis=1),
        _resultant(w)[:, None],
    ]
    return np.hstack(cols)


def autocorr(e, ss):
    """(M, n) deviations, (M,) ss -> (M, lags) normalised autocorrelation and the lags."""
    n = e.shape[1]
    lags = np.arange(AC_MIN_LAG, min(AC_MAX_LAG, n // 2) + 1)
    if len(lags) == 0:      # window too short for any lag: C reports lag 0, value 0
        return np.zeros((e.shape[0], 1)), np.array([0])
    r = np.stack([(e[:, :n - L] * e[:, L:]).sum(axis=1) for L in lags], axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(ss[:, None] > 0, r / ss[:, None], 0.0)
    return r, lags


def channels_f32(wins):
    """(N, 3, n) float32 -> (N, 4, n) float32: the axes and the magnitude sqrt(x*x + y*y + z*z),
    computed with C's float32 operations (so its order statistics are C's exactly)."""
    w = np.asarray(wins, dtype=np.float32)
    mag = np.sqrt(w[:, 0] * w[:, 0] + w[:, 1] * w[:, 1] + w[:, 2] * w[:, 2])
    return np.concatenate([w, mag[:, None, :]], axis=1)


def quantiles(wins):
    """(N, 4 * 7): per channel the samples of rank (q * (n - 1)) // 100 in sorted order (exact)."""
    ch = np.sort(channels_f32(wins), axis=2)
    n = ch.shape[2]
    ranks = [(q * (n - 1)) // 100 for q in QUANTILES]
    return ch[:, :, ranks].reshape(len(ch), 4 * len(QUANTILES)).astype(np.float64)


def spectral_bands(wins):
    """(N, 4 * 20): band shares of the |DFT| of each centred channel (docs/FEATURES.md), float64."""
    ch = channels_f32(wins).astype(np.float64)
    n = ch.shape[2]
    half = n // 2
    e = ch - ch.mean(axis=2, keepdims=True)
    mag = np.abs(np.fft.rfft(e, axis=2))[:, :, 1:half + 1]          # bins 1..n/2
    band = ((np.arange(1, half + 1) - 1) * N_BANDS) // half
    out = np.zeros(ch.shape[:2] + (N_BANDS,))
    for b in range(N_BANDS):
        out[:, :, b] = mag[:, :, band == b].sum(axis=2)
    total = mag.sum(axis=2, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(total > 0, out / total, 0.0)
    return out.reshape(len(ch), 4 * N_BANDS)


def extended(wins):
    """The extended 211 features, (N, 3, n) float32 -> (N, 211) float64."""
    x = _axes(wins)
    N, n = wins.shape[0], x.shape[1]
    x64 = x.astype(np.float64)
    mean, e, ss = _moments(x64)
    m2 = ss / n
    safe = m2 > MIN_VAR
    with np.errstate(divide="ignore", invalid="ignore"):
        skew = np.where(safe, (e ** 3).sum(axis=1) / n / (m2 * np.sqrt(m2)), 0.0)
        kurt = np.where(safe, (e ** 4).sum(axis=1) / n / (m2 * m2), 0.0)
    r, lags = autocorr(e, ss)
    best = np.argmax(r, axis=1)
    aclag = np.where(ss > 0, lags[best] / RATE_HZ, 0.0)
    acval = np.where(ss > 0, r[np.arange(len(best)), best], 0.0)
    jerk = np.abs(np.diff(x64, axis=1)).sum(axis=1) / (n - 1)
    neg = (x - mean_f32(x)[:, None]) < 0          # float32, as in C: exact crossings
    zcr = (neg[:, 1:] != neg[:, :-1]).sum(axis=1).astype(np.float32) / np.float32(n - 1)
    per_axis = np.stack([x.min(axis=1), x.max(axis=1), skew, kurt, aclag, acval, jerk, zcr], axis=1)
    w = x64.reshape(N, 3, n)
    mag = np.sqrt((w ** 2).sum(axis=1))
    res = mag.mean(axis=1)
    tail = [
        per_axis.reshape(N, 24),
        np.sqrt(((mag - res[:, None]) ** 2).sum(axis=1) / n)[:, None],
        mag.min(axis=1)[:, None],
        mag.max(axis=1)[:, None],
        np.stack([_corr(w[:, i], w[:, j], True) for i, j in [(0, 1), (0, 2), (1, 2)]], axis=1),
    ]
    with np.errstate(divide="ignore", invalid="ignore"):
        acf = np.stack([np.where(ss > 0, (e[:, :n - L] * e[:, L:]).sum(axis=1) / ss, 0.0) if L < n
                        else np.zeros(len(ss)) for L in ACF_LAGS], axis=1)
    tail += [acf.reshape(N, 30), quantiles(wins), spectral_bands(wins)]
    return np.hstack([paper(wins)] + tail)


FEATURESETS = {"paper": paper, "wisdm": wisdm, "extended": extended}


def features(wins, featureset="paper"):
    """Reference features for a batch of planar windows."""
    try:
        fn = FEATURESETS[featureset]
    except KeyError:
        raise ValueError(f"unknown feature set {featureset!r}; choose from {sorted(FEATURESETS)}") from None
    return fn(np.asarray(wins, dtype=np.float32))
