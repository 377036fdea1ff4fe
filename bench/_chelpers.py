"""C loops for the benchmarks (built with cffi like the package): the streaming windower fed
sample by sample, and an exported model run over a batch, both without Python in the loop."""
import hashlib
import importlib.util
import sys
import tempfile
from pathlib import Path

from cffi import FFI

ROOT = Path(__file__).resolve().parent.parent
CSRC = ROOT / "csrc"


def _build(name, cdef, src, sources, include_dirs):
    key = hashlib.sha256((cdef + src + "".join(Path(s).read_text() for s in sources)).encode()).hexdigest()[:12]
    mod = f"_gebench_{name}_{key}"
    if mod in sys.modules:
        return sys.modules[mod]
    out = Path(tempfile.gettempdir()) / "gaitedge-bench"
    out.mkdir(exist_ok=True)
    so = next(out.glob(f"{mod}*.so"), None)
    if so is None:
        ffi = FFI()
        ffi.cdef(cdef)
        ffi.set_source(mod, src, sources=[str(s) for s in sources], include_dirs=[str(d) for d in include_dirs],
                       extra_compile_args=["-std=c99", "-O3", "-ffp-contract=off", "-fno-math-errno"])
        so = Path(ffi.compile(tmpdir=str(out)))
    spec = importlib.util.spec_from_file_location(mod, so)
    m = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(m)
    sys.modules[mod] = m
    return m


def stream_module():
    return _build("stream", "int stream_all(const float *xyz, size_t n, int fs, float *out);", r'''
#include "gaitedge.h"
int stream_all(const float *xyz, size_t n, int fs, float *out)
{
    static float buf[GE_BUF_LEN(GE_WINDOW_LEN)];
    ge_window_t w;
    size_t i;
    int k = 0;
    ge_window_init(&w, buf, GE_WINDOW_LEN, GE_WINDOW_LEN);
    for (i = 0; i < n; i++)
        if (ge_window_push(&w, xyz[3 * i], xyz[3 * i + 1], xyz[3 * i + 2]) == GE_WINDOW_READY && fs >= 0)
            ge_window_features(&w, fs, out + (k++) * GE_MAX_FEATURES);
    return k;
}''', [CSRC / "ge_features.c", CSRC / "ge_window.c"], [CSRC])


def model_module(bundle):
    bundle = Path(bundle).resolve()
    return _build("model", "void predict_all(const float *f, size_t n, size_t nf, int *out);", r'''
#include "gaitedge_model.h"
void predict_all(const float *f, size_t n, size_t nf, int *out)
{
    size_t i;
    for (i = 0; i < n; i++) out[i] = ge_model_predict(f + i * nf, 0);
}''', [bundle / "gaitedge_model.c"], [bundle])
