"""Errors the fake answers with, shaped as Discord shapes them: an HTTP status and a JSON body with a numeric code."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class DiscordError(Exception):
    """An error answered the way Discord does: an HTTP status and a JSON body with a numeric code."""

    def __init__(
        self,
        status: int,
        code: int,
        message: str,
        *,
        errors: dict[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(f"{status} {code} {message}")
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors
        self.headers = dict(headers or {})

    def body(self) -> dict[str, Any]:
        """The JSON body Discord would send."""
        body: dict[str, Any] = {"message": self.message, "code": self.code}
        if self.errors:
            body["errors"] = self.errors
        return body


def unknown(what: str, code: int) -> DiscordError:
    """A 404 "Unknown <what>" error."""
    return DiscordError(404, code, f"Unknown {what}")
