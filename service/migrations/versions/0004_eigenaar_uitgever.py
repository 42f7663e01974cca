"""Ownership and actors as issuer + subject (`uitgever|sub`), not `sub` alone.

Before this revision the service stored only the token's `sub`, so a token from another issuer
with the same `sub` was taken for the same person. Existing owners and actors are given the
issuer named by `OT_EIGENAAR_UITGEVER` (default `api-sleutel`, the issuer of configured API
keys): set it to your identity provider's `iss` before upgrading if your users signed in with
OIDC. Values are only prefixed, never dropped; the columns are widened to hold the pair.

Revision ID: 0004
Revises: 0003
"""

import os

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

COLUMNS = (("casussen", "eigenaar"), ("casus_versies", "door"), ("adviezen", "door"),
           ("besluiten", "door"))


def upgrade() -> None:
    uitgever = os.environ.get("OT_EIGENAAR_UITGEVER", "api-sleutel")
    if not uitgever or "|" in uitgever or any(c.isspace() for c in uitgever):
        raise RuntimeError("OT_EIGENAAR_UITGEVER: een issuer zonder '|' of spaties")
    bind = op.get_bind()
    for table, column in COLUMNS:
        if bind.dialect.name == "postgresql":
            op.alter_column(table, column, type_=sa.String(400),
                            existing_type=sa.String(200))
        bind.execute(sa.text(f"UPDATE {table} SET {column} = :prefix || {column}"),
                     {"prefix": uitgever + "|"})


def downgrade() -> None:
    bind = op.get_bind()
    for table, column in COLUMNS:
        bind.execute(sa.text(f"UPDATE {table} SET {column} = "
                             f"substr({column}, strpos({column}, '|') + 1)"
                             if bind.dialect.name == "postgresql" else
                             f"UPDATE {table} SET {column} = "
                             f"substr({column}, instr({column}, '|') + 1)"))
