"""Alembic migrations, run at start (idempotent; serialised across workers on PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.engine import Engine as SaEngine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(engine: SaEngine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: SaEngine, revision: str = "head") -> None:
    """Bring the schema to `revision`. On PostgreSQL an advisory lock makes a second worker
    wait instead of racing the first."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(746174)"))
            try:
                command.upgrade(alembic_config(engine), revision)
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(746174)"))
                conn.commit()
    else:
        command.upgrade(alembic_config(engine), revision)
