"""Model files: no pickle, hash-checked, predictions restored exactly."""
import json

import numpy as np
import pytest

from gaitedge import models
from gaitedge.cli import main


@pytest.mark.parametrize("clf", ["rf", "et", "nb"])
def test_train_save_load_predicts_like_sklearn(tmp_path, clf):
    from gaitedge import evaluate
    ds = evaluate.build_dataset(None, "accel", "paper")
    est = models.make_classifier(clf, 0, n_estimators=20).fit(ds.X[::2], ds.y[::2])
    models.save_model(est, tmp_path, task="identify", classifier=clf, featureset="paper",
                      sensors=["accel"], feature_names=ds.feature_names)
    meta, m = models.load_model(tmp_path)
    assert meta["classes"] == list(est.classes_)
    X = ds.X[1::2]
    np.testing.assert_array_equal(m.predict(X), est.predict(X))
    if clf in ("rf", "et"):
        np.testing.assert_allclose(m.predict_proba(X), est.predict_proba(X), rtol=1e-12, atol=1e-15)
    else:   # log domain (exp amplifies noise); scikit-learn computes float32 input in float32
        np.testing.assert_allclose(m._jll(X), est.predict_joint_log_proba(X), rtol=1e-5, atol=1e-4)
    with np.load(tmp_path / "arrays.npz", allow_pickle=False) as z:   # plain arrays, no objects
        assert all(z[k].dtype != object for k in z.files)


def test_corrupted_or_mismatched_model_refused(tmp_path):
    assert main(["train", "--classifier", "nb", "--out", str(tmp_path)]) == 0
    models.load_model(tmp_path)
    data = bytearray((tmp_path / "arrays.npz").read_bytes())
    data[-30] ^= 0xFF
    (tmp_path / "arrays.npz").write_bytes(bytes(data))
    with pytest.raises(models.ModelFileError, match="sha256"):
        models.load_model(tmp_path)
    meta = json.loads((tmp_path / "model.json").read_text())
    del meta["classes"]
    (tmp_path / "model.json").write_text(json.dumps(meta))
    with pytest.raises(models.ModelFileError, match="missing field 'classes'"):
        models.load_model(tmp_path)
    (tmp_path / "model.json").write_text("{not json")
    with pytest.raises(models.ModelFileError, match="corrupted JSON"):
        models.load_model(tmp_path)
    with pytest.raises(models.ModelFileError, match="no model.json"):
        models.load_model(tmp_path / "nowhere")


def test_train_authenticate_and_refusals(tmp_path, capsys):
    assert main(["train", "--task", "authenticate", "--user", "1603", "--out", str(tmp_path / "a")]) == 0
    meta, m = models.load_model(tmp_path / "a")
    assert meta["user"] == "1603" and meta["threshold"] == 0.5 and sorted(meta["classes"]) == ["other", "owner"]
    assert main(["train", "--task", "authenticate", "--out", str(tmp_path / "b")]) == 2
    assert main(["train", "--task", "authenticate", "--user", "9999", "--out", str(tmp_path / "b")]) == 2
    assert main(["train", "--classifier", "mlp", "--out", str(tmp_path / "b")]) == 2
    assert "only rf, et, nb" in capsys.readouterr().err


def test_train_with_augmentation_fits_on_more_windows(tmp_path):
    assert main(["train", "--classifier", "et", "--trees", "10", "--augment", "1",
                 "--out", str(tmp_path / "aug")]) == 0
    assert main(["train", "--classifier", "et", "--trees", "10", "--out", str(tmp_path / "plain")]) == 0
    a, ma = models.load_model(tmp_path / "aug")
    p, mp = models.load_model(tmp_path / "plain")
    assert a["augment_s"] == 1.0 and p["augment_s"] == 0.0 and a["windows"] == p["windows"]
    # the augmented model was fitted on the shifted windows too: unpruned trees grow with the data
    with np.load(tmp_path / "aug" / "arrays.npz") as za, np.load(tmp_path / "plain" / "arrays.npz") as zp:
        assert za["tree_offsets"][-1] > zp["tree_offsets"][-1]


def test_max_features_knob(tmp_path, capsys):
    assert models.make_classifier("et", 0, max_features=0.2).max_features == 0.2
    assert models.make_classifier("rf", 0).max_features == "sqrt"
    assert main(["train", "--classifier", "rf", "--trees", "5", "--max-features", "log2",
                 "--out", str(tmp_path / "m")]) == 0
    assert models.load_model(tmp_path / "m")[0]["knobs"]["max_features"] == "log2"
    with pytest.raises(SystemExit):
        main(["train", "--max-features", "1.5", "--out", str(tmp_path / "x")])
    assert "a fraction must be in (0, 1]" in capsys.readouterr().err
