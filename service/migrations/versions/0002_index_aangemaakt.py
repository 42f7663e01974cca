"""Index op adviezen.aangemaakt (impact-analyse 'sinds een datum') en op besluiten.aangemaakt.

Revision ID: 0002
Revises: 0001
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_adviezen_aangemaakt", "adviezen", ["aangemaakt"])
    op.create_index("ix_besluiten_aangemaakt", "besluiten", ["aangemaakt"])


def downgrade() -> None:
    op.drop_index("ix_besluiten_aangemaakt", table_name="besluiten")
    op.drop_index("ix_adviezen_aangemaakt", table_name="adviezen")
