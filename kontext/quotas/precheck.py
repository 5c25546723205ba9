"""Whether a request would be refused right now, judged without reserving anything.

For asking before the user does any work (the Edit button checks before opening its modal): advisory only. The
reservation, one atomic step when the request is made, still decides; a refusal here charges and holds nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from kontext.quotas.models import LimitKind, QuotaExceeded

if TYPE_CHECKING:
    from kontext.quotas.service import QuotaService


async def refusal_now(
    quotas: QuotaService,
    *,
    guild_id: int | None,
    user_id: int,
    role_ids: Iterable[int] = (),
    channel_id: int | None = None,
    mode: str,
) -> QuotaExceeded | None:
    """The limit a reservation of one image in `mode` would hit now, or None; nothing is reserved or recorded.

    The cooldown is left to the reservation: it passes while the user types.
    """
    refusal = await _refusal(quotas, guild_id, user_id, tuple(role_ids), channel_id, mode)
    if refusal is not None:
        refusal.personal = guild_id is None  # no server's rules: the requester's personal ones said no
    return refusal


async def _refusal(
    quotas: QuotaService,
    guild_id: int | None,
    user_id: int,
    role_ids: tuple[int, ...],
    channel_id: int | None,
    mode: str,
) -> QuotaExceeded | None:
    settings = await quotas.settings(guild_id)
    limit = quotas.user_limit(settings, role_ids)
    if limit == 0:
        return QuotaExceeded(LimitKind.DISABLED, limit=0, remaining=0)
    if settings.allowed_channel_ids and channel_id not in settings.allowed_channel_ids:
        return QuotaExceeded(LimitKind.CHANNEL, channel_ids=settings.allowed_channel_ids)
    if mode == "max" and not settings.allow_max:
        return QuotaExceeded(LimitKind.MAX_MODE)
    price = quotas.price(mode)
    member = await quotas.user_usage(guild_id, user_id, role_ids)
    if member.limit is not None and member.images_today + 1 > member.limit:
        return QuotaExceeded(
            LimitKind.USER_DAILY,
            limit=member.limit,
            used=member.images_today,
            remaining=member.remaining,
            resets_at=member.day_resets_at,
            needed=1,
        )
    server = await quotas.guild_usage(guild_id, top=0)
    for kind, cap, spent, resets_at in (
        (LimitKind.GUILD_MONTHLY, server.monthly_cap_micros, server.spent_month_micros, server.month_resets_at),
        (LimitKind.GUILD_DAILY, server.daily_cap_micros, server.spent_today_micros, server.day_resets_at),
    ):
        if cap is not None and spent + price > cap:
            return QuotaExceeded(
                kind, limit=cap, used=spent, remaining=max(cap - spent, 0), resets_at=resets_at, needed=price
            )
    refused = await quotas.global_refusal(price)
    if refused is not None:
        return refused
    if member.in_flight + 1 > member.max_concurrent:
        return QuotaExceeded(
            LimitKind.CONCURRENCY, limit=member.max_concurrent, used=member.in_flight, remaining=0, needed=1
        )
    return None
