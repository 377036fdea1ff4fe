"""The committed firmware_models/: reproducible from their command, consistent with csrc/, within budget."""
import json
import os
import subprocess
from pathlib import Path

import pytest

from gaitedge import device
from gaitedge.export.bundle import CORE_FILES, CSRC

ROOT = Path(__file__).resolve().parent.parent
BUNDLES = sorted(p for p in (ROOT / "firmware_models").iterdir() if (p / "manifest.json").exists())


def test_there_are_real_models():
    names = {b.name for b in BUNDLES}
    assert {"wisdm46_rf30_identify", "wisdm46_nb_identify", "wisdm1600_rf30_authenticate"} <= names


@pytest.mark.parametrize("bundle", BUNDLES, ids=lambda p: p.name)
def test_bundle_core_is_csrc(bundle):
    m = json.loads((bundle / "manifest.json").read_text())
    for name in CORE_FILES:
        assert (bundle / name).read_bytes() == (CSRC / name).read_bytes(), \
            f"{bundle.name}/{name} differs from csrc/: rerun tools/make_firmware_models.sh"
    import hashlib
    for name, h in m["files_sha256"].items():
        assert hashlib.sha256((bundle / name).read_bytes()).hexdigest() == h


def test_reproducible_from_the_command(tmp_path, wisdm_dir):
    env = dict(os.environ, OUT=str(tmp_path), DATA=str(wisdm_dir / "raw"))
    r = subprocess.run(["bash", str(ROOT / "tools" / "make_firmware_models.sh")], cwd=ROOT, env=env,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    for b in BUNDLES:
        old = json.loads((b / "manifest.json").read_text())
        new = json.loads((tmp_path / b.name / "manifest.json").read_text())
        assert new["model_hash"] == old["model_hash"], b.name
        assert new["files_sha256"] == old["files_sha256"], b.name


@pytest.mark.parametrize("target", ["host", "cortex-m4"])
def test_forest_builds_within_budget(target, tmp_path):
    if device.toolchain_missing(target):
        pytest.skip(f"{target} toolchain not installed ({device.INSTALL_HINT})")
    b = ROOT / "firmware_models" / "wisdm46_rf30_identify"
    elf = device.build(b, target, build_dir=tmp_path / target)
    rep = device.size_report(elf, target)
    c = rep["components"]
    assert c["model"]["flash"] > 10_000 and c["features"]["flash"] > 1_000
    if target == "cortex-m4":
        assert c["model"]["flash"] + c["features"]["flash"] + c["protocol+app"]["flash"] <= 256 * 1024
        assert rep["stack"]["features"] <= 4096 and rep["stack"]["model"] <= 4096
        assert "ge_features" in rep["stack"]["features_path"]
