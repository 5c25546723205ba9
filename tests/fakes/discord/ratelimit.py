"""Discord's rate limits for the fake: per-route buckets with X-RateLimit-* headers, a global limit, and 429s.

Off unless FakeDiscord(rate_limits=True). Buckets are keyed as Discord keys them: the route and its major parameter
(the channel, the guild, or the webhook id and token). A request over its bucket gets a 429 with `Via` and a JSON
`retry_after`, which discord.py honours; every answered request carries the bucket's X-RateLimit-* headers, which
discord.py uses to wait before it would hit the limit. So a bot that shows "zero 429s" here paces itself as it must
against Discord. Windows are fixed: they start with the first request and reset `per` seconds later.
"""

from __future__ import annotations

import hashlib
import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

_WEBHOOK = re.compile(r"/webhooks/(\d+)/([^/]+)(?:/.*)?")
_CALLBACK = re.compile(r"/interactions/\d+/[^/]+/callback")
_CHANNEL_MESSAGE = re.compile(r"/channels/(\d+)/messages/\d+")
_CHANNEL_MESSAGES = re.compile(r"/channels/(\d+)/messages")
_MAJOR = re.compile(r"/(channels|guilds)/(\d+)")
_SNOWFLAKE = re.compile(r"/\d{5,}")


@dataclass(frozen=True, slots=True)
class Limit:
    """At most `requests` requests every `per` seconds."""

    requests: int
    per: float


@dataclass(frozen=True, slots=True)
class Verdict:
    """What the rate limiter says about one request: its headers, and the 429 body when it is refused."""

    headers: dict[str, str]
    refused: dict[str, Any] | None = None


class _Bucket:
    __slots__ = ("limit", "remaining", "reset_at")

    def __init__(self, limit: Limit) -> None:
        self.limit = limit
        self.remaining = limit.requests
        self.reset_at = -math.inf

    def take(self, now: float) -> bool:
        if now >= self.reset_at:
            self.remaining = self.limit.requests
            self.reset_at = now + self.limit.per
        if self.remaining <= 0:
            return False
        self.remaining -= 1
        return True


class RateLimits:
    """Discord's buckets, roughly: 5 per 5 s per interaction token (its edits and followups) and per channel for
    message sends and edits, a default for other routes, and a global limit on bot-token requests (interaction
    routes are exempt from it, as on Discord)."""

    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        *,
        webhook: Limit = Limit(5, 5.0),
        channel_messages: Limit = Limit(5, 5.0),
        default: Limit = Limit(50, 1.0),
        global_: Limit = Limit(50, 1.0),
    ) -> None:
        self.clock = clock
        self.webhook = webhook
        self.channel_messages = channel_messages
        self.default = default
        self.global_limit = global_
        self._buckets: dict[tuple[str, str], _Bucket] = {}
        self._global = _Bucket(global_)
        self.refused = 0  # 429s answered

    def check(self, method: str, path: str) -> Verdict | None:
        """Take one request from its bucket; None for routes Discord does not limit (interaction callbacks)."""
        if _CALLBACK.fullmatch(path):
            return None  # one response per interaction is enforced elsewhere (40060)
        route, major, limit, interaction = self._classify(method, path)
        now = self.clock()
        if not interaction and not self._global.take(now):
            self.refused += 1
            retry = max(0.001, self._global.reset_at - now)
            headers = {
                "Via": "1.1 google",
                "Retry-After": str(math.ceil(retry)),
                "X-RateLimit-Global": "true",
                "X-RateLimit-Scope": "global",
            }
            return Verdict(headers, _refusal(retry, globally=True))
        key = (route, major)
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(limit)
        allowed = bucket.take(now)
        reset_after = max(0.0, bucket.reset_at - now)
        headers = {
            "X-RateLimit-Limit": str(limit.requests),
            "X-RateLimit-Remaining": str(bucket.remaining),
            "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
            "X-RateLimit-Reset-After": f"{math.ceil(reset_after * 1000) / 1000:.3f}",
            "X-RateLimit-Bucket": hashlib.sha1(route.encode()).hexdigest()[:16],
        }
        if allowed:
            return Verdict(headers)
        self.refused += 1
        headers.update({"Via": "1.1 google", "Retry-After": str(math.ceil(reset_after)), "X-RateLimit-Scope": "user"})
        return Verdict(headers, _refusal(max(0.001, reset_after), globally=False))

    def _classify(self, method: str, path: str) -> tuple[str, str, Limit, bool]:
        """(route template, major parameter, limit, whether it is an interaction route)."""
        match = _WEBHOOK.fullmatch(path)
        if match is not None:
            # Interaction tokens are webhooks: one bucket per token for edits and followups alike.
            return "webhook", f"{match.group(1)}/{match.group(2)}", self.webhook, True
        match = _CHANNEL_MESSAGE.fullmatch(path)
        if match is not None and method == "PATCH":
            return "PATCH /channels/{c}/messages/{m}", match.group(1), self.channel_messages, False
        match = _CHANNEL_MESSAGES.fullmatch(path)
        if match is not None and method == "POST":
            return "POST /channels/{c}/messages", match.group(1), self.channel_messages, False
        major = _MAJOR.match(path)
        template = f"{method} {_SNOWFLAKE.sub('/{id}', path)}"
        return template, major.group(2) if major else "", self.default, False


def _refusal(retry_after: float, *, globally: bool) -> dict[str, Any]:
    return {
        "message": "You are being rate limited.",
        "retry_after": round(retry_after, 3),
        "global": globally,
        "code": 0,
    }
