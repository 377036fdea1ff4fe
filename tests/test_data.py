"""Loaders on good and malformed input: errors name the file and the line."""
import numpy as np
import pytest

from gaitedge import data
from gaitedge.data import DataError

GOOD = "1600,A,100000000,1.0,2.0,3.0;\n1600,A,150000000,1.5,2.5,3.5;\n"


def _w(tmp_path, text, name="data_1600_accel_watch.txt", mode="w"):
    p = tmp_path / name
    if mode == "wb":
        p.write_bytes(text)
    else:
        p.write_text(text)
    return p


def test_good_file(tmp_path):
    rec, = data.load(_w(tmp_path, GOOD), "accel")
    assert rec.subject == "1600" and len(rec) == 2
    assert rec.xyz.dtype == np.float32 and rec.t_ns.dtype == np.int64
    np.testing.assert_array_equal(rec.xyz[1], np.float32([1.5, 2.5, 3.5]))


@pytest.mark.parametrize("line,msg", [
    ("1600,A,200000000,1.0,2.0", "does not end with ';'"),          # truncated
    ("1600,A,200000000,1.0,2.0,3.0", "does not end with ';'"),      # missing ';'
    ("1600,A,200000000,1.0,2.0;", "expected 6"),                     # wrong column count
    ("1600,A,200000000,1.0,2.0,3.0,4.0;", "expected 6"),
    ("1600,A,200000000,1.0,abc,3.0;", "non-numeric"),
    ("1600,A,2e8x,1.0,2.0,3.0;", "non-numeric"),
    (",A,200000000,1.0,2.0,3.0;", "bad subject"),
])
def test_malformed_lines_name_file_and_line(tmp_path, line, msg):
    p = _w(tmp_path, GOOD + line + "\n")
    with pytest.raises(DataError, match=msg) as e:
        data.load(p, "accel")
    assert f"{p}:3:" in str(e.value)
    recs = data.load(p, "accel", on_error="skip")   # the documented alternative: skip and count
    assert len(recs[0]) == 2 and recs[0].skipped == 1


def test_empty_and_blank_and_crlf(tmp_path):
    with pytest.raises(DataError, match="no data lines"):
        data.load(_w(tmp_path, ""), "accel")
    rec, = data.load(_w(tmp_path, GOOD.replace("\n", "\r\n") + "\r\n\r\n"), "accel")
    assert len(rec) == 2


def test_binary_file(tmp_path):
    with pytest.raises(DataError, match="not a text file"):
        data.load(_w(tmp_path, b"\xff\xfe\x00\x01garbage", mode="wb"), "accel")


def test_non_monotonic_timestamps_kept_in_file_order(tmp_path):
    text = GOOD + "1600,A,120000000,9.0,9.0,9.0;\n"
    rec, = data.load(_w(tmp_path, text), "accel")
    assert list(rec.t_ns) == [100000000, 150000000, 120000000]   # windowing decides (splits there)


def test_mixed_subjects_split_and_activity_filter(tmp_path):
    text = GOOD + "1601,A,100000000,0,0,0;\n1601,B,150000000,0,0,0;\n"
    recs = data.load(_w(tmp_path, text), "accel", activities="all")
    assert [(r.subject, len(r)) for r in recs] == [("1600", 2), ("1601", 2)]
    recs = data.load(_w(tmp_path, text), "accel", activities="B")
    assert [(r.subject, len(r)) for r in recs] == [("1601", 1)]


def test_directory_layouts(tmp_path, wisdm_dir):
    orig = tmp_path / "raw" / "watch" / "gyro"
    orig.mkdir(parents=True)
    (orig / "data_1600_gyro_watch.txt").write_text(GOOD)
    assert len(data.load(tmp_path / "raw", "gyro")) == 1
    with pytest.raises(DataError, match="no WISDM 'accel' files"):
        data.load(tmp_path / "raw", "accel")
    recs = data.load(wisdm_dir / "raw", "accel")
    assert len(recs) == 46 and all(set(r.activity) == {"A"} for r in recs)


def test_missing_path():
    with pytest.raises(DataError, match="no such file"):
        data.load("/nonexistent/x", "accel")


def test_csv_with_header_and_resampling(tmp_path):
    t = np.arange(0, 12, 0.013)   # ~77 Hz
    rows = "\n".join(f"{a:.4f},{np.sin(a)},{np.cos(a)},1" for a in t)
    p = tmp_path / "alice.csv"
    p.write_text("time,x,y,z\n" + rows + "\n")
    rec, = data.load(tmp_path, "accel", rate=20)
    assert rec.subject == "alice"
    assert np.allclose(np.diff(rec.t_ns), 50_000_000, atol=1)
    assert np.allclose(rec.xyz[:, 0], np.sin(rec.t_ns / 1e9), atol=1e-3)
    raw, = data.load(tmp_path, "accel")
    assert len(raw) == len(t)


def test_csv_errors(tmp_path):
    (tmp_path / "bob.csv").write_text("0,1,2,3\n0.05,1,2\n")
    with pytest.raises(DataError, match=r"bob.csv:2: expected 4 columns"):
        data.load(tmp_path, "accel")
    (tmp_path / "bob.csv").write_text("0,1,2,3\n0.05,1,x,3\n")
    with pytest.raises(DataError, match=r"bob.csv:2: non-numeric"):
        data.load(tmp_path, "accel")
    (tmp_path / "bob.csv").write_text("0,1,2,3\n0.0,1,2,3\n")
    with pytest.raises(DataError, match="time must increase"):
        data.load(tmp_path, "accel", rate=20)


def test_feature_table_arff(wisdm_dir):
    t = data.load_feature_table(wisdm_dir / "arff" / "accel", class_column="class",
                                filter_column="ACTIVITY", filter_values={"A"})
    assert t.X.shape[1] == 91 and set(t.extra) == {"ACTIVITY"}
    assert len(set(t.y)) == 19 and (t.extra["ACTIVITY"] == "A").all()
    with pytest.raises(DataError, match="no class column 'user'"):
        data.load_feature_table(wisdm_dir / "arff" / "accel", class_column="user")
