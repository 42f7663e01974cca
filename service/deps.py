"""Shared request dependencies: database session, engines, paging."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import Query, Request
from sqlalchemy.orm import Session

from service.engines import Engines
from service.settings import Settings


def db(request: Request) -> Iterator[Session]:
    """A session for requests that write (on SQLite: a write-locking transaction)."""
    with request.app.state.sessions() as session:
        yield session


def db_read(request: Request) -> Iterator[Session]:
    """A session for requests that only read (never waits for a writer)."""
    with request.app.state.read_sessions() as session:
        yield session


def engines(request: Request) -> Engines:
    found: Engines = request.app.state.engines
    return found


def settings(request: Request) -> Settings:
    found: Settings = request.app.state.settings
    return found


class Paging:
    def __init__(self, pagina: int = Query(1, ge=1, le=100000),
                 paginaGrootte: int = Query(20, ge=1, le=100)):
        self.pagina = pagina
        self.grootte = paginaGrootte

    @property
    def offset(self) -> int:
        return (self.pagina - 1) * self.grootte
