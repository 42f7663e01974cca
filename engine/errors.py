"""Error types of the engine's public API.

Every error that a person can fix carries *all* problems at once, each with where it is
(`bestand:regel:kolom` for YAML, a field path for a casus), so an author fixes a pack in one pass.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Problem(BaseModel):
    """One located problem in a rule pack, a YAML test or a casus."""

    model_config = ConfigDict(frozen=True)

    bestand: str | None = None
    regel: int | None = None
    kolom: int | None = None
    pad: str
    melding: str

    def render(self) -> str:
        where = ""
        if self.bestand:
            where = f"{self.bestand}:{self.regel or 1}:{self.kolom or 1}: "
        return f"{where}{self.pad}: {self.melding}"


class ProblemsError(Exception):
    """Base for errors that carry a list of problems."""

    kind = "fout"

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=lambda p: (p.bestand or "", p.regel or 0,
                                                        p.kolom or 0, p.pad, p.melding))
        super().__init__("\n".join(p.render() for p in self.problems))


class PackError(ProblemsError):
    """A rule pack (or a set of packs) does not validate."""

    kind = "regelpakket"


class CasusError(ProblemsError):
    """A casus does not fit the casus contract or the facts the packs declare."""

    kind = "casus"


class CoverageError(CasusError):
    """The casus is valid, but on its peildatum not every law has a rule pack in force.

    Answering anyway would silently drop that law ("geen grondwaarde"); the message names the
    dates the rule base covers.
    """

    kind = "peildatum"


class EngineError(RuntimeError):
    """The inference backend failed; never caused by user input, always a defect to report."""
