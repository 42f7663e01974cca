"""The consulent's web page: server-rendered (Jinja2) on top of the JSON API.

Every action goes through the same `/v1` API as any other client (an in-process HTTP client
with the user's own token), so there is no second code path for validation, storage or auth.
"""
