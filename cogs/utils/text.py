"""Users' words in Discord's fields: made inert first, cut to the field's limit second, never past it."""

from __future__ import annotations

import re

# Discord's limits, in characters, for each place text goes.
CONTENT = 2000
EMBED_TITLE = 256
EMBED_DESCRIPTION = 4096
FIELD_NAME = 256
FIELD_VALUE = 1024
FOOTER = 2048
EMBED_TOTAL = 6000  # title, description, fields, footer and author of all a message's embeds together
AUTHOR = 256
MODAL_TITLE = 45
MODAL_VALUE = 4000
TEXT_INPUT_LABEL = 45
TEXT_INPUT_PLACEHOLDER = 100
BUTTON_LABEL = 80
SELECT_LABEL = 100

ELLIPSIS = "…"
# Every character Discord's markdown gives a meaning to; a backslash before any punctuation shows it as it is.
# `[ ]` make masked links, `<` mentions, channels, emoji and timestamps, the rest emphasis, code, quotes, headings
# and lists. Bare links are kept whole: a backslash inside one would break the link, and a bare link is visible.
_MARKDOWN = re.compile(r"(?P<url>https?://[^\s<>\[\]()]+)|(?P<char>[\\*_~|`\[\]<>#\-])")
_MENTION = re.compile(r"@(everyone|here)")


def inert(text: str) -> str:
    """Text shown exactly as typed: no markdown, no masked links, no mentions, no channel or emoji tags."""
    text = _MENTION.sub("@\u200b\\1", text)
    return _MARKDOWN.sub(lambda m: m["url"] or "\\" + m["char"], text)


def cut(text: str, limit: int) -> str:
    """`text` in at most `limit` characters, ending in an ellipsis when shortened, never on a lone escape."""
    if len(text) <= limit:
        return text
    kept = text[: max(limit - len(ELLIPSIS), 0)]
    backslashes = len(kept) - len(kept.rstrip("\\"))
    if backslashes % 2:
        kept = kept[:-1]  # half of an escape pair would escape the ellipsis, or show a stray backslash
    return kept + ELLIPSIS


def fit(text: str, limit: int) -> str:
    """Users' or the API's text made inert, then cut to the limit of the field it fills (escape first, cut second)."""
    return cut(inert(text), limit)


def quote(text: str, limit: int) -> str:
    """Users' text on one quoted line ("> …") of at most `limit` characters, inert."""
    return "> " + fit(" ".join(text.split()), limit - 2)


def code(text: str, limit: int) -> str:
    """An identifier shown as `code` (inert inside the span), at most `limit` characters with its backticks."""
    return "`" + cut(text.replace("`", "'"), limit - 2) + "`"


def plural(count: int, word: str, words: str | None = None) -> str:
    """'1 image', '2 images', '0 images'."""
    return f"{count:,} {word if count == 1 else (words or word + 's')}"
