"""The fake gateway: HELLO, heartbeats, IDENTIFY -> READY + GUILD_CREATE, RESUME, and ordered dispatches per shard."""

from __future__ import annotations

import asyncio
import collections
import json
import logging
import secrets
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any

import orjson
from aiohttp import WSMsgType, web

from tests.fakes.discord.basics import INTENT_GUILD_MEMBERS, INTENT_MESSAGE_CONTENT, PRIVILEGED_INTENTS
from tests.fakes.discord.models import redact_message

if TYPE_CHECKING:
    from tests.fakes.discord.guilds import FakeGuild
    from tests.fakes.discord.server import FakeDiscordServer

log = logging.getLogger(__name__)

HEARTBEAT_INTERVAL_MS = 41_250


class _Connection:
    """One websocket; sends are serialised so frames never interleave."""

    def __init__(self, ws: web.WebSocketResponse) -> None:
        self.ws = ws
        self.lock = asyncio.Lock()
        self.session: GatewaySession | None = None

    async def send(self, payload: dict[str, Any]) -> bool:
        async with self.lock:
            if self.ws.closed:
                return False
            try:
                await self.ws.send_str(orjson.dumps(payload, option=orjson.OPT_NON_STR_KEYS).decode())
            except (ConnectionError, RuntimeError):
                return False
            return True


class GatewaySession:
    """One identified shard: its sequence numbers and the events not yet delivered (kept for RESUME)."""

    def __init__(self, *, shard_id: int, shard_count: int, intents: int) -> None:
        self.session_id = secrets.token_hex(16)
        self.shard_id = shard_id
        self.shard_count = shard_count
        self.intents = intents
        self.seq = 0
        self.outbox: list[dict[str, Any]] = []
        self.conn: _Connection | None = None
        self.ready = False
        self._flush_lock = asyncio.Lock()

    def owns_guild(self, guild_id: int) -> bool:
        """Discord's shard formula."""
        return (guild_id >> 22) % self.shard_count == self.shard_id

    def enqueue(self, event: str, data: dict[str, Any]) -> None:
        """Number a dispatch and queue it; it is sent by flush(), now or after a RESUME."""
        self.seq += 1
        self.outbox.append({"op": 0, "t": event, "s": self.seq, "d": data})

    async def flush(self) -> None:
        """Send queued dispatches in order while a connection is up."""
        async with self._flush_lock:
            while self.outbox and self.conn is not None:
                if not await self.conn.send(self.outbox[0]):
                    break
                self.outbox.pop(0)


class FakeGateway:
    """Gateway websocket endpoint, supporting several shards' connections at once."""

    def __init__(self, fake: FakeDiscordServer) -> None:
        self._fake = fake
        self.sessions: dict[str, GatewaySession] = {}
        self.shards: dict[int, GatewaySession] = {}
        self.overlapping: list[GatewaySession] = []  # older sessions of a shard still connected beside a newer one
        self._turns: collections.Counter[str] = collections.Counter()  # per event: which sharing session goes first
        self.shard_count: int | None = None
        self.received: list[dict[str, Any]] = []  # every op the bot sent except heartbeats
        self.identifies = 0
        self.resumes = 0
        self._connections: set[_Connection] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    # ---- state -------------------------------------------------------------------------------------------------

    @property
    def connected(self) -> bool:
        """Whether any shard has identified."""
        return bool(self.shards)

    def all_ready(self) -> bool:
        """Every shard of the announced count identified, got READY and its GUILD_CREATEs."""
        if self.shard_count is None:
            return False
        return all(
            (s := self.shards.get(i)) is not None and s.ready and s.conn is not None for i in range(self.shard_count)
        )

    def _targets(self, guild_id: int | None) -> list[GatewaySession]:
        self.overlapping = [s for s in self.overlapping if s.conn is not None]
        sessions = [*self.shards.values(), *self.overlapping]
        if guild_id is None:
            return [s for s in sessions if s.shard_id == 0]
        return [s for s in sessions if s.owns_guild(guild_id)]

    # ---- dispatching -------------------------------------------------------------------------------------------

    def _enqueue(
        self, event: str, data: dict[str, Any], *, guild_id: int | None, intent: int, redact: bool, required: bool
    ) -> list[GatewaySession]:
        targets = self._targets(guild_id)
        if len(targets) > 1:
            # Sessions sharing a shard (an overlapping deploy) get each event in no promised order: Discord sends them
            # on separate connections. Each kind of event takes turns (counted per kind, so the MESSAGE_CREATE an
            # answer makes does not fix the order of the next command), and no process wins every race by having
            # connected first.
            turn = self._turns[event] % len(targets)
            self._turns[event] += 1
            targets = targets[turn:] + targets[:turn]
        if required and not targets:
            raise RuntimeError(
                f"no gateway session receives events for guild {guild_id}: start the bot and await fake.wait_ready()"
            )
        sent = []
        for session in targets:
            if intent and not session.intents & intent:
                continue
            payload = data
            if redact and not session.intents & INTENT_MESSAGE_CONTENT:
                payload = redact_message(data, self._fake.bot_user["id"])
            session.enqueue(event, payload)
            sent.append(session)
        return sent

    async def dispatch(
        self,
        event: str,
        data: dict[str, Any],
        *,
        guild_id: int | None = None,
        intent: int = 0,
        redact: bool = False,
        required: bool = False,
    ) -> None:
        """Send an event to the shard owning guild_id (shard 0 for DMs), if its intents ask for it."""
        for session in self._enqueue(event, data, guild_id=guild_id, intent=intent, redact=redact, required=required):
            await session.flush()

    def dispatch_nowait(
        self, event: str, data: dict[str, Any], *, guild_id: int | None = None, intent: int = 0
    ) -> None:
        """Queue an event from synchronous code; order with later dispatches is kept."""
        for session in self._enqueue(event, data, guild_id=guild_id, intent=intent, redact=False, required=False):
            self._spawn(session.flush())

    def announce_guild(self, guild: FakeGuild) -> None:
        """GUILD_CREATE for a guild added while connected (members only with the members intent)."""
        for session in self._targets(guild.id):
            members = bool(session.intents & INTENT_GUILD_MEMBERS)
            payload = guild.to_create_payload(include_members=members, bot_id=self._fake.application_id)
            # A guild the bot just joined: Discord sends no `unavailable` (false is a known guild back from an outage).
            payload.pop("unavailable", None)
            session.enqueue("GUILD_CREATE", payload)
            self._spawn(session.flush())

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def send_op(self, op: int, data: Any = None) -> None:
        """Send a raw opcode to every connection (op 7 RECONNECT makes the bot resume)."""
        for conn in list(self._connections):
            await conn.send({"op": op, "d": data, "s": None, "t": None})

    async def close_connections(self, code: int = 4000, reason: str = "") -> None:
        """Close every websocket with a close code (4000 and most others make the bot resume)."""
        for conn in list(self._connections):
            await conn.ws.close(code=code, message=reason.encode())

    async def close(self) -> None:
        """Close all websockets and stop pending sends."""
        await self.close_connections(1001, "fake Discord shutting down")
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    # ---- the websocket ---------------------------------------------------------------------------------------

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        """aiohttp handler for GET /gateway (a websocket upgrade)."""
        ws = web.WebSocketResponse(timeout=1.0, max_msg_size=0)
        await ws.prepare(request)
        conn = _Connection(ws)
        self._connections.add(conn)
        try:
            await conn.send({"op": 10, "d": {"heartbeat_interval": HEARTBEAT_INTERVAL_MS}, "s": None, "t": None})
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    continue
                try:
                    payload = json.loads(msg.data)
                except ValueError:
                    await ws.close(code=4002, message=b"Error while decoding payload.")
                    break
                await self._on_op(conn, payload)
                self._fake._changed()
        finally:
            self._connections.discard(conn)
            if conn.session is not None and conn.session.conn is conn:
                conn.session.conn = None
            self._fake._changed()
        return ws

    async def _on_op(self, conn: _Connection, payload: dict[str, Any]) -> None:
        op = payload.get("op")
        data = payload.get("d")
        if op == 1:
            await conn.send({"op": 11, "d": None, "s": None, "t": None})
            return
        self.received.append({**payload, "d": _without_token(data)})
        if op == 2:
            await self._identify(conn, data or {})
        elif op == 6:
            await self._resume(conn, data or {})
        elif conn.session is None:
            await conn.ws.close(code=4003, message=b"Not authenticated.")
        elif op == 8:
            await self._request_members(conn.session, data or {})
        elif op not in (3, 4):  # presence and voice state updates are accepted and ignored
            await conn.ws.close(code=4001, message=b"Unknown opcode.")

    async def _identify(self, conn: _Connection, data: dict[str, Any]) -> None:
        fake = self._fake
        if conn.session is not None:
            await conn.ws.close(code=4005, message=b"Already authenticated.")
            return
        if fake.bot_token is not None and data.get("token") != fake.bot_token:
            await conn.ws.close(code=4004, message=b"Authentication failed.")
            return
        intents = data.get("intents")
        if not isinstance(intents, int):
            await conn.ws.close(code=4013, message=b"Invalid intent(s).")
            return
        if intents & PRIVILEGED_INTENTS & ~fake.allowed_privileged_intents:
            await conn.ws.close(code=4014, message=b"Disallowed intent(s).")
            return
        shard = data.get("shard") or [0, 1]
        shard_id, shard_count = int(shard[0]), int(shard[1])
        if not 0 <= shard_id < shard_count:
            await conn.ws.close(code=4010, message=b"Invalid shard.")
            return
        if self.shard_count != shard_count:
            self.shards.clear()
            self.shard_count = shard_count
        old = self.shards.get(shard_id)
        if old is not None and old.conn is not None:
            # Discord runs several sessions of one shard side by side (an overlapping deploy): each gets every event.
            self.overlapping.append(old)
        elif old is not None:
            self.sessions.pop(old.session_id, None)
        session = GatewaySession(shard_id=shard_id, shard_count=shard_count, intents=intents)
        self.sessions[session.session_id] = session
        self.shards[shard_id] = session
        session.conn = conn
        conn.session = session
        self.identifies += 1

        guilds = [g for g in fake.guilds.values() if session.owns_guild(g.id) and fake.bot_in(g)]
        ready: dict[str, Any] = {
            "v": 10,
            "user": fake.bot_user,
            "guilds": [{"id": str(g.id), "unavailable": True} for g in guilds],
            "session_id": session.session_id,
            "session_type": "normal",
            "resume_gateway_url": fake.gateway_url,
            "application": {"id": str(fake.application_id), "flags": 0},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": [],
            "user_settings": {},
            "_trace": ["fake-discord"],
        }
        if data.get("shard") is not None:
            ready["shard"] = [shard_id, shard_count]
        session.enqueue("READY", ready)
        include_members = bool(intents & INTENT_GUILD_MEMBERS)
        for guild in guilds:
            payload = guild.to_create_payload(include_members=include_members, bot_id=fake.application_id)
            session.enqueue("GUILD_CREATE", payload)
        await session.flush()
        session.ready = True

    async def _resume(self, conn: _Connection, data: dict[str, Any]) -> None:
        session = self.sessions.get(str(data.get("session_id")))
        fake = self._fake
        token_ok = fake.bot_token is None or data.get("token") == fake.bot_token
        if session is None or not token_ok or self.shards.get(session.shard_id) is not session:
            await conn.send({"op": 9, "d": False, "s": None, "t": None})
            return
        session.conn = conn
        conn.session = session
        self.resumes += 1
        session.enqueue("RESUMED", {"_trace": ["fake-discord"]})
        await session.flush()

    async def _request_members(self, session: GatewaySession, data: dict[str, Any]) -> None:
        guild_ids = data.get("guild_id")
        if not isinstance(guild_ids, list):
            guild_ids = [guild_ids]
        query = str(data.get("query") or "").lower()
        user_ids = {int(u) for u in data.get("user_ids") or []}
        limit = int(data.get("limit") or 0)
        for raw_id in guild_ids:
            guild = self._fake.guilds.get(int(raw_id))
            if guild is None:
                continue
            members = [
                m
                for uid, m in guild.members.items()
                if (not user_ids or uid in user_ids) and m["user"]["username"].lower().startswith(query)
            ]
            if limit:
                members = members[:limit]
            chunk: dict[str, Any] = {
                "guild_id": str(guild.id),
                "members": members,
                "chunk_index": 0,
                "chunk_count": 1,
                "not_found": [str(u) for u in user_ids - set(guild.members)],
            }
            if data.get("nonce") is not None:
                chunk["nonce"] = data["nonce"]
            session.enqueue("GUILD_MEMBERS_CHUNK", chunk)
        await session.flush()


def _without_token(data: Any) -> Any:
    if isinstance(data, dict) and "token" in data:
        return {**data, "token": "<redacted>"}
    return data
