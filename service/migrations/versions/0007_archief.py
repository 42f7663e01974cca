"""Archief: a casus can be archived (read-only, out of the working list).

Two nullable columns on `casussen`: `gearchiveerd` (when, UTC ISO 8601 as every timestamp here)
and `gearchiveerd_door` (who, `uitgever|sub`). Archiving is a state of the casus head, not of
its content: no casus version, advies or link of the chain changes, so every stored row
verifies as before. The retention period (`OT_BEWAARTERMIJN_JAREN`) counts from
`gearchiveerd`.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("casussen", sa.Column("gearchiveerd", sa.String(32), nullable=True))
    op.add_column("casussen", sa.Column("gearchiveerd_door", sa.String(400), nullable=True))


def downgrade() -> None:
    """Refused while any casus is archived: without the columns the archived casussen would
    silently return to the working list, open to changes, and the start of their retention
    period would be lost. Dearchive them (or erase them) first."""
    conn = op.get_bind()
    stored = conn.execute(sa.text(
        "SELECT COUNT(*) FROM casussen WHERE gearchiveerd IS NOT NULL")).scalar()
    if stored:
        raise RuntimeError(f"downgrade onder 0007 geweigerd: {stored} casussen zijn "
                           "gearchiveerd; zonder die kolommen kwamen ze ongemerkt terug in de "
                           "werklijst en ging het begin van hun bewaartermijn verloren")
    op.drop_column("casussen", "gearchiveerd_door")
    op.drop_column("casussen", "gearchiveerd")
