"""Where a comparison's `bij_onbekend` may stand: never where a fact nobody asked could make an
instrument `past_niet`, hide it, or drop a law from stap 2.

`bij_onbekend` lets a comparison count as ja or nee while its fact is onbekend (a presumption an
answer overrides). That is the one place the three-valued logic decides on an unknown, so the
loader holds it to the direction that cannot hurt the inwoner. Kleene logic is monotone: when an
onbekend comparison gets a value `v`, its tree can only move from onbekend to `v` (to `not v`
under an odd number of `niet`), never the other way. Each place a tree stands has a value that
works *against* the inwoner:

| tree | against | why |
|---|---|---|
| voorwaarde, toepassing, grondwaarde | nee | past_niet; the instrument hidden; the law not named |
| uitsluiting, voorliggend with `gevolg: uitsluiting` | ja | past_niet |
| begrenzing, termijn, other voorliggend, controle `binnen` | none | never changes a status |
| afgeleid feit | from its uses | the trees that read it, through `= true`, `= false`, `niet` |

A `bij_onbekend` that pushes its tree toward *against* is refused, with one exception: inside a
branch of the top-level `een_van` of a toepassing or a grondwaarde that has at least one other
branch without such a substitution. That branch then counts only once its fact is known, and
while it is onbekend the tree is what it would be without the branch: it adds a case to the
others, it never removes one (a kinderbeschermingsmaatregel shown on any leefgebied once the
college says it considers one; the voorziening for the ouders of 2.3 lid 3 Jeugdwet once the
casus says the child needs permanent toezicht). Both trees say whether an instrument or a law is
in view for an effect, not whether it is granted; a voorwaarde's branch is a condition of the law
and is asked. A top-level `een_van` of such branches only would hide the instrument on an unknown.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from engine.errors import Problem
from engine.language import Alle, EenVan, Niet, Toets, Vergelijking
from engine.yamlsource import DocPath

if TYPE_CHECKING:
    from engine.loader import LoadedPack

AGAINST_TEXT = {True: "ja", False: "nee"}


@dataclass(frozen=True)
class _Tree:
    lp: LoadedPack
    path: DocPath
    toets: Toets
    waar: str
    """What the tree is, for the message ("een voorwaarde")."""
    against: bool | None
    widens: bool = False
    """A toepassing or grondwaarde: a branch of its top-level `een_van` may count as nee while
    its fact is onbekend (the exception above)."""


_PLACES: dict[str, tuple[str, bool | None]] = {
    "grondwaarden": ("een grondwaarde", False),
    "controles": ("een controle", None),
    "toepassing": ("een toepassing", False),
    "voorwaarden": ("een voorwaarde", False),
    "uitsluitingen": ("een uitsluiting", True),
    "begrenzingen": ("een begrenzing", None),
    "termijnen": ("een termijn", None),
}
"""Per place a tree stands (the section of its path), what it is and what works against the
inwoner. A place missing here fails the check loudly (KeyError) instead of passing unchecked."""


def _tree(lp: LoadedPack, path: DocPath, toets: Toets) -> _Tree:
    """A tree of a pack, its place read from its path (`loader._toetsen` lists them all)."""
    section = str(path[2] if path[0] == "instrumenten" else path[0])
    if section == "voorliggend":
        item = lp.pack.instrumenten[int(path[1])].voorliggend[int(path[3])]
        return _Tree(lp, path, toets, "een voorliggende voorziening met gevolg uitsluiting",
                     True if item.gevolg == "uitsluiting" else None)
    waar, against = _PLACES[section]
    return _Tree(lp, path, toets, waar, against,
                 widens=section in ("toepassing", "grondwaarden"))


def _leaves(toets: Toets, path: DocPath, negated: bool = False
            ) -> Iterator[tuple[Vergelijking, DocPath, bool]]:
    """Every comparison with its path, and whether it stands under an odd number of `niet`.
    (Whether it lies in a branch of a top-level `een_van` needs no flag: under a top-level
    `een_van` every comparison does.)"""
    if isinstance(toets, Vergelijking):
        yield toets, path, negated
    elif isinstance(toets, Alle):
        for j, c in enumerate(toets.alle):
            yield from _leaves(c, (*path, "alle", j), negated)
    elif isinstance(toets, EenVan):
        for j, c in enumerate(toets.een_van):
            yield from _leaves(c, (*path, "een_van", j), negated)
    elif isinstance(toets, Niet):
        yield from _leaves(toets.niet, (*path, "niet"), not negated)


def _has_plain_branch(toets: Toets) -> bool:
    """A top-level `een_van` with at least one branch that counts as nee on no unknown: only
    then do the other branches add a case to something (`een_van: [x bij_onbekend nee]`
    alone would hide the instrument, or drop the law, on an unknown, not widen anything)."""
    if not isinstance(toets, EenVan):
        return False
    return any(not any(leaf.bij_onbekend is not None and
                       ((leaf.bij_onbekend == "ja") ^ negated) is False
                       for leaf, _, negated in _leaves(branch, ()))
               for branch in toets.een_van)


def _reads_reversed(leaf: Vergelijking) -> bool:
    """`afgeleid.x = false` or `!= true` moves the other way from x."""
    return (leaf.op == "=") != (leaf.waarde is True)


def check_bij_onbekend(toetsen: Sequence[tuple[LoadedPack, DocPath, Toets]]) -> list[Problem]:
    """`toetsen`: every condition tree of the packs with its path, as the loader lists them."""
    trees: list[_Tree] = []
    derived: dict[str, list[tuple[LoadedPack, int, Toets]]] = defaultdict(list)
    for lp, path, toets in toetsen:
        if path[0] == "afgeleide_feiten":  # their direction comes from their readers, below
            i = int(path[1])
            derived[lp.pack.afgeleide_feiten[i].id].append((lp, i, toets))
        else:
            trees.append(_tree(lp, path, toets))

    # what each derived fact counts as against, from every tree that reads it (a fixpoint:
    # a derived fact read by another derived fact takes that one's against values)
    against_of: dict[str, set[bool]] = defaultdict(set)
    work: list[tuple[Toets, bool]] = [(t.toets, t.against) for t in trees
                                      if t.against is not None]
    while work:
        toets, against = work.pop()
        for leaf, _, negated in _leaves(toets, ()):
            prefix, _, name = leaf.feit.partition(".")
            if prefix != "afgeleid" or name not in derived:
                continue
            value = against ^ negated ^ _reads_reversed(leaf)
            if value not in against_of[name]:
                against_of[name].add(value)
                work.extend((d[2], value) for d in derived[name])

    for name, versions in derived.items():
        for lp, i, toets in versions:
            for against in sorted(against_of.get(name, ())):
                trees.append(_Tree(lp, ("afgeleide_feiten", i, "toets"), toets,
                                   f"het afgeleide feit '{name}' (zoals het gelezen wordt)",
                                   against))
    problems: list[Problem] = []
    for tree in trees:
        if tree.against is None:
            continue
        # a top-level een_van with a plain branch: every comparison lies in one of its branches
        widening = tree.widens and _has_plain_branch(tree.toets)
        for leaf, path, negated in _leaves(tree.toets, tree.path):
            if leaf.bij_onbekend is None:
                continue
            push = (leaf.bij_onbekend == "ja") ^ negated
            # a widening tree (toepassing, grondwaarde) is against on nee: its nee counts here
            if push != tree.against or widening:
                continue
            problem = tree.lp.doc.problem(
                (*path, "bij_onbekend"),
                f"bij_onbekend: {leaf.bij_onbekend} maakt {tree.waar} "
                f"{AGAINST_TEXT[tree.against]} zolang {leaf.feit} onbekend is: dan zou een "
                "feit dat niemand vroeg een instrument past_niet maken of verbergen. Gebruik "
                "de andere waarde, of (in een toepassing of grondwaarde) zet de vergelijking in "
                "een tak van de bovenste een_van")
            if problem not in problems:
                problems.append(problem)
    return problems
