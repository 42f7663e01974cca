"""AVG-wissing: the table `wissingen`.

One row per erased casus (unique `casus_id`), a link of the chain (`volgnummer`,
`vorige_hash`, `keten_hash`, `keten_versie` 3 with `soort: "wissing"`; see
`service.store.wissing_link_hash`), naming every erased advies, casus version and besluit with
its hashes. The erased rows themselves get no new column: a casus is erased when it has a
wissing, and its rows are blank.

Nothing stored changes: every existing row verifies as before.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "wissingen",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("casus_id", sa.String(36), sa.ForeignKey("casussen.id"), nullable=False),
        sa.Column("door", sa.String(400), nullable=False),
        sa.Column("tijdstip", sa.String(32), nullable=False),
        sa.Column("grond", sa.Text(), nullable=False),
        sa.Column("adviezen", sa.JSON(), nullable=False),
        sa.Column("casus_versies", sa.JSON(), nullable=False),
        sa.Column("besluiten", sa.JSON(), nullable=False),
        sa.Column("volgnummer", sa.Integer(), nullable=False),
        sa.Column("vorige_hash", sa.String(71), nullable=False),
        sa.Column("keten_hash", sa.String(71), nullable=False),
        sa.Column("keten_versie", sa.Integer(), nullable=False),
    )
    op.create_index("ix_wissingen_casus_id", "wissingen", ["casus_id"], unique=True)
    op.create_index("ix_wissingen_volgnummer", "wissingen", ["volgnummer"], unique=True)


def downgrade() -> None:
    """Refused while any erasure is stored: the older code would report every erased trace as
    tampering and find a chain head it cannot explain, and the record of the erasure (who, when,
    why, what) would be lost."""
    conn = op.get_bind()
    stored = conn.execute(sa.text("SELECT COUNT(*) FROM wissingen")).scalar()
    if stored:
        raise RuntimeError(f"downgrade onder 0006 geweigerd: {stored} wissingen staan in de "
                           "keten; zonder die tabel zouden de gewiste adviezen als vervalst "
                           "gelden en ging het verslag van de wissing verloren")
    op.drop_index("ix_wissingen_volgnummer", table_name="wissingen")
    op.drop_index("ix_wissingen_casus_id", table_name="wissingen")
    op.drop_table("wissingen")
