"""Een keten per gemeente: writers for different gemeenten no longer wait on one chain head.

* `keten.naam`: one head row per chain; row 1 becomes the chain "" (no gemeente), which holds
  every link stored before this migration, unchanged.
* `keten` on `adviezen`, `besluiten`, `wissingen` and `keten_ankers`: which chain a link or a
  signed head belongs to ("" for all existing rows); `volgnummer` is unique per chain, no
  longer over all rows.
* `casussen.keten`: the chain of every link about the casus, fixed when it is first stored
  ("" for the casussen stored before: their next links extend the chain "" as before).

Nothing stored changes: every hash stays, and the chain "" verifies exactly as the one chain
did. A gemeente's chain starts from its own genesis (`service.db.genesis`).

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

def _column() -> sa.Column[str]:
    return sa.Column("keten", sa.String(6), nullable=False, server_default="")


def upgrade() -> None:
    conn = op.get_bind()
    sqlite = conn.dialect.name == "sqlite"
    with op.batch_alter_table("keten") as batch:
        batch.add_column(sa.Column("naam", sa.String(6), nullable=False, server_default=""))
        batch.create_unique_constraint("uq_keten_naam", ["naam"])
    if not sqlite:  # row 1 was inserted with its id: the next head must not take 1 again
        conn.execute(sa.text("SELECT setval(pg_get_serial_sequence('keten', 'id'), "
                             "(SELECT MAX(id) FROM keten))"))
    op.add_column("casussen", _column())
    op.add_column("keten_ankers", _column())
    op.create_index("ix_keten_ankers_keten", "keten_ankers", ["keten"])
    if sqlite:
        # the inline UNIQUE (volgnummer) of 0001 has no name on SQLite: the table is copied
        # from its reflection without it
        reflected = sa.Table("adviezen", sa.MetaData(), autoload_with=conn)
        for constraint in list(reflected.constraints):
            if (isinstance(constraint, sa.UniqueConstraint)
                    and [c.name for c in constraint.columns] == ["volgnummer"]):
                reflected.constraints.remove(constraint)
        with op.batch_alter_table("adviezen", copy_from=reflected, recreate="always") as batch:
            batch.add_column(_column())
            batch.create_unique_constraint("uq_adviezen_keten_volgnummer",
                                           ["keten", "volgnummer"])
    else:
        op.add_column("adviezen", _column())
        op.drop_constraint("adviezen_volgnummer_key", "adviezen", type_="unique")
        op.create_unique_constraint("uq_adviezen_keten_volgnummer", "adviezen",
                                    ["keten", "volgnummer"])
    for table in ("besluiten", "wissingen"):
        op.add_column(table, _column())
        op.drop_index(f"ix_{table}_volgnummer", table_name=table)
        op.create_index(f"ix_{table}_keten_volgnummer", table, ["keten", "volgnummer"],
                        unique=True)


def downgrade() -> None:
    """Refused while any link is in a gemeente's chain: the one chain of 0009 could not hold
    them without rewriting their hashes."""
    conn = op.get_bind()
    elders = sum(int(conn.execute(sa.text(f"SELECT COUNT(*) FROM {t} WHERE keten <> ''")
                                  ).scalar() or 0)
                 for t in ("adviezen", "besluiten", "wissingen"))
    if elders:
        raise RuntimeError(f"downgrade onder 0010 geweigerd: {elders} schakels staan in de keten "
                           "van een gemeente; met één keten zouden hun hashes niet meer kloppen")
    conn.execute(sa.text("DELETE FROM keten WHERE naam <> ''"))
    conn.execute(sa.text("DELETE FROM keten_ankers WHERE keten <> ''"))
    for table in ("wissingen", "besluiten"):
        op.drop_index(f"ix_{table}_keten_volgnummer", table_name=table)
        op.create_index(f"ix_{table}_volgnummer", table, ["volgnummer"], unique=True)
        with op.batch_alter_table(table) as batch:
            batch.drop_column("keten")
    with op.batch_alter_table("adviezen") as batch:
        batch.drop_constraint("uq_adviezen_keten_volgnummer", type_="unique")
        batch.create_unique_constraint("adviezen_volgnummer_key", ["volgnummer"])
        batch.drop_column("keten")
    op.drop_index("ix_keten_ankers_keten", table_name="keten_ankers")
    with op.batch_alter_table("keten_ankers") as batch:
        batch.drop_column("keten")
    with op.batch_alter_table("casussen") as batch:
        batch.drop_column("keten")
    with op.batch_alter_table("keten") as batch:
        batch.drop_constraint("uq_keten_naam", type_="unique")
        batch.drop_column("naam")
