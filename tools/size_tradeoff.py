"""Flash vs accuracy of random-forest knobs on the real data (46 users, accel, extended features).

    python tools/size_tradeoff.py [--data ../shared/data/wisdm2019-watch/raw] [--out docs/results/size_tradeoff.json]

For each (trees, max_depth, min_samples_leaf): 10-fold CV identification accuracy,
then a model trained on all windows is exported and built for the Cortex-M4;
its flash (model object) and the stack of the inference path are read from the build.
"""
import argparse
import json
import tempfile
from pathlib import Path

from gaitedge import device, evaluate, models
from gaitedge.export import export_model
from gaitedge.io import atomic_write

ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
ap.add_argument("--data", default="../shared/data/wisdm2019-watch/raw")
ap.add_argument("--sensor", default="accel")
ap.add_argument("--featureset", default="extended")
ap.add_argument("--out", default="docs/results/size_tradeoff.json")
a = ap.parse_args()
ds = evaluate.build_dataset(a.data, a.sensor, a.featureset)
rows = []
for trees, depth, leaf in [(10, None, 1), (30, None, 1), (30, 12, 1), (30, None, 3), (50, None, 2), (100, None, 1)]:
    knobs = {"n_estimators": trees, "max_depth": depth, "min_samples_leaf": leaf}
    acc = evaluate.identification(ds, "rf", folds=10, seed=0, n_jobs=2, **knobs)["accuracy"]
    with tempfile.TemporaryDirectory() as tmp:
        est = models.make_classifier("rf", 0, n_jobs=2, **knobs).fit(ds.X, ds.y)
        models.save_model(est, f"{tmp}/m", task="identify", classifier="rf", featureset=a.featureset,
                          sensors=[a.sensor], feature_names=ds.feature_names)
        export_model(f"{tmp}/m", f"{tmp}/b")
        c_bytes = Path(f"{tmp}/b/gaitedge_model.c").stat().st_size
        elf = device.build(f"{tmp}/b", "cortex-m4", build_dir=f"{tmp}/build")
        rep = device.size_report(elf, "cortex-m4")
    row = {**knobs, "cv_accuracy": acc, "model_c_bytes": c_bytes,
           "model_flash": rep["components"]["model"]["flash"], "total_flash": rep["total"]["flash"],
           "stack_model": rep["stack"]["model"], "stack_features": rep["stack"]["features"]}
    print(row, flush=True)
    rows.append(row)
with atomic_write(a.out) as fh:
    json.dump({"data": a.data, "sensor": a.sensor, "featureset": a.featureset, "rows": rows}, fh, indent=1)
