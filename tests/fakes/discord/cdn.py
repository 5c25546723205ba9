"""The fake CDN: uploads stored as Discord names and sniffs them, served at signed URLs that expire."""

from __future__ import annotations

import io
import mimetypes
import re
import secrets
import time
from typing import TYPE_CHECKING, Any

from aiohttp import web
from PIL import Image, UnidentifiedImageError

from tests.fakes.discord.basics import new_snowflake
from tests.fakes.discord.models import Recorded, StoredFile

if TYPE_CHECKING:
    from tests.fakes.discord.server import FakeDiscordServer

#: How long a signed CDN URL stays valid, measured with the fake's clock.
ATTACHMENT_URL_LIFETIME = 24 * 3600.0
_DECODE_PIXELS = 40_000_000  # larger files are judged by their header only, to keep the fake light


def sniff_media(data: bytes, filename: str) -> tuple[str, int | None, int | None]:
    """Content type, width and height of a file, as Discord's media pipeline would report them.

    Discord gives a file a width and height only when it could decode it as an image: a truncated JPEG, or text
    named .png, gets a type from its name and no dimensions.
    """
    try:
        with Image.open(io.BytesIO(data)) as image:
            mime = Image.MIME.get(image.format or "", None)
            if mime and image.width * image.height <= _DECODE_PIXELS:
                image.load()
            if mime:
                return mime, image.width, image.height
    except (UnidentifiedImageError, OSError, ValueError):
        pass
    guessed, _ = mimetypes.guess_type(filename)
    return guessed or "application/octet-stream", None, None


def sanitize_filename(filename: str) -> str:
    """Discord drops directories and turns whitespace and odd characters into underscores."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    return re.sub(r"[^\w.\-]", "_", name) or "unknown"


class FakeCdn:
    """Stores uploaded bytes in the fake's files and serves them under /cdn/attachments and /media/attachments."""

    def __init__(self, fake: FakeDiscordServer) -> None:
        self._fake = fake

    def store(
        self,
        data: bytes,
        filename: str,
        description: str | None,
        *,
        content_type: str | None = None,
        width: int | None = None,
        height: int | None = None,
    ) -> dict[str, Any]:
        """Keep the bytes; returns the Discord attachment object whose signed url serves them."""
        fake = self._fake
        att_id = new_snowflake()
        safe = sanitize_filename(filename)
        sniffed, sniffed_width, sniffed_height = sniff_media(data, safe)
        stored = StoredFile(att_id, safe, filename, data, content_type or sniffed, fake.clock())
        fake.files[att_id] = stored
        issued = int(time.time())
        signature = f"?ex={issued + 86400:x}&is={issued:x}&hm={secrets.token_hex(32)}&"
        attachment: dict[str, Any] = {
            "id": str(att_id),
            "filename": safe,
            "size": len(data),
            "url": f"{fake.base_url}/cdn/attachments/{att_id}/{safe}{signature}",
            "proxy_url": f"{fake.base_url}/media/attachments/{att_id}/{safe}{signature}",
            "content_type": stored.content_type,
        }
        if (width or sniffed_width) is not None:
            attachment["width"] = width or sniffed_width
            attachment["height"] = height or sniffed_height
        if description:
            attachment["description"] = description
        return attachment

    async def handle(self, request: web.Request) -> web.Response:
        """GET /cdn/attachments/{id}/{filename} (and /media/...): the stored bytes with their real Content-Type."""
        fake = self._fake
        now = fake.clock()
        rec = Recorded("GET", request.path, dict(request.query), None, [], now)
        stored = fake.files.get(int(request.match_info["id"]))
        if stored is None or stored.filename != request.match_info["filename"]:
            response = web.Response(status=404, text="Not Found")
        elif now - stored.created > ATTACHMENT_URL_LIFETIME:
            response = web.Response(status=404, text="This content is no longer available.")
        else:
            response = web.Response(body=stored.data, headers={"Content-Type": stored.content_type})
        rec.status = response.status
        fake.cdn_requests.append(rec)
        fake._changed()
        return response
