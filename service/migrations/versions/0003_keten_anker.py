"""Keten met sleutel: casus_hash en keten_versie op adviezen, en de tabel keten_ankers.

Existing adviezen keep their chain formula (`keten_versie` 1) and their `keten_hash`: nothing
stored changes, and they verify as before. Their `casus_hash` is computed from the casus in
their own stored trace (the engine's canonical JSON), so replay and verification can check it;
new adviezen (`keten_versie` 2) also hash it into the chain.

Revision ID: 0003
Revises: 0002
"""

import json

import sqlalchemy as sa
from alembic import op

from engine.evaluate import trace_hash as canonical_hash

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

BATCH = 200


def upgrade() -> None:
    op.add_column("adviezen", sa.Column("casus_hash", sa.String(71), nullable=True))
    op.add_column("adviezen", sa.Column("keten_versie", sa.Integer(), nullable=False,
                                        server_default="1"))
    adviezen = sa.table("adviezen", sa.column("id", sa.String), sa.column("volgnummer",
                                                                           sa.Integer),
                        sa.column("trace", sa.Text), sa.column("casus_hash", sa.String))
    conn = op.get_bind()
    last = 0
    while True:  # in batches by volgnummer: memory stays flat on a large chain
        rows = conn.execute(sa.select(adviezen.c.id, adviezen.c.volgnummer, adviezen.c.trace)
                            .where(adviezen.c.volgnummer > last)
                            .order_by(adviezen.c.volgnummer).limit(BATCH)).all()
        if not rows:
            break
        for advies_id, volgnummer, trace in rows:
            casus = json.loads(trace).get("casus")
            if isinstance(casus, dict):  # otherwise NULL: verification reports it
                conn.execute(adviezen.update().where(adviezen.c.id == advies_id)
                             .values(casus_hash=canonical_hash(casus)))
            last = volgnummer
    op.create_table(
        "keten_ankers",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("volgnummer", sa.Integer(), nullable=False, index=True),
        sa.Column("keten_hash", sa.String(71), nullable=False),
        sa.Column("tijdstip", sa.String(32), nullable=False),
        sa.Column("sleutel_id", sa.String(80), nullable=False),
        sa.Column("handtekening", sa.String(100), nullable=False),
    )


def downgrade() -> None:
    """Refused while anything would be lost or become unverifiable: adviezen chained with
    formula 2 (the older code cannot check them) or signed heads."""
    conn = op.get_bind()
    newer = conn.execute(sa.text("SELECT COUNT(*) FROM adviezen WHERE keten_versie <> 1")).scalar()
    signed = conn.execute(sa.text("SELECT COUNT(*) FROM keten_ankers")).scalar()
    if newer or signed:
        raise RuntimeError(f"downgrade onder 0003 geweigerd: {newer} adviezen met keten_versie 2 "
                           f"en {signed} ondertekende koppen zouden onverifieerbaar worden of "
                           "verloren gaan")
    op.drop_table("keten_ankers")
    op.drop_column("adviezen", "keten_versie")
    op.drop_column("adviezen", "casus_hash")
