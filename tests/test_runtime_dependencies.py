"""Every third-party module that engine/, service/ and cli/ import is a runtime dependency in
pyproject.toml, not only a dev one: `pip install .` on a server must give a service that starts.
(httpx was imported by service/launch.py and the web client while listed only under `dev`.)"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions

from tests.paths import ROOT

OWN = {"engine", "service", "cli", "tests",
       "mutmut"}  # mutmut's copy of engine/ imports its trampoline (make mutatie)


def _imported_top_level() -> dict[str, str]:
    found: dict[str, str] = {}
    for folder in ("engine", "service", "cli"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            tree = ast.parse(path.read_text("utf-8"))
            for node in ast.walk(tree):
                names = ([a.name for a in node.names] if isinstance(node, ast.Import) else
                         [node.module] if isinstance(node, ast.ImportFrom) and node.module
                         and node.level == 0 else [])
                for name in names:
                    top = name.split(".")[0]
                    if top not in OWN and top not in sys.stdlib_module_names:
                        found.setdefault(top, str(path.relative_to(ROOT)))
    return found


def _names(requirements: list[str]) -> set[str]:
    return {re.split(r"[\[<>=!~ ;]", r, maxsplit=1)[0].lower().replace("_", "-")
            for r in requirements}


def test_every_imported_package_is_a_runtime_dependency() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    runtime = _names(project["dependencies"])
    distributions = packages_distributions()
    missing = []
    for module, where in sorted(_imported_top_level().items()):
        dists = {d.lower().replace("_", "-") for d in distributions.get(module, [])}
        assert dists, f"{module} ({where}) is not installed at all"
        if not dists & runtime:
            missing.append(f"{module} ({where}): from {sorted(dists)}")
    assert not missing, "imported but not a runtime dependency: " + "; ".join(missing)
