"""Red-pocket resolvers: who is asking, then the game."""

from __future__ import annotations

from domain.red_pocket import RedPocketOutcome
from resolvers.context import Context


async def claim(context: Context, phrase: str) -> RedPocketOutcome:
    user_id = context.require_user_id()
    return await context.services.red_pocket.claim(user_id, phrase)
