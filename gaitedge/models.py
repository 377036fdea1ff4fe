"""Classifiers (scikit-learn estimators) and model files without pickle.

- ``nb``: GaussianNB; ``rf``: RandomForestClassifier; ``et``: ExtraTreesClassifier (random
  thresholds; same tree arrays, so it is saved, exported and run exactly like ``rf``);
  ``mlp``: StandardScaler + MLPClassifier;
- ``rotf``: RotationForest (Rodriguez, Kuncheva & Alonso 2006), built here from
  scikit-learn parts: for each tree the features are split at random into
  groups of ``group_size``; for each group a random non-empty subset of the
  classes is drawn, a 75 % bootstrap of those rows is taken, and PCA is fitted
  on it; the (block-diagonal) rotation of all groups' PCA axes feeds a
  DecisionTreeClassifier. Probabilities are averaged over the trees.

Model files: a directory with ``model.json`` (task, classifier, feature set,
sensors, classes, knobs, training summary, sha256 of the arrays file) and
``arrays.npz`` (numeric parameters, loaded with allow_pickle=False). Loading
recomputes and checks the hash. Saved kinds: nb, rf and et (the ones that run on
the watch); rotf and mlp are evaluated but not deployed.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.decomposition import PCA
from sklearn.ensemble import ExtraTreesClassifier, RandomForestClassifier
from sklearn.naive_bayes import GaussianNB
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier
from sklearn.utils.validation import check_is_fitted

CLASSIFIERS = ("nb", "rf", "rotf", "mlp", "et")
CLASSIFIER_NAMES = {"nb": "Naive Bayes", "rf": "Random Forest", "rotf": "Rotation Forest", "mlp": "MLP",
                    "et": "Extra Trees"}
FORESTS = ("rf", "et")         # saved as tree arrays, exported by the forest emitter
DEPLOYABLE = FORESTS + ("nb",)
FORMAT_VERSION = 1


class RotationForest(ClassifierMixin, BaseEstimator):
    """Rotation Forest on scikit-learn parts (PCA per random feature group + decision trees)."""

    def __init__(self, n_estimators=10, group_size=3, sample_fraction=0.75, max_depth=None,
                 random_state=None):
        self.n_estimators = n_estimators
        self.group_size = group_size
        self.sample_fraction = sample_fraction
        self.max_depth = max_depth
        self.random_state = random_state

    def fit(self, X, y):
        X = np.asarray(X, dtype=np.float64)
        y = np.asarray(y)
        rng = np.random.default_rng(self.random_state)
        self.classes_, yi = np.unique(y, return_inverse=True)
        n, d = X.shape
        self.mean_ = X.mean(axis=0)
        Xc = X - self.mean_
        self.rotations_, self.estimators_ = [], []
        for _ in range(self.n_estimators):
            perm = rng.permutation(d)
            R = np.zeros((d, d))
            for g in range(0, d, self.group_size):
                cols = perm[g:g + self.group_size]
                k = len(self.classes_)
                chosen = rng.choice(k, size=rng.integers(1, k + 1), replace=False)
                rows = np.flatnonzero(np.isin(yi, chosen))
                rows = rng.choice(rows, size=max(len(cols) + 1, int(self.sample_fraction * len(rows))), replace=True)
                sub = Xc[np.ix_(rows, cols)]
                if np.ptp(sub, axis=0).max() == 0:   # degenerate group: keep the axes as they are
                    R[np.ix_(cols, cols)] = np.eye(len(cols))
                    continue
                pca = PCA(n_components=len(cols), svd_solver="full").fit(sub)
                comps = pca.components_
                if comps.shape[0] < len(cols):
                    comps = np.vstack([comps, np.zeros((len(cols) - comps.shape[0], len(cols)))])
                R[np.ix_(cols, cols)] = comps.T
            tree = DecisionTreeClassifier(max_depth=self.max_depth, random_state=int(rng.integers(2**31)))
            tree.fit(Xc @ R, yi)
            self.rotations_.append(R)
            self.estimators_.append(tree)
        return self

    def predict_proba(self, X):
        check_is_fitted(self, "estimators_")
        Xc = np.asarray(X, dtype=np.float64) - self.mean_
        P = np.zeros((len(Xc), len(self.classes_)))
        for R, t in zip(self.rotations_, self.estimators_):
            P[:, t.classes_] += t.predict_proba(Xc @ R)
        return P / len(self.estimators_)

    def predict(self, X):
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]


def make_classifier(name: str, seed: int = 0, n_estimators: int | None = None, max_depth: int | None = None,
                    min_samples_leaf: int = 1, n_jobs: int = 1, max_features=None):
    """A fresh estimator for a classifier short name (nb, rf, rotf, mlp, et). max_features (rf, et):
    features tried per split, a fraction in (0, 1] or "sqrt"/"log2"; None = scikit-learn's "sqrt"."""
    mf = "sqrt" if max_features is None else max_features
    if name == "nb":
        return GaussianNB()
    if name == "rf":
        return RandomForestClassifier(n_estimators=n_estimators or 100, max_depth=max_depth, max_features=mf,
                                      min_samples_leaf=min_samples_leaf, random_state=seed, n_jobs=n_jobs)
    if name == "et":
        return ExtraTreesClassifier(n_estimators=n_estimators or 100, max_depth=max_depth, max_features=mf,
                                    min_samples_leaf=min_samples_leaf, random_state=seed, n_jobs=n_jobs)
    if name == "rotf":     # 10 rotations (WEKA's default, as the paper ran it); --trees sizes rf and et
        return RotationForest(n_estimators=10, max_depth=max_depth, random_state=seed)
    if name == "mlp":
        return make_pipeline(StandardScaler(), MLPClassifier(hidden_layer_sizes=(128,), max_iter=800,
                                                             alpha=1e-3, random_state=seed))
    raise ValueError(f"unknown classifier {name!r}; choose from {', '.join(CLASSIFIERS)}")


# ---------------------------------------------------------------- model files (no pickle)

def _forest_arrays(rf):
    trees = [e.tree_ for e in rf.estimators_]
    offs = np.cumsum([0] + [t.node_count for t in trees])
    cat = lambda f: np.concatenate([f(t) for t in trees])  # noqa: E731
    return {
        "tree_offsets": offs.astype(np.int64),
        "children_left": cat(lambda t: t.children_left).astype(np.int64),
        "children_right": cat(lambda t: t.children_right).astype(np.int64),
        "feature": cat(lambda t: t.feature).astype(np.int64),
        "threshold": cat(lambda t: t.threshold).astype(np.float64),
        # leaf values only (internal nodes' values play no part in prediction): zeros compress away
        "value": np.concatenate([np.where((t.children_left < 0)[:, None], t.value[:, 0, :], 0.0)
                                 for t in trees]).astype(np.float64),
        "n_features": np.array([rf.n_features_in_], dtype=np.int64),
    }


class ForestModel:
    """A random forest restored from arrays: predict_proba exactly as scikit-learn computes it."""

    def __init__(self, arrays, classes):
        self.a = arrays
        self.classes_ = np.asarray(classes)

    @property
    def n_trees(self):
        return len(self.a["tree_offsets"]) - 1

    def tree_nodes(self, k):
        o0, o1 = self.a["tree_offsets"][k], self.a["tree_offsets"][k + 1]
        return {key: self.a[key][o0:o1] for key in ("children_left", "children_right", "feature", "threshold", "value")}

    def predict_proba(self, X):
        X = np.asarray(X, dtype=np.float32)
        P = np.zeros((len(X), len(self.classes_)))
        for k in range(self.n_trees):
            t = self.tree_nodes(k)
            node = np.zeros(len(X), dtype=np.int64)
            while True:
                left = t["children_left"][node]
                leaf = left < 0
                if leaf.all():
                    break
                f = np.where(leaf, 0, t["feature"][node])
                go_left = X[np.arange(len(X)), f] <= t["threshold"][node]
                node = np.where(leaf, node, np.where(go_left, left, t["children_right"][node]))
            v = t["value"][node]
            P += v / v.sum(axis=1, keepdims=True)
        return P / self.n_trees

    def predict(self, X):
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]

    def to_sklearn(self):
        """Rebuild the scikit-learn RandomForestClassifier (for m2cgen's assembler and parity checks)."""
        from sklearn.tree._tree import Tree
        n_classes = len(self.classes_)
        n_features = int(self.a["n_features"][0]) if "n_features" in self.a else int(self.a["feature"].max()) + 1
        proto = DecisionTreeClassifier(max_depth=1).fit([[0.0] * n_features, [1.0] * n_features], [0, 1])
        dtype = proto.tree_.__getstate__()["nodes"].dtype
        rf = RandomForestClassifier(n_estimators=self.n_trees)
        rf.estimators_ = []
        for k in range(self.n_trees):
            t = self.tree_nodes(k)
            nodes = np.zeros(len(t["feature"]), dtype=dtype)
            nodes["left_child"], nodes["right_child"] = t["children_left"], t["children_right"]
            nodes["feature"], nodes["threshold"] = t["feature"], t["threshold"]
            nodes["n_node_samples"] = 1
            nodes["weighted_n_node_samples"] = 1.0
            depth = _depth(t["children_left"], t["children_right"])
            tree = Tree(n_features, np.array([n_classes], dtype=np.intp), 1)
            tree.__setstate__({"max_depth": depth, "node_count": len(nodes), "nodes": nodes,
                               "values": t["value"][:, None, :].astype(np.float64)})
            est = DecisionTreeClassifier()
            est.tree_, est.n_outputs_, est.n_classes_ = tree, 1, n_classes
            est.classes_, est.n_features_in_ = np.arange(n_classes), n_features
            rf.estimators_.append(est)
        rf.classes_, rf.n_classes_, rf.n_outputs_, rf.n_features_in_ = self.classes_, n_classes, 1, n_features
        rf.estimator_ = DecisionTreeClassifier()
        return rf


def _depth(left, right):
    depth, stack = 0, [(0, 0)]
    while stack:
        node, d = stack.pop()
        depth = max(depth, d)
        if left[node] >= 0:
            stack += [(left[node], d + 1), (right[node], d + 1)]
    return depth


class NBModel:
    """Gaussian naive Bayes restored from arrays (scikit-learn's joint log-likelihood)."""

    def __init__(self, arrays, classes):
        self.a = arrays
        self.classes_ = np.asarray(classes)

    def _jll(self, X):
        X = np.asarray(X, dtype=np.float64)
        th, var, prior = self.a["theta"], self.a["var"], self.a["class_prior"]
        jll = np.log(prior)[None, :] - 0.5 * np.sum(np.log(2 * np.pi * var), axis=1)[None, :]
        return jll - 0.5 * (((X[:, None, :] - th[None]) ** 2) / var[None]).sum(axis=2)

    def to_sklearn(self):
        """A fitted scikit-learn GaussianNB with these parameters."""
        nb = GaussianNB()
        nb.classes_ = self.classes_
        nb.theta_, nb.var_, nb.class_prior_ = self.a["theta"], self.a["var"], self.a["class_prior"]
        nb.epsilon_ = float(self.a["epsilon"][0]) if "epsilon" in self.a else 0.0
        nb.class_count_ = self.a["class_prior"].copy()
        nb.n_features_in_ = self.a["theta"].shape[1]
        return nb

    def predict_proba(self, X):
        j = self._jll(X)
        j = np.exp(j - j.max(axis=1, keepdims=True))
        return j / j.sum(axis=1, keepdims=True)

    def predict(self, X):
        return self.classes_[np.argmax(self._jll(X), axis=1)]


def write_npz(fh, arrays):
    """A compressed .npz that is byte-for-byte reproducible (fixed zip timestamps, sorted names),
    so the same training run gives the same model hash. np.load(..., allow_pickle=False) reads it."""
    import io
    import zipfile
    with zipfile.ZipFile(fh, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name in sorted(arrays):
            buf = io.BytesIO()
            np.lib.format.write_array(buf, np.ascontiguousarray(arrays[name]), allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, buf.getvalue())


def _sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def save_model(est, out_dir, *, task, classifier, featureset, sensors, feature_names, extra=None):
    """Save an nb, rf or et estimator as model.json + arrays.npz (atomically, no pickle)."""
    from gaitedge.io import atomic_write
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    if classifier in FORESTS:
        arrays = _forest_arrays(est)
    elif classifier == "nb":
        arrays = {"theta": est.theta_, "var": est.var_, "class_prior": est.class_prior_,
                  "epsilon": np.array([est.epsilon_])}
    else:
        raise ValueError(f"only {', '.join(DEPLOYABLE)} models are saved for deployment, not {classifier!r}")
    with atomic_write(out / "arrays.npz", "wb") as fh:
        write_npz(fh, arrays)
    meta = {
        "format_version": FORMAT_VERSION, "task": task, "classifier": classifier,
        "featureset": featureset, "sensors": list(sensors), "feature_names": list(feature_names),
        "n_features": len(feature_names), "classes": [str(c) for c in est.classes_],
        "arrays_sha256": _sha256(out / "arrays.npz"),
    }
    meta.update(extra or {})
    with atomic_write(out / "model.json") as fh:
        json.dump(meta, fh, indent=2)
    return meta


class ModelFileError(ValueError):
    pass


def load_model(model_dir):
    """-> (meta dict, ForestModel | NBModel); refuses a file whose hash or fields do not match."""
    from gaitedge.io import read_json
    d = Path(model_dir)
    meta = read_json(d / "model.json", ModelFileError, "not a gaitedge model directory")
    for key in ("format_version", "classifier", "classes", "arrays_sha256", "n_features", "featureset"):
        if key not in meta:
            raise ModelFileError(f"{d / 'model.json'}: missing field {key!r}")
    if meta["format_version"] != FORMAT_VERSION:
        raise ModelFileError(f"{d}: model format {meta['format_version']}, this gaitedge reads {FORMAT_VERSION}")
    if not (d / "arrays.npz").exists():
        raise ModelFileError(f"{d}: arrays.npz missing")
    if _sha256(d / "arrays.npz") != meta["arrays_sha256"]:
        raise ModelFileError(f"{d / 'arrays.npz'}: sha256 differs from model.json (corrupted or replaced)")
    with np.load(d / "arrays.npz", allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    cls = ForestModel if meta["classifier"] in FORESTS else NBModel
    return meta, cls(arrays, meta["classes"])
