"""An in-process client of the service's own `/v1` API, carrying the user's bearer token."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import FastAPI


class Api:
    def __init__(self, app: FastAPI, token: str | None, traceparent: str | None = None):
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if traceparent:
            headers["traceparent"] = traceparent
        self.client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                        base_url="http://intern", headers=headers, timeout=60)

    async def __aenter__(self) -> Api:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.client.aclose()

    async def get(self, path: str, **params: Any) -> httpx.Response:
        return await self.client.get(path, params=params or None)

    async def post(self, path: str, body: Any = None) -> httpx.Response:
        return await self.client.post(path, json=body)

    async def put(self, path: str, body: Any) -> httpx.Response:
        return await self.client.put(path, json=body)
