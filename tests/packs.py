"""A test's own rule pack: one YAML text written into a folder of its own and loaded, as a
beleidsmedewerker's pack folder would be (defined once for the tests that need one)."""

from __future__ import annotations

from pathlib import Path

from engine import Engine


def load_pack(tmp_path: Path, name: str, text: str) -> Engine:
    """The engine over the pack `text` alone, written as `<tmp_path>/<name>/<name>.yaml`."""
    folder = tmp_path / name
    folder.mkdir()
    (folder / f"{name}.yaml").write_text(text, "utf-8")
    return Engine.load([folder])
