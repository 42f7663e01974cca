"""Storage operations, one transaction each. Nothing stored is updated in place except the casus
head (whose every version is also appended to `casus_versies`) and the chain head.

The chain: each advies commits to its trace (`trace_hash`), to the exact casus version it
evaluated (`casus_hash`), to who made it (`door`) and to its predecessor (`keten_hash`); each
besluit is a link of the same chain and commits to everything it says and who said it. One
chain with one head, so one signed head (`service.keten`) covers adviezen and besluiten. The
chain alone has no key, so it shows a change only to someone who cannot rewrite the database.
"""

from __future__ import annotations

import copy
import hashlib
import heapq
import hmac
import re
import uuid
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine import Receipt
from engine.evaluate import trace_hash as canonical_hash
from service.db import GENESIS, Advies, Besluit, Casus, CasusVersie, Keten, Verwerking, now
from service.problems import ApiProblem

if TYPE_CHECKING:
    from service.keten import Signer

KETEN_VERSIE = 3
"""The chain-hash formula of new adviezen and besluiten (`link_hash`). Adviezen stored before
migration 0003 keep formula 1, those before 0005 formula 2: each row verifies by its own."""

BESLUIT_VELDEN = ("id", "volgnummer", "advies_id", "casus_id", "versie", "vervangt",
                  "instrumenten", "motivering", "zaak_url", "door", "aangemaakt")
"""What a besluit's link hashes (formula 3): all it says, who said it, and when."""

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


def link_hash(row: Advies | Besluit, vorige: str) -> str | None:
    """The row's `keten_hash` by its own formula (`keten_versie`); None for an unknown one.
    Formula 2 hashes the canonical JSON of what was evaluated: the trace, and the casus it
    evaluated (hash, id, version), besides order and predecessor. Formula 3 adds who made it
    (`door`) and a `soort`, so an advies link can never pass for a besluit link; a besluit
    has only formula 3 (`besluit_link_hash`). Formulas 1 and 2 left `door` out, so for rows
    made before migration 0005 the actor is not tamper-evident (docs/keten.md)."""
    if isinstance(row, Besluit):
        if row.keten_versie != 3:
            return None
        return besluit_link_hash({k: getattr(row, k) for k in BESLUIT_VELDEN}, vorige)
    if row.keten_versie == 1:
        return chain_hash(vorige, row.volgnummer, row.id, row.trace_hash, row.aangemaakt)
    fields = {"vorige_hash": vorige, "volgnummer": row.volgnummer, "id": row.id,
              "trace_hash": row.trace_hash, "casus_hash": row.casus_hash,
              "casus_id": row.casus_id, "casus_versie": row.casus_versie,
              "aangemaakt": row.aangemaakt}
    if row.keten_versie == 2:
        return canonical_hash({"keten_versie": 2, **fields})
    if row.keten_versie == 3:
        return canonical_hash({"keten_versie": 3, "soort": "advies", **fields,
                               "door": row.door})
    return None


def besluit_link_hash(besluit: Mapping[str, Any], vorige: str) -> str:
    """Formula 3 of a besluit, over a mapping with `BESLUIT_VELDEN` (an ORM row or, in
    migration 0005, a plain database row): the canonical JSON of every field and the
    predecessor."""
    return canonical_hash({"keten_versie": 3, "soort": "besluit", "vorige_hash": vorige,
                           **{k: besluit[k] for k in BESLUIT_VELDEN}})


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


def store_besluit(session: Session, *, advies: Advies, instrumenten: list[dict[str, Any]],
                  motivering: str, zaak_url: str | None, door: str,
                  vervangt: Besluit | None = None, signer: Signer | None = None) -> Besluit:
    """Append a besluit (a new one, or a correction of `vervangt`) to the chain, under the
    same head lock as `store_advies`. A besluit that was already replaced cannot be replaced
    again (409): corrections form one line of versions, never a fork, and nothing stored is
    overwritten."""
    head = session.execute(select(Keten).where(Keten.id == 1).with_for_update()).scalar_one()
    if vervangt is not None:
        newer = session.scalar(select(Besluit.id).where(Besluit.vervangt == vervangt.id))
        if newer is not None:
            raise ApiProblem(409, f"Besluit {vervangt.id} is al vervangen door besluit {newer}; "
                                  "corrigeer de nieuwste versie.",
                             invalid=[{"name": "vervangt", "code": "conflict",
                                       "reason": f"al vervangen door {newer}"}])
    volgnummer = head.volgnummer + 1
    row = Besluit(id=new_id(), advies_id=advies.id, casus_id=advies.casus_id,
                  instrumenten=instrumenten, motivering=motivering, zaak_url=zaak_url,
                  door=door, aangemaakt=now(),
                  versie=1 if vervangt is None else vervangt.versie + 1,
                  vervangt=None if vervangt is None else vervangt.id, volgnummer=volgnummer,
                  vorige_hash=head.hash, keten_versie=KETEN_VERSIE)
    row.keten_hash = besluit_link_hash({k: getattr(row, k) for k in BESLUIT_VELDEN}, head.hash)
    session.add(row)
    head.volgnummer = volgnummer
    head.hash = row.keten_hash
    if signer is not None:
        signer.sign_if_due(session, head)
    return row


def chain_records(session: Session) -> Iterator[Advies | Besluit]:
    """Every link of the chain in order: adviezen and chained besluiten, merged by
    volgnummer (two streams, so memory stays flat on a long chain)."""
    adviezen = session.scalars(select(Advies).order_by(Advies.volgnummer)).yield_per(200)
    besluiten = session.scalars(select(Besluit).where(Besluit.volgnummer.is_not(None))
                                .order_by(Besluit.volgnummer)).yield_per(200)
    return heapq.merge(adviezen, besluiten, key=lambda r: r.volgnummer or 0)


def _counted(adviezen: int, besluiten: int) -> str:
    return f"{adviezen} adviezen" + (f" en {besluiten} besluiten" if besluiten else "")


def verify_chain(session: Session) -> tuple[bool, int, int | None, str]:
    """Walk every link in order (adviezen and besluiten): for an advies its trace hash, casus
    hash (`casus_problems`); for each the link to the predecessor, the chain hash by the row's
    formula, and at the end the head. A besluit outside the chain (a row inserted behind the
    service's back) is a fault too. The first fault is reported with its volgnummer; `count`
    is the number of links. Signatures are checked by `service.keten.verify`."""
    import json

    previous = GENESIS
    count = besluiten = 0
    formula = 1
    for row in chain_records(session):
        count += 1
        if row.volgnummer != count:
            return False, count, row.volgnummer, f"volgnummer {row.volgnummer} ontbreekt of " \
                                                 "staat dubbel"
        if isinstance(row, Besluit):
            besluiten += 1
            if row.vorige_hash != previous:
                return False, count, row.volgnummer, (f"besluit {row.id}: vorige_hash wijst "
                                                      "niet naar de voorganger")
            if link_hash(row, previous) != row.keten_hash:
                return False, count, row.volgnummer, f"besluit {row.id}: keten_hash klopt niet"
            previous = row.keten_hash or ""
            formula = max(formula, 3)  # besluiten exist only since formula 3
            continue
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
    outside = session.scalars(select(Besluit.id).where(Besluit.volgnummer.is_(None))
                              .order_by(Besluit.aangemaakt, Besluit.id).limit(3)).all()
    if outside:
        return False, count, None, ("besluit buiten de keten (zonder volgnummer): "
                                    + ", ".join(outside))
    return True, count, None, f"{_counted(count - besluiten, besluiten)}, keten intact"


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


def pseudonym(sleutel: str, casus_id: str | None) -> str | None:
    """The betrokkene in the processing log: a keyed hash of the casus id, so an exported log
    names nobody, while whoever holds the key can still find every record of one casus."""
    if casus_id is None:
        return None
    mac = hmac.new(sleutel.encode(), casus_id.encode(), hashlib.sha256)
    return "psn:" + mac.hexdigest()[:32]


def log_verwerking(session: Session, *, state: Any, naam: str, activiteit: str,
                   betrokkene: str | None, status: str, start: str,
                   advies_id: str | None, besluit_id: str | None = None,
                   door: str | None = None) -> None:
    """One record of the processing log (`Verwerking`): ids, actor, action, time; the caller
    commits it together with what it records."""
    session.add(Verwerking(id=new_id(), trace_id=state.trace_id, span_id=state.span_id,
                           parent_span_id=state.parent_span_id, naam=naam,
                           verwerkingsactiviteit=activiteit, betrokkene=betrokkene,
                           status=status, start=start, eind=now(), advies_id=advies_id,
                           besluit_id=besluit_id, door=door))


def count(session: Session, model: Any, *where: Any) -> int:
    return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


__all__ = ["Advies", "Besluit", "Casus", "add_casus_version", "apply_answers",
           "besluit_link_hash", "casus_digest", "casus_problems", "chain_records", "count",
           "link_hash", "log_verwerking", "pseudonym", "store_advies", "store_besluit",
           "verify_chain"]
