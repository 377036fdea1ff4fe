"""Compile an exported bundle's model C for the host (cffi) and run it on feature rows.

This is the "host-compiled exported model" of the parity checks: the same
gaitedge_model.c that goes on the watch, built with the same flags
(-std=c99 -O2 -ffp-contract=off), called once per window.
"""
from __future__ import annotations

import hashlib
import importlib.util
import os
import sys
import tempfile
from pathlib import Path

import numpy as np
from cffi import FFI

from gaitedge.io import cache_dir

CDEF = """
int ge_model_predict(const float *features, float *scores);
int ge_model_authenticate(const float *features, float *score);
"""


class HostModel:
    """The exported model compiled for this machine."""

    def __init__(self, bundle_dir):
        b = Path(bundle_dir).resolve()
        if not (b / "gaitedge_model.c").exists():
            raise FileNotFoundError(f"{b}: no gaitedge_model.c (not an exported bundle)")
        src = (b / "gaitedge_model.c").read_bytes() + (b / "gaitedge_model.h").read_bytes() + \
            (b / "gaitedge.h").read_bytes()
        key = hashlib.sha256(src).hexdigest()[:16]
        name = f"_ge_model_{key}"
        out = cache_dir("hostmodel")
        so = next(out.glob(f"{name}*.so"), None)
        if so is None:
            ffi = FFI()
            ffi.cdef(CDEF)
            ffi.set_source(name, '#include "gaitedge_model.h"', sources=[str(b / "gaitedge_model.c")],
                           include_dirs=[str(b)], extra_compile_args=["-std=c99", "-O2", "-ffp-contract=off"])
            with tempfile.TemporaryDirectory() as tmp:
                try:
                    built = ffi.compile(tmpdir=tmp, verbose=False)
                except Exception as e:   # cffi.VerificationError and distutils errors
                    raise RuntimeError(f"compiling {b / 'gaitedge_model.c'} for the host failed: {e}") from None
                so = out / Path(built).name
                os.replace(built, so)
        spec = importlib.util.spec_from_file_location(name, so)
        mod = sys.modules.get(name) or importlib.util.module_from_spec(spec)
        if name not in sys.modules:
            spec.loader.exec_module(mod)
            sys.modules[name] = mod
        self.ffi, self.lib = mod.ffi, mod.lib
        from gaitedge.io import read_json
        self.manifest = read_json(b / "manifest.json", ValueError, "not an exported bundle")
        self.n_classes = len(self.manifest["classes"])

    def predict(self, X):
        """-> (class indices (N,), float32 scores (N, n_classes))."""
        X = np.ascontiguousarray(X, dtype=np.float32)
        if X.ndim != 2 or X.shape[1] != self.manifest["n_features"]:
            raise ValueError(f"features must be (N, {self.manifest['n_features']}), got {X.shape}")
        S = np.zeros((len(X), self.n_classes), dtype=np.float32)
        idx = np.zeros(len(X), dtype=np.int64)
        fb = self.ffi.from_buffer
        for i in range(len(X)):
            idx[i] = self.lib.ge_model_predict(fb("float[]", X[i]), fb("float[]", S[i], require_writable=True))
        return idx, S

    def authenticate(self, X):
        """-> (decisions (N,) 1 accept / 0 reject, float32 scores (N,))."""
        X = np.ascontiguousarray(X, dtype=np.float32)
        out = np.zeros(len(X), dtype=np.int64)
        sc = np.zeros(len(X), dtype=np.float32)
        p = self.ffi.new("float *")
        for i in range(len(X)):
            out[i] = self.lib.ge_model_authenticate(self.ffi.from_buffer("float[]", X[i]), p)
            sc[i] = p[0]
        return out, sc
