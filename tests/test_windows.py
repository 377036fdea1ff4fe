"""Windowing modes and the streaming windower (the watch's code path)."""
import numpy as np
import pytest

from gaitedge import features, windows
from gaitedge.data import Recording, load


def _rec(n, acts=None, t_ns=None, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(n, dtype=np.int64) * 50_000_000 if t_ns is None else np.asarray(t_ns, np.int64)
    a = np.array(acts if acts is not None else ["A"] * n, dtype="<U1")
    return Recording("1", "accel", t, rng.normal(size=(n, 3)).astype(np.float32), a)


def test_streaming_equals_batch_on_real_stream(wisdm_dir):
    rec = load(wisdm_dir / "raw" / "accel" / "data_1605_accel_watch.txt", "accel", "all")[0]
    n_win = len(rec) // 200
    X = rec.xyz[: n_win * 200].reshape(n_win, 200, 3).transpose(0, 2, 1)
    for fs in ("paper", "wisdm", "extended"):
        batch = features.extract(X, fs)
        sw = features.StreamingWindower(200, featureset=fs)
        got = [v for v in (sw.push(*s) for s in rec.xyz) if v is not None]
        assert len(got) == n_win
        np.testing.assert_array_equal(np.array(got), batch)   # bit for bit


def test_streaming_overlap_hop():
    rec = _rec(1000)
    sw = features.StreamingWindower(200, hop=50)
    got = [v for v in (sw.push(*s) for s in rec.xyz) if v is not None]
    starts = np.arange(0, 1000 - 200 + 1, 50)
    X = np.stack([rec.xyz[s:s + 200].T for s in starts])
    assert len(got) == len(starts)
    np.testing.assert_array_equal(np.array(got), features.extract(X))


def test_streaming_reset_and_bad_args():
    sw = features.StreamingWindower(200)
    for s in _rec(150).xyz:
        assert sw.push(*s) is None
    sw.reset()
    out = [sw.push(*s) for s in _rec(200).xyz]
    assert out[-1] is not None and all(v is None for v in out[:-1])
    with pytest.raises(ValueError):
        features.StreamingWindower(4)
    with pytest.raises(ValueError):
        features.StreamingWindower(200, hop=201)
    sw = features.StreamingWindower(8)
    vals = [sw.push(1.0, 2.0, 3.0) for _ in range(7)]
    with pytest.raises(features.FeatureError, match="NaN"):
        sw.push(float("nan"), 0.0, 0.0)


def test_paper_windows_stay_inside_activity():
    rec = _rec(1000, acts=["A"] * 450 + ["B"] * 550)
    w = windows.make_windows([rec], "paper", "all")
    assert list(w.activity) == ["A", "A", "B", "B"]
    np.testing.assert_array_equal(w.t0, [0, 200 * 50_000_000, 450 * 50_000_000, 650 * 50_000_000])
    assert w.stats["tail_samples"] == 50 + 150


def test_paper_gap_drops_and_counts():
    t = np.arange(700, dtype=np.int64) * 50_000_000
    t[300:] += 5_000_000_000            # a 5 s gap after sample 299
    w = windows.make_windows([_rec(700, t_ns=t)], "paper")
    # [0,200) ok; [200,300) would span the gap -> dropped; restart at 300: [300,500), [500,700)
    np.testing.assert_array_equal(w.t0, t[[0, 300, 500]])
    assert w.stats["gaps"] == 1 and w.stats["gap_windows_dropped"] == 1
    assert w.stats["gap_samples_dropped"] == 100
    assert (w.t1 - w.t0 < 200 * 60_000_000).all()


@pytest.mark.parametrize("bad", [0, -1_000_000])
def test_paper_non_monotonic_time_splits(bad):
    t = np.arange(400, dtype=np.int64) * 50_000_000
    t[250] = t[249] + bad             # duplicate or backwards timestamp
    w = windows.make_windows([_rec(400, t_ns=t)], "paper")
    assert len(w) == 1 and w.stats["gaps"] >= 1


def test_wisdm_chunking_label_rule():
    # activity changes exactly at a chunk boundary: the chunk takes the NEXT line's label,
    # and the last chunk (no line after it) is dropped, as in the lab's files (1619 gyro)
    rec = _rec(600, acts=["A"] * 200 + ["B"] * 400)
    w = windows.make_windows([rec], "wisdm", "all")
    assert list(w.activity) == ["B", "B"]
    rec = _rec(601, acts=["A"] * 250 + ["B"] * 351)
    assert list(windows.make_windows([rec], "wisdm", "all").activity) == ["A", "B", "B"]


def test_fuse_pairs_by_time(wisdm_dir):
    acc = windows.make_windows(load(wisdm_dir / "raw" / "accel" / "data_1600_accel_watch.txt", "accel", "all"))
    gyr = windows.make_windows(load(wisdm_dir / "raw" / "gyro" / "data_1600_gyro_watch.txt", "gyro", "all"))
    ai, gi = windows.fuse(acc, gyr)
    assert len(ai) >= 0.9 * min(len(acc), len(gyr))
    assert (np.abs(acc.t0[ai] - gyr.t0[gi]) <= 500_000_000).all()
    assert len(set(gi)) == len(gi) and (acc.subject[ai] == gyr.subject[gi]).all()
