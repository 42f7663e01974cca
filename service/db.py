"""Storage: SQLAlchemy 2 models and the database engine (SQLite default, PostgreSQL for scale).

Everything stored is append-only where the domain demands it: a casus change is a new
`casus_versies` row, an advies is immutable and chained (`keten`), pack versions are kept by
content hash so a replay years later uses the exact bytes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    text,
)
from sqlalchemy.engine import Engine as SaEngine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker

GENESIS = "sha256:" + "0" * 64
"""The predecessor of the first link of the chain without a gemeente (`keten` ""), the one
chain of every link stored before migration 0010."""

KETEN_NAAM = r"^(GM[0-9]{4})?$"
"""A chain's name (`keten`): "" or a gemeente code (CBS, `GM` and four digits)."""


def genesis(keten: str) -> str:
    """The predecessor of a chain's first link. Each gemeente's chain starts from its own,
    so a link (or a whole chain) relabelled to another gemeente no longer links; the chain ""
    keeps the one of every chain made before there were several."""
    if not keten:
        return GENESIS
    return "sha256:" + hashlib.sha256(f"omgekeerde-toets/keten/{keten}".encode()).hexdigest()


def now() -> str:
    """UTC timestamp with microseconds, ISO 8601; stored as text for both databases."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def derived_from(column: str) -> ForeignKey:
    """The reference of a beleidsinformatie row to the record it is derived from: the row goes
    with that record (ON DELETE CASCADE), so a derived row never outlives or blocks its source
    (the chain's tamper checks delete records behind the service's back)."""
    return ForeignKey(column, ondelete="CASCADE")


class Base(DeclarativeBase):
    pass


class PakketVersie(Base):
    __tablename__ = "pakket_versies"

    hash: Mapped[str] = mapped_column(String(71), primary_key=True)
    pakket_id: Mapped[str] = mapped_column(String(64), index=True)
    versie: Mapped[str] = mapped_column(String(64))
    bron: Mapped[str] = mapped_column(String(300))
    inhoud: Mapped[bytes] = mapped_column(LargeBinary)
    opgeslagen: Mapped[str] = mapped_column(String(32))


class PakketTestRun(Base):
    """A run of the packs' YAML tests at start that passed (`service.engines`): the key covers
    the engine's code, the backend, the pack contents and the test files' contents, so a
    restart on exactly these skips the run (21 s for 973 tests on 2026-12-06). Not a link of the
    chain and no record of a decision; a failed run is never stored."""

    __tablename__ = "pakkettest_runs"

    sleutel: Mapped[str] = mapped_column(String(71), primary_key=True)
    engine: Mapped[str] = mapped_column(String(71))
    """`engine.version.code_digest()` of the engine that ran them."""
    backend: Mapped[str] = mapped_column(String(32))
    tests: Mapped[int] = mapped_column(Integer)
    """How many YAML tests passed."""
    opgeslagen: Mapped[str] = mapped_column(String(32))


class Casus(Base):
    __tablename__ = "casussen"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    eigenaar: Mapped[str] = mapped_column(String(400), index=True)
    versie: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    afwegingen: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    aangemaakt: Mapped[str] = mapped_column(String(32))
    gewijzigd: Mapped[str] = mapped_column(String(32))
    gearchiveerd: Mapped[str | None] = mapped_column(String(32), nullable=True)
    """When the casus was archived (since migration 0007): read-only, out of the working list;
    the retention period counts from here. NULL: not archived. A state of the head, not of
    the content: no version is added and the chain does not change."""
    gearchiveerd_door: Mapped[str | None] = mapped_column(String(400), nullable=True)
    """Who archived it (`uitgever|sub`)."""
    keten: Mapped[str] = mapped_column(String(6), server_default="")
    """The chain of every link about this casus (its adviezen, their besluiten, its wissing):
    the gemeente it named when it was first stored, "" for none and for every casus stored
    before migration 0010. Fixed, so an erasure is always later in the same chain as what it
    erases."""


class CasusVersie(Base):
    __tablename__ = "casus_versies"

    casus_id: Mapped[str] = mapped_column(ForeignKey("casussen.id"), primary_key=True)
    versie: Mapped[int] = mapped_column(Integer, primary_key=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    afwegingen: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    reden: Mapped[str] = mapped_column(String(40))
    door: Mapped[str] = mapped_column(String(400))
    aangemaakt: Mapped[str] = mapped_column(String(32))


class Advies(Base):
    __tablename__ = "adviezen"
    __table_args__ = (UniqueConstraint("keten", "volgnummer", name="uq_adviezen_keten_volgnummer"),)
    __mapper_args__ = {"eager_defaults": False}  # noqa: RUF012 (SQLAlchemy reads it as is)
    """A row that leaves a column with a server default unset does not name it in its INSERT
    and does not read it back: a row of formula 1–3 never names the kern columns, as the
    service before migration 0009 did not (the migration tests write such rows)."""

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    keten: Mapped[str] = mapped_column(String(6), server_default="")
    """Which chain (since migration 0010): "" or a gemeente code (`Casus.keten`)."""
    volgnummer: Mapped[int] = mapped_column(Integer)
    """The place in its chain (`keten`), from 1."""
    casus_id: Mapped[str | None] = mapped_column(ForeignKey("casussen.id"), nullable=True,
                                                 index=True)
    casus_versie: Mapped[int | None] = mapped_column(Integer, nullable=True)
    door: Mapped[str] = mapped_column(String(400))
    aangemaakt: Mapped[str] = mapped_column(String(32), index=True)
    peildatum: Mapped[str] = mapped_column(String(10))
    engine_versie: Mapped[str] = mapped_column(String(32))
    pakketten: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    trace: Mapped[str] = mapped_column(Text)
    trace_hash: Mapped[str] = mapped_column(String(71))
    vorige_hash: Mapped[str] = mapped_column(String(71))
    keten_hash: Mapped[str] = mapped_column(String(71))
    casus_hash: Mapped[str | None] = mapped_column(String(71), nullable=True)
    """sha256 of the canonical JSON of the casus as evaluated (`trace.casus`). Set on every
    advies; nullable only because migration 0003 adds it to existing rows (and fills it)."""
    keten_versie: Mapped[int] = mapped_column(Integer, server_default="1")
    """Which chain-hash formula this row uses (`service.store.link_hash`): 1 for rows written
    before migration 0003; 2 since, which also covers casus_hash, casus_id and casus_versie;
    3 since migration 0005, which also covers `door` (who made it); 4 since migration 0009,
    which also covers `kern_hash`: the row stores its kern, not its trace (`trace` is "")."""
    kern: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True,
                                               server_default=text("NULL"))
    """Formula 4: the kern (docs/kern.md) as zlib-compressed canonical JSON; the full trace is
    rendered from the casus and the pinned packs (`service.bewijsstuk`). b"" once erased (AVG).
    NULL for a row that stores its trace (formula 1–3)."""
    kern_hash: Mapped[str | None] = mapped_column(String(71), nullable=True,
                                                  server_default=text("NULL"))
    """sha256 of the kern's canonical JSON (formula 4)."""
    casus: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    """Formula 4, an advies on a casus that was not stored: the casus as evaluated (a stored
    casus keeps it in its version row). NULL otherwise."""


class Keten(Base):
    """The head of one chain, locked by every writer of a link of that chain. One chain per
    gemeente (since migration 0010), so writers for different gemeenten do not wait for each
    other; row 1 is the chain "" (no gemeente, and every link stored before 0010)."""

    __tablename__ = "keten"
    __table_args__ = (UniqueConstraint("naam", name="uq_keten_naam"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    naam: Mapped[str] = mapped_column(String(6), server_default="")
    volgnummer: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(71))


class KetenAnker(Base):
    """A signed chain head (`service.keten`): the Ed25519 key is never in this database, so
    whoever can write here cannot forge one. Append-only."""

    __tablename__ = "keten_ankers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    keten: Mapped[str] = mapped_column(String(6), server_default="", index=True)
    """The chain whose head this is (since migration 0010; "" before)."""
    volgnummer: Mapped[int] = mapped_column(Integer, index=True)
    keten_hash: Mapped[str] = mapped_column(String(71))
    tijdstip: Mapped[str] = mapped_column(String(32))
    sleutel_id: Mapped[str] = mapped_column(String(80))
    handtekening: Mapped[str] = mapped_column(String(100))


class Besluit(Base):
    """A besluit is never changed: a correction is a new row with `versie` + 1 that names the
    one it replaces (`vervangt`; at most one successor each). Since migration 0005 every
    besluit is a link of the same chain as the adviezen (`volgnummer`, `keten_hash`); rows
    stored before it have no link (NULL)."""

    __tablename__ = "besluiten"
    __table_args__ = (Index("ix_besluiten_keten_volgnummer", "keten", "volgnummer", unique=True),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    advies_id: Mapped[str] = mapped_column(ForeignKey("adviezen.id"), index=True)
    casus_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    instrumenten: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    motivering: Mapped[str] = mapped_column(Text)
    zaak_url: Mapped[str | None] = mapped_column(String(500), nullable=True)
    door: Mapped[str] = mapped_column(String(400))
    aangemaakt: Mapped[str] = mapped_column(String(32))
    versie: Mapped[int] = mapped_column(Integer, server_default="1")
    vervangt: Mapped[str | None] = mapped_column(String(36), nullable=True, unique=True,
                                                 index=True)
    keten: Mapped[str] = mapped_column(String(6), server_default="")
    """The chain of its advies (since migration 0010)."""
    volgnummer: Mapped[int | None] = mapped_column(Integer, nullable=True)
    vorige_hash: Mapped[str | None] = mapped_column(String(71), nullable=True)
    keten_hash: Mapped[str | None] = mapped_column(String(71), nullable=True)
    keten_versie: Mapped[int | None] = mapped_column(Integer, nullable=True)


class Wissing(Base):
    """An AVG erasure of one casus (since migration 0006): the personal data of the casus, its
    versions, the traces of its adviezen and the free text of its besluiten is gone (`data`
    `{}`, `afwegingen` NULL, `trace` `""`, `motivering` `""`), every hash stays. The wissing is
    itself a link of the chain (`service.store.wissing_link_hash`) and names what it erased
    with the hash of the content as it was, so verification can tell an erasure from
    tampering (docs/keten.md). Append-only; at most one per casus, so "is this casus erased"
    is one lookup by `casus_id`, and the erased rows themselves need no extra column (the
    tables of older schema versions stay as they were)."""

    __tablename__ = "wissingen"
    __table_args__ = (Index("ix_wissingen_keten_volgnummer", "keten", "volgnummer", unique=True),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    casus_id: Mapped[str] = mapped_column(ForeignKey("casussen.id"), unique=True, index=True)
    door: Mapped[str] = mapped_column(String(400))
    tijdstip: Mapped[str] = mapped_column(String(32))
    grond: Mapped[str] = mapped_column(Text)
    adviezen: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    """Per erased advies: `id`, `trace_hash` (of the trace as erased) and `rest_hash` (of what
    the trace committed to and stays: peildatum, engine_versie, pakketten)."""
    casus_versies: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    """Per erased casus version: `versie` and `hash` (`casus_digest` of its data as erased)."""
    besluiten: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    """Per erased besluit: `id`, `keten_hash` (its link over the content as erased) and
    `rest_hash` (its link over what stays)."""
    keten: Mapped[str] = mapped_column(String(6), server_default="")
    """The chain of its casus (since migration 0010)."""
    volgnummer: Mapped[int] = mapped_column(Integer)
    vorige_hash: Mapped[str] = mapped_column(String(71))
    keten_hash: Mapped[str] = mapped_column(String(71))
    keten_versie: Mapped[int] = mapped_column(Integer)


class Verwerking(Base):
    """Processing log after the Logboek Dataverwerkingen standard: one record per processing
    of a casus, advies or besluit (evaluation, read, replay, answer, besluit, erasure). Ids,
    the actor's pseudonymous id (`door`, `uitgever|sub`), the action (`naam`) and the time;
    never the data itself. `betrokkene` is a keyed pseudonym of the casus."""

    __tablename__ = "verwerkingen"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    trace_id: Mapped[str] = mapped_column(String(32), index=True)
    span_id: Mapped[str] = mapped_column(String(16))
    parent_span_id: Mapped[str | None] = mapped_column(String(16), nullable=True)
    naam: Mapped[str] = mapped_column(String(100))
    verwerkingsactiviteit: Mapped[str] = mapped_column(String(300))
    betrokkene: Mapped[str | None] = mapped_column(String(80), nullable=True)
    status: Mapped[str] = mapped_column(String(10))
    start: Mapped[str] = mapped_column(String(32), index=True)
    eind: Mapped[str] = mapped_column(String(32))
    advies_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    besluit_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    door: Mapped[str | None] = mapped_column(String(400), nullable=True)
    """Who (`uitgever|sub`); NULL on records written before migration 0005."""



# ── opvolging en beleidsinformatie (issue 15) ───────────────────────────────────────────────

class Opvolging(Base):
    """The follow-up of one gewenst effect of a stored casus (effectmeting): was the effect
    reached (`uitkomst`), which instruments were actually used, and a short note. Never
    changed: a correction is a new row with `versie` + 1 that names the one it replaces
    (`vervangt`, at most one successor each). Not a link of the chain. An AVG erasure of the
    casus blanks `toelichting` (the one field with personal data); the rest stays."""

    __tablename__ = "opvolgingen"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    casus_id: Mapped[str] = mapped_column(ForeignKey("casussen.id"), index=True)
    advies_id: Mapped[str] = mapped_column(ForeignKey("adviezen.id"))
    """The advies in force when it was recorded: the instruments were checked against it."""
    effect: Mapped[str] = mapped_column(String(40))
    opvolgdatum: Mapped[str] = mapped_column(String(10))
    """The date the follow-up was due (ISO date), as it was when recorded."""
    uitkomst: Mapped[str] = mapped_column(String(20))
    gebruikte_instrumenten: Mapped[list[str]] = mapped_column(JSON)
    toelichting: Mapped[str] = mapped_column(Text)
    door: Mapped[str] = mapped_column(String(400))
    aangemaakt: Mapped[str] = mapped_column(String(32))
    versie: Mapped[int] = mapped_column(Integer)
    vervangt: Mapped[str | None] = mapped_column(String(36), nullable=True, unique=True)


class ImpactRun(Base):
    """An impact analysis run through the job library (`service.impact_taken`, PostgreSQL):
    stored, so every service process and every worker host knows it. Not a link of the chain
    and no record of a decision: impact changes nothing stored. Deleted some time after it
    ended (`ImpactInstellingen.bewaar_s`)."""

    __tablename__ = "impact_runs"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    eigenaar: Mapped[str] = mapped_column(String(400))
    """The principal's id (issuer|subject): who may see and cancel it."""
    per_advies: Mapped[bool] = mapped_column(Boolean)
    """Started by an auditor: the delen keep the per-advies detail; otherwise counts only."""
    kandidaat: Mapped[bytes] = mapped_column(LargeBinary)
    """The candidate rule base: zlib-compressed JSON [[name, base64 bytes], ...]; emptied
    when the run ends."""
    sinds: Mapped[str | None] = mapped_column(String(32), nullable=True)
    peildatum: Mapped[str | None] = mapped_column(String(10), nullable=True)
    delen: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    tijdslimiet_s: Mapped[float] = mapped_column(Float)
    aangemaakt: Mapped[str] = mapped_column(String(32), index=True)
    gestart: Mapped[str | None] = mapped_column(String(32), nullable=True)
    beeindigd: Mapped[str | None] = mapped_column(String(32), nullable=True)
    melding: Mapped[str | None] = mapped_column(Text, nullable=True)
    uitkomst: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


class ImpactDeel(Base):
    """One job of a run: every `delen`-th advies (volgnummer mod delen == deel)."""

    __tablename__ = "impact_delen"

    run_id: Mapped[str] = mapped_column(ForeignKey("impact_runs.id", ondelete="CASCADE"),
                                        primary_key=True)
    deel: Mapped[int] = mapped_column(Integer, primary_key=True)
    status: Mapped[str] = mapped_column(String(16))
    job_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    """The procrastinate job, to cancel it while it waits."""
    door: Mapped[str | None] = mapped_column(String(200), nullable=True)
    """The worker that took it (host:pid), for an operator following a run over hosts."""
    verwerkt: Mapped[int] = mapped_column(Integer, default=0)
    totaal: Mapped[int | None] = mapped_column(Integer, nullable=True)
    rapport: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    """Its counts (and, for an auditor's run, the changed adviezen) before any suppression:
    cells are suppressed only over the whole run (`engine.impact.ImpactRapport.overzicht`)."""


class AdviesEffect(Base):
    """Derived, for aggregation (beleidsinformatie): one row per (advies, effect), read from
    the advies' trace when it is stored (`service.store.beleid_rijen`). NOT part of the chain:
    the chained trace is the record and these rows can always be derived from it again
    (migration 0008 did so for older adviezen). Ids and categories only, no free text. Erased
    with the casus (`store_wissing`). `dossier` is the casus id, or the advies id for an
    advies on a casus that was not stored."""

    __tablename__ = "advies_effecten"
    __table_args__ = (Index("ix_advies_effecten_periode", "aangemaakt", "dossier",
                            "volgnummer"),
                      Index("ix_advies_effecten_dossier", "dossier", "volgnummer"),
                      Index("ix_advies_effecten_laatste", "aangemaakt", "vervangen_op",
                            "gemeente", "casus_domeinen", "grondwaarde", "leefgebied"))

    advies_id: Mapped[str] = mapped_column(derived_from("adviezen.id"), primary_key=True)
    effect: Mapped[str] = mapped_column(String(40), primary_key=True)
    volgnummer: Mapped[int] = mapped_column(Integer, index=True)
    dossier: Mapped[str] = mapped_column(String(36))
    casus_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    gemeente: Mapped[str | None] = mapped_column(String(6), nullable=True)
    aangemaakt: Mapped[str] = mapped_column(String(32))
    leefgebied: Mapped[str] = mapped_column(String(60))
    domeinen: Mapped[int] = mapped_column(Integer)
    """How many domains this effect involves (stap 2)."""
    casus_domeinen: Mapped[int] = mapped_column(Integer)
    """How many domains the whole advies involves (stap 2 of the casus)."""
    grondwaarde: Mapped[bool] = mapped_column(Boolean)
    """Did the effect serve any law's grondwaarde?"""
    vervangen_op: Mapped[str | None] = mapped_column(String(32), nullable=True)
    """When the next advies of the same dossier was stored (its `aangemaakt`), NULL while this
    is the dossier's latest: "latest advies in [van, tot]" becomes a range predicate
    (`vervangen_op` NULL or after `tot`) instead of a GROUP BY per request. Set on the rows of
    all three `advies_*` tables by `service.beleidsrijen.write_advies_rows`."""


class AdviesInstrument(Base):
    """Derived, for aggregation: one row per (advies, effect, instrument) with its rung and
    status, the effect's domains and grondwaarde, and the instrument's statutory decision
    period in days (`termijn_dagen`, from the trace's termijnen; NULL when it names none).
    Not part of the chain (see `AdviesEffect`)."""

    __tablename__ = "advies_instrumenten"
    __table_args__ = (Index("ix_advies_instrumenten_volgnummer", "volgnummer", "instrument"),
                      Index("ix_advies_instrumenten_laatste", "status", "trede", "instrument",
                            "vervangen_op", "aangemaakt", "gemeente"))

    advies_id: Mapped[str] = mapped_column(derived_from("adviezen.id"), primary_key=True)
    effect: Mapped[str] = mapped_column(String(40), primary_key=True)
    instrument: Mapped[str] = mapped_column(String(120), primary_key=True)
    volgnummer: Mapped[int] = mapped_column(Integer)
    dossier: Mapped[str] = mapped_column(String(36), index=True)
    gemeente: Mapped[str | None] = mapped_column(String(6), nullable=True)
    aangemaakt: Mapped[str] = mapped_column(String(32), index=True)
    leefgebied: Mapped[str] = mapped_column(String(60))
    trede: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20))
    domeinen: Mapped[int] = mapped_column(Integer)
    grondwaarde: Mapped[bool] = mapped_column(Boolean)
    termijn_dagen: Mapped[int | None] = mapped_column(Integer, nullable=True)
    vervangen_op: Mapped[str | None] = mapped_column(String(32), nullable=True)
    """See `AdviesEffect.vervangen_op`."""


class AdviesKenmerk(Base):
    """Derived, for aggregation: per advies, once, each fact still to ask (`soort`
    `nog_uitvragen`, `kenmerk` the catalogue name such as `persoon.woont_in_gemeente`, never
    the address with a person's id) and each discretionary ground that decided an
    instrument's status (`soort` `beslisruimte`: `instrument`, `kenmerk` the ground's id,
    `door` who decides); `effect` is the first effect that names it. Once per advies: the
    figures count casussen, one advies each, so they count rows. Ids only. Not part of the
    chain (see `AdviesEffect`)."""

    __tablename__ = "advies_kenmerken"
    __table_args__ = (Index("ix_advies_kenmerken_volgnummer", "volgnummer", "soort"),
                      Index("ix_advies_kenmerken_laatste", "soort", "kenmerk", "instrument",
                            "door", "vervangen_op", "aangemaakt", "gemeente"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    advies_id: Mapped[str] = mapped_column(derived_from("adviezen.id"), index=True)
    volgnummer: Mapped[int] = mapped_column(Integer)
    dossier: Mapped[str] = mapped_column(String(36), index=True)
    effect: Mapped[str] = mapped_column(String(40))
    soort: Mapped[str] = mapped_column(String(20))
    kenmerk: Mapped[str] = mapped_column(String(200))
    instrument: Mapped[str | None] = mapped_column(String(120), nullable=True)
    door: Mapped[str | None] = mapped_column(String(80), nullable=True)
    gemeente: Mapped[str | None] = mapped_column(String(6), nullable=True)
    aangemaakt: Mapped[str] = mapped_column(String(32))
    vervangen_op: Mapped[str | None] = mapped_column(String(32), nullable=True)
    """`gemeente`, `aangemaakt`, `vervangen_op`: as on `AdviesEffect`, so the population is a
    predicate on this table's own (covering) index, without a join."""


class BesluitInstrument(Base):
    """Derived, for aggregation: one row per (besluit in force, effect, instrument): its
    `uitkomst`, the advies' status and rung for it, whether it departs from the advies
    (`afwijking`: `toegekend_past_niet` or `afgewezen_past`), the whole days from advies to
    besluit and the instrument's statutory decision period. Only the version in force: a
    correction replaces the rows of the besluit it corrects (the besluiten themselves all
    stay). Categories only, never the motivering. Not part of the chain."""

    __tablename__ = "besluit_instrumenten"

    besluit_id: Mapped[str] = mapped_column(derived_from("besluiten.id"), primary_key=True)
    effect: Mapped[str] = mapped_column(String(40), primary_key=True)
    instrument: Mapped[str] = mapped_column(String(120), primary_key=True)
    advies_id: Mapped[str] = mapped_column(String(36), index=True)
    dossier: Mapped[str] = mapped_column(String(36), index=True)
    aangemaakt: Mapped[str] = mapped_column(String(32))
    trede: Mapped[str | None] = mapped_column(String(40), nullable=True)
    uitkomst: Mapped[str] = mapped_column(String(20))
    advies_status: Mapped[str | None] = mapped_column(String(20), nullable=True)
    afwijking: Mapped[str | None] = mapped_column(String(30), nullable=True)
    dagen: Mapped[int] = mapped_column(Integer)
    termijn_dagen: Mapped[int | None] = mapped_column(Integer, nullable=True)


class OpvolgingInstrument(Base):
    """Derived, for aggregation: per follow-up in force, each instrument used, with the
    effect's `uitkomst`. A correction replaces the rows of the version it corrects."""

    __tablename__ = "opvolging_instrumenten"

    opvolging_id: Mapped[str] = mapped_column(derived_from("opvolgingen.id"), primary_key=True)
    instrument: Mapped[str] = mapped_column(String(120), primary_key=True)
    dossier: Mapped[str] = mapped_column(String(36), index=True)
    effect: Mapped[str] = mapped_column(String(40))
    trede: Mapped[str | None] = mapped_column(String(40), nullable=True)
    uitkomst: Mapped[str] = mapped_column(String(20))
# ── einde opvolging en beleidsinformatie ────────────────────────────────────────────────────

class DatabaseMissing(Exception):
    """An SQLite database that a read-only caller (`ot keten`) asked for does not exist."""


def make_engines(url: str, *, create: bool = True) -> tuple[SaEngine, SaEngine]:
    """(writer, reader). On PostgreSQL one engine serves both (writers lock the chain head with
    SELECT … FOR UPDATE). On SQLite the writer starts every transaction with BEGIN IMMEDIATE,
    so two writers never interleave on the advies chain, and the reader keeps deferred
    transactions, so reading never waits for (or blocks) a writer (WAL).

    `create=False` (verification, export) never creates a folder or an empty SQLite file: a
    missing database raises `DatabaseMissing`. Only the service start creates them."""
    if url.startswith("sqlite"):
        path = _sqlite_path(url)
        if not create and path and path != ":memory:" and not Path(path).is_file():
            raise DatabaseMissing(path)
        return (_sqlite(url, immediate=True, create=create),
                _sqlite(url, immediate=False, create=create))
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    engine = create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True,
                           json_deserializer=orjson.loads)
    return engine, engine


def _sqlite_path(url: str) -> str:
    return url.split("///", 1)[1].split("?", 1)[0] if "///" in url else ""


def _sqlite(url: str, *, immediate: bool, create: bool = True) -> SaEngine:
    path = _sqlite_path(url)
    if create and path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    # JSON columns are read with orjson (what they hold was written by the service, within the
    # contract's number range); verification reads every stored casus
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30},
                           json_deserializer=orjson.loads)

    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn: Any, _: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    if not immediate:
        @event.listens_for(engine, "begin")
        def _begin_read(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN")

        return engine

    # Writers in this process queue on a lock instead of on SQLite's busy handler, which
    # sleeps in steps of up to 100 ms and starves some requests under load. Other processes
    # still meet the database lock (BEGIN IMMEDIATE) and the busy timeout.
    lock = threading.Lock()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        lock.acquire()
        conn.info["ot_lock"] = True
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            conn.info.pop("ot_lock", None)
            lock.release()
            raise

    def _end(conn: Any) -> None:
        if conn.info.pop("ot_lock", False):
            lock.release()

    event.listen(engine, "commit", _end)
    event.listen(engine, "rollback", _end)
    return engine


def session_factory(engine: SaEngine) -> sessionmaker[Any]:
    return sessionmaker(engine, expire_on_commit=False)
