"""Storage operations, one transaction each. Nothing stored is updated in place except the casus
head (whose every version is also appended to `casus_versies`) and the chain head.

The advies chain: each advies commits to its trace (`trace_hash`), to the exact casus version it
evaluated (`casus_hash`) and to its predecessor (`keten_hash`). The chain alone has no key, so
it shows a change only to someone who cannot rewrite the database; `service.keten` signs its
head with a key kept outside the database.
"""

from __future__ import annotations

import copy
import hashlib
import re
import uuid
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine import Receipt
from engine.evaluate import trace_hash as canonical_hash
from service.db import GENESIS, Advies, Besluit, Casus, CasusVersie, Keten, Verwerking, now
from service.problems import ApiProblem

if TYPE_CHECKING:
    from service.keten import Signer

KETEN_VERSIE = 2
"""The chain-hash formula of new adviezen (`link_hash`); rows before migration 0003 keep 1."""

ADDRESS = re.compile(r"^(?:(personen|gewenste_effecten)\[([A-Za-z0-9_-]{1,40})\]|"
                     r"(huishouden|financien|netwerk))\.([a-z0-9_]{1,60})$")


def new_id() -> str:
    return str(uuid.uuid4())


def apply_answers(data: dict[str, Any], antwoorden: list[tuple[str, Any]]) -> dict[str, Any]:
    """Set facts by their `nog_uitvragen` address; the caller re-validates the whole casus."""
    out = copy.deepcopy(data)
    problems: list[dict[str, str]] = []
    for i, (address, value) in enumerate(antwoorden):
        m = ADDRESS.match(address)
        if not m:
            problems.append({"name": f"antwoorden[{i}].feit", "code": "invalid",
                             "reason": f"onbekend adres '{address}'"})
            continue
        collection, ident, subject, name = m.groups()
        if collection:
            target = next((x for x in out.get(collection, []) if x.get("id") == ident), None)
            if target is None:
                problems.append({"name": f"antwoorden[{i}].feit", "code": "invalid",
                                 "reason": f"geen {collection} met id '{ident}'"})
                continue
        else:
            target = out.setdefault(subject, {})
        if name in ("id", "rol", "omschrijving", "leefgebied", "persoon"):
            problems.append({"name": f"antwoorden[{i}].feit", "code": "invalid",
                             "reason": f"'{name}' is geen feit om te beantwoorden"})
            continue
        if value is None:
            target.pop(name, None)
        else:
            target[name] = value
    if problems:
        raise ApiProblem(400, "Niet elk antwoord hoort bij een feit van de casus.",
                         invalid=problems)
    return out


def add_casus_version(session: Session, casus: Casus, reden: str, door: str) -> None:
    session.add(CasusVersie(casus_id=casus.id, versie=casus.versie, data=casus.data,
                            afwegingen=casus.afwegingen, reden=reden, door=door,
                            aangemaakt=casus.gewijzigd))


def casus_digest(casus: dict[str, Any]) -> str:
    """sha256 of a casus as evaluated (`trace.casus`), in the engine's one canonical JSON form
    (`engine.evaluate.canonical_json`): the same bytes the trace hash covers."""
    return canonical_hash(casus)


def chain_hash(vorige: str, volgnummer: int, advies_id: str, trace_hash: str,
               aangemaakt: str) -> str:
    """Chain formula 1, of the adviezen stored before migration 0003 (kept so they verify)."""
    text = f"{vorige}|{volgnummer}|{advies_id}|{trace_hash}|{aangemaakt}"
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def link_hash(row: Advies, vorige: str) -> str | None:
    """The row's `keten_hash` by its own formula (`keten_versie`); None for an unknown one.
    Formula 2 hashes the canonical JSON of what was evaluated: the trace, and the casus it
    evaluated (hash, id, version), besides order and predecessor. Not `door`: how an actor is
    named is access control, which a migration may rewrite (0004 does)."""
    if row.keten_versie == 1:
        return chain_hash(vorige, row.volgnummer, row.id, row.trace_hash, row.aangemaakt)
    if row.keten_versie == 2:
        return canonical_hash({
            "keten_versie": 2, "vorige_hash": vorige, "volgnummer": row.volgnummer,
            "id": row.id, "trace_hash": row.trace_hash, "casus_hash": row.casus_hash,
            "casus_id": row.casus_id, "casus_versie": row.casus_versie,
            "aangemaakt": row.aangemaakt})
    return None


def casus_problems(session: Session, row: Advies, casus: Any) -> list[str]:
    """Does the advies still commit to the casus it evaluated? (a) the trace's casus hashes to
    `casus_hash`; (b) for a stored casus, its version row (and the casus head, when that is the
    same version) still hash to it. An empty list: yes."""
    if row.casus_hash is None:
        return ["casus_hash ontbreekt"]
    problems = []
    if not isinstance(casus, dict) or casus_digest(casus) != row.casus_hash:
        problems.append("casus_hash klopt niet met de casus in de trace")
    if row.casus_id is None:
        return problems
    label = f"casus {row.casus_id} versie {row.casus_versie}"
    stored = session.execute(select(CasusVersie.data).where(
        CasusVersie.casus_id == row.casus_id, CasusVersie.versie == row.casus_versie)).first()
    if stored is None:
        problems.append(f"{label} ontbreekt in casus_versies")
    elif casus_digest(stored.data) != row.casus_hash:
        problems.append(f"{label} in casus_versies klopt niet met casus_hash")
    head = session.execute(select(Casus.versie, Casus.data).where(
        Casus.id == row.casus_id)).first()
    if head is None:
        problems.append(f"casus {row.casus_id} ontbreekt in casussen")
    elif head.versie == row.casus_versie and casus_digest(head.data) != row.casus_hash:
        problems.append(f"{label} in casussen klopt niet met casus_hash")
    elif row.casus_versie is not None and head.versie < row.casus_versie:
        problems.append(f"casus {row.casus_id} staat op versie {head.versie}, ouder dan "
                        f"versie {row.casus_versie} van het advies")
    return problems


def store_advies(session: Session, receipt: Receipt, *, casus_id: str | None,
                 casus_versie: int | None, door: str, signer: Signer | None = None) -> Advies:
    """Append an immutable advies to the chain. The chain head row is locked for the
    transaction (SELECT … FOR UPDATE on PostgreSQL; BEGIN IMMEDIATE on SQLite).

    The advies commits to the casus as evaluated (`casus_hash`). For a stored casus, that must
    be the stored version byte for byte (canonical JSON); if it is not (the stored casus was
    changed behind the service's back), nothing is stored: 409. With a `signer`, the new head
    is signed when the interval has come (`service.keten.Signer.sign_if_due`)."""
    head = session.execute(select(Keten).where(Keten.id == 1).with_for_update()).scalar_one()
    trace = receipt.kop
    digest = casus_digest(trace["casus"] if "casus" in trace else receipt.trace["casus"])
    if casus_id is not None:
        stored = session.execute(select(CasusVersie.data).where(
            CasusVersie.casus_id == casus_id, CasusVersie.versie == casus_versie)).first()
        if stored is None or casus_digest(stored.data) != digest:
            raise ApiProblem(409, f"Casus {casus_id} versie {casus_versie}: de opgeslagen versie "
                                  "klopt niet met de casus zoals die is geëvalueerd; er is "
                                  "niets opgeslagen. Sla de casus opnieuw op (PUT).")
    volgnummer = head.volgnummer + 1
    row = Advies(
        id=new_id(), volgnummer=volgnummer, casus_id=casus_id, casus_versie=casus_versie,
        door=door, aangemaakt=now(), peildatum=trace["peildatum"],
        engine_versie=trace["engine"]["versie"],
        pakketten=[{"id": p["id"], "versie": p["versie"], "hash": p["hash"]}
                   for p in trace["pakketten"]],
        trace=receipt.trace_json, trace_hash=receipt.trace_hash, vorige_hash=head.hash,
        casus_hash=digest, keten_versie=KETEN_VERSIE,
    )
    linked = link_hash(row, head.hash)
    assert linked is not None
    row.keten_hash = linked
    session.add(row)
    head.volgnummer = volgnummer
    head.hash = row.keten_hash
    if signer is not None:
        signer.sign_if_due(session, head)
    return row


def verify_chain(session: Session) -> tuple[bool, int, int | None, str]:
    """Walk every advies in order: trace hash, casus hash (`casus_problems`), link to the
    predecessor, chain hash by the row's formula, and the head. The first fault is reported
    with its volgnummer. Signatures are checked by `service.keten.verify`."""
    import json

    previous = GENESIS
    count = 0
    formula = 1
    for row in session.scalars(select(Advies).order_by(Advies.volgnummer)).yield_per(200):
        count += 1
        if row.volgnummer != count:
            return False, count, row.volgnummer, f"volgnummer {row.volgnummer} ontbreekt of " \
                                                 "staat dubbel"
        trace = json.loads(row.trace)
        if canonical_hash(trace) != row.trace_hash:
            return False, count, row.volgnummer, "trace klopt niet met trace_hash"
        problems = casus_problems(session, row, trace.get("casus"))
        if problems:
            return False, count, row.volgnummer, "; ".join(problems)
        if row.vorige_hash != previous:
            return False, count, row.volgnummer, "vorige_hash wijst niet naar de voorganger"
        if row.keten_versie < formula:
            return False, count, row.volgnummer, (f"keten_versie {row.keten_versie} na een "
                                                  f"advies met keten_versie {formula}")
        formula = row.keten_versie
        if link_hash(row, previous) != row.keten_hash:
            return False, count, row.volgnummer, "keten_hash klopt niet"
        previous = row.keten_hash
    head = session.get(Keten, 1)
    if head is None or head.volgnummer != count or head.hash != previous:
        return False, count, None, "de kop van de keten klopt niet met de laatste advies"
    return True, count, None, f"{count} adviezen, keten intact"


def stored_traces(session: Session, sinds: str | None = None, batch: int = 200,
                  deel: tuple[int, int] | None = None) -> Iterator[tuple[str, dict[str, Any]]]:
    """Stored adviezen (id, parsed trace) in chain order, streamed in batches (read-only).
    `deel=(k, n)` selects every n-th advies (volgnummer mod n == k), to spread over processes."""
    import json

    stmt = select(Advies.id, Advies.trace).order_by(Advies.volgnummer)
    if sinds:
        stmt = stmt.where(Advies.aangemaakt >= sinds)
    if deel:
        stmt = stmt.where(Advies.volgnummer % deel[1] == deel[0])
    for advies_id, trace in session.execute(stmt.execution_options(yield_per=batch)):
        yield advies_id, json.loads(trace)


def log_verwerking(session: Session, *, state: Any, naam: str, activiteit: str,
                   betrokkene: str | None, status: str, start: str,
                   advies_id: str | None) -> None:
    session.add(Verwerking(id=new_id(), trace_id=state.trace_id, span_id=state.span_id,
                           parent_span_id=state.parent_span_id, naam=naam,
                           verwerkingsactiviteit=activiteit, betrokkene=betrokkene,
                           status=status, start=start, eind=now(), advies_id=advies_id))


def count(session: Session, model: Any, *where: Any) -> int:
    return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


__all__ = ["Advies", "Besluit", "Casus", "add_casus_version", "apply_answers", "casus_digest",
           "casus_problems", "count", "link_hash", "log_verwerking", "store_advies",
           "verify_chain"]
