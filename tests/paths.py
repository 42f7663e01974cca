"""Where the tests find the project and `../shared` (the casus contract's public examples):
defined once. `OT_SHARED` points elsewhere when the project is not run from its own clone, as
in the mutation run (`make mutatie`), which runs the tests from a copy under `mutants/`."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("OT_SHARED") or ROOT.parent / "shared").resolve()
EXAMPLES = SHARED / "examples"
FIXTURES = ROOT / "tests" / "fixtures"
