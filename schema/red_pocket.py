"""The Chinese New Year red-pocket game."""

from __future__ import annotations

from decimal import Decimal

import strawberry

from domain.red_pocket import RedPocketOutcome
from resolvers.context import Info
from schema.cash import Balance
from schema.payloads import mutation, payload


@payload
class RedPocketPayload:
    amount: Decimal | None = strawberry.field(
        default=None, description='What was credited; "0.00" when nothing was.'
    )
    got_red_pocket: bool | None = strawberry.field(
        default=None, description="True when the phrase was a secret one and its red pocket paid."
    )
    balance: Balance | None = None

    @classmethod
    def from_outcome(cls, outcome: RedPocketOutcome) -> RedPocketPayload:
        return cls(
            amount=outcome.amount,
            got_red_pocket=outcome.got_red_pocket,
            balance=Balance.from_model(outcome.balance),
        )


@strawberry.type
class RedPocketMutation:
    @mutation(description="The Chinese New Year game: guess a secret phrase for a red pocket.")
    async def claim_red_pocket(self, info: Info, phrase: str) -> RedPocketPayload:
        context = info.context
        outcome = await context.services.red_pocket.claim(context.require_user_id(), phrase)
        return RedPocketPayload.from_outcome(outcome)
