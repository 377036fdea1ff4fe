"""Output files: atomic writes (temp file + rename) and feature tables (ARFF, CSV)."""
from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

import numpy as np


@contextlib.contextmanager
def atomic_write(path, mode="w", **kw):
    """Write to a temp file beside `path`, rename over it only on success.
    A failed run leaves no half-written file (and keeps any older one)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, mode, **kw) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)   # mkstemp makes 0600; give the file the usual mode
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _fmt(v):
    return f"{float(v):.9g}"


def write_feature_table(path, names, X, activity, subject, fmt="arff", relation="gaitedge_features"):
    """Features + activity + subject (as `class`) in WEKA's ARFF or CSV; atomic."""
    X = np.asarray(X)
    with atomic_write(path) as fh:
        if fmt == "arff":
            fh.write(f"@relation {relation}\n\n")
            acts = sorted(set(map(str, activity))) or ["A"]
            fh.write(f'@attribute "ACTIVITY" {{ {", ".join(acts)} }}\n')
            for n in names:
                fh.write(f'@attribute "{n}" numeric\n')
            subs = sorted(set(map(str, subject)), key=lambda s: (len(s), s)) or ["0"]
            fh.write(f'@attribute "class" {{ {", ".join(subs)} }}\n\n@data\n')
            for a, row, s in zip(activity, X, subject):
                fh.write(",".join([str(a)] + [_fmt(v) for v in row] + [str(s)]) + "\n")
        elif fmt == "csv":
            fh.write(",".join(["ACTIVITY"] + list(names) + ["class"]) + "\n")
            for a, row, s in zip(activity, X, subject):
                fh.write(",".join([str(a)] + [_fmt(v) for v in row] + [str(s)]) + "\n")
        else:
            raise ValueError(f"format must be arff or csv, got {fmt!r}")


def read_json(path, error=ValueError, missing="not found"):
    """Parse a JSON file; a missing or corrupted file raises `error` naming the file."""
    import json
    path = Path(path)
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        raise error(f"{path.parent}: no {path.name} ({missing})") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise error(f"{path}: corrupted JSON ({e})") from None


def cache_dir(*parts):
    """gaitedge's build cache ($XDG_CACHE_HOME/gaitedge/..., default ~/.cache), created on demand."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    d = Path(base, "gaitedge", *parts)
    d.mkdir(parents=True, exist_ok=True)
    return d
