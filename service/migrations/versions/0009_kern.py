"""Kern: an advies stores its compact decision record, not its full trace (issue 13).

Three nullable columns on `adviezen`:

* `kern`: the kern (`engine.kern`, docs/kern.md) as zlib-compressed canonical JSON. A few KB
  where the full trace of a large casus is over half a MB; the full trace is rendered on
  demand from the casus version and the pinned pack versions (`service.bewijsstuk`) and must
  hash to the stored `trace_hash`, so what is shown is exactly what was decided then.
* `kern_hash`: sha256 of the kern's canonical JSON; chain formula 4 covers it besides the
  trace hash (`service.store.link_hash`).
* `casus`: the casus as evaluated, for an advies on a casus that was not stored (for a stored
  casus its version row holds it). It was part of the stored trace before.

Adviezen stored before this migration keep their full trace and formula 1–3: nothing stored
changes, so every one replays and verifies byte for byte as before.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("adviezen", sa.Column("kern", sa.LargeBinary(), nullable=True,
                                        server_default=sa.text("NULL")))
    op.add_column("adviezen", sa.Column("kern_hash", sa.String(71), nullable=True,
                                        server_default=sa.text("NULL")))
    op.add_column("adviezen", sa.Column("casus", sa.JSON(), nullable=True))


def downgrade() -> None:
    """Refused while any advies stores a kern instead of its trace: an older service could
    neither show nor verify it."""
    conn = op.get_bind()
    stored = conn.execute(sa.text("SELECT COUNT(*) FROM adviezen WHERE keten_versie >= 4"
                                  )).scalar()
    if stored:
        raise RuntimeError(f"downgrade onder 0009 geweigerd: {stored} adviezen bewaren een kern "
                           "in plaats van hun trace (keten_versie 4); een oudere versie kan ze "
                           "niet tonen of controleren")
    for column in ("casus", "kern_hash", "kern"):
        op.drop_column("adviezen", column)
