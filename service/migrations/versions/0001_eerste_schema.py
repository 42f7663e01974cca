"""Eerste schema: pakketversies, casussen (met versies), adviezen (keten), besluiten, verwerkingen.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pakket_versies",
        sa.Column("hash", sa.String(71), primary_key=True),
        sa.Column("pakket_id", sa.String(64), nullable=False, index=True),
        sa.Column("versie", sa.String(64), nullable=False),
        sa.Column("bron", sa.String(300), nullable=False),
        sa.Column("inhoud", sa.LargeBinary(), nullable=False),
        sa.Column("opgeslagen", sa.String(32), nullable=False),
    )
    op.create_table(
        "casussen",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("eigenaar", sa.String(200), nullable=False, index=True),
        sa.Column("versie", sa.Integer(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("afwegingen", sa.JSON(), nullable=True),
        sa.Column("aangemaakt", sa.String(32), nullable=False),
        sa.Column("gewijzigd", sa.String(32), nullable=False),
    )
    op.create_table(
        "casus_versies",
        sa.Column("casus_id", sa.String(36), sa.ForeignKey("casussen.id"), primary_key=True),
        sa.Column("versie", sa.Integer(), primary_key=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("afwegingen", sa.JSON(), nullable=True),
        sa.Column("reden", sa.String(40), nullable=False),
        sa.Column("door", sa.String(200), nullable=False),
        sa.Column("aangemaakt", sa.String(32), nullable=False),
    )
    op.create_table(
        "adviezen",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("volgnummer", sa.Integer(), nullable=False, unique=True),
        sa.Column("casus_id", sa.String(36), sa.ForeignKey("casussen.id"), nullable=True,
                  index=True),
        sa.Column("casus_versie", sa.Integer(), nullable=True),
        sa.Column("door", sa.String(200), nullable=False),
        sa.Column("aangemaakt", sa.String(32), nullable=False),
        sa.Column("peildatum", sa.String(10), nullable=False),
        sa.Column("engine_versie", sa.String(32), nullable=False),
        sa.Column("pakketten", sa.JSON(), nullable=False),
        sa.Column("trace", sa.Text(), nullable=False),
        sa.Column("trace_hash", sa.String(71), nullable=False),
        sa.Column("vorige_hash", sa.String(71), nullable=False),
        sa.Column("keten_hash", sa.String(71), nullable=False),
    )
    op.create_table(
        "keten",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("volgnummer", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(71), nullable=False),
    )
    op.execute("INSERT INTO keten (id, volgnummer, hash) VALUES "
               "(1, 0, 'sha256:" + "0" * 64 + "')")
    op.create_table(
        "besluiten",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("advies_id", sa.String(36), sa.ForeignKey("adviezen.id"), nullable=False,
                  index=True),
        sa.Column("casus_id", sa.String(36), nullable=True),
        sa.Column("instrumenten", sa.JSON(), nullable=False),
        sa.Column("motivering", sa.Text(), nullable=False),
        sa.Column("zaak_url", sa.String(500), nullable=True),
        sa.Column("door", sa.String(200), nullable=False),
        sa.Column("aangemaakt", sa.String(32), nullable=False),
    )
    op.create_table(
        "verwerkingen",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("trace_id", sa.String(32), nullable=False, index=True),
        sa.Column("span_id", sa.String(16), nullable=False),
        sa.Column("parent_span_id", sa.String(16), nullable=True),
        sa.Column("naam", sa.String(100), nullable=False),
        sa.Column("verwerkingsactiviteit", sa.String(300), nullable=False),
        sa.Column("betrokkene", sa.String(80), nullable=True),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("start", sa.String(32), nullable=False),
        sa.Column("eind", sa.String(32), nullable=False),
        sa.Column("advies_id", sa.String(36), nullable=True),
    )


def downgrade() -> None:
    for table in ("verwerkingen", "besluiten", "keten", "adviezen", "casus_versies",
                  "casussen", "pakket_versies"):
        op.drop_table(table)
