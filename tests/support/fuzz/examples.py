"""One example end to end: the users it needs, the mutation sent, the answer judged,
and the tally of what hypothesis really ran."""

from __future__ import annotations

import dataclasses
import uuid
from collections import Counter
from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, settings

from tests.support.fuzz.bench import (
    Bench,
    assert_books_balance,
    changed_rows,
    place,
    post,
    snapshot,
)
from tests.support.fuzz.judging import Answer, judge, secrets_of
from tests.support.fuzz.promises import DOCUMENTS
from tests.support.fuzz.values import Ref, cursor_text


def resolve(value: Any, names: dict[str, Any]) -> Any:
    if isinstance(value, Ref):
        return names[value.name]
    if isinstance(value, dict):
        return {key: resolve(item, names) for key, item in value.items()}
    if isinstance(value, list):
        return [resolve(item, names) for item in value]
    return value


@dataclasses.dataclass
class Tally:
    examples: int = 0
    outcomes: Counter[str] = dataclasses.field(default_factory=Counter)


TALLIES: dict[str, Tally] = {}
MIN_EXAMPLES = 10


async def new_user(bench: Bench, cash: str = "1000.00") -> tuple[Any, dict[str, Any]]:
    user = await bench.make_user(cash=cash)
    fresh = uuid.uuid4().hex
    names = {
        "username": user.username,
        "USERNAME": user.username.upper(),
        "email": user.email,
        "EMAIL": user.email.upper(),
        "other_username": bench.bystander.username,
        "OTHER_USERNAME": bench.bystander.username.upper(),
        "other_email": bench.bystander.email,
        "OTHER_EMAIL": f" {bench.bystander.email.upper()} ",
        "fresh_username": f"fz_{fresh[:20]}",
        "fresh_email": f"fz.{fresh[:16]}@example.com",
        "fresh_key": f"fz-{fresh[:24]}",
        "symbol": bench.symbol,
        "untradable": bench.untradable,
    }
    return user, names


async def new_trader(bench: Bench) -> tuple[Any, dict[str, Any]]:
    """A user holding units, with a filled order, an open buy and an open sell."""
    user, names = await new_user(bench, cash="5000.00")
    filled = await place(bench, user, side="BUY", type="MARKET", quantity="3", key="fz-used-1")
    open_buy = await place(bench, user, side="BUY", type="LIMIT", quantity="1", limit="50")
    open_sell = await place(bench, user, side="SELL", type="LIMIT", quantity="1", limit="1000")
    names.update(
        filled_order_id=filled,
        open_order_id=open_buy,
        open_sell_id=open_sell,
        open_order_int=int(open_buy),
        other_order_id=bench.bystander_order,
        missing_order_id=str(10**15 + int(open_sell)),
        used_client_order_id="fz-used-1",
        cursor_of_open_order=cursor_text(f"order:{open_buy}".encode()),
        cursor_of_other_order=cursor_text(f"order:{bench.bystander_order}".encode()),
    )
    return user, names


async def attempt(
    bench: Bench,
    tally: Tally,
    mutation: str,
    variables: Any,
    *,
    user: Any,
    authorization: str | None = None,
) -> Answer:
    """Send one mutation as ``user`` (or with ``authorization``) and judge all of it."""
    watched = [user.id, bench.bystander.id]
    before = await snapshot(bench, watched)
    query = DOCUMENTS[mutation]
    header = f"Bearer {user.token}" if authorization is None else authorization
    response, sent = await post(bench.http, query, variables, authorization=header)
    answer = judge(
        response,
        mutation=mutation,
        sent=sent,
        secrets=[*secrets_of(mutation, variables, query), user.token],
    )
    after = await snapshot(bench, watched)
    if answer.rejected:
        assert after == before, (
            f"{mutation} was rejected ({answer.outcome}) but the database changed:\n"
            f"{changed_rows(before, after)}\nvariables: {sent[:1500]}"
        )
    for user_id in watched:
        await assert_books_balance(bench, user_id)
    tally.examples += 1
    tally.outcomes[answer.outcome] += 1
    return answer


def fuzz(max_examples: int) -> Callable[[Any], Any]:
    return settings(
        max_examples=max_examples,
        deadline=None,
        database=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
            HealthCheck.filter_too_much,
        ],
    )
