"""Hostile values thrown at placeOrder and cancelOrder."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from tests.support.fuzz.examples import attempt, fuzz, new_trader, resolve
from tests.support.fuzz.values import (
    Field,
    Ref,
    arguments,
    decimal_nasty,
    decimal_odd,
    forged_cursors,
    hostile_text,
    input_object,
    mix,
    refs,
    text_field,
)

pytestmark = pytest.mark.usefixtures("quiet_strawberry_errors")


order_inputs = input_object(
    assetSymbol=text_field(
        (5, refs("symbol")),
        (1, refs("untradable")),
        (1, st.sampled_from(["BTC", "btc", " Eth ", "ETH\t", "ZZZNOPE", "A" * 20, "A" * 21])),
    ),
    side=Field(
        st.sampled_from(["BUY", "SELL"]),
        nasty=st.sampled_from(["buy", "Sell", "HOLD", "", "BUY ", "SELL\x00"]),
    ),
    type=Field(
        st.sampled_from(["MARKET", "LIMIT"]),
        nasty=st.sampled_from(["market", "STOP", "", "LIMIT "]),
        optional=True,
        nullable=False,
    ),
    quantity=Field(
        mix(
            (3, st.sampled_from(["1", "0.5", "2", "3", "4", "0.00000001", "0.01", "100", "1000"])),
            (3, decimal_odd),
        ),
        nasty=decimal_nasty,
    ),
    limitPrice=Field(
        mix(
            (3, st.sampled_from(["50", "99.99", "100", "150", "0.00000001", "100000000001"])),
            (2, decimal_odd),
        ),
        nasty=decimal_nasty,
        optional=True,
    ),
    clientOrderId=text_field(
        (2, refs("fresh_key")),
        (2, st.just("fz-used-1")),
        (1, st.from_regex(r"\A.{0,70}\Z")),
        optional=True,
    ),
)


coherent_orders = st.fixed_dictionaries(
    {
        "assetSymbol": refs("symbol"),
        "side": st.sampled_from(["BUY", "SELL"]),
        "quantity": st.sampled_from(["0.5", "1", "2", "3", "4", "0.00000001", "0.01", "200"]),
    },
    optional={"clientOrderId": st.sampled_from([Ref("fresh_key"), "fz-used-1", None])},
).flatmap(
    lambda order: st.one_of(
        st.just({**order, "type": "MARKET"}),
        st.sampled_from(["50", "99.99", "100", "150", "0.00000001", "100000000001"]).map(
            lambda limit: {**order, "type": "LIMIT", "limitPrice": limit}
        ),
    )
)


@fuzz(60)
@example(variables={"input": {"assetSymbol": Ref("symbol"), "side": "SELL", "quantity": "2"}})
@example(
    variables={
        "input": {
            "assetSymbol": Ref("symbol"),
            "side": "BUY",
            "quantity": "1",
            "clientOrderId": "fz-used-1",
        }
    }
)
@given(variables=st.fixed_dictionaries({"input": mix((1, coherent_orders), (3, order_inputs))}))
async def test_place_order(bench, tally, variables):
    user, names = await new_trader(bench)
    await attempt(bench, tally, "placeOrder", resolve(variables, names), user=user)


order_ids = Field(
    mix(
        (
            4,
            refs(
                "open_order_id",
                "open_sell_id",
                "filled_order_id",
                "other_order_id",
                "missing_order_id",
                "open_order_int",
            ),
        ),
        (
            2,
            st.sampled_from(
                [
                    "0",
                    "-1",
                    "1.0",
                    "1e3",
                    " 1",
                    "+1",
                    "0x1",
                    "\u00b2",
                    "\u00b9\u00b2",
                    "\u0661",
                    "\u0660",
                    "9" * 18,
                    "9" * 19,
                    "0" * 30 + "1",
                    "NaN",
                    "",
                ]
            ),
        ),
        (2, forged_cursors),
        (2, hostile_text),
        (1, st.integers(-(2**70), 2**70)),
    ),
    nasty=st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.booleans()),
)


@fuzz(60)
@example(variables={"id": Ref("other_order_id")})
@example(variables={"id": Ref("cursor_of_open_order")})
@given(variables=arguments(id=order_ids))
async def test_cancel_order(bench, tally, variables):
    user, names = await new_trader(bench)
    resolved = resolve(variables, names)
    answer = await attempt(bench, tally, "cancelOrder", resolved, user=user)
    if not answer.rejected:
        assert str(resolved["id"]) in (names["open_order_id"], names["open_sell_id"])
