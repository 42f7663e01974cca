"""Storage operations, one transaction each. Nothing stored is updated in place except the casus
head (whose every version is also appended to `casus_versies`; its archive state, `archive`,
is the head's alone) and the chain head.

The chain: each advies commits to its trace (`trace_hash`), to the exact casus version it
evaluated (`casus_hash`), to who made it (`door`) and to its predecessor (`keten_hash`); each
besluit is a link of the same chain and commits to everything it says and who said it. One
chain with one head, so one signed head (`service.keten`) covers adviezen and besluiten. The
chain alone has no key, so it shows a change only to someone who cannot rewrite the database.

An AVG erasure (`store_wissing`) is the one change of stored content: it blanks the personal
data of one casus and is itself a link of the chain that names, with their hashes, what it
erased. Verification accepts blank content only where such a later link vouches for it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import heapq
import hmac
import json
import secrets
import uuid
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import orjson
from sqlalchemy import ColumnElement, and_, func, inspect, or_, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, defer

from engine import Receipt, feitadres, kern_van
from engine.evaluate import canonical_json
from engine.evaluate import trace_hash as canonical_hash
from service.beleidsrijen import erase_beleid_rows, write_advies_rows, write_besluit_rows
from service.db import (
    GENESIS,
    Advies,
    Besluit,
    Casus,
    CasusVersie,
    Keten,
    Verwerking,
    Wissing,
    genesis,
    now,
)
from service.problems import ApiProblem

if TYPE_CHECKING:
    from service.keten import Signer

KETEN_VERSIE = 4
"""The chain-hash formula of new adviezen (`link_hash`). Adviezen stored before migration 0003
keep formula 1, those before 0005 formula 2, those before 0009 formula 3 (and their full
trace): each row verifies by its own. Since 4 an advies stores its kern, not its trace."""

BESLUIT_KETEN_VERSIE = 3
"""The one formula of besluiten and wissingen (since migration 0005)."""

BESLUIT_VELDEN = ("id", "volgnummer", "advies_id", "casus_id", "versie", "vervangt",
                  "instrumenten", "motivering", "zaak_url", "door", "aangemaakt")
"""What a besluit's link hashes (formula 3): all it says, who said it, and when."""

WISSING_VELDEN = ("id", "volgnummer", "casus_id", "door", "tijdstip", "grond", "adviezen",
                  "casus_versies", "besluiten")
"""What a wissing's link hashes: every field, so an edited wissing record shows."""


def new_id() -> str:
    return str(uuid.uuid4())


def apply_answers(data: dict[str, Any], antwoorden: list[tuple[str, Any]]) -> dict[str, Any]:
    """Set facts by their `nog_uitvragen` address (`engine.feitadres`); the caller re-validates
    the whole casus. An answer that names no fact of this casus is a 400 naming it."""
    out, problems = feitadres.set_facts(data, antwoorden)
    if problems:
        raise ApiProblem(400, "Niet elk antwoord hoort bij een feit van de casus.",
                         invalid=[{"name": f"antwoorden[{i}].feit", "code": "invalid",
                                   "reason": why} for i, why in problems])
    return out


def add_casus_version(session: Session, casus: Casus, reden: str, door: str) -> None:
    session.add(CasusVersie(casus_id=casus.id, versie=casus.versie, data=casus.data,
                            afwegingen=casus.afwegingen, reden=reden, door=door,
                            aangemaakt=casus.gewijzigd))


def casus_digest(casus: dict[str, Any]) -> str:
    """sha256 of a casus as evaluated (`trace.casus`), in the engine's one canonical JSON form
    (`engine.evaluate.canonical_json`): the same bytes the trace hash covers."""
    return canonical_hash(casus)


def lock_head(session: Session, keten: str) -> Keten:
    """The head of chain `keten`, locked for the transaction (SELECT … FOR UPDATE on
    PostgreSQL; SQLite's BEGIN IMMEDIATE locks the whole database), made at its genesis when
    this is the chain's first link. Writers of another gemeente lock another row and do not
    wait. Two first writers of one chain: the second insert does nothing (ON CONFLICT) and
    waits for the first's row."""
    head = session.execute(select(Keten).where(Keten.naam == keten).with_for_update()
                           ).scalar_one_or_none()
    if head is not None:
        return head
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    session.execute(insert(Keten).values(naam=keten, volgnummer=0, hash=genesis(keten))
                    .on_conflict_do_nothing(index_elements=["naam"]))
    return session.execute(select(Keten).where(Keten.naam == keten).with_for_update()
                           ).scalar_one()


def keten_of_casus(session: Session, casus_id: str | None, casus: Mapping[str, Any]) -> str:
    """The chain of an advies: its stored casus' (`Casus.keten`), else the gemeente the casus
    names ("" for none)."""
    if casus_id is not None:
        return session.scalar(select(Casus.keten).where(Casus.id == casus_id)) or ""
    gemeente = casus.get("gemeente")
    return gemeente if isinstance(gemeente, str) else ""


def chain_names(session: Session) -> list[str]:
    """Every chain with a head, "" first, then by gemeente code."""
    if not has_ketens(session):
        return [""]
    return sorted(session.scalars(select(Keten.naam)).all())


def has_ketens(session: Session) -> bool:
    """Is the schema at 0010 or later (a chain per gemeente)? See `has_wissingen`. Every write
    on a casus asks (`wissing_of`), so a yes is kept with the database connection: reflecting
    the table is a query of its own on PostgreSQL. A no is asked again, since only an upgrade
    can change it (a downgrade below 0010 is done offline, with new connections)."""
    connection = session.connection()
    if connection.info.get(_KETENS):
        return True
    found = any(c["name"] == "naam" for c in inspect(connection).get_columns(Keten.__tablename__))
    if found:
        connection.info[_KETENS] = True
    return found


_KETENS = "omgekeerde-toets: schema heeft ketens per gemeente"


def chain_hash(vorige: str, volgnummer: int, advies_id: str, trace_hash: str,
               aangemaakt: str) -> str:
    """Chain formula 1, of the adviezen stored before migration 0003 (kept so they verify)."""
    text = f"{vorige}|{volgnummer}|{advies_id}|{trace_hash}|{aangemaakt}"
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def link_hash(row: Advies | Besluit | Wissing, vorige: str) -> str | None:
    """The row's `keten_hash` by its own formula (`keten_versie`); None for an unknown one.
    Formula 2 hashes the canonical JSON of what was evaluated: the trace, and the casus it
    evaluated (hash, id, version), besides order and predecessor. Formula 3 adds who made it
    (`door`) and a `soort`, so an advies link can never pass for a besluit link; a besluit
    has only formula 3 (`besluit_link_hash`). Formulas 1 and 2 left `door` out, so for rows
    made before migration 0005 the actor is not tamper-evident (docs/keten.md). A wissing has
    only formula 3 (`wissing_link_hash`)."""
    if isinstance(row, Wissing):
        if row.keten_versie != 3:
            return None
        return wissing_link_hash({k: getattr(row, k) for k in WISSING_VELDEN}, vorige)
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
    if row.keten_versie == 4:
        return canonical_hash({"keten_versie": 4, "soort": "advies", **fields,
                               "door": row.door, "kern_hash": row.kern_hash})
    return None


def besluit_link_hash(besluit: Mapping[str, Any], vorige: str) -> str:
    """Formula 3 of a besluit, over a mapping with `BESLUIT_VELDEN` (an ORM row or, in
    migration 0005, a plain database row): the canonical JSON of every field and the
    predecessor."""
    return canonical_hash({"keten_versie": 3, "soort": "besluit", "vorige_hash": vorige,
                           **{k: besluit[k] for k in BESLUIT_VELDEN}})


def wissing_link_hash(wissing: Mapping[str, Any], vorige: str) -> str:
    """The link of a wissing: the canonical JSON of every field (`WISSING_VELDEN`: who, when,
    why and each erased record with its hashes) and the predecessor."""
    return canonical_hash({"keten_versie": 3, "soort": "wissing", "vorige_hash": vorige,
                           **{k: wissing[k] for k in WISSING_VELDEN}})


def stored_trace_hash(trace: str) -> str | None:
    """The hash of a stored trace text as verification computes it (canonical JSON of the
    parsed trace); None for a text that is not a JSON object (then it never matches)."""
    try:
        parsed = json.loads(trace)
    except ValueError:
        return None
    return canonical_hash(parsed) if isinstance(parsed, dict) else None


def kern_blob(kern_json: str) -> bytes:
    """How a kern is stored: its canonical JSON, zlib-compressed (a large casus' kern of
    23 KB is stored in under 5 KB)."""
    return zlib.compress(kern_json.encode("utf-8"), 6)


def stored_kern(blob: bytes | None) -> dict[str, Any] | None:
    """The kern stored in `blob` (`kern_blob`); None for anything that is not one (erased,
    damaged, or a row that stores its trace)."""
    if not blob:
        return None
    try:
        parsed = orjson.loads(zlib.decompress(blob))
    except (zlib.error, ValueError):
        return None
    return parsed if isinstance(parsed, dict) else None


def _kern_bytes(blob: bytes | None) -> tuple[bytes | None, str | None]:
    """The stored kern's bytes and their SHA-256. The bytes are the kern's canonical JSON
    (`kern_blob`), so for an intact row their hash is `kern_hash` without parsing and writing
    the JSON again (verification reads every kern of the chain: parsing was half its time); a
    row whose bytes were rewritten, even into an equal but not canonical form, no longer
    matches."""
    if not blob:
        return None, None
    try:
        raw = zlib.decompress(blob)
    except zlib.error:
        return None, None
    return raw, "sha256:" + hashlib.sha256(raw).hexdigest()


def _names_casus(raw: bytes, casus_hash: str | None) -> bool:
    """Does the kern's canonical JSON name `casus_hash` as its casus? Its keys are sorted and
    `casus` sorts first (`engine.kern`), so the document begins with it: the top-level value is
    read from the bytes the hash just vouched for. A kern format with a key before `casus`
    would fail here for every row, loudly, never pass a wrong one."""
    return casus_hash is not None and raw.startswith(
        b'{"casus":"' + casus_hash.encode("ascii") + b'",')


def stored_kern_hash(blob: bytes | None) -> str | None:
    """The hash of a stored kern as verification computes it (canonical JSON of the parsed
    kern); None when there is none (then it never matches)."""
    kern = stored_kern(blob)
    return None if kern is None else canonical_hash(kern)


def stores_kern(row: Advies) -> bool:
    """Does this advies store its kern (formula 4) rather than its trace (formula 1–3)?"""
    return row.keten_versie >= 4


def is_erased(row: Advies) -> bool:
    """Is the advies' content blank (an AVG erasure, or damage verification reports)? (A row
    of formula 1–3 never reads the kern columns, so this works on a schema before 0009.)"""
    return row.trace == "" and (not stores_kern(row) or not row.kern)


def advies_blank(kern_columns: bool = True) -> ColumnElement[bool]:
    """`is_erased` as an SQL condition: no trace and no kern left (`kern_columns` False: a
    schema before 0009, `has_kern`)."""
    if not kern_columns:
        return Advies.trace == ""
    return and_(Advies.trace == "", or_(Advies.kern.is_(None), Advies.kern == b""))


def evaluated_casus(session: Session, row: Advies) -> dict[str, Any] | None:
    """The casus the advies evaluated: in the trace (formula 1–3), in the row (formula 4, no
    stored casus) or in the stored casus version; None when it is gone or unreadable."""
    if not stores_kern(row):
        try:
            trace = json.loads(row.trace)
        except ValueError:
            return None
        return trace.get("casus") if isinstance(trace, dict) else None
    if row.casus_id is None:
        return row.casus
    data = session.scalar(select(CasusVersie.data).where(
        CasusVersie.casus_id == row.casus_id, CasusVersie.versie == row.casus_versie))
    return data if isinstance(data, dict) else None


def advies_rest_hash(row: Advies) -> str:
    """What an advies' trace committed to that stays after its erasure (peildatum, engine
    and pack versions): a wissing commits to it, since the trace no longer can."""
    return canonical_hash({"id": row.id, "peildatum": row.peildatum,
                           "engine_versie": row.engine_versie, "pakketten": row.pakketten})


def erased_besluit(row: Besluit) -> dict[str, Any]:
    """A besluit's chained fields as they stay after an erasure: the free text is gone (its
    `motivering` and each instrument's), ids, instruments, actor and times stay."""
    fields = {k: getattr(row, k) for k in BESLUIT_VELDEN}
    fields["motivering"] = ""
    fields["instrumenten"] = [{**i, "motivering": None} for i in row.instrumenten]
    return fields


def casus_problems(session: Session, row: Advies, casus: Any,
                   wissing: Wissing | None = None) -> list[str]:
    """Does the advies still commit to the casus it evaluated? (a) the trace's casus hashes to
    `casus_hash`; (b) for a stored casus, its version row (and the casus head, when that is the
    same version) still hash to it. An empty list: yes.

    For an advies erased by `wissing` (already checked to name it, later in the chain) the
    content is gone by design: instead (a) and (b) the wissing must name the casus version
    with `casus_hash` as the hash of the content it erased, and the version row must be
    blank."""
    if row.casus_hash is None:
        return ["casus_hash ontbreekt"]
    problems = []
    # (a) the advies' own copy of the casus: in its trace (formula 1–3), in its row (formula
    # 4 without a stored casus); formula 4 on a stored casus has none besides the version row
    own_copy = not (stores_kern(row) and row.casus_id is not None)
    if wissing is None and own_copy and (not isinstance(casus, dict)
                                         or casus_digest(casus) != row.casus_hash):
        problems.append("casus_hash klopt niet met de casus in de "
                        + ("rij van het advies" if stores_kern(row) else "trace"))
    if row.casus_id is None:
        return problems
    label = f"casus {row.casus_id} versie {row.casus_versie}"
    stored = session.execute(select(CasusVersie.data).where(
        CasusVersie.casus_id == row.casus_id, CasusVersie.versie == row.casus_versie)).first()
    if stored is None:
        problems.append(f"{label} ontbreekt in casus_versies")
    elif wissing is not None:
        named = [v["hash"] for v in wissing.casus_versies if v.get("versie") == row.casus_versie]
        if wissing.casus_id != row.casus_id or named != [row.casus_hash]:
            problems.append(f"{label}: wissing {wissing.id} noemt deze versie niet met "
                            "casus_hash")
        elif stored.data != {}:
            problems.append(f"{label} in casus_versies is niet gewist door wissing "
                            f"{wissing.id}")
    elif casus_digest(stored.data) != row.casus_hash:
        problems.append(f"{label} in casus_versies klopt niet met casus_hash")
    head = session.execute(select(Casus.versie, Casus.data).where(
        Casus.id == row.casus_id)).first()
    if head is None:
        problems.append(f"casus {row.casus_id} ontbreekt in casussen")
    elif (wissing is None and head.versie == row.casus_versie
          and casus_digest(head.data) != row.casus_hash):
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
    if casus_id is not None:
        # archived or erased while this advies was evaluated: lock the casus row (archiving and
        # erasing write it) and check again; casus before chain head, the erasure's lock order
        session.execute(select(Casus.id).where(Casus.id == casus_id).with_for_update())
        refuse_if_closed(session, casus_id)
    trace = receipt.kop or receipt.trace
    keten = keten_of_casus(session, casus_id, trace["casus"])
    head = lock_head(session, keten)
    digest = casus_digest(trace["casus"])
    if casus_id is not None:
        stored = session.execute(select(CasusVersie.data).where(
            CasusVersie.casus_id == casus_id, CasusVersie.versie == casus_versie)).first()
        if stored is None or casus_digest(stored.data) != digest:
            raise ApiProblem(409, f"Casus {casus_id} versie {casus_versie}: de opgeslagen versie "
                                  "klopt niet met de casus zoals die is geëvalueerd; er is "
                                  "niets opgeslagen. Sla de casus opnieuw op (PUT).")
    volgnummer = head.volgnummer + 1
    row = Advies(
        id=new_id(), keten=keten, volgnummer=volgnummer, casus_id=casus_id,
        casus_versie=casus_versie,
        door=door, aangemaakt=now(), peildatum=trace["peildatum"],
        engine_versie=trace["engine"]["versie"],
        pakketten=[{"id": p["id"], "versie": p["versie"], "hash": p["hash"]}
                   for p in trace["pakketten"]],
        trace=receipt.trace_json, trace_hash=receipt.trace_hash, vorige_hash=head.hash,
        casus_hash=digest, keten_versie=KETEN_VERSIE,
    )
    if stores_kern(row):
        # the kern is stored and chained; the trace is rendered on demand and must hash to
        # trace_hash (`service.bewijsstuk`)
        kern_json = receipt.kern_json or canonical_json(kern_van(receipt.trace))
        row.trace, row.kern = "", kern_blob(kern_json)
        row.kern_hash = "sha256:" + hashlib.sha256(kern_json.encode("utf-8")).hexdigest()
        row.casus = trace["casus"] if casus_id is None else None
    linked = link_hash(row, head.hash)
    assert linked is not None
    row.keten_hash = linked
    session.add(row)
    write_advies_rows(session, receipt, row)
    head.volgnummer = volgnummer
    head.hash = row.keten_hash
    if signer is not None:
        signer.sign_if_due(session, head)
    return row


def store_besluit(session: Session, *, advies: Advies, instrumenten: list[dict[str, Any]],
                  motivering: str, zaak_url: str | None, door: str,
                  vervangt: Besluit | None = None, signer: Signer | None = None) -> Besluit:
    """Append a besluit (a new one, or a correction of `vervangt`) to the chain, under the
    same head lock as `store_advies`, in the chain of its advies. A besluit that was already
    replaced cannot be replaced again (409): corrections form one line of versions, never a
    fork, and nothing stored is overwritten."""
    head = lock_head(session, advies.keten)
    # read again under the head lock: an erasure of the casus may have committed meanwhile
    refuse_if_closed(session, advies.casus_id)
    if vervangt is not None:
        newer = session.scalar(select(Besluit.id).where(Besluit.vervangt == vervangt.id))
        if newer is not None:
            raise ApiProblem(409, f"Besluit {vervangt.id} is al vervangen door besluit {newer}; "
                                  "corrigeer de nieuwste versie.",
                             invalid=[{"name": "vervangt", "code": "conflict",
                                       "reason": f"al vervangen door {newer}"}])
    volgnummer = head.volgnummer + 1
    row = Besluit(id=new_id(), keten=advies.keten, advies_id=advies.id, casus_id=advies.casus_id,
                  instrumenten=instrumenten, motivering=motivering, zaak_url=zaak_url,
                  door=door, aangemaakt=now(),
                  versie=1 if vervangt is None else vervangt.versie + 1,
                  vervangt=None if vervangt is None else vervangt.id, volgnummer=volgnummer,
                  vorige_hash=head.hash, keten_versie=BESLUIT_KETEN_VERSIE)
    row.keten_hash = besluit_link_hash({k: getattr(row, k) for k in BESLUIT_VELDEN}, head.hash)
    session.add(row)
    write_besluit_rows(session, row, advies)
    head.volgnummer = volgnummer
    head.hash = row.keten_hash
    if signer is not None:
        signer.sign_if_due(session, head)
    return row


def wissing_of(session: Session, casus_id: str | None) -> Wissing | None:
    """The wissing of a casus, if it was erased (at most one: `wissingen.casus_id` is
    unique). Its casus, versions, adviezen and besluiten are then erased; nothing else
    marks them."""
    if casus_id is None:
        return None
    query = select(Wissing).where(Wissing.casus_id == casus_id)
    if not has_ketens(session):  # verification also reads a schema before 0010
        query = query.options(defer(Wissing.keten))
    return session.scalars(query).first()


def refuse_if_closed(session: Session, casus_id: str | None) -> None:
    """Nothing is added to an erased or an archived casus (no version, answer, stap 3, advies
    or besluit on it or on its adviezen): 409. The one guard every write on a casus calls, so
    an archived casus is read-only everywhere until it is dearchived (`unarchive`); the
    erasure itself (`store_wissing`) does not call it: an archived casus can be erased."""
    wissing = wissing_of(session, casus_id)
    if wissing is not None:
        raise ApiProblem(409, f"Casus {casus_id} is gewist op {wissing.tijdstip[:10]} (AVG, "
                              f"wissing {wissing.id}); er kan niets meer aan worden "
                              "toegevoegd of gewijzigd.")
    if casus_id is None:
        return
    archived = session.scalar(select(Casus.gearchiveerd).where(Casus.id == casus_id))
    if archived is not None:
        raise ApiProblem(409, f"Casus {casus_id} is gearchiveerd op {archived[:10]} en alleen "
                              "nog te lezen; dearchiveer haar eerst "
                              f"(POST /v1/casussen/{casus_id}/_dearchiveer).")


def archive(casus: Casus, door: str) -> None:
    """Archive `casus` (read-only, out of the working list): who and when, on the head only.
    No version is added and the chain does not change; the retention period counts from
    here. Twice: 409."""
    if casus.gearchiveerd is not None:
        raise ApiProblem(409, f"Casus {casus.id} is al gearchiveerd op "
                              f"{casus.gearchiveerd[:10]}.")
    casus.gearchiveerd, casus.gearchiveerd_door = now(), door


def unarchive(casus: Casus) -> None:
    """Take `casus` back into the working list; its retention period no longer runs (it
    starts again at the next archiving). Who did it and when is in the processing log. A
    casus that is not archived: 409."""
    if casus.gearchiveerd is None:
        raise ApiProblem(409, f"Casus {casus.id} is niet gearchiveerd.")
    casus.gearchiveerd = casus.gearchiveerd_door = None


BEWAARTERMIJN_DOOR = "systeem|bewaartermijn"
"""The actor of an erasure after the retention period: no person, the service itself."""


def retention_cutoff(jaren: int, moment: dt.datetime) -> str:
    """The archive time on or before which a casus' retention period of `jaren` calendar years
    has passed at `moment` (29 February counts back to 28 February), as stored (`now()`)."""
    moment = moment.astimezone(dt.UTC)
    try:
        earlier = moment.replace(year=moment.year - jaren)
    except ValueError:  # 29 February in a year that has none
        earlier = moment.replace(year=moment.year - jaren, day=28)
    return earlier.isoformat(timespec="microseconds").replace("+00:00", "Z")


def past_retention(session: Session, jaren: int, moment: dt.datetime) -> list[tuple[str, str]]:
    """(casus id, gearchiveerd) of every archived casus not yet erased whose retention period
    of `jaren` years has passed at `moment`, oldest archive first."""
    cutoff = retention_cutoff(jaren, moment)
    rows = session.execute(
        select(Casus.id, Casus.gearchiveerd)
        .outerjoin(Wissing, Wissing.casus_id == Casus.id)
        .where(Casus.gearchiveerd.is_not(None), Casus.gearchiveerd <= cutoff,
               Wissing.id.is_(None))
        .order_by(Casus.gearchiveerd, Casus.id)).all()
    return [(r.id, r.gearchiveerd) for r in rows]


def erase_past_retention(sessions: Callable[[], Session], *, jaren: int, moment: dt.datetime,
                         activiteit: str, pseudoniem_sleutel: str,
                         signer: Signer | None = None) -> list[Wissing]:
    """Erase every casus whose retention period has passed (`past_retention`), each through
    `store_wissing` (the same erasure as `POST /v1/casussen/{id}/_wis`) in its own
    transaction with its `casus_wissen` record in the processing log, by
    `BEWAARTERMIJN_DOOR`. A casus dearchived or erased meanwhile is left alone (checked again
    under its row lock)."""
    grond = f"bewaartermijn verstreken (OT_BEWAARTERMIJN_JAREN={jaren})"
    cutoff = retention_cutoff(jaren, moment)
    with sessions() as session:
        due = past_retention(session, jaren, moment)
    done: list[Wissing] = []
    for casus_id, _ in due:
        with sessions() as session:
            casus = session.scalars(select(Casus).where(Casus.id == casus_id)
                                    .with_for_update()).first()
            if (casus is None or casus.gearchiveerd is None or casus.gearchiveerd > cutoff
                    or wissing_of(session, casus_id) is not None):
                continue
            start = now()
            wissing = store_wissing(session, casus, grond=grond, door=BEWAARTERMIJN_DOOR,
                                    signer=signer)
            state = SimpleNamespace(trace_id=secrets.token_hex(16), span_id=secrets.token_hex(8),
                                    parent_span_id=None)
            log_verwerking(session, state=state, naam="casus_wissen", activiteit=activiteit,
                           betrokkene=pseudonym(pseudoniem_sleutel, casus_id), status="OK",
                           start=start, advies_id=None, door=BEWAARTERMIJN_DOOR)
            session.commit()
            done.append(wissing)
    return done


def store_wissing(session: Session, casus: Casus, *, grond: str, door: str,
                  signer: Signer | None = None) -> Wissing:
    """Erase the personal data of `casus` in one transaction, under the head lock, as a link
    of the chain. Blanked: the casus' and every version's `data`/`afwegingen`, the trace of
    every advies on it, the free text of every besluit on those adviezen. Every hash, id,
    actor and time stays. The wissing names each erased record with the hash of its content
    as found (not as stored in its hash column), so erasing a record that was already
    tampered with does not hide that: verification still reports it; for an advies that
    stores its kern (formula 4) that is the kern's hash, besides the trace_hash it was
    chained with (its trace is not stored). Twice: 409. The wissing is a link of the casus'
    chain (`Casus.keten`), where all its adviezen and besluiten are."""
    head = lock_head(session, casus.keten)
    earlier = wissing_of(session, casus.id)
    if earlier is not None:
        raise ApiProblem(409, f"Casus {casus.id} is al gewist op {earlier.tijdstip[:10]} "
                              f"(wissing {earlier.id}).")
    adviezen = session.scalars(select(Advies).where(Advies.casus_id == casus.id)
                               .order_by(Advies.volgnummer)).all()
    ids = [a.id for a in adviezen]
    besluiten = session.scalars(select(Besluit).where(or_(
        Besluit.casus_id == casus.id, Besluit.advies_id.in_(ids)))
        .order_by(Besluit.aangemaakt, Besluit.id)).all()
    versies = session.scalars(select(CasusVersie).where(CasusVersie.casus_id == casus.id)
                              .order_by(CasusVersie.versie)).all()
    row = Wissing(
        id=new_id(), keten=casus.keten, casus_id=casus.id, door=door, tijdstip=now(), grond=grond,
        adviezen=[{"id": a.id, "trace_hash": a.trace_hash,
                   "kern_hash": stored_kern_hash(a.kern),
                   "rest_hash": advies_rest_hash(a)} if stores_kern(a) else
                  {"id": a.id, "trace_hash": stored_trace_hash(a.trace),
                   "rest_hash": advies_rest_hash(a)} for a in adviezen],
        casus_versies=[{"versie": v.versie, "hash": casus_digest(v.data)} for v in versies],
        besluiten=[{"id": b.id, "keten_hash": link_hash(b, b.vorige_hash or ""),
                    "rest_hash": besluit_link_hash(erased_besluit(b), b.vorige_hash or "")}
                   for b in besluiten],
        volgnummer=head.volgnummer + 1, vorige_hash=head.hash,
        keten_versie=3)  # the only wissing formula (`link_hash`)
    row.keten_hash = wissing_link_hash({k: getattr(row, k) for k in WISSING_VELDEN}, head.hash)
    session.add(row)
    casus.data, casus.afwegingen = {}, None
    for v in versies:
        v.data, v.afwegingen = {}, None
    for a in adviezen:
        a.trace = ""
        if stores_kern(a):
            a.kern, a.casus = b"", None
    for b in besluiten:
        b.motivering, b.instrumenten = "", erased_besluit(b)["instrumenten"]
    erase_beleid_rows(session, casus.id)
    head.volgnummer = row.volgnummer
    head.hash = row.keten_hash
    if signer is not None:
        signer.sign_if_due(session, head)
    return row


def has_wissingen(session: Session) -> bool:
    """Is the schema at 0006 or later? Verification is read-only and never migrates, so it
    also reads a database of an older schema (not yet upgraded, or downgraded): there no
    erasure can exist."""
    return inspect(session.connection()).has_table(Wissing.__tablename__)


def has_kern(session: Session) -> bool:
    """Is the schema at 0009 or later (adviezen may store a kern)? See `has_wissingen`."""
    columns = inspect(session.connection()).get_columns(Advies.__tablename__)
    return any(c["name"] == "kern" for c in columns)


def _scoped(session: Session, model: Any, after: int, keten: str, upto: int | None = None
            ) -> Any:
    """The links of one kind in chain `keten` after volgnummer `after` (up to and including
    `upto`), in order. On a schema before 0010 there is one chain and no `keten` column."""
    query = select(model).where(model.volgnummer > after)
    if upto is not None:
        query = query.where(model.volgnummer <= upto)
    if has_ketens(session):
        query = query.where(model.keten == keten)
    else:
        query = query.options(defer(model.keten))
    return query.order_by(model.volgnummer)


def chain_records(session: Session, after: int = 0, keten: str = "", upto: int | None = None
                  ) -> Iterator[Advies | Besluit | Wissing]:
    """Every link of chain `keten` after volgnummer `after` (up to `upto`) in order: adviezen,
    chained besluiten and wissingen, merged by volgnummer (one stream each, so memory stays
    flat on a long chain)."""
    query = _scoped(session, Advies, after, keten, upto)
    if not has_kern(session):  # a schema before 0009: only formula 1–3, which never read them
        query = query.options(defer(Advies.kern), defer(Advies.kern_hash),
                              defer(Advies.casus))
    adviezen = session.scalars(query).yield_per(200)
    besluiten = session.scalars(_scoped(session, Besluit, after, keten, upto)).yield_per(200)
    if not has_wissingen(session):
        return heapq.merge(adviezen, besluiten, key=lambda r: r.volgnummer or 0)
    wissingen = session.scalars(_scoped(session, Wissing, after, keten, upto)).yield_per(200)
    return heapq.merge(adviezen, besluiten, wissingen, key=lambda r: r.volgnummer or 0)


def _counted(adviezen: int, besluiten: int, wissingen: int = 0) -> str:
    parts = [f"{adviezen} adviezen"] + (
        [f"{besluiten} besluiten" if besluiten != 1 else "1 besluit"] if besluiten else []) \
        + ([f"{wissingen} wissingen" if wissingen != 1 else "1 wissing"] if wissingen else [])
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " en " + parts[-1]


@dataclass
class ChainWalk:
    """The outcome of `walk_chain`: the first fault (if any) and what was counted."""

    geldig: bool
    aantal: int
    eerste_fout: int | None
    melding: str
    gewist: int = 0
    """Adviezen whose trace is erased, each vouched for by a later wissing (a note, no fault)."""
    kop_hash: str = GENESIS
    """The keten_hash of the last link walked (a `Controlepunt` for the next walk)."""
    formule: int = 1
    """The chain formula in force at the last link (a later advies may not use an older one)."""
    besluiten: int = 0
    wissingen: int = 0
    """Of the links walked, how many were besluiten and wissingen (the rest adviezen)."""


@dataclass(frozen=True)
class Controlepunt:
    """Where an earlier walk ended intact: a later walk may start after it and read only the
    links added since (`walk_chain(vanaf=...)`). Whoever keeps it (an auditor, outside the
    system, like an exported anchor) trusts that the links up to it were intact then; a change
    to them made after that is seen only by a walk of the whole chain (docs/keten.md)."""

    volgnummer: int
    keten_hash: str
    formule: int
    keten: str = ""
    """The chain it is a point of ("" also for a checkpoint of before the chains per
    gemeente)."""


def _loaded(row: object, column: str) -> bool:
    """Was `column` read for this row? (No: a schema without it, where it was deferred.)"""
    state: Any = inspect(row)
    return column not in state.unloaded


def _erasure(session: Session, row: Advies | Besluit, casus_id: str | None,
             cache: dict[str, Wissing | None] | None) -> tuple[Wissing, dict[str, Any]] | str:
    """For a row whose content is blank: the wissing that vouches for it and its entry for the
    row, or why none does. The wissing must be in the chain AFTER the row (an erasure cannot
    reach back in time) and name exactly this row. `cache` None: a schema without
    wissingen."""
    label = f"{'besluit' if isinstance(row, Besluit) else 'advies'} {row.id}"
    key = casus_id or ""
    if cache is None:
        return f"{label}: inhoud leeg zonder wissing in de keten"
    if key not in cache:
        if len(cache) > 1000:  # a long chain with many erasures: memory stays flat
            cache.clear()
        cache[key] = wissing_of(session, casus_id)
    wissing = cache[key]
    if wissing is None:
        return f"{label}: inhoud leeg zonder wissing in de keten"
    if (_loaded(row, "keten") and _loaded(wissing, "keten") and wissing.keten != row.keten):
        return f"{label}: gewist door wissing {wissing.id}, die in een andere keten staat"
    if wissing.volgnummer <= (row.volgnummer or 0):
        return f"{label}: gewist door wissing {wissing.id}, die niet later in de keten staat"
    named = wissing.besluiten if isinstance(row, Besluit) else wissing.adviezen
    entries = [e for e in named if e.get("id") == row.id]
    if len(entries) != 1:
        return f"{label} staat niet in wissing {wissing.id}"
    return wissing, entries[0]


def _advies_fault(session: Session, row: Advies, cache: dict[str, Wissing | None] | None
                  ) -> tuple[str | None, bool]:
    """What is wrong with an advies' content (None: nothing), and whether it is erased. A
    blank trace is an erasure only where a later wissing names the advies (`_erasure`)."""
    if stores_kern(row):
        return _kern_fault(session, row, cache)
    if row.trace != "" or row.casus_id is None:
        try:
            trace = json.loads(row.trace)
        except ValueError:  # e.g. a trace blanked without a casus to erase
            trace = None
        if not isinstance(trace, dict) or canonical_hash(trace) != row.trace_hash:
            return "trace klopt niet met trace_hash", False
        problems = casus_problems(session, row, trace.get("casus"))
        return ("; ".join(problems) if problems else None), False
    return _erased_fault(session, row, cache, "trace klopt niet met trace_hash")


def _erased_fault(session: Session, row: Advies, cache: dict[str, Wissing | None] | None,
                  content: str) -> tuple[str | None, bool]:
    """`_advies_fault` for an advies whose content is blank: a later wissing must name it with
    the hashes it had (trace_hash, and for formula 4 kern_hash) and with what stays
    (`advies_rest_hash`), and the casus version must be erased by it. `content`: the fault
    when no wissing vouches for it."""
    found = _erasure(session, row, row.casus_id, cache)
    if isinstance(found, str):
        return f"{content} ({found})", False
    wissing, entry = found
    if entry.get("trace_hash") != row.trace_hash:
        return f"trace_hash klopt niet met wissing {wissing.id}", True
    if stores_kern(row) and entry.get("kern_hash") != row.kern_hash:
        return f"kern_hash klopt niet met wissing {wissing.id}", True
    if entry.get("rest_hash") != advies_rest_hash(row):
        return (f"peildatum, engine_versie of pakketten klopt niet met wissing "
                f"{wissing.id}"), True
    problems = casus_problems(session, row, None, wissing)
    return ("; ".join(problems) if problems else None), True


def _kern_fault(session: Session, row: Advies, cache: dict[str, Wissing | None] | None
                ) -> tuple[str | None, bool]:
    """`_advies_fault` for an advies that stores its kern (formula 4): the kern hashes to
    kern_hash and names casus_hash, which the casus still hashes to (`casus_problems`). Its
    trace_hash is chained (`link_hash`) and checked whenever the trace is rendered
    (`service.bewijsstuk`)."""
    if row.kern or row.casus_id is None:
        raw, digest = _kern_bytes(row.kern)
        if raw is None or digest != row.kern_hash:
            return "kern klopt niet met kern_hash", False
        if not _names_casus(raw, row.casus_hash):
            return "casus_hash klopt niet met de casus in de kern", False
        # the own copy (formula 4 without a stored casus); a stored version is read there
        problems = casus_problems(session, row, row.casus)
        return ("; ".join(problems) if problems else None), False
    return _erased_fault(session, row, cache, "kern klopt niet met kern_hash")


def _besluit_fault(session: Session, row: Besluit, previous: str,
                   cache: dict[str, Wissing | None] | None) -> str | None:
    """What is wrong with a besluit's link (None: nothing). An erased besluit's own link can no
    longer be recomputed (its motivering is gone): the wissing names the link it had and the
    link over what stays, and both must match."""
    if row.motivering != "":
        return None if link_hash(row, previous) == row.keten_hash else \
            f"besluit {row.id}: keten_hash klopt niet"
    casus_id = row.casus_id or session.scalar(select(Advies.casus_id).where(
        Advies.id == row.advies_id))
    found = _erasure(session, row, casus_id, cache)
    if isinstance(found, str):
        return f"besluit {row.id}: keten_hash klopt niet ({found})"
    wissing, entry = found
    if entry.get("keten_hash") != row.keten_hash:
        return f"besluit {row.id}: keten_hash klopt niet met wissing {wissing.id}"
    if entry.get("rest_hash") != link_hash(row, previous):
        return f"besluit {row.id}: klopt niet met wat wissing {wissing.id} liet staan"
    return None


def _wissing_fault(session: Session, row: Wissing, previous: str,
                   kern_columns: bool = True) -> str | None:
    """A wissing link: its own hash, and every record it names is still blank (no personal
    data back in a record the chain says is erased)."""
    if row.vorige_hash != previous:
        return f"wissing {row.id}: vorige_hash wijst niet naar de voorganger"
    if link_hash(row, previous) != row.keten_hash:
        return f"wissing {row.id}: keten_hash klopt niet"
    adviezen = [e.get("id") for e in row.adviezen]
    besluiten = [e.get("id") for e in row.besluiten]
    blank = (count(session, Advies, Advies.id.in_(adviezen), advies_blank(kern_columns))
             + count(session, Besluit, Besluit.id.in_(besluiten), Besluit.motivering == ""))
    versies = session.scalars(select(CasusVersie.data).where(
        CasusVersie.casus_id == row.casus_id)).all()
    casus = session.scalar(select(Casus.data).where(Casus.id == row.casus_id))
    if (blank != len(adviezen) + len(besluiten) or any(v != {} for v in versies)
            or casus != {}):
        return f"wissing {row.id}: casus {row.casus_id} is niet (helemaal) gewist"
    return None


def chain_models(session: Session) -> tuple[type[Advies] | type[Besluit] | type[Wissing], ...]:
    """Every kind of link of the chain: adviezen, besluiten (since 0005), wissingen (since
    0006; a database of an older schema has none)."""
    return (Advies, Besluit, Wissing) if has_wissingen(session) else (Advies, Besluit)


def hash_at(session: Session, volgnummer: int, keten: str = "") -> str | None:
    """The keten_hash of the link at `volgnummer` of chain `keten`, whichever kind of link
    holds it."""
    scoped = has_ketens(session)
    for model in chain_models(session):
        query = select(model.keten_hash).where(model.volgnummer == volgnummer)
        found: str | None = session.scalar(query.where(model.keten == keten) if scoped
                                           else query)
        if found is not None:
            return found
    return None


def head_of(session: Session, keten: str = "") -> tuple[int, str] | None:
    """(volgnummer, hash) of the head of chain `keten`; None when it has none."""
    query = select(Keten.volgnummer, Keten.hash)
    row = session.execute(query.where(Keten.naam == keten) if has_ketens(session)
                          else query.where(Keten.id == 1)).first()
    return None if row is None else (row.volgnummer, row.hash)


def walk_chain(session: Session, vanaf: Controlepunt | None = None,
               keten: str = "", tot: int | None = None) -> ChainWalk:
    """Walk every link of chain `keten` (of `vanaf`'s chain when given) in order (adviezen,
    besluiten, wissingen): for an advies its trace hash, casus hash (`casus_problems`); for
    each the link to the predecessor, the chain hash by the row's formula, and at the end the
    chain's head. Each chain starts at its own genesis (`service.db.genesis`). A besluit
    outside any chain (a row inserted behind the service's back) is a fault of the chain "".
    Erased content is no fault only where a later wissing vouches for it (`_erasure`). The
    first fault is reported with its volgnummer; `aantal` is the number of links. Signatures
    are checked by `service.keten.verify`.

    With `vanaf`, only the links after that checkpoint are read: its link must still carry
    its hash, and the next link must point at it. With `tot`, the walk ends at that volgnummer,
    which must be there, and the head is not compared (one segment of a walk split over
    processes, `service.ketensegmenten`)."""
    keten = vanaf.keten if vanaf is not None else keten
    previous = genesis(keten)
    n = besluiten = wissingen = gewist = 0
    formula = 1
    cache: dict[str, Wissing | None] | None = {} if has_wissingen(session) else None
    kern_columns = has_kern(session)

    def fault(volgnummer: int | None, melding: str) -> ChainWalk:
        return ChainWalk(False, n, volgnummer, melding, gewist, previous, formula)

    if vanaf is not None:
        n, previous, formula = vanaf.volgnummer, vanaf.keten_hash, vanaf.formule
        if hash_at(session, vanaf.volgnummer, keten) != vanaf.keten_hash:
            return fault(vanaf.volgnummer, f"het controlepunt bij volgnummer {vanaf.volgnummer} "
                                           "staat niet meer op de keten: een schakel tot en "
                                           "met dat volgnummer is herschreven of verwijderd")

    for row in chain_records(session, vanaf.volgnummer if vanaf else 0, keten, tot):
        n += 1
        if row.volgnummer != n:
            return fault(row.volgnummer, f"volgnummer {row.volgnummer} ontbreekt of staat "
                                         "dubbel")
        if isinstance(row, Wissing):
            wissingen += 1
            problem = _wissing_fault(session, row, previous, kern_columns)
            if problem:
                return fault(row.volgnummer, problem)
            previous = row.keten_hash
            formula = max(formula, 3)  # wissingen exist only since formula 3
            continue
        if isinstance(row, Besluit):
            besluiten += 1
            if row.vorige_hash != previous:
                return fault(row.volgnummer, f"besluit {row.id}: vorige_hash wijst niet naar "
                                             "de voorganger")
            problem = _besluit_fault(session, row, previous, cache)
            if problem:
                return fault(row.volgnummer, problem)
            previous = row.keten_hash or ""
            formula = max(formula, 3)  # besluiten exist only since formula 3
            continue
        problem, erased = _advies_fault(session, row, cache)
        if problem:
            return fault(row.volgnummer, problem)
        gewist += erased
        if row.vorige_hash != previous:
            return fault(row.volgnummer, "vorige_hash wijst niet naar de voorganger")
        if row.keten_versie < formula:
            return fault(row.volgnummer, f"keten_versie {row.keten_versie} na een advies met "
                                         f"keten_versie {formula}")
        formula = row.keten_versie
        if link_hash(row, previous) != row.keten_hash:
            return fault(row.volgnummer, "keten_hash klopt niet")
        previous = row.keten_hash
    if tot is not None:
        if n != tot:  # what the whole walk would meet next: the link at `tot`, out of order
            return fault(tot, f"volgnummer {tot} ontbreekt of staat dubbel")
        return ChainWalk(True, n, None, "", gewist, previous, formula, besluiten, wissingen)
    head = head_of(session, keten)
    if (head is None and n) or (head is not None and head != (n, previous)):
        return fault(None, "de kop van de keten klopt niet met de laatste advies")
    outside = [] if keten else session.scalars(
        select(Besluit.id).where(Besluit.volgnummer.is_(None))
        .order_by(Besluit.aangemaakt, Besluit.id).limit(3)).all()
    if outside:
        return fault(None, "besluit buiten de keten (zonder volgnummer): " + ", ".join(outside))
    return ChainWalk(True, n, None,
                     intact_message(n, vanaf.volgnummer if vanaf else None, besluiten,
                                    wissingen, gewist),
                     gewist, previous, formula, besluiten, wissingen)


def intact_message(n: int, vanaf: int | None, besluiten: int, wissingen: int,
                   gewist: int) -> str:
    """What an intact walk of the links after `vanaf` (a checkpoint; None: from the start) up
    to `n` says."""
    start = vanaf or 0
    walked = n - start
    melding = f"{_counted(walked - besluiten - wissingen, besluiten, wissingen)}, keten intact"
    if vanaf is not None:
        melding = (f"{walked} {'schakel' if walked == 1 else 'schakels'} na het controlepunt "
                   f"bij volgnummer {start} gelezen ({melding}); de schakels tot en met "
                   f"{start} niet opnieuw")
    if gewist:
        melding += f"; {gewist} adviezen gewist (AVG-wissing, geen fout)"
    return melding


def verify_chain(session: Session) -> tuple[bool, int, int | None, str]:
    """`walk_chain` as (geldig, aantal, eerste_fout, melding)."""
    walk = walk_chain(session)
    return walk.geldig, walk.aantal, walk.eerste_fout, walk.melding


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


__all__ = ["BEWAARTERMIJN_DOOR", "Advies", "Besluit", "Casus", "ChainWalk", "Wissing",
           "add_casus_version", "apply_answers", "archive", "besluit_link_hash",
           "casus_digest", "casus_problems", "chain_records", "count",
           "erase_past_retention", "link_hash", "log_verwerking", "past_retention",
           "pseudonym", "refuse_if_closed", "retention_cutoff", "store_advies",
           "store_besluit", "store_wissing", "unarchive", "verify_chain", "walk_chain",
           "wissing_link_hash", "wissing_of"]
