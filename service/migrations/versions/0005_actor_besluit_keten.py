"""Wie deed wat: besluiten in de keten, besluitversies, en de actor in het verwerkingslogboek.

* `besluiten` get `versie` and `vervangt` (a correction is a new row pointing to the one it
  replaces, at most one successor each: a unique index) and a link of the chain (`volgnummer`,
  `vorige_hash`, `keten_hash`, `keten_versie`).
* Besluiten stored before this revision are appended to the chain now, in the order they were
  made, as stored (formula 3 of `service.store.besluit_link_hash`): from here on a change to
  one shows. What was changed before this upgrade cannot be seen.
* `verwerkingen` (the processing log) get `door` (the actor, `uitgever|sub`) and `besluit_id`,
  and an index on `start` for paging.

Adviezen are not touched: rows keep their `keten_versie` (1 or 2) and verify by their own
formula; new adviezen use formula 3, which also covers `door`.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

from service.store import BESLUIT_VELDEN, besluit_link_hash

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

BATCH = 200


def upgrade() -> None:
    op.add_column("besluiten", sa.Column("versie", sa.Integer(), nullable=False,
                                         server_default="1"))
    op.add_column("besluiten", sa.Column("vervangt", sa.String(36), nullable=True))
    op.add_column("besluiten", sa.Column("volgnummer", sa.Integer(), nullable=True))
    op.add_column("besluiten", sa.Column("vorige_hash", sa.String(71), nullable=True))
    op.add_column("besluiten", sa.Column("keten_hash", sa.String(71), nullable=True))
    op.add_column("besluiten", sa.Column("keten_versie", sa.Integer(), nullable=True))
    op.create_index("ix_besluiten_vervangt", "besluiten", ["vervangt"], unique=True)
    op.create_index("ix_besluiten_volgnummer", "besluiten", ["volgnummer"], unique=True)
    op.add_column("verwerkingen", sa.Column("door", sa.String(400), nullable=True))
    op.add_column("verwerkingen", sa.Column("besluit_id", sa.String(36), nullable=True))
    op.create_index("ix_verwerkingen_start", "verwerkingen", ["start"])
    _chain_existing_besluiten()


def _chain_existing_besluiten() -> None:
    """Append every besluit stored so far to the chain (oldest first), under the head lock."""
    types = {"volgnummer": sa.Integer, "versie": sa.Integer, "keten_versie": sa.Integer,
             "instrumenten": sa.JSON}
    besluiten = sa.table("besluiten", *(sa.column(n, types.get(n, sa.String)) for n in (
        *BESLUIT_VELDEN, "vorige_hash", "keten_hash", "keten_versie")))
    keten = sa.table("keten", sa.column("id", sa.Integer), sa.column("volgnummer", sa.Integer),
                     sa.column("hash", sa.String))
    conn = op.get_bind()
    head = conn.execute(sa.select(keten.c.volgnummer, keten.c.hash).where(keten.c.id == 1)
                        .with_for_update()).one()
    volgnummer, previous = head.volgnummer, head.hash
    while True:  # in batches: memory stays flat; chained rows drop out of the selection
        rows = conn.execute(sa.select(*(besluiten.c[k] for k in BESLUIT_VELDEN))
                            .where(besluiten.c.volgnummer.is_(None))
                            .order_by(besluiten.c.aangemaakt, besluiten.c.id)
                            .limit(BATCH)).mappings().all()
        if not rows:
            break
        for row in rows:
            volgnummer += 1
            linked = besluit_link_hash({**row, "volgnummer": volgnummer}, previous)
            conn.execute(besluiten.update().where(besluiten.c.id == row["id"]).values(
                volgnummer=volgnummer, vorige_hash=previous, keten_hash=linked,
                keten_versie=3))
            previous = linked
    conn.execute(keten.update().where(keten.c.id == 1).values(volgnummer=volgnummer,
                                                              hash=previous))


def downgrade() -> None:
    """Refused while anything would be lost or become unverifiable: besluiten in the chain (the
    older code would find a head it cannot explain), corrections (they would look like
    independent besluiten), adviezen with formula 3, or processing-log records that name their
    actor or a besluit (the audit trail would lose who did what)."""
    conn = op.get_bind()
    chained = conn.execute(sa.text("SELECT COUNT(*) FROM besluiten WHERE volgnummer IS NOT NULL "
                                   "OR versie <> 1 OR vervangt IS NOT NULL")).scalar()
    newer = conn.execute(sa.text("SELECT COUNT(*) FROM adviezen WHERE keten_versie = 3")).scalar()
    logged = conn.execute(sa.text("SELECT COUNT(*) FROM verwerkingen WHERE door IS NOT NULL "
                                  "OR besluit_id IS NOT NULL")).scalar()
    if chained or newer or logged:
        raise RuntimeError(f"downgrade onder 0005 geweigerd: {newer} adviezen met keten_versie 3, "
                           f"{chained} besluiten in de keten en {logged} verwerkingen met een "
                           "actor zouden onverifieerbaar worden of verloren gaan")
    op.drop_index("ix_verwerkingen_start", table_name="verwerkingen")
    op.drop_index("ix_besluiten_volgnummer", table_name="besluiten")
    op.drop_index("ix_besluiten_vervangt", table_name="besluiten")
    op.drop_column("verwerkingen", "besluit_id")
    op.drop_column("verwerkingen", "door")
    for column in ("keten_versie", "keten_hash", "vorige_hash", "volgnummer", "vervangt",
                   "versie"):
        op.drop_column("besluiten", column)
