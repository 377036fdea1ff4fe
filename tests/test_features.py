"""C core (cffi) == numpy reference, on real windows and on hypothesis-generated ones."""
import re

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from gaitedge import features, reference, windows
from gaitedge._core import ffi, lib
from gaitedge.data import load

SETS = ["paper", "wisdm", "extended"]


def assert_matches_reference(W, fs):
    # docs/FEATURES.md: below 1e-12 float32 squares underflow; such windows are only checked finite
    peak = np.abs(W).max(axis=(1, 2))
    W = W[(peak == 0) | (peak >= 1e-12)]
    C = features.extract(W, fs).astype(np.float64)
    R = reference.features(W, fs)
    names = features.feature_names(fs)
    assert C.shape == R.shape == (len(W), features.n_features(fs))
    scale = np.maximum(np.abs(W).max(axis=(1, 2)), 1e-30)[:, None]
    exact, special = [], {}
    for j, n in enumerate(names):
        if (n[1:].isdigit() or n.endswith(("PEAK", "MIN", "MAX", "ZCR")) and not n.startswith("MAG")
                or re.fullmatch(r"(X|Y|Z|MAG)Q\d\d", n)):          # order statistics: bit-exact
            exact.append(j)
        elif n.endswith("ACLAG"):
            special[j] = "lag"
    np.testing.assert_array_equal(C[:, exact], R[:, exact], err_msg=f"{fs}: exact features differ")
    assert np.isfinite(C).all()
    # docs/FEATURES.md: ratios of centred sums are compared where the axis is well conditioned
    # (spread >= 1e-3 of its magnitude, or exactly constant); else float32 centring cannot resolve them
    x64 = W.astype(np.float64)
    sd, mag = x64.std(axis=2), np.abs(x64).max(axis=2)
    good = ((mag >= 1e-12) | (mag == 0)) & ((sd >= 1e-3 * mag) | (sd == 0))   # (N, 3); tiny axes underflow
    m32 = reference.channels_f32(W)[:, 3].astype(np.float64)   # the magnitude channel, as C has it
    msd, mmax = m32.std(axis=1), m32.max(axis=1)
    good_mag = ((mmax >= 1e-12) | (mmax == 0)) & ((msd >= 1e-3 * mmax) | (msd == 0))
    ratio = {}
    for j, n in enumerate(names):
        if n[0] in "XYZ" and (n[1:] in ("SKEW", "KURT", "ACVAL", "ACLAG") or n[1:3] == "AC"):
            ratio[j] = good[:, "XYZ".index(n[0])]
        elif re.fullmatch(r"[XYZ]SB\d\d", n):    # spectral band shares: centred sums too
            ratio[j] = good[:, "XYZ".index(n[0])]
        elif re.fullmatch(r"MAGSB\d\d", n):
            ratio[j] = good_mag
        elif n[:2] in ("XY", "XZ", "YZ") and n.endswith(("COR", "COS")):
            ratio[j] = good[:, "XYZ".index(n[0])] & good[:, "XYZ".index(n[1])]
    for j, kind in special.items():
        d = np.abs(C[:, j] - R[:, j]) * ratio[j]
        if True:   # the lag may differ only where the autocorrelation is (near-)tied
            x = W[:, "XYZ".index(names[j][0])].astype(np.float64)
            e = x - x.mean(1, keepdims=True)
            r, lags = reference.autocorr(e, (e * e).sum(1))
            for i in np.flatnonzero(d > 0):
                k = np.searchsorted(lags, round(C[i, j] * 20))
                assert r[i].max() - r[i, k] <= 1e-4, (names[j], i)
    rest = [j for j in range(len(names)) if j not in exact and j not in special]
    val_scale = np.ones_like(C)
    for j in rest:
        if names[j].endswith(("AVG", "ABSOLDEV", "STANDDEV", "RESULTANT", "JERK", "MAGSTD")):
            val_scale[:, j] = scale[:, 0]
        elif names[j].endswith("VAR"):    # sqrt(sd): error up to sqrt(error of sd)
            val_scale[:, j] = np.sqrt(scale[:, 0])
        elif names[j].endswith("SKEW"):   # a sum of mixed-sign cubes: scale by sum |e|^3
            x = W[:, "XYZ".index(names[j][0])].astype(np.float64)
            e = x - x.mean(1, keepdims=True)
            m2 = (e * e).mean(1)
            with np.errstate(divide="ignore", invalid="ignore"):
                val_scale[:, j] = np.where(m2 > 1e-12, (np.abs(e) ** 3).mean(1) / m2 ** 1.5, 1.0)
    lag_diff = {j for j, k in special.items() if k == "lag"}
    acval = [names.index(names[j].replace("ACLAG", "ACVAL")) for j in lag_diff]
    tol = 1e-4 * np.maximum(np.abs(R), val_scale)
    bad = np.abs(C - R) > tol
    bad[:, [j for j in range(len(names)) if j not in rest]] = False
    for j in acval:   # ACVAL at a tied lag: within the tie tolerance
        bad[:, j] &= np.abs(C[:, j] - R[:, j]) > 2e-4
    for j, ok in ratio.items():
        bad[:, j] &= ok
    if bad.any():
        i, j = np.argwhere(bad)[0]
        pytest.fail(f"{fs} {names[j]} window {i}: C {C[i, j]!r} ref {R[i, j]!r}")


@pytest.fixture(scope="module")
def real_windows(wisdm_dir):
    out = {}
    for sensor in ("accel", "gyro"):
        recs = load(wisdm_dir / "raw" / sensor, sensor, activities="all")
        out[sensor] = windows.make_windows(recs, "paper", activities="all")
    return out


@pytest.mark.parametrize("fs", SETS)
@pytest.mark.parametrize("sensor", ["accel", "gyro"])
def test_c_equals_reference_on_real_data(real_windows, sensor, fs):
    W = real_windows[sensor].X
    assert len(W) > 2000
    assert_matches_reference(W, fs)


def _window_strategy():
    elems = st.one_of(
        st.floats(-50, 50, width=32, allow_subnormal=False),
        st.floats(2.0 ** -39, 2.0 ** -20, width=32),        # tiny but above the comparison floor
        st.floats(-(2.0 ** -20), -(2.0 ** -39), width=32),
        st.sampled_from([0.0, 1.0, -1.0, 1e5, -1e5, 9.80665]),
    )
    return hnp.arrays(np.float32, st.tuples(st.integers(1, 4), st.just(3), st.integers(8, 256)), elements=elems)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(W=_window_strategy(), fs=st.sampled_from(SETS))
def test_c_equals_reference_hypothesis(W, fs):
    assert_matches_reference(W, fs)


@settings(max_examples=100, deadline=None)
@given(W=hnp.arrays(np.float32, st.tuples(st.integers(1, 3), st.just(3), st.integers(8, 64)),
                    elements=st.floats(-1e6, 1e6, width=32, allow_subnormal=True)),
       fs=st.sampled_from(SETS))
def test_any_finite_window_gives_finite_features(W, fs):
    """Subnormals, zeros, +-1e6: every feature finite (below 1e-15 the float32 squares underflow,
    so the reference comparison is not made there; docs/FEATURES.md)."""
    out, status = features.extract(W, fs, errors="nan")
    assert (status == 0).all() and np.isfinite(out).all()


@settings(max_examples=60, deadline=None)
@given(n=st.integers(8, 300), value=st.floats(-1e5, 1e5, width=32), fs=st.sampled_from(SETS))
def test_constant_window(n, value, fs):
    W = np.full((1, 3, n), value, dtype=np.float32)
    C = features.extract(W, fs)[0]
    assert np.isfinite(C).all()
    names = features.feature_names(fs)
    if fs != "wisdm":
        assert C[names.index("XPEAK")] == n * 50.0      # no period shorter than the window
        assert C[names.index("X0")] == 1.0 and C[names.index("XSTANDDEV")] == 0.0
    assert_matches_reference(W, fs)


@pytest.mark.parametrize("bad,code", [(np.nan, -3), (np.inf, -3), (-np.inf, -3), (1e30, -4), (-2e6, -4)])
@pytest.mark.parametrize("fs", SETS)
def test_refuses_bad_samples(bad, code, fs):
    W = np.random.default_rng(1).normal(size=(3, 3, 200)).astype(np.float32)
    W[1, 2, 17] = bad
    out, status = features.extract(W, fs, errors="nan")
    assert list(status) == [0, code, 0]
    assert np.isnan(out[1]).all() and np.isfinite(out[[0, 2]]).all()
    with pytest.raises(features.FeatureError, match="window 1"):
        features.extract(W, fs)


def test_error_codes_direct():
    buf = ffi.new("float[]", 3 * 200)
    out = ffi.new("float[]", 100)
    assert lib.ge_features(0, ffi.NULL, 200, out) == -1
    assert lib.ge_features(0, buf, 200, ffi.NULL) == -1
    assert lib.ge_features(0, buf, 7, out) == -2
    assert lib.ge_features(0, buf, 1025, out) == -2
    assert lib.ge_features(9, buf, 200, out) == -5
    assert lib.ge_feature_count(9) == 0
    st_ = ffi.new("int32_t[]", 1)
    assert lib.ge_features_batch(0, ffi.NULL, 1, 200, out, st_) == -1
    with pytest.raises(ValueError, match="feature set"):
        features.extract(np.zeros((1, 3, 200), np.float32), "nope")
    with pytest.raises(ValueError, match="shape"):
        features.extract(np.zeros((1, 200), np.float32))


def test_feature_counts_and_names():
    assert [features.n_features(s) for s in SETS] == [43, 52, 211]
    for s in SETS:
        assert len(features.feature_names(s)) == features.n_features(s)
        assert len(set(features.feature_names(s))) == features.n_features(s)
