"""Alembic environment: the engine comes from the caller (service.migrate)."""

from __future__ import annotations

from alembic import context

from service.db import Base

config = context.config
target_metadata = Base.metadata


def run() -> None:
    engine = config.attributes["engine"]
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        # SQLite changes a constraint by copying the table (batch mode); with foreign keys on,
        # dropping a referenced table fails. The pragma only works outside a transaction, so
        # it is set on the driver's connection (autocommit, `service.db`) before the
        # migration's transaction and set back after it, once every reference is checked.
        raw = connection.connection.driver_connection if sqlite else None
        if raw is not None:
            raw.execute("PRAGMA foreign_keys=OFF")
        try:
            context.configure(connection=connection, target_metadata=target_metadata,
                              render_as_batch=sqlite)
            with context.begin_transaction():
                context.run_migrations()
                if raw is not None:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise RuntimeError(f"migratie: {len(broken)} verwijzingen kloppen niet "
                                           f"meer (eerste: {tuple(broken[0])})")
            connection.commit()
        finally:
            if raw is not None:
                raw.execute("PRAGMA foreign_keys=ON")


run()
