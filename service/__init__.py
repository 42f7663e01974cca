"""The HTTP service (FastAPI) on top of the engine's public API: storage, auth, processing log."""
