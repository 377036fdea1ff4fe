"""Data loading: WISDM raw files, generic per-subject CSV, feature tables (ARFF/CSV).

Everything comes back as Recording objects (one subject, one sensor, samples
in file order) or as a FeatureTable. Bad input raises DataError naming the
file and line; nothing is silently dropped except where a documented policy
says so (blank lines; ``on_error="skip"`` counts what it skips).
"""
from __future__ import annotations

import math
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

SENSORS = ("accel", "gyro")
ACTIVITY_NAMES = {"A": "walking", "B": "jogging", "C": "stairs", "D": "sitting"}
MAX_ABS = 1e6   # as GE_MAX_ABS in csrc/gaitedge.h
_WISDM_NAME = re.compile(r"data_(\d+)_(accel|gyro)_(watch|phone)\.txt$")


class DataError(ValueError):
    """Bad input data; the message names the file and (where known) the line."""

    def __init__(self, path, line, msg):
        where = f"{path}:{line}" if line else f"{path}"
        super().__init__(f"{where}: {msg}")
        self.path, self.line = str(path), line


@dataclass
class Recording:
    """One subject's samples from one sensor, in file order."""

    subject: str
    sensor: str
    t_ns: np.ndarray          # int64 (n,)
    xyz: np.ndarray           # float32 (n, 3)
    activity: np.ndarray      # '<U1' (n,)
    source: str = ""
    skipped: int = 0          # lines skipped under on_error="skip"

    def __len__(self):
        return len(self.t_ns)

    def select(self, mask) -> "Recording":
        return Recording(self.subject, self.sensor, self.t_ns[mask], self.xyz[mask],
                         self.activity[mask], self.source, self.skipped)


def parse_activities(spec) -> set | None:
    """'A' | 'all' | 'A,B' -> set of activity codes, or None for all."""
    if spec is None or (isinstance(spec, str) and spec.strip().lower() == "all"):
        return None
    items = spec.split(",") if isinstance(spec, str) else list(spec)
    acts = {a.strip().upper() for a in items if a.strip()}
    if not acts:
        raise ValueError("empty activity list")
    return acts


def _parse_wisdm_lines(path: Path, on_error: str):
    subj, act, ts, vals = [], [], [], []
    skipped = 0
    with open(path, "r", encoding="utf-8", errors="strict", newline=None) as fh:
        try:
            lines = fh.read().splitlines()
        except UnicodeDecodeError as e:
            raise DataError(path, None, f"not a text file ({e.reason})") from None
    for no, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line:
            continue
        err = None
        if not line.endswith(";"):
            err = "line does not end with ';' (truncated?)"
        else:
            parts = line[:-1].split(",")
            if len(parts) != 6:
                err = f"expected 6 comma-separated fields, got {len(parts)}"
            else:
                try:
                    t = int(parts[2])
                    v = (float(parts[3]), float(parts[4]), float(parts[5]))
                except ValueError:
                    err = "non-numeric timestamp or value"
                else:
                    a = parts[1].strip()
                    if not parts[0].strip() or len(a) != 1:
                        err = "bad subject or activity field"
                    elif not all(math.isfinite(x) for x in v):
                        err = "NaN or infinite sample value"
                    elif max(abs(x) for x in v) > MAX_ABS:
                        err = f"sample value beyond {MAX_ABS:g} (no watch sensor reads that)"
        if err:
            if on_error == "skip":
                skipped += 1
                continue
            raise DataError(path, no, f"{err}: {raw[:80]!r}")
        subj.append(parts[0].strip())
        act.append(a)
        ts.append(t)
        vals.append(v)
    return subj, act, ts, vals, skipped


def load_wisdm_file(path, sensor: str | None = None, activities="A", on_error: str = "raise") -> list[Recording]:
    """One WISDM raw file -> one Recording per subject in it (a file may mix subjects)."""
    path = Path(path)
    m = _WISDM_NAME.search(path.name)
    if sensor is None:
        sensor = m.group(2) if m else "accel"
    elif m and m.group(2) != sensor:
        raise DataError(path, None, f"the file name says {m.group(2)}, but {sensor} data was asked for")
    subj, act, ts, vals, skipped = _parse_wisdm_lines(path, on_error)
    if not ts:
        raise DataError(path, None, "no data lines")
    acts = parse_activities(activities)
    subj = np.array(subj)
    act = np.array(act, dtype="<U1")
    t = np.array(ts, dtype=np.int64)
    xyz = np.array(vals, dtype=np.float64).astype(np.float32)
    if sensor == "accel":
        check_looks_like_accel(xyz, path)
    out = []
    for s in dict.fromkeys(subj):  # file order
        keep = subj == s
        if acts is not None:
            keep &= np.isin(act, list(acts))
        if keep.any():
            out.append(Recording(str(s), sensor, t[keep], xyz[keep], act[keep], str(path), skipped))
    return out


def check_looks_like_accel(xyz, path):
    """A wrist accelerometer always sees gravity (mean |a| near 9.8 m/s^2); a gyroscope given
    as accelerometer reads near 0. Warn (not fail: linear-acceleration exports have no gravity)."""
    if len(xyz):
        g = float(np.sqrt((xyz.astype(np.float64) ** 2).sum(axis=1)).mean())
        if g < 3.0:
            warnings.warn(f"{path}: mean |a| is {g:.2f}, far below gravity (9.8 m/s^2): is this gyroscope "
                          f"data given as accelerometer?", stacklevel=3)


def find_wisdm_files(root, sensor: str) -> list[Path]:
    """WISDM raw files of a sensor under root: ../shared layout (raw/accel/...) or the
    dataset's original raw/watch/accel/ layout; both match data_<id>_<sensor>_watch.txt."""
    root = Path(root)
    files = sorted(p for p in root.rglob(f"data_*_{sensor}_watch.txt") if p.is_file())
    return files


def load_csv_file(path, sensor: str = "accel", rate: float | None = None) -> Recording:
    """Generic CSV: columns time (s), x, y, z; header optional; subject = file stem.

    rate (Hz) resamples onto a uniform grid by linear interpolation.
    """
    path = Path(path)
    rows = []
    with open(path, "r", encoding="utf-8", newline=None) as fh:
        for no, raw in enumerate(fh.read().splitlines(), 1):
            line = raw.strip()
            if not line:
                continue
            parts = [p.strip() for p in line.replace(";", ",").split(",")]
            try:
                vals = [float(p) for p in parts]
            except ValueError:
                if not rows and no == 1:
                    continue  # header line
                raise DataError(path, no, f"non-numeric field: {raw[:80]!r}") from None
            if len(vals) != 4:
                raise DataError(path, no, f"expected 4 columns (t, x, y, z), got {len(vals)}")
            if not all(math.isfinite(v) for v in vals):
                raise DataError(path, no, "NaN or infinite value")
            if max(abs(v) for v in vals[1:]) > MAX_ABS:
                raise DataError(path, no, f"sample value beyond {MAX_ABS:g}")
            rows.append(vals)
    if not rows:
        raise DataError(path, None, "no data lines")
    a = np.array(rows, dtype=np.float64)
    t, v = a[:, 0], a[:, 1:]
    if rate:
        if np.any(np.diff(t) <= 0):
            bad = int(np.flatnonzero(np.diff(t) <= 0)[0]) + 2
            raise DataError(path, None, f"time must increase to resample (data row {bad})")
        grid = np.arange(t[0], t[-1] + 1e-12, 1.0 / rate)
        v = np.stack([np.interp(grid, t, v[:, k]) for k in range(3)], axis=1)
        t = grid
    n = len(t)
    return Recording(path.stem, sensor, np.round(t * 1e9).astype(np.int64), v.astype(np.float32),
                     np.full(n, "A", dtype="<U1"), str(path))


def load(path, sensor: str = "accel", activities="A", rate: float | None = None,
         on_error: str = "raise") -> list[Recording]:
    """Load raw recordings of one sensor from a file or directory.

    - a WISDM raw file or a directory holding them (either layout);
    - a directory of generic CSV files (``<subject>.csv``), optionally under
      ``accel/`` and ``gyro/`` subfolders.
    """
    if sensor not in SENSORS:
        raise ValueError(f"sensor must be one of {SENSORS}, got {sensor!r}")
    p = Path(path)
    if not p.exists():
        raise DataError(p, None, "no such file or directory")
    if p.is_file():
        if p.suffix.lower() == ".csv":
            return [load_csv_file(p, sensor, rate)]
        return load_wisdm_file(p, sensor, activities, on_error)
    files = find_wisdm_files(p, sensor)
    if files:
        recs = []
        for f in files:
            recs += load_wisdm_file(f, sensor, activities, on_error)
        return recs
    csvdir = p / sensor if (p / sensor).is_dir() else p
    csvs = sorted(csvdir.glob("*.csv"))
    if csvs:
        return [load_csv_file(f, sensor, rate) for f in csvs]
    raise DataError(p, None, f"no WISDM '{sensor}' files (data_<id>_{sensor}_watch.txt) and no CSV files found")


@dataclass
class FeatureTable:
    """A table of precomputed features (e.g. the lab's ARFF files)."""

    X: np.ndarray                 # float64 (N, F)
    y: np.ndarray                 # class labels (N,)
    columns: list
    extra: dict = field(default_factory=dict)   # other nominal columns, name -> (N,) array
    source: str = ""


def read_arff(path):
    """Minimal ARFF reader (numeric and nominal attributes, dense data) -> (names, rows of strings)."""
    path = Path(path)
    names, rows, in_data = [], [], False
    with open(path, "r", encoding="utf-8", newline=None) as fh:
        for no, raw in enumerate(fh.read().splitlines(), 1):
            line = raw.strip()
            if not line or line.startswith("%"):
                continue
            low = line.lower()
            if not in_data:
                if low.startswith("@attribute"):
                    m = re.match(r"@attribute\s+(\"[^\"]*\"|'[^']*'|\S+)\s+(.*)$", line, re.I)
                    if not m:
                        raise DataError(path, no, "bad @attribute line")
                    names.append(m.group(1).strip("\"'"))
                elif low.startswith("@data"):
                    in_data = True
                continue
            parts = [p.strip() for p in line.split(",")]
            if len(parts) != len(names):
                raise DataError(path, no, f"expected {len(names)} values, got {len(parts)}")
            rows.append(parts)
    if not names:
        raise DataError(path, None, "no @attribute lines: not an ARFF file")
    return names, rows


def load_feature_table(paths, class_column="class", filter_column=None, filter_values=None,
                       drop_columns=()) -> FeatureTable:
    """ARFF or CSV feature tables -> FeatureTable; rows can be filtered on another column
    (e.g. filter_column="ACTIVITY", filter_values={"A"} keeps walking)."""
    if isinstance(paths, (str, Path)):
        p = Path(paths)
        paths = sorted(p.glob("*.arff")) + sorted(p.glob("*.csv")) if p.is_dir() else [p]
    if not paths:
        raise DataError(paths, None, "no .arff or .csv feature files")
    all_names, all_rows, src = None, [], []
    for f in paths:
        f = Path(f)
        if f.suffix.lower() == ".arff":
            names, rows = read_arff(f)
        else:
            lines = [ln for ln in f.read_text(encoding="utf-8").splitlines() if ln.strip()]
            if not lines:
                raise DataError(f, None, "empty file")
            names = [c.strip() for c in lines[0].split(",")]
            rows = [[c.strip() for c in ln.split(",")] for ln in lines[1:]]
            for k, r in enumerate(rows, 2):
                if len(r) != len(names):
                    raise DataError(f, k, f"expected {len(names)} values, got {len(r)}")
        if all_names is None:
            all_names = names
        elif names != all_names:
            raise DataError(f, None, "columns differ from the first file's")
        all_rows += rows
        src.append(str(f))
    if class_column not in all_names:
        raise DataError(paths[0], None, f"no class column {class_column!r} (columns: {', '.join(all_names[:8])}...)")
    if filter_column and filter_column not in all_names:
        raise DataError(paths[0], None, f"no filter column {filter_column!r}")
    arr = np.array(all_rows, dtype=object)
    if filter_column and filter_values:
        arr = arr[np.isin(arr[:, all_names.index(filter_column)].astype(str), list(filter_values))]
    numeric, extra = [], {}
    for j, name in enumerate(all_names):
        if name == class_column or name in drop_columns:
            continue
        col = arr[:, j].astype(str)
        try:
            numeric.append((name, col.astype(np.float64)))
        except ValueError:
            extra[name] = col
    X = np.stack([c for _, c in numeric], axis=1) if numeric else np.zeros((len(arr), 0))
    return FeatureTable(X, arr[:, all_names.index(class_column)].astype(str),
                        [n for n, _ in numeric], extra, ";".join(src))
