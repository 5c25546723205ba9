"""What the fake's REST resources share: the handler signature, route specs and the RestResource base class."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any

from tests.fakes.discord.messages import MessageWriter, Upload
from tests.fakes.discord.models import Recorded

if TYPE_CHECKING:
    from tests.fakes.discord.server import FakeDiscordServer

Params = Mapping[str, str]
Reply = tuple[int, Any]
Handler = Callable[[Recorded, list[Upload], Params], Awaitable[Reply]]
#: (HTTP method, path regex after /api/v10 with named groups, handler, whether it needs "Authorization: Bot ...").
RouteSpec = tuple[str, str, Handler, bool]


class RestResource:
    """One group of REST routes; handlers read the fake's state and write the bot's messages through MessageWriter."""

    def __init__(self, fake: FakeDiscordServer, messages: MessageWriter) -> None:
        self._fake = fake
        self._messages = messages

    def routes(self) -> list[RouteSpec]:
        """This group's routes, each fullmatch'ed against the path."""
        raise NotImplementedError
