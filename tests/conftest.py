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
