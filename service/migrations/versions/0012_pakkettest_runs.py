"""`pakkettest_runs`: a passed run of the packs' YAML tests at start, by a key over the engine's
code, the backend, the packs and the test files (`service.engines`), so a restart on exactly
these does not run them again.

Nothing stored changes: the new table holds no decision and no link of the chain.

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pakkettest_runs",
        sa.Column("sleutel", sa.String(71), primary_key=True),
        sa.Column("engine", sa.String(71), nullable=False),
        sa.Column("backend", sa.String(32), nullable=False),
        sa.Column("tests", sa.Integer(), nullable=False),
        sa.Column("opgeslagen", sa.String(32), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("pakkettest_runs")
