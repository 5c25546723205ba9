"""Secrets out of text the API sends back: the configured key, bearer tokens, signed URLs, long opaque tokens."""

from __future__ import annotations

import re

REDACTED = "[redacted]"
_known: set[str] = set()

# Every pattern runs in linear time on any input (failure messages are the API's, so anyone's): names are bounded,
# runs that cannot give back what follows them are possessive (`++`, `*+`), so a long run never backtracks, and a
# pattern starts only where a run starts, never at each of its characters.
# A credential-looking name and the value after it: api_key=…, "token": "…", X-Amz-Signature=…, password: …
_NAMED = re.compile(
    r"(?i)(?<![\w-])(?P<name>[\w-]{0,40}?(?:key|token|secret|signature|sig|password|passwd|credential|auth)[\w-]{0,40})"
    r"(?P<sep>['\"]?\s*[=:]\s*['\"]?)(?P<value>[^\s'\",;&)]++)"
)
_BEARER = re.compile(r"(?i)\b(?P<scheme>bearer|basic|token)\s++[\w.~+/=-]{6,}+")
_QUERY = re.compile(r"(?i)(?P<url>\b[a-z][a-z0-9+.-]{0,30}+://[^\s?#\"'<>]++)\?[^\s#\"'<>]*+")
_JWT = re.compile(r"(?<![\w-])eyJ[\w-]++\.[\w-]++\.[\w-]*+")
_PREFIXED = re.compile(r"(?<![\w-])(?:sk|pk|rk|ak)[-_][\w-]{8,}+")  # vendor-style keys: sk-…, pk_live_…
_OPAQUE = re.compile(r"[\w+/=-]{24,}+")  # long runs of hex or base64 with digits and letters in them


def remember_secret(value: str | None) -> None:
    """Redact this exact value wherever it appears from now on (the configured API key)."""
    if value and len(value) >= 6:
        _known.add(value)


def _secret_value(value: str) -> bool:
    return len(value) >= 16 or (len(value) >= 6 and not value.isalpha())


def _named(match: re.Match[str]) -> str:
    if not _secret_value(match["value"]):
        return match[0]  # "key: please check it" is prose, not a key
    return f"{match['name']}{match['sep']}{REDACTED}"


def _opaque(match: re.Match[str]) -> str:
    run = match[0]
    if any(c.isdigit() for c in run) and any(c.isalpha() for c in run):
        return REDACTED
    return run  # a long word ("InputOutputSensitiveContentDetected") is not a secret


def redact(text: str) -> str:
    """`text` with anything that looks like a key, a token or a signed URL's signature replaced by [redacted]."""
    for secret in sorted(_known, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    text = _BEARER.sub(lambda m: f"{m['scheme']} {REDACTED}", text)
    text = _QUERY.sub(lambda m: f"{m['url']}?{REDACTED}", text)
    text = _JWT.sub(REDACTED, text)
    text = _NAMED.sub(_named, text)
    text = _PREFIXED.sub(REDACTED, text)
    return _OPAQUE.sub(_opaque, text)
