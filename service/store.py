"""Storage operations, one transaction each. Nothing stored is updated in place except the casus
head (whose every version is also appended to `casus_versies`) and the chain head."""

from __future__ import annotations

import copy
import hashlib
import re
import uuid
from collections.abc import Iterator
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine import Receipt
from service.db import GENESIS, Advies, Besluit, Casus, CasusVersie, Keten, Verwerking, now
from service.problems import ApiProblem

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


def chain_hash(vorige: str, volgnummer: int, advies_id: str, trace_hash: str,
               aangemaakt: str) -> str:
    text = f"{vorige}|{volgnummer}|{advies_id}|{trace_hash}|{aangemaakt}"
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def store_advies(session: Session, receipt: Receipt, *, casus_id: str | None,
                 casus_versie: int | None, door: str) -> Advies:
    """Append an immutable advies to the chain. The chain head row is locked for the
    transaction (SELECT … FOR UPDATE on PostgreSQL; BEGIN IMMEDIATE on SQLite)."""
    head = session.execute(select(Keten).where(Keten.id == 1).with_for_update()).scalar_one()
    advies_id = new_id()
    aangemaakt = now()
    volgnummer = head.volgnummer + 1
    trace = receipt.kop
    row = Advies(
        id=advies_id, volgnummer=volgnummer, casus_id=casus_id, casus_versie=casus_versie,
        door=door, aangemaakt=aangemaakt, peildatum=trace["peildatum"],
        engine_versie=trace["engine"]["versie"],
        pakketten=[{"id": p["id"], "versie": p["versie"], "hash": p["hash"]}
                   for p in trace["pakketten"]],
        trace=receipt.trace_json, trace_hash=receipt.trace_hash, vorige_hash=head.hash,
        keten_hash=chain_hash(head.hash, volgnummer, advies_id, receipt.trace_hash, aangemaakt),
    )
    session.add(row)
    head.volgnummer = volgnummer
    head.hash = row.keten_hash
    return row


def verify_chain(session: Session) -> tuple[bool, int, int | None, str]:
    """Walk every advies in order: trace hash, link to the predecessor, chain hash, head."""
    import json

    from engine.evaluate import trace_hash as compute

    previous = GENESIS
    count = 0
    for row in session.scalars(select(Advies).order_by(Advies.volgnummer)).yield_per(200):
        count += 1
        if row.volgnummer != count:
            return False, count, row.volgnummer, f"volgnummer {row.volgnummer} ontbreekt of " \
                                                 "staat dubbel"
        if compute(json.loads(row.trace)) != row.trace_hash:
            return False, count, row.volgnummer, "trace klopt niet met trace_hash"
        if row.vorige_hash != previous:
            return False, count, row.volgnummer, "vorige_hash wijst niet naar de voorganger"
        if chain_hash(previous, row.volgnummer, row.id, row.trace_hash,
                      row.aangemaakt) != row.keten_hash:
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


__all__ = ["Advies", "Besluit", "Casus", "add_casus_version", "apply_answers", "count",
           "log_verwerking", "store_advies", "verify_chain"]
