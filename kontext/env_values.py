"""The value types settings are declared with, and the reader that parses them, collecting every problem."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar
from urllib.parse import urlsplit, urlunsplit

from kontext.money import format_usd, parse_usd

_LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
_TRUE = frozenset({"true", "1", "yes", "on"})
_FALSE = frozenset({"false", "0", "no", "off"})
_SNOWFLAKE_MAX = (1 << 63) - 1  # stored as BIGINT
_SHOW_MAX = 24  # longer bad values are described, not echoed: a secret pasted on the wrong line stays hidden

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)

SQLITE_PREFIX = "sqlite:///"
POSTGRES_SCHEMES: tuple[str, ...] = ("postgresql", "postgres")


class Invalid(ValueError):
    """A value refused with a message of its own ("{name}" stands for the variable), instead of echoing it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ValueType(Protocol[T_co]):
    """How one kind of setting is parsed from its text and shown in the start-up log."""

    expected: str

    def parse(self, text: str) -> T_co: ...

    def show(self, value: Any) -> str: ...


class _Shown:
    expected = ""

    def show(self, value: Any) -> str:
        return str(value)


@dataclass(frozen=True, slots=True)
class Secret(_Shown):
    """A token or key: never echoed, only whether it is set."""

    hint: str
    required: bool = False
    expected = "a secret"

    def parse(self, text: str) -> str:
        if any(c.isspace() for c in text):
            # Never echo it: say only what is wrong.
            raise Invalid("{name} contains whitespace: paste the value alone, without a 'Bot '/'Bearer ' prefix")
        return text

    def show(self, value: Any) -> str:
        return secret_state(value)


@dataclass(frozen=True, slots=True)
class Text(_Shown):
    """An http(s) URL without its trailing slash, or a bare keyword (any case) given as itself."""

    keyword: str
    expected: str

    @classmethod
    def url(cls, *, keyword: str) -> Text:
        return cls(keyword, f"an http(s) URL such as https://api.example.com/v1, or the word {keyword}")

    def parse(self, text: str) -> str:
        if text.lower() == self.keyword:
            return self.keyword
        parts = urlsplit(text)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(text)
        return text.rstrip("/")


@dataclass(frozen=True, slots=True)
class DatabaseUrl(_Shown):
    """sqlite:///path or postgresql://...: never echoed (it may hold a password), shown without its password."""

    expected = "a database URL"

    def parse(self, text: str) -> str:
        problem = check_database_url(text)
        if problem is not None:
            raise Invalid(problem)
        return text

    def show(self, value: Any) -> str:
        return redact_url(value)


@dataclass(frozen=True, slots=True)
class Choice(_Shown):
    """One of a few words."""

    choices: Sequence[str]
    normalise: Callable[[str], str] = str

    @property
    def expected(self) -> str:  # type: ignore[override]
        return f"one of {', '.join(self.choices)}"

    def parse(self, text: str) -> str:
        if self.normalise(text) not in self.choices:
            raise ValueError(text)
        return self.normalise(text)


class Boolean(_Shown):
    """true/false and their usual spellings."""

    expected = "true/false (also 1/0, yes/no, on/off)"

    def parse(self, text: str) -> bool:
        if text.lower() in _TRUE:
            return True
        if text.lower() in _FALSE:
            return False
        raise ValueError(text)

    def show(self, value: Any) -> str:
        return str(value).lower()


@dataclass(frozen=True, slots=True)
class Seconds(_Shown):
    """A duration in seconds: positive, or 0 too where zero turns something off."""

    zero_ok: bool = False

    @property
    def expected(self) -> str:  # type: ignore[override]
        return f"a {'non-negative' if self.zero_ok else 'positive'} number of seconds"

    def parse(self, text: str) -> float:
        number = float(text)
        if not math.isfinite(number) or number < 0 or (number == 0 and not self.zero_ok):
            raise ValueError(text)
        return number

    def show(self, value: Any) -> str:
        return f"{value:g}s"


@dataclass(frozen=True, slots=True)
class Integer(_Shown):
    """A whole number, at least `minimum`."""

    minimum: int = 1
    maximum: int | None = None

    @property
    def expected(self) -> str:  # type: ignore[override]
        if self.maximum is not None:
            return f"a whole number from {self.minimum} to {self.maximum}"
        return "a positive whole number" if self.minimum == 1 else f"a whole number, {self.minimum} or more"

    def parse(self, text: str) -> int:
        return _int_in(text, self.minimum, self.maximum)


class Port(_Shown):
    expected = "a TCP port number (1-65535)"

    def parse(self, text: str) -> int:
        return _int_in(text, 1, 65535)


class Snowflake(_Shown):
    expected = "a Discord id (digits only; Developer Mode > Copy ID)"

    def parse(self, text: str) -> int:
        return _snowflake(text)


@dataclass(frozen=True, slots=True)
class Snowflakes(_Shown):
    absent: str = "(none)"
    expected = "Discord user ids separated by commas"

    def parse(self, text: str) -> frozenset[int]:
        return frozenset(_snowflake(part) for part in text.split(",") if part.strip())

    def show(self, value: Any) -> str:
        return ", ".join(str(i) for i in sorted(value)) or self.absent


class ShardIds(_Shown):
    expected = "shard ids (0, 1, ...) separated by commas, e.g. 0,1"

    def parse(self, text: str) -> tuple[int, ...]:
        ids = sorted({_int_in(part.strip(), 0, None) for part in text.split(",") if part.strip()})
        if not ids:
            raise ValueError(text)
        return tuple(ids)

    def show(self, value: Any) -> str:
        return ", ".join(map(str, value))


class Host(_Shown):
    expected = "a host name or IP address to listen on, e.g. 0.0.0.0 or 127.0.0.1"

    def parse(self, text: str) -> str:
        host = text.strip("[]")  # an IPv6 address may come bracketed
        if not host or any(c.isspace() or c in "/?#@" for c in host):
            raise ValueError(text)
        return host


class _HttpUrl(_Shown):
    """An http(s) URL of a host, with no query or fragment; kept without a trailing slash."""

    def parse(self, text: str) -> str:
        parts = urlsplit(text)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
            raise ValueError(text)
        return text.rstrip("/")


class PublicUrl(_HttpUrl):
    expected = "the public https URL of this process, e.g. https://bot.example.com (http only for localhost)"

    def parse(self, text: str) -> str:
        parts = urlsplit(text)
        if parts.scheme == "http" and parts.hostname not in _LOOPBACK_HOSTS:
            raise ValueError(text)  # the API posts only to public https; plain http is for local testing
        return super().parse(text)


class ProxyUrl(_HttpUrl):
    """An http(s) base URL of a proxy; shown without any password it carries."""

    expected = "the base URL of an HTTP proxy, e.g. http://nirn-proxy:8080"

    def show(self, value: Any) -> str:
        return redact_url(value)


class USD(_Shown):
    expected = "a non-negative US dollar amount with at most 6 decimals, e.g. 0.03"

    def parse(self, text: str) -> int:
        return parse_usd(text)

    def show(self, value: Any) -> str:
        return format_usd(value)


@dataclass(frozen=True, slots=True)
class Optional(Generic[T]):
    """A value that may be left unset (None), shown as `absent` then."""

    inner: ValueType[T]
    absent: str = "(none)"

    @property
    def expected(self) -> str:
        return self.inner.expected

    def parse(self, text: str) -> T:
        return self.inner.parse(text)

    def show(self, value: Any) -> str:
        return self.absent if value is None else self.inner.show(value)


class EnvReader:
    """Reads variables one by one, collecting problems instead of stopping at the first."""

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

    def missing(self, name: str, value_type: ValueType[Any]) -> None:
        self.problem(f"{name} is missing: set it to {getattr(value_type, 'hint', value_type.expected)}", name)

    def read(self, name: str, value_type: ValueType[T], default: T) -> T:
        """The parsed value of `name`, or `default` when unset or blank; a malformed value is noted as a problem."""
        text = self.raw(name)
        if text is None:
            if getattr(value_type, "required", False):
                self.missing(name, value_type)
            return default
        try:
            return value_type.parse(text)
        except Invalid as error:
            self.problem(error.message.replace("{name}", name), name)
        except (ValueError, ArithmeticError):  # Decimal's InvalidOperation is an ArithmeticError
            self.problem(f"{name}={_show(text)} is not valid: expected {value_type.expected}", name)
        return default


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


def check_database_url(url: str) -> str | None:
    """Describe what is wrong with a database URL (without echoing it: it may hold a password), or None."""
    if url.startswith(SQLITE_PREFIX):
        if not sqlite_path(url):
            return "DATABASE_URL sqlite:/// needs a file path, e.g. sqlite:///data/kontext.db or sqlite:///:memory:"
        return None
    scheme, sep, rest = url.partition("://")
    if sep and scheme.lower() in POSTGRES_SCHEMES:
        if not rest or rest.startswith("?"):
            return "DATABASE_URL postgresql:// needs a host or database, e.g. postgresql://user@localhost/kontext"
        return None
    shown = f"scheme {scheme!r}" if sep and len(scheme) <= 20 else "no recognised scheme"
    return (
        f"DATABASE_URL has {shown}: use sqlite:///path/to/file.db, sqlite:///:memory:, "
        "postgresql://... or postgres://..."
    )


def sqlite_path(url: str) -> str:
    """The file path in sqlite:///relative/path, sqlite:////absolute/path or sqlite:///:memory:."""
    return url[len(SQLITE_PREFIX) :] if url.startswith(SQLITE_PREFIX) else ""


def redact_url(url: str) -> str:
    """The URL with any password replaced by ***, fit for logs."""
    try:
        parts = urlsplit(url)
        if parts.password is None:
            return url
        netloc = parts.netloc.rpartition("@")
        userinfo = netloc[0].partition(":")[0]
        return urlunsplit(parts._replace(netloc=f"{userinfo}:***@{netloc[2]}"))
    except ValueError:
        return "(unparseable URL)"
