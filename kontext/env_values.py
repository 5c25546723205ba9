"""Parsing of environment values from a mapping it is handed (never os.environ), collecting every problem."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import TypeVar
from urllib.parse import urlsplit

from kontext.storage import check_database_url

_LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
_TRUE = frozenset({"true", "1", "yes", "on"})
_FALSE = frozenset({"false", "0", "no", "off"})
_MICROS = Decimal(1_000_000)
_SNOWFLAKE_MAX = (1 << 63) - 1  # stored as BIGINT
_SHOW_MAX = 24  # longer bad values are described, not echoed: a secret pasted on the wrong line stays hidden

T = TypeVar("T")


class EnvReader:
    """Parses variables one by one, collecting problems instead of stopping at the first."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self._env = env
        self.problems: list[str] = []
        self._failed: set[str] = set()

    def problem(self, message: str, name: str | None = None) -> None:
        self.problems.append(message)
        if name is not None:
            self._failed.add(name)

    def failed(self, *names: str) -> bool:
        return any(n in self._failed for n in names)

    def raw(self, name: str) -> str | None:
        """The stripped value, or None when unset or blank (an empty line from .env.example means unset)."""
        value = self._env.get(name)
        if value is None:
            return None
        value = value.strip()
        return value or None

    def _parse(self, name: str, default: T, parse: Callable[[str], T], expected: str) -> T:
        value = self.raw(name)
        if value is None:
            return default
        try:
            return parse(value)
        except (ValueError, ArithmeticError):  # Decimal's InvalidOperation is an ArithmeticError
            self.problem(f"{name}={_show(value)} is not valid: expected {expected}", name)
            return default

    def secret(self, name: str, *, required: bool, hint: str) -> str:
        value = self.raw(name)
        if value is None:
            if required:
                self.problem(f"{name} is missing: set it to {hint}", name)
            return ""
        if any(c.isspace() for c in value):
            # Never echo it: say only what is wrong.
            self.problem(f"{name} contains whitespace: paste the value alone, without a 'Bot '/'Bearer ' prefix", name)
            return ""
        return value

    def base_url(self, name: str, default: str, *, keyword: str) -> str:
        """An http(s) URL without its trailing slash, or the bare keyword (any case) given as itself."""

        def parse(value: str) -> str:
            if value.lower() == keyword:
                return keyword
            parts = urlsplit(value)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise ValueError(value)
            return value.rstrip("/")

        return self._parse(name, default, parse, f"an http(s) URL such as {default}, or the word {keyword}")

    def database_url(self, name: str, default: str) -> str:
        value = self.raw(name)
        if value is None:
            return default
        problem = check_database_url(value)  # never echoes the URL: it may carry a password
        if problem is not None:
            self.problem(problem, name)
            return default
        return value

    def choice(self, name: str, default: str, choices: Sequence[str], normalise: Callable[[str], str] = str) -> str:
        def parse(value: str) -> str:
            if normalise(value) not in choices:
                raise ValueError(value)
            return normalise(value)

        return self._parse(name, default, parse, f"one of {', '.join(choices)}")

    def boolean(self, name: str, default: bool) -> bool:
        def parse(value: str) -> bool:
            if value.lower() in _TRUE:
                return True
            if value.lower() in _FALSE:
                return False
            raise ValueError(value)

        return self._parse(name, default, parse, "true/false (also 1/0, yes/no, on/off)")

    def seconds(self, name: str, default: float, *, zero_ok: bool = False) -> float:
        def parse(value: str) -> float:
            number = float(value)
            if not math.isfinite(number) or number < 0 or (number == 0 and not zero_ok):
                raise ValueError(value)
            return number

        return self._parse(name, default, parse, f"a {'non-negative' if zero_ok else 'positive'} number of seconds")

    def integer(self, name: str, default: int) -> int:
        return self._parse(name, default, lambda v: _int_in(v, 1, None), "a positive whole number")

    def count(self, name: str, default: int) -> int:
        return self._parse(name, default, lambda v: _int_in(v, 0, None), "a whole number, 0 or more")

    def optional_integer(self, name: str) -> int | None:
        return self._parse(name, None, lambda v: _int_in(v, 1, None), "a positive whole number")

    def shard_ids(self, name: str) -> tuple[int, ...] | None:
        def parse(value: str) -> tuple[int, ...]:
            ids = sorted({_int_in(part.strip(), 0, None) for part in value.split(",") if part.strip()})
            if not ids:
                raise ValueError(value)
            return tuple(ids)

        return self._parse(name, None, parse, "shard ids (0, 1, ...) separated by commas, e.g. 0,1")

    def host(self, name: str, default: str) -> str:
        def parse(value: str) -> str:
            host = value.strip("[]")  # an IPv6 address may come bracketed
            if not host or any(c.isspace() or c in "/?#@" for c in host):
                raise ValueError(value)
            return host

        return self._parse(name, default, parse, "a host name or IP address to listen on, e.g. 0.0.0.0 or 127.0.0.1")

    def public_url(self, name: str) -> str | None:
        def parse(value: str) -> str:
            parts = urlsplit(value)
            if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
                raise ValueError(value)
            if parts.scheme == "http" and parts.hostname not in _LOOPBACK_HOSTS:
                raise ValueError(value)  # the API posts only to public https; plain http is for local testing
            return value.rstrip("/")

        return self._parse(
            name,
            None,
            parse,
            "the public https URL of this process, e.g. https://bot.example.com (http only for localhost)",
        )

    def proxy_url(self, name: str) -> str | None:
        def parse(value: str) -> str:
            parts = urlsplit(value)
            if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
                raise ValueError(value)
            return value.rstrip("/")

        return self._parse(name, None, parse, "the base URL of an HTTP proxy, e.g. http://nirn-proxy:8080")

    def port(self, name: str) -> int | None:
        return self._parse(name, None, lambda v: _int_in(v, 1, 65535), "a TCP port number (1-65535)")

    def snowflake(self, name: str) -> int | None:
        return self._parse(name, None, _snowflake, "a Discord id (digits only; Developer Mode > Copy ID)")

    def snowflakes(self, name: str) -> frozenset[int]:
        def parse(value: str) -> frozenset[int]:
            return frozenset(_snowflake(part) for part in value.split(",") if part.strip())

        return self._parse(name, frozenset(), parse, "Discord user ids separated by commas")

    def money(self, name: str, default: int) -> int:
        return self._parse(name, default, parse_usd, _USD_EXPECTED)

    def budget(self, name: str) -> int | None:
        return self._parse(name, None, parse_usd, _USD_EXPECTED)


_USD_EXPECTED = "a non-negative US dollar amount with at most 6 decimals, e.g. 0.03"


def parse_usd(value: str) -> int:
    """A US dollar amount such as "0.03" or "12" in micro-dollars, exactly; ValueError if not one."""
    try:
        micros = Decimal(value.strip().removeprefix("$")) * _MICROS  # Decimal, never float: 0.03 is exactly 30000
    except ArithmeticError as exc:  # Decimal's InvalidOperation
        raise ValueError(value) from exc
    if not micros.is_finite() or micros < 0 or micros != micros.to_integral_value():
        raise ValueError(value)
    return int(micros)


def _int_in(value: str, low: int, high: int | None) -> int:
    if not re.fullmatch(r"[0-9][0-9_]*", value):
        raise ValueError(value)
    number = int(value)
    if number < low or (high is not None and number > high):
        raise ValueError(value)
    return number


def _snowflake(value: str) -> int:
    return _int_in(value.strip(), 1, _SNOWFLAKE_MAX)


def _show(value: str) -> str:
    """Echo short bad values so the user sees the typo; describe long ones, which may be a misplaced secret."""
    return repr(value) if len(value) <= _SHOW_MAX else f"<a {len(value)}-character value>"


def secret_state(value: str) -> str:
    """How a secret shows in logs: only whether it is set."""
    return "***set***" if value else "(missing)"


def format_usd(micros: int) -> str:
    """Micro-dollars as dollars, exactly and without trailing zeros: 30000 is "$0.03"."""
    return f"${Decimal(micros) / _MICROS:f}"
