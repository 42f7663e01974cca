"""Opvolging (effectmeting) and the indexed decision outcomes behind beleidsinformatie.

* `opvolgingen`: the follow-up of one gewenst effect of a casus (bereikt / deels /
  niet_bereikt, the instruments used, a note); a correction is a new row naming the one it
  replaces (`vervangt`, unique).
* Derived rows for aggregation in SQL (`advies_effecten`, `advies_instrumenten`,
  `advies_kenmerken`, `besluit_instrumenten`, `opvolging_instrumenten`): ids and categories
  read from the chained traces and besluiten (`service.beleidsrijen.beleid_rows`,
  `service.beleidsrijen.besluit_rows`). They are not links of the chain and change no stored row:
  every advies, besluit and wissing verifies as before.
* The backfill derives them for every advies stored before this revision, in batches of
  `BATCH` adviezen (keyset on `volgnummer`: memory stays flat, a trace is parsed one at a
  time), then for every besluit in force. An erased advies (trace `""`) has nothing left to
  derive from and gets no rows.
* `vervangen_op` on the three `advies_*` tables (when the dossier's next advies was stored)
  makes "per casus its latest advies in the period" a predicate on the row itself instead of
  a GROUP BY per figure; covering indexes ordered as the figures group (`ix_*_laatste`) let
  the aggregates stream. The backfill sets it in one UPDATE per table after the rows are
  derived.

Revision ID: 0008
Revises: 0007
"""

import json
from typing import Any

import sqlalchemy as sa
from alembic import op

from service.beleidsrijen import beleid_rows, besluit_rows

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

BATCH = 200


def _common(*extra: sa.Column[Any]) -> list[sa.Column[Any]]:
    return [sa.Column("volgnummer", sa.Integer(), nullable=False),
            sa.Column("dossier", sa.String(36), nullable=False), *extra]


def upgrade() -> None:
    op.create_table(
        "opvolgingen",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("casus_id", sa.String(36), sa.ForeignKey("casussen.id"), nullable=False),
        sa.Column("advies_id", sa.String(36), sa.ForeignKey("adviezen.id"), nullable=False),
        sa.Column("effect", sa.String(40), nullable=False),
        sa.Column("opvolgdatum", sa.String(10), nullable=False),
        sa.Column("uitkomst", sa.String(20), nullable=False),
        sa.Column("gebruikte_instrumenten", sa.JSON(), nullable=False),
        sa.Column("toelichting", sa.Text(), nullable=False),
        sa.Column("door", sa.String(400), nullable=False),
        sa.Column("aangemaakt", sa.String(32), nullable=False),
        sa.Column("versie", sa.Integer(), nullable=False),
        sa.Column("vervangt", sa.String(36), nullable=True, unique=True),
    )
    op.create_index("ix_opvolgingen_casus_id", "opvolgingen", ["casus_id"])
    op.create_table(
        "advies_effecten",
        sa.Column("advies_id", sa.String(36),
                  sa.ForeignKey("adviezen.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("effect", sa.String(40), primary_key=True),
        *_common(sa.Column("casus_id", sa.String(36), nullable=True),
                 sa.Column("gemeente", sa.String(6), nullable=True),
                 sa.Column("aangemaakt", sa.String(32), nullable=False),
                 sa.Column("leefgebied", sa.String(60), nullable=False),
                 sa.Column("domeinen", sa.Integer(), nullable=False),
                 sa.Column("casus_domeinen", sa.Integer(), nullable=False),
                 sa.Column("grondwaarde", sa.Boolean(), nullable=False),
                 sa.Column("vervangen_op", sa.String(32), nullable=True)),
    )
    op.create_index("ix_advies_effecten_volgnummer", "advies_effecten", ["volgnummer"])
    op.create_index("ix_advies_effecten_periode", "advies_effecten",
                    ["aangemaakt", "dossier", "volgnummer"])
    op.create_index("ix_advies_effecten_dossier", "advies_effecten", ["dossier", "volgnummer"])
    op.create_index("ix_advies_effecten_laatste", "advies_effecten",
                    ["aangemaakt", "vervangen_op", "gemeente", "casus_domeinen", "grondwaarde",
                     "leefgebied"])
    op.create_table(
        "advies_instrumenten",
        sa.Column("advies_id", sa.String(36),
                  sa.ForeignKey("adviezen.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("effect", sa.String(40), primary_key=True),
        sa.Column("instrument", sa.String(120), primary_key=True),
        *_common(sa.Column("gemeente", sa.String(6), nullable=True),
                 sa.Column("aangemaakt", sa.String(32), nullable=False),
                 sa.Column("leefgebied", sa.String(60), nullable=False),
                 sa.Column("trede", sa.String(40), nullable=False),
                 sa.Column("status", sa.String(20), nullable=False),
                 sa.Column("domeinen", sa.Integer(), nullable=False),
                 sa.Column("grondwaarde", sa.Boolean(), nullable=False),
                 sa.Column("termijn_dagen", sa.Integer(), nullable=True),
                 sa.Column("vervangen_op", sa.String(32), nullable=True)),
    )
    op.create_index("ix_advies_instrumenten_volgnummer", "advies_instrumenten",
                    ["volgnummer", "instrument"])
    op.create_index("ix_advies_instrumenten_dossier", "advies_instrumenten", ["dossier"])
    op.create_index("ix_advies_instrumenten_aangemaakt", "advies_instrumenten", ["aangemaakt"])
    op.create_index("ix_advies_instrumenten_laatste", "advies_instrumenten",
                    ["status", "trede", "instrument", "vervangen_op", "aangemaakt", "gemeente"])
    op.create_table(
        "advies_kenmerken",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("advies_id", sa.String(36),
                  sa.ForeignKey("adviezen.id", ondelete="CASCADE"), nullable=False),
        *_common(sa.Column("effect", sa.String(40), nullable=False),
                 sa.Column("soort", sa.String(20), nullable=False),
                 sa.Column("kenmerk", sa.String(200), nullable=False),
                 sa.Column("instrument", sa.String(120), nullable=True),
                 sa.Column("door", sa.String(80), nullable=True),
                 sa.Column("gemeente", sa.String(6), nullable=True),
                 sa.Column("aangemaakt", sa.String(32), nullable=False),
                 sa.Column("vervangen_op", sa.String(32), nullable=True)),
    )
    op.create_index("ix_advies_kenmerken_advies_id", "advies_kenmerken", ["advies_id"])
    op.create_index("ix_advies_kenmerken_dossier", "advies_kenmerken", ["dossier"])
    op.create_index("ix_advies_kenmerken_volgnummer", "advies_kenmerken",
                    ["volgnummer", "soort"])
    op.create_index("ix_advies_kenmerken_laatste", "advies_kenmerken",
                    ["soort", "kenmerk", "instrument", "door", "vervangen_op", "aangemaakt",
                     "gemeente"])
    op.create_table(
        "besluit_instrumenten",
        sa.Column("besluit_id", sa.String(36),
                  sa.ForeignKey("besluiten.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("effect", sa.String(40), primary_key=True),
        sa.Column("instrument", sa.String(120), primary_key=True),
        sa.Column("advies_id", sa.String(36), nullable=False),
        sa.Column("dossier", sa.String(36), nullable=False),
        sa.Column("aangemaakt", sa.String(32), nullable=False),
        sa.Column("trede", sa.String(40), nullable=True),
        sa.Column("uitkomst", sa.String(20), nullable=False),
        sa.Column("advies_status", sa.String(20), nullable=True),
        sa.Column("afwijking", sa.String(30), nullable=True),
        sa.Column("dagen", sa.Integer(), nullable=False),
        sa.Column("termijn_dagen", sa.Integer(), nullable=True),
    )
    op.create_index("ix_besluit_instrumenten_advies_id", "besluit_instrumenten", ["advies_id"])
    op.create_index("ix_besluit_instrumenten_dossier", "besluit_instrumenten", ["dossier"])
    op.create_table(
        "opvolging_instrumenten",
        sa.Column("opvolging_id", sa.String(36),
                  sa.ForeignKey("opvolgingen.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("instrument", sa.String(120), primary_key=True),
        sa.Column("dossier", sa.String(36), nullable=False),
        sa.Column("effect", sa.String(40), nullable=False),
        sa.Column("trede", sa.String(40), nullable=True),
        sa.Column("uitkomst", sa.String(20), nullable=False),
    )
    op.create_index("ix_opvolging_instrumenten_dossier", "opvolging_instrumenten", ["dossier"])
    _backfill()


def _backfill() -> None:
    conn = op.get_bind()
    meta = sa.MetaData()
    tables = {name: sa.Table(name, meta, autoload_with=conn) for name in (
        "adviezen", "besluiten", "advies_effecten", "advies_instrumenten", "advies_kenmerken",
        "besluit_instrumenten")}
    adviezen = tables["adviezen"]
    last = 0
    while True:  # keyset batches over the chain order: memory stays flat
        batch = conn.execute(sa.select(adviezen.c.id, adviezen.c.volgnummer,
                                       adviezen.c.casus_id, adviezen.c.aangemaakt,
                                       adviezen.c.trace)
                             .where(adviezen.c.volgnummer > last)
                             .order_by(adviezen.c.volgnummer).limit(BATCH)).all()
        if not batch:
            break
        rows: dict[str, list[dict[str, object]]] = {"effecten": [], "instrumenten": [],
                                                    "kenmerken": []}
        for a in batch:
            last = a.volgnummer
            if not a.trace:  # erased (AVG): nothing left to derive
                continue
            found = beleid_rows(json.loads(a.trace), advies_id=a.id, volgnummer=a.volgnummer,
                                casus_id=a.casus_id, aangemaakt=a.aangemaakt)
            for key in rows:
                rows[key] += found[key]
        for key, name in (("effecten", "advies_effecten"),
                          ("instrumenten", "advies_instrumenten"),
                          ("kenmerken", "advies_kenmerken")):
            if rows[key]:
                conn.execute(tables[name].insert(), rows[key])
    _backfill_vervangen(conn, tables)
    _backfill_besluiten(conn, tables)


def _backfill_vervangen(conn: sa.Connection, tables: dict[str, sa.Table]) -> None:
    """`vervangen_op` as `service.beleidsrijen.supersede` sets it when the next advies is
    stored: the `aangemaakt` of the next advies (in chain order) of the same dossier that has
    effects (rows in `advies_effecten`); NULL for the dossier's latest. One UPDATE per table."""
    effecten = tables["advies_effecten"]
    for name in ("advies_effecten", "advies_instrumenten", "advies_kenmerken"):
        table = tables[name]
        nxt = effecten.alias("volgend")
        following = (sa.select(nxt.c.aangemaakt)
                     .where(nxt.c.dossier == table.c.dossier,
                            nxt.c.volgnummer > table.c.volgnummer)
                     .order_by(nxt.c.volgnummer).limit(1).scalar_subquery())
        conn.execute(table.update().values(vervangen_op=following))


def _backfill_besluiten(conn: sa.Connection, tables: dict[str, sa.Table]) -> None:
    """Every besluit in force (no later version names it) whose advies still has its trace."""
    besluiten, adviezen = tables["besluiten"], tables["adviezen"]
    instrumenten = tables["advies_instrumenten"]
    newer = besluiten.alias("nieuwer")
    last = ""
    while True:
        batch = conn.execute(
            sa.select(besluiten.c.id, besluiten.c.advies_id, besluiten.c.aangemaakt,
                      besluiten.c.instrumenten, adviezen.c.aangemaakt.label("advies_aangemaakt"),
                      adviezen.c.casus_id)
            .join(adviezen, adviezen.c.id == besluiten.c.advies_id)
            .where(besluiten.c.id > last, adviezen.c.trace != "",
                   ~sa.exists().where(newer.c.vervangt == besluiten.c.id))
            .order_by(besluiten.c.id).limit(BATCH)).all()
        if not batch:
            break
        rows: list[dict[str, object]] = []
        for b in batch:
            last = b.id
            judged = {(r.effect, r.instrument): (r.trede, r.status, r.termijn_dagen)
                      for r in conn.execute(sa.select(
                          instrumenten.c.effect, instrumenten.c.instrument, instrumenten.c.trede,
                          instrumenten.c.status, instrumenten.c.termijn_dagen)
                          .where(instrumenten.c.advies_id == b.advies_id))}
            instrumenten_json = b.instrumenten
            if isinstance(instrumenten_json, str):
                instrumenten_json = json.loads(instrumenten_json)
            rows += besluit_rows({"id": b.id, "advies_id": b.advies_id,
                                  "aangemaakt": b.aangemaakt,
                                  "instrumenten": instrumenten_json},
                                 advies_aangemaakt=b.advies_aangemaakt,
                                 dossier=b.casus_id or b.advies_id, judged=judged)
        if rows:
            conn.execute(tables["besluit_instrumenten"].insert(), rows)


def downgrade() -> None:
    """Refused while any follow-up is stored: it is a record of its own (not derived) and would
    be lost. The derived tables can always be derived again, so they simply go."""
    conn = op.get_bind()
    stored = conn.execute(sa.text("SELECT COUNT(*) FROM opvolgingen")).scalar()
    if stored:
        raise RuntimeError(f"downgrade onder 0008 geweigerd: {stored} opvolgingen zijn "
                           "vastgelegd en zouden verloren gaan")
    for table in ("opvolging_instrumenten", "besluit_instrumenten", "advies_kenmerken",
                  "advies_instrumenten", "advies_effecten", "opvolgingen"):
        op.drop_table(table)
