"""History: orders, the ledger and asset movements as newest-first Relay connections."""

from __future__ import annotations

from tests.support.cash import DEPOSIT, WITHDRAW, move
from tests.support.trading import place

ORDERS = """
query Orders($first: Int, $after: String, $status: OrderStatus, $side: OrderSide, $asset: String) {
  me { orders(first: $first, after: $after, status: $status, side: $side, assetSymbol: $asset) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id side quantity asset { symbol } } }
  } }
}"""
LEDGER = """
query Ledger($first: Int, $after: String, $type: BalanceTransactionType) {
  me { transactions(first: $first, after: $after, type: $type) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { type amount balanceAfter order { id side } } }
  } }
}"""
MOVES = """
query Moves($asset: String) {
  me { assetTransactions(first: 10, assetSymbol: $asset) {
    totalCount
    edges { node { side quantity price total asset { symbol } order { id status } } }
  } }
}"""


async def orders(gql, user, **variables):
    return (await gql(ORDERS, variables, token=user.token))["me"]["orders"]


async def buy_both_then_sell_some(gql, user, symbol, other, quantities) -> None:
    """Buy ``symbol`` and ``other``, then sell part of ``symbol``: three filled orders."""
    bought, other_bought, sold = quantities
    await place(gql, user, symbol, "BUY", bought)
    await place(gql, user, other, "BUY", other_bought)
    await place(gql, user, symbol, "SELL", sold)


async def test_orders_page_newest_first_and_stay_stable(gql, make_user, make_asset):
    user = await make_user(cash="5000.00")
    symbol = await make_asset("10.00")
    ids = [(await place(gql, user, symbol, "BUY", str(n)))["order"]["id"] for n in range(1, 6)]
    first = await orders(gql, user, first=2)
    assert [e["node"]["id"] for e in first["edges"]] == ids[::-1][:2]
    assert first["totalCount"] == 5
    assert first["pageInfo"]["hasNextPage"] is True
    assert first["pageInfo"]["hasPreviousPage"] is False
    # A new order between two pages neither shifts nor repeats the next page.
    await place(gql, user, symbol, "BUY", "7")
    second = await orders(gql, user, first=2, after=first["pageInfo"]["endCursor"])
    assert [e["node"]["id"] for e in second["edges"]] == ids[::-1][2:4]
    assert second["pageInfo"]["hasPreviousPage"] is True
    last = await orders(gql, user, first=2, after=second["pageInfo"]["endCursor"])
    assert [e["node"]["id"] for e in last["edges"]] == ids[:1]
    assert last["pageInfo"]["hasNextPage"] is False


async def test_order_filters(gql, make_user, make_asset):
    user = await make_user(cash="5000.00")
    first, second = await make_asset("10.00"), await make_asset("20.00")
    await buy_both_then_sell_some(gql, user, first, second, ("3", "1", "1"))
    assert (await orders(gql, user, side="SELL"))["totalCount"] == 1
    by_asset = await orders(gql, user, asset=second.lower())
    assert [e["node"]["asset"]["symbol"] for e in by_asset["edges"]] == [second]
    assert (await orders(gql, user, status="FILLED"))["totalCount"] == 3
    assert (await orders(gql, user, status="OPEN"))["totalCount"] == 0
    assert (await orders(gql, user, asset="NOSUCHASSET"))["edges"] == []


async def test_first_is_capped_and_cursors_checked(gql, make_user):
    user = await make_user()
    body = await gql.raw(ORDERS, {"first": 101}, token=user.token)
    assert body["errors"][0]["extensions"]["code"] == "VALIDATION_FAILED"
    assert "100" in body["errors"][0]["message"]
    body = await gql.raw(ORDERS, {"after": "bm90LWEtY3Vyc29y"}, token=user.token)
    assert body["errors"][0]["extensions"]["code"] == "VALIDATION_FAILED"


async def test_someone_elses_order_is_null(gql, make_user, make_asset):
    owner, stranger = await make_user(cash="100.00"), await make_user()
    symbol = await make_asset("10.00")
    order_id = (await place(gql, owner, symbol, "BUY", "1"))["order"]["id"]
    query = "query($id: ID!) { order(id: $id) { id total } }"
    assert (await gql(query, {"id": order_id}, token=owner.token))["order"]["total"] == "10.00"
    assert (await gql(query, {"id": order_id}, token=stranger.token))["order"] is None
    assert (await gql(query, {"id": "not-a-number"}, token=owner.token))["order"] is None
    body = await gql.raw(query, {"id": order_id})
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_ledger_is_signed_with_running_balance(gql, make_user, make_asset):
    user = await make_user()
    symbol = await make_asset("12.50")
    await move(gql, DEPOSIT, user, "100.00")
    order_id = (await place(gql, user, symbol, "BUY", "2"))["order"]["id"]
    await move(gql, WITHDRAW, user, "30.00")
    ledger = (await gql(LEDGER, {}, token=user.token))["me"]["transactions"]
    assert [
        (e["node"]["type"], e["node"]["amount"], e["node"]["balanceAfter"]) for e in ledger["edges"]
    ] == [
        ("WITHDRAWAL", "-30.00", "45.00"),
        ("ORDER_BUY", "-25.00", "75.00"),
        ("DEPOSIT", "100.00", "100.00"),
    ]
    assert ledger["edges"][1]["node"]["order"] == {"id": order_id, "side": "BUY"}
    assert ledger["edges"][0]["node"]["order"] is None
    deposits = (await gql(LEDGER, {"type": "DEPOSIT"}, token=user.token))["me"]["transactions"]
    assert deposits["totalCount"] == 1


async def test_asset_transactions_follow_fills(gql, make_user, make_asset):
    user = await make_user(cash="1000.00")
    symbol, other = await make_asset("40.00"), await make_asset("5.00")
    await buy_both_then_sell_some(gql, user, symbol, other, ("2", "1", "0.5"))
    moves = (await gql(MOVES, {"asset": symbol}, token=user.token))["me"]["assetTransactions"]
    assert moves["totalCount"] == 2
    assert [
        (m["node"]["side"], m["node"]["quantity"], m["node"]["total"], m["node"]["order"]["status"])
        for m in moves["edges"]
    ] == [("SELL", "0.50", "20.00", "FILLED"), ("BUY", "2.00", "80.00", "FILLED")]
    everything = (await gql(MOVES, {}, token=user.token))["me"]["assetTransactions"]
    assert everything["totalCount"] == 3
