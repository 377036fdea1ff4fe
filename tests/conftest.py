import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("GAITEDGE_SHARED", ROOT.parent / "shared"))
WISDM = SHARED / "data" / "wisdm2019-watch"


@pytest.fixture(scope="session")
def wisdm_dir():
    if not (WISDM / "raw").is_dir():
        pytest.fail(f"real data not found at {WISDM} (set GAITEDGE_SHARED)")
    return WISDM

from hypothesis import settings  # noqa: E402

# CI runs a fixed (derandomised) set of examples so a run is reproducible; locally every run
# explores new ones (and remembers failures in .hypothesis/).
settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
