"""4. On the Cortex-M4F: flash and worst-case stack of the 46-user, 30-tree forest as stock
m2cgen emits it, as gaitedge emits it (through m2cgen's assembler), as emlearn emits it, and
gaitedge's naive Bayes; each one's agreement with scikit-learn on every window (host build of the
same C). Instructions per window for gaitedge's features and models come from QEMU
(-icount shift=0, SysTick around the call, 40 instructions per tick) in test_bench_serial.py."""
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import pytest

from bench.conftest import ROOT, SHARED, record
from gaitedge import evaluate, models

RF = ROOT / "firmware_models" / "wisdm46_rf30_identify"
NB = ROOT / "firmware_models" / "wisdm46_nb_identify"
M4 = ["-mcpu=cortex-m4", "-mthumb", "-mfloat-abi=hard", "-mfpu=fpv4-sp-d16", "-O2", "-std=c99",
      "-ffp-contract=off", "-fno-math-errno", "-fstack-usage", "-ffunction-sections", "-fdata-sections"]
pytestmark = pytest.mark.skipif(shutil.which("arm-none-eabi-gcc") is None, reason="no ARM toolchain")


def m4_object(c_file, include=(), defines=()):
    """Compile for the M4F -> (flash bytes = text + data, worst single-frame stack, all frames)."""
    obj = Path(c_file).with_suffix(".o")
    r = subprocess.run(["arm-none-eabi-gcc", *M4, *[f"-I{i}" for i in include], *defines, "-c", str(c_file),
                        "-o", str(obj)], capture_output=True, text=True)
    if r.returncode != 0:
        return None, None, r.stderr[-400:]
    out = subprocess.run(["arm-none-eabi-size", str(obj)], capture_output=True, text=True).stdout.splitlines()[1]
    text, data, _ = (int(v) for v in out.split()[:3])
    su = obj.with_suffix(".su").read_text()
    frames = {ln.split("\t")[0].split(":")[-1]: int(ln.split("\t")[1]) for ln in su.splitlines() if ln.strip()}
    return text + data, frames, ""


@pytest.fixture(scope="module")
def forest():
    ds = evaluate.build_dataset(SHARED / "raw", "accel", "extended")
    _, m = models.load_model(RF)
    return ds.X.astype(np.float32), m.to_sklearn()


def test_stock_m2cgen(forest, tmp_path):
    import m2cgen
    X, sk = forest
    src = m2cgen.export_to_c(sk)
    c = tmp_path / "stock.c"
    c.write_text(src)
    flash, frames, err = m4_object(c)
    record("m4", "stock_m2cgen_c_bytes", len(src))
    if flash is None:
        record("m4", "stock_m2cgen_flash", f"does not build: {err.strip().splitlines()[-1] if err else ''}")
    else:
        record("m4", "stock_m2cgen_flash", flash)
        record("m4", "stock_m2cgen_stack_score", frames.get("score"))
    # agreement: the same C on the host (double precision)
    from cffi import FFI
    ffi = FFI()
    ffi.cdef("void score(double * input, double * output);")
    ffi.set_source("_stock_m2cgen", src, extra_compile_args=["-O1"])
    lib = _load(ffi, tmp_path)
    out = ffi.new("double[]", len(sk.classes_))
    pred = []
    for x in X.astype(np.float64):
        lib.score(ffi.from_buffer("double[]", np.ascontiguousarray(x)), out)
        pred.append(int(np.argmax(np.frombuffer(ffi.buffer(out), dtype=np.float64))))
    record("m4", "stock_m2cgen_agreement_with_sklearn", float((sk.classes_[pred] == sk.predict(X)).mean()))


def _load(ffi, tmp):
    import importlib.util
    so = ffi.compile(tmpdir=str(tmp))
    spec = importlib.util.spec_from_file_location(Path(so).name.split(".")[0], so)
    m = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(m)
    return m.lib


@pytest.mark.parametrize("bundle,name", [(RF, "gaitedge_rf30"), (NB, "gaitedge_nb")])
def test_gaitedge_models(bundle, name, tmp_path):
    shutil.copytree(bundle, tmp_path / "b")
    flash, frames, err = m4_object(tmp_path / "b" / "gaitedge_model.c", include=[tmp_path / "b"])
    assert flash, err
    tree = max((v for k, v in frames.items() if k.startswith("ge_tree_")), default=0)
    record("m4", f"{name}_flash", flash)
    record("m4", f"{name}_stack_predict", frames.get("ge_model_predict", 0) + max(tree, frames.get("ge_model_scores", 0)))
    flash_core, _, err = m4_object(ROOT / "csrc" / "ge_features.c", include=[ROOT / "csrc"])
    record("m4", "feature_core_flash", flash_core)


def test_emlearn(forest, tmp_path):
    emlearn = pytest.importorskip("emlearn")
    X, sk = forest
    cm = emlearn.convert(sk, method="inline", dtype="float")
    h = tmp_path / "eml_model.h"
    cm.save(file=str(h), name="ge_eml")
    c = tmp_path / "eml_model.c"
    c.write_text('#include "eml_model.h"\n')
    flash, frames, err = m4_object(c, include=[tmp_path, emlearn.includedir],
                                   defines=["-DEMTREES_MAX_CLASSES=64"])
    record("m4", "emlearn_flash", flash if flash else f"does not build: {err[-200:]}")
    if frames:
        record("m4", "emlearn_stack_predict", max(frames.values()))
    from cffi import FFI
    ffi = FFI()
    ffi.cdef("int32_t ge_eml_predict(const float *features, int32_t features_length);")
    ffi.set_source("_eml_bench", '#include "eml_model.h"', include_dirs=[str(tmp_path), emlearn.includedir],
                   extra_compile_args=["-O1", "-DEMTREES_MAX_CLASSES=64"])
    lib = _load(ffi, tmp_path)
    pred = [lib.ge_eml_predict(ffi.from_buffer("float[]", np.ascontiguousarray(x)), X.shape[1]) for x in X]
    record("m4", "emlearn_agreement_with_sklearn", float((sk.classes_[np.array(pred)] == sk.predict(X)).mean()))
