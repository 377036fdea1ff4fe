"""Evaluation protocols, metrics and the report, on real data."""
import json
import shutil

import numpy as np
import pytest

from gaitedge import evaluate as E
from gaitedge.cli import main


def test_eer_constructed():
    assert E.eer([0.6, 0.7, 0.8, 0.9], [0.1, 0.2, 0.3, 0.4]) == 0.0
    assert E.eer([0.6, 0.7, 0.8, 0.9], [0.1, 0.2, 0.3, 0.65]) == pytest.approx(0.25)
    assert E.eer([0.5] * 10, [0.5] * 10) == pytest.approx(0.5)
    assert E.eer([0.1, 0.2], [0.8, 0.9]) == pytest.approx(1.0)
    rng = np.random.default_rng(0)      # two unit Gaussians 2 sigma apart: EER = Phi(-1) = 15.87 %
    e = E.eer(rng.normal(2, 1, 200_000), rng.normal(0, 1, 200_000))
    assert e == pytest.approx(0.1587, abs=0.003)
    assert E.far_at_frr([0.6, 0.7, 0.8, 0.9], [0.1, 0.2, 0.3, 0.65], 0.0) == 0.25
    assert E.frr_at_far([0.6, 0.7, 0.8, 0.9], [0.1, 0.2, 0.3, 0.65], 0.0) == 0.25
    with pytest.raises(ValueError):
        E.eer([], [0.1])


@pytest.fixture(scope="module")
def small_dataset(tmp_path_factory, wisdm_dir):
    d = tmp_path_factory.mktemp("raw")
    for sensor in ("accel", "gyro"):
        (d / sensor).mkdir()
        for sid in range(1600, 1612):
            src = wisdm_dir / "raw" / sensor / f"data_{sid}_{sensor}_watch.txt"
            if src.exists():
                shutil.copy(src, d / sensor / src.name)
    return d


@pytest.mark.parametrize("background", [False, True])
def test_auth_split_invariants(small_dataset, background):
    ds = E.build_dataset(small_dataset, "accel", "paper")
    rng = np.random.default_rng(0)
    for u in np.unique(ds.y):
        sp = E.auth_split(ds.y, ds.t0, u, rng, background=background)
        tg, trg = sp["test_genuine"], sp["train_genuine"]
        assert set(tg).isdisjoint(trg) and len(tg) >= len(trg)
        assert ds.t0[trg].max() < ds.t0[tg].min()             # first half trains, second half tests
        assert (ds.y[tg] == u).all() and (ds.y[trg] == u).all()
        tr_users = {ds.y[b[0]] for b in sp["train_impostors"]}
        te_users = {ds.y[b[0]] for b in sp["test_impostors"]}
        assert u not in tr_users | te_users
        assert tr_users.isdisjoint(te_users) and len(te_users) == 4     # test imposters never trained on
        assert len(tr_users) == (len(np.unique(ds.y)) - 5 if background else 4)
        for b in sp["train_impostors"] + sp["test_impostors"]:
            assert len(b) <= 6 and len({ds.y[i] for i in b}) == 1
            assert (np.diff(ds.t0[b]) > 0).all()                      # one consecutive minute


def test_identification_folds_stratified_and_deterministic(small_dataset):
    ds = E.build_dataset(small_dataset, "accel", "paper")
    a = E.identification(ds, "rf", folds=10, seed=0)
    b = E.identification(ds, "rf", folds=10, seed=0)
    assert a == b
    assert a["folds"] == 10 and a["subjects"] == len(np.unique(ds.y))
    assert 50 < a["accuracy"] <= 100 and a["most_predicted_user"] == 100.0
    M = np.array(a["confusion"]["matrix"])
    assert M.sum() == len(ds) and np.trace(M) / M.sum() * 100 == pytest.approx(a["accuracy"], abs=0.01)
    acc = a["accuracy_by_seconds"]
    assert acc["10"] == a["accuracy"] and acc["30"] >= acc["10"]


def test_authentication_deterministic_and_sane(small_dataset):
    ds = E.build_dataset(small_dataset, "fused", "paper")
    a = E.authentication(ds, "nb", seed=3)
    b = E.authentication(ds, "nb", seed=3)
    c = E.authentication(ds, "nb", seed=4)
    assert a == b and a["per_user"] != c["per_user"]
    assert E.authentication(ds, "nb", seed=3, n_jobs=2) == a      # users fitted in parallel: same result
    for k in ("10s", "20s", "30s"):
        r = a[k]
        assert 0 <= r["eer_mean"] <= 50 and 50 <= r["accuracy"] <= 100
        assert r["genuine_trials"] > 0 and r["impostor_trials"] > 0
    assert a["30s"]["eer_mean"] <= a["10s"]["eer_mean"] + 5


def test_fused_features_side_by_side(small_dataset):
    a = E.build_dataset(small_dataset, "accel", "paper")
    f = E.build_dataset(small_dataset, "fused", "paper")
    assert f.X.shape[1] == 2 * a.X.shape[1] and len(f) <= len(a) and len(f) >= 0.9 * len(a)
    assert f.feature_names[0].startswith("A_") and f.feature_names[-1].startswith("G_")


def test_evaluate_cli_end_to_end(small_dataset, tmp_path):
    out = tmp_path / "rep"
    assert main(["evaluate", "--data", str(small_dataset), "--classifiers", "nb,rf,rotf,mlp", "--folds", "3",
                 "--sensors", "accel,gyro,fused", "--quiet", "--out", str(out)]) == 0
    r = json.loads((out / "report.json").read_text())
    assert r["settings"]["folds"] == 3 and r["settings"]["seed"] == 0
    for s in ("accel", "gyro", "fused"):
        for c in ("nb", "rf", "rotf", "mlp"):
            res = r["results"]["paper"][s][c]
            assert 30 < res["identification"]["accuracy"] <= 100
            assert 0 <= res["authentication"]["10s"]["eer_mean"] <= 60
    md = (out / "report.md").read_text()
    assert "Table 2" in md and "Table 5" in md and "(82.9%)" in md and "## Targets" in md
    for png in ("confusion.png", "det_paper_accel.png", "accuracy_vs_seconds.png"):
        assert (out / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_evaluate_feature_table(wisdm_dir, tmp_path):
    assert main(["evaluate", "--data", str(wisdm_dir / "arff" / "gyro"), "--filter", "ACTIVITY=A",
                 "--classifiers", "nb", "--folds", "3", "--out", str(tmp_path)]) == 0
    r = json.loads((tmp_path / "report.json").read_text())
    assert r["results"]["nb"]["identification"]["subjects"] == 19


def test_rotation_forest_is_an_estimator(small_dataset):
    from sklearn.base import clone

    from gaitedge.models import RotationForest
    ds = E.build_dataset(small_dataset, "accel", "paper")
    rf = clone(RotationForest(n_estimators=5, random_state=0)).fit(ds.X[::2], ds.y[::2])
    P = rf.predict_proba(ds.X[1::2])
    assert np.allclose(P.sum(axis=1), 1) and (rf.predict(ds.X[1::2]) == ds.y[1::2]).mean() > 0.5
    P2 = RotationForest(n_estimators=5, random_state=0).fit(ds.X[::2], ds.y[::2]).predict_proba(ds.X[1::2])
    np.testing.assert_array_equal(P, P2)


def test_threshold_from_training_data_only(small_dataset):
    assert E.eer_threshold([0.6, 0.7, 0.8, 0.9], [0.1, 0.2, 0.3, 0.4]) == 0.6
    ds = E.build_dataset(small_dataset, "accel", "paper")
    a = E.authentication(ds, "nb", seed=0)
    b = E.authentication(ds, "nb", seed=0)
    for r in a["per_user"]:
        t = r["10s"]["train_threshold"]
        assert 0.0 <= t <= 1.0 or t == float("inf")
    assert a == b
    r = a["10s"]
    assert 0 <= r["far_at_train_threshold"] <= 100 and 0 <= r["frr_at_train_threshold"] <= 100
    # a user's threshold does not depend on its test windows: scrambling one user's second half
    # (never used for training that user's model) leaves that user's threshold as it was
    u0 = a["per_user"][0]["user"]
    X2 = ds.X.copy()
    idx = np.flatnonzero(ds.y == u0)
    idx = idx[np.argsort(ds.t0[idx])][len(idx) // 2:]
    X2[idx] = X2[idx][::-1] * 1.5
    c = E.authentication(E.Dataset(X2, ds.y, ds.t0, ds.featureset, ds.sensors, ds.feature_names), "nb", seed=0)
    assert c["per_user"][0]["user"] == u0
    assert c["per_user"][0]["10s"]["train_threshold"] == a["per_user"][0]["10s"]["train_threshold"]


# ----------------------------------------------------------------- training augmentation (--augment)

def test_shifted_windows_lie_inside_their_two_parents(small_dataset):
    from gaitedge import data, windows
    recs = data.load(small_dataset, "accel", activities="all")
    w = windows.make_windows(recs, "paper", "A")
    for i in range(0, len(w), 5):      # every window knows where it came from
        np.testing.assert_array_equal(recs[w.rec[i]].xyz[w.start[i]:w.start[i] + 200].T, w.X[i])
    sh = windows.shifted([(recs, w)], 20)
    assert len(sh.a) > 5 * len(w)                          # most windows have a contiguous successor
    assert set(np.unique(sh.offset)) == set(range(20, 200, 20))
    for m in range(0, len(sh.a), 7):
        a, b, d = sh.a[m], sh.b[m], sh.offset[m]
        assert w.subject[a] == w.subject[b] and w.t0[b] > w.t0[a]
        both = np.concatenate([w.X[a], w.X[b]], axis=1)    # the two parents back to back
        np.testing.assert_array_equal(sh.X[0][m], both[:, d:d + 200])
    with pytest.raises(ValueError):
        windows.shifted([(recs, w)], 0)


@pytest.mark.parametrize("sensors", ["accel", "fused"])
def test_augmented_training_uses_only_training_parents(small_dataset, sensors):
    ds = E.build_dataset(small_dataset, sensors, "paper", augment_s=1.0)
    plain = E.build_dataset(small_dataset, sensors, "paper")
    np.testing.assert_array_equal(ds.X, plain.X)               # the evaluated windows are unchanged
    assert ds.info["shifted_windows"] == len(ds.aug_a) > 3 * len(ds)
    assert (ds.y[ds.aug_a] == ds.y[ds.aug_b]).all()
    rng = np.random.default_rng(0)
    rows = np.flatnonzero(rng.random(len(ds)) < 0.7)
    X, y = ds.training(rows)
    inside = np.isin(ds.aug_a, rows) & np.isin(ds.aug_b, rows)
    assert len(X) == len(rows) + inside.sum() and len(y) == len(X)
    np.testing.assert_array_equal(X[len(rows):], ds.aug_X[inside])   # exactly the shifts inside the rows
    np.testing.assert_array_equal(y[len(rows):], ds.y[ds.aug_a[inside]])
    lab = np.where(ds.y[rows] == ds.y[rows][0], 1.0, 0.0)      # custom labels follow the parents
    X2, y2 = ds.training(rows, lab)
    assert len(X2) == len(X) and set(np.unique(y2)) == {0.0, 1.0}
    assert E.build_dataset(small_dataset, sensors, "paper").training(rows)[0].shape == (len(rows), ds.X.shape[1])


def test_augmented_evaluation_recorded_and_deterministic(small_dataset, tmp_path):
    out = tmp_path / "rep"
    assert main(["evaluate", "--data", str(small_dataset), "--classifiers", "et,nb", "--folds", "3",
                 "--sensors", "accel", "--featureset", "extended", "--augment", "2", "--quiet",
                 "--out", str(out)]) == 0
    r = json.loads((out / "report.json").read_text())
    assert r["settings"]["augment_s"] == 2.0
    res = r["results"]["extended"]["accel"]
    assert 50 < res["et"]["identification"]["accuracy"] <= 100
    assert "shifted by multiples of 2.0 s" in (out / "report.md").read_text()
    ds = E.build_dataset(small_dataset, "accel", "extended", augment_s=2.0)
    a = E.identification(ds, "et", folds=3, seed=0, n_estimators=20)
    assert a == E.identification(ds, "et", folds=3, seed=0, n_estimators=20)


def test_augment_refused_where_it_cannot_apply(wisdm_dir, small_dataset):
    with pytest.raises(ValueError, match="feature table"):
        E.build_dataset(wisdm_dir / "arff" / "gyro", augment_s=1.0)
    with pytest.raises(ValueError, match="one sample period"):
        E.build_dataset(small_dataset, "accel", "paper", augment_s=0.01)
