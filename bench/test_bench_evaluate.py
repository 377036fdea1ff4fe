"""6. `gaitedge evaluate` full run: 4 classifiers x 3 sensors, paper features, 10-fold CV, on the
46-user data, with the parallelism used (scikit-learn n_jobs=2 for the CV folds)."""
import os

from bench.conftest import SHARED, record
from gaitedge import evaluate


def test_evaluate_full_run(benchmark, tmp_path):
    jobs = int(os.environ.get("GAITEDGE_JOBS", 2))
    rep = benchmark.pedantic(evaluate.run, args=(SHARED / "raw",),
                             kwargs=dict(featuresets=("paper",), folds=10, n_jobs=jobs, out=tmp_path,
                                         progress=False), rounds=1, iterations=1)
    record("evaluate", "paper_4x3_wall_seconds", rep["wall_seconds"])
    record("evaluate", "n_jobs", jobs)
