"""An independent specification of the engine's semantics, for property tests.

Written from the documents (`docs/regeltaal.md`, `docs/ontwerp.md`, `../shared/domain/`) and the
rule YAML read with PyYAML; it imports nothing from `engine/` (a test checks that with `ast`), so
a mistake in the engine's logic, comparison, status or step-2 code shows up as a disagreement.
See `docs/specificatie.md`.

    from tests.spec import advies, load_packs
    spec = advies(load_packs(), casus_dict)
    spec["effecten"]["e1"]["instrumenten"]["wmo.pgb"]   # past / voorwaardelijk / ...
"""

from tests.spec.advies import advies
from tests.spec.packs import load_packs

__all__ = ["advies", "load_packs"]
