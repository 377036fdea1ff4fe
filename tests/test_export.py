"""Exported C models == scikit-learn, on every held-out window of the real data."""
import json
import subprocess

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gaitedge import evaluate, models
from gaitedge.export import export_model
from gaitedge.export.bundle import CORE_FILES, CSRC
from gaitedge.export.forest import float_floor
from gaitedge.hostmodel import HostModel


@pytest.fixture(scope="module")
def split(wisdm_dir):
    ds = evaluate.build_dataset(wisdm_dir / "raw", "accel", "extended")
    rng = np.random.default_rng(0)
    test = rng.random(len(ds)) < 0.3
    return ds, ~test, test


def _export(tmp, ds, train, clf, task="identify", **knobs):
    y = ds.y[train]
    extra = {}
    if task == "authenticate":
        y = np.where(y == "1605", "owner", "other")
        extra = {"user": "1605", "threshold": 0.5}
    est = models.make_classifier(clf, 0, **knobs).fit(ds.X[train], y)
    models.save_model(est, tmp / "m", task=task, classifier=clf, featureset="extended", sensors=["accel"],
                      feature_names=ds.feature_names, extra=extra)
    export_model(tmp / "m", tmp / "b")
    return est, HostModel(tmp / "b")


@pytest.mark.parametrize("clf,knobs", [("rf", {"n_estimators": 15}), ("rf", {"n_estimators": 10, "min_samples_leaf": 3}),
                                       ("et", {"n_estimators": 15}), ("nb", {})])
def test_identification_predictions_equal_sklearn(tmp_path, split, clf, knobs):
    ds, train, test = split
    est, hm = _export(tmp_path, ds, train, clf, **knobs)
    idx, scores = hm.predict(ds.X[test])
    pred = np.array(hm.manifest["classes"])[idx]
    assert test.sum() > 200
    np.testing.assert_array_equal(pred, est.predict(ds.X[test]))     # every held-out window
    if clf in ("rf", "et"):   # float32 scores vs scikit-learn's float64 probabilities
        d = np.abs(scores - est.predict_proba(ds.X[test])).max()
        print(f"rf float32 vs scikit-learn max |score diff| = {d:.2e}")
        assert d < 1e-5


@pytest.mark.parametrize("clf", ["rf", "et", "nb"])
def test_authentication_decisions_equal_sklearn(tmp_path, split, clf):
    ds, train, test = split
    est, hm = _export(tmp_path, ds, train, clf, task="authenticate", n_estimators=15)
    dec, score = hm.authenticate(ds.X[test])
    own = list(est.classes_).index("owner")
    p = est.predict_proba(ds.X[test])[:, own]
    np.testing.assert_array_equal(dec, (p >= 0.5).astype(int))
    assert dec.sum() > 0 and (dec == 0).sum() > 0
    if clf == "nb":   # the score is the log-likelihood ratio
        jll = est.predict_joint_log_proba(ds.X[test])
        np.testing.assert_allclose(score, jll[:, own] - jll[:, 1 - own], rtol=1e-3, atol=1e-2)


def test_bundle_contents(tmp_path, split):
    ds, train, _ = split
    _export(tmp_path, ds, train, "nb")
    b = tmp_path / "b"
    for name in CORE_FILES:
        assert (b / name).read_bytes() == (CSRC / name).read_bytes()        # byte-identical core
    m = json.loads((b / "manifest.json").read_text())
    for key in ("task", "classes", "featureset", "sensors", "n_features", "model_hash", "generator", "files_sha256"):
        assert key in m
    assert m["n_features"] == 211 and len(m["classes"]) == 46
    r = subprocess.run(["gcc", "-std=c99", "-Wall", "-Wextra", "-Wpedantic", "-Werror", "-fsyntax-only",
                        f"-I{b}", str(b / "gaitedge_model.c")], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


@settings(max_examples=500, deadline=None)
@given(t=st.floats(-1e6, 1e6, allow_nan=False), x=st.floats(-1e6, 1e6, width=32))
def test_threshold_rounding_keeps_every_decision(t, x):
    f = float_floor(t)
    assert float(f) <= t
    assert (np.float32(x) <= f) == (float(x) <= t)
    x2 = float(f)   # the boundary itself
    assert (np.float32(x2) <= f) == (x2 <= t)


def test_unsupported_models_refused(tmp_path, capsys):
    from gaitedge.cli import main
    (tmp_path / "m").mkdir()
    assert main(["export", str(tmp_path / "m"), "--out", str(tmp_path / "b")]) == 2
    assert "no model.json" in capsys.readouterr().err
