"""Impact runs through a job library: `impact_runs` and `impact_delen`, and on PostgreSQL the
schema of procrastinate (its `procrastinate_*` tables and functions), so that several service
processes and worker hosts share one impact run (`service.impact_taken`).

Nothing stored changes: the new tables hold no decision and no link of the chain.

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "impact_runs",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("eigenaar", sa.String(400), nullable=False),
        sa.Column("per_advies", sa.Boolean(), nullable=False),
        sa.Column("kandidaat", sa.LargeBinary(), nullable=False),
        sa.Column("sinds", sa.String(32), nullable=True),
        sa.Column("peildatum", sa.String(10), nullable=True),
        sa.Column("delen", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("tijdslimiet_s", sa.Float(), nullable=False),
        sa.Column("aangemaakt", sa.String(32), nullable=False),
        sa.Column("gestart", sa.String(32), nullable=True),
        sa.Column("beeindigd", sa.String(32), nullable=True),
        sa.Column("melding", sa.Text(), nullable=True),
        sa.Column("uitkomst", sa.JSON(), nullable=True),
    )
    op.create_index("ix_impact_runs_aangemaakt", "impact_runs", ["aangemaakt"])
    op.create_table(
        "impact_delen",
        sa.Column("run_id", sa.String(36),
                  sa.ForeignKey("impact_runs.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("deel", sa.Integer(), primary_key=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=True),
        sa.Column("door", sa.String(200), nullable=True),
        sa.Column("verwerkt", sa.Integer(), nullable=False),
        sa.Column("totaal", sa.Integer(), nullable=True),
        sa.Column("rapport", sa.JSON(), nullable=True),
    )
    conn = op.get_bind()
    if conn.dialect.name == "postgresql" and conn.execute(
            sa.text("SELECT to_regclass('procrastinate_jobs')")).scalar() is None:
        from procrastinate.schema import SchemaManager

        # straight to psycopg, without parameters: the schema's PL/pgSQL holds '%' characters
        # that a parameter style would read as placeholders
        with conn.connection.dbapi_connection.cursor() as cursor:  # type: ignore[union-attr]
            cursor.execute(SchemaManager.get_schema())


def downgrade() -> None:
    """Drops the two tables; the procrastinate schema stays (it holds only finished or
    waiting jobs of the job library, which a later upgrade uses again)."""
    op.drop_table("impact_delen")
    op.drop_index("ix_impact_runs_aangemaakt", table_name="impact_runs")
    op.drop_table("impact_runs")
