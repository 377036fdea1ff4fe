"""The command line: features to ARFF/CSV, clean errors, atomic outputs, the demo."""
import subprocess
import sys

import numpy as np

from gaitedge import data
from gaitedge.cli import main


def test_features_wisdm_arff_matches_lab_columns(tmp_path, wisdm_dir):
    out = tmp_path / "f.arff"
    raw = wisdm_dir / "raw" / "gyro" / "data_1603_gyro_watch.txt"
    assert main(["features", str(raw), "--sensor", "gyro", "--featureset", "wisdm", "--windowing", "wisdm",
                 "--activities", "all", "-o", str(out)]) == 0
    names, rows = data.read_arff(out)
    lab_names, lab_rows = data.read_arff(wisdm_dir / "arff" / "gyro" / "data_1603_gyro_watch.arff")
    assert names[0] == "ACTIVITY" and names[-1] == "class" and "RESULTANT" in names
    assert len(rows) == len(lab_rows)
    for col in ("X3", "YPEAK", "ZSTANDDEV", "RESULTANT"):
        a = np.array([float(r[names.index(col)]) for r in rows])
        b = np.array([float(r[lab_names.index(col)]) for r in lab_rows])
        np.testing.assert_allclose(a, b, rtol=1e-5)


def test_features_csv_paper(tmp_path, wisdm_dir):
    out = tmp_path / "f.csv"
    assert main(["features", str(wisdm_dir / "raw" / "accel"), "--format", "csv", "-o", str(out)]) == 0
    t = data.load_feature_table(out, class_column="class")
    assert t.X.shape[1] == 43 and len(set(t.y)) == 46


def test_bad_input_one_clear_error_no_file(tmp_path, capsys):
    bad = tmp_path / "data_1_accel_watch.txt"
    bad.write_text("1,A,1,2,3,4;\n1,A,2,2,x,4;\n")
    out = tmp_path / "o.arff"
    assert main(["features", str(bad), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"{bad}:2:" in err and "Traceback" not in err
    assert not out.exists() and list(tmp_path.iterdir()) == [bad]


def test_no_windows_is_an_error(tmp_path):
    short = tmp_path / "data_1_accel_watch.txt"
    short.write_text("".join(f"1,A,{i * 50_000_000},1,2,3;\n" for i in range(150)))
    r = subprocess.run([sys.executable, "-m", "gaitedge", "features", str(short), "-o", str(tmp_path / "o")],
                       capture_output=True, text=True)
    assert r.returncode != 0 and "no complete paper windows" in r.stderr


def test_demo_runs():
    r = subprocess.run([sys.executable, "-m", "gaitedge", "demo"], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    assert "12 subjects" in r.stdout


def test_help_explains():
    r = subprocess.run([sys.executable, "-m", "gaitedge", "features", "--help"], capture_output=True, text=True)
    assert r.returncode == 0 and "--featureset" in r.stdout and "wisdm" in r.stdout
