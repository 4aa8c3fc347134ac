"""The watchlist: idempotent add and remove, case-insensitive symbols, the order added."""

from __future__ import annotations

ADD = """
mutation Add($s: String!) {
  addToWatchlist(assetSymbol: $s) { watchlist { symbol price } errors { code field } }
}"""
REMOVE = """mutation Remove($s: String!) {
  removeFromWatchlist(assetSymbol: $s) { watchlist { symbol } errors { code field } } }"""
LIST = "{ me { watchlist { symbol price } } }"


async def add(gql, user, symbol):
    return (await gql(ADD, {"s": symbol}, token=user.token))["addToWatchlist"]


async def remove(gql, user, symbol):
    return (await gql(REMOVE, {"s": symbol}, token=user.token))["removeFromWatchlist"]


async def test_assets_are_listed_in_the_order_they_were_added(gql, make_user, make_asset):
    user = await make_user()
    first, second, third = [await make_asset(price) for price in ("3.00", "1.00", "2.00")]
    await add(gql, user, second)
    await add(gql, user, f"  {third.lower()} ")
    added = await add(gql, user, first)
    assert added["errors"] == []
    assert [a["symbol"] for a in added["watchlist"]] == [second, third, first]
    listed = (await gql(LIST, token=user.token))["me"]["watchlist"]
    assert listed == [
        {"symbol": second, "price": "1.00"},
        {"symbol": third, "price": "2.00"},
        {"symbol": first, "price": "3.00"},
    ]


async def test_adding_and_removing_are_idempotent(gql, make_user, make_asset):
    user = await make_user()
    a, b = await make_asset(), await make_asset()
    await add(gql, user, a)
    await add(gql, user, b)
    again = await add(gql, user, a.lower())
    # Already followed: nothing changes, not even its place.
    assert (again["errors"], [x["symbol"] for x in again["watchlist"]]) == ([], [a, b])
    removed = await remove(gql, user, a)
    assert (removed["errors"], removed["watchlist"]) == ([], [{"symbol": b}])
    twice = await remove(gql, user, a)
    assert (twice["errors"], twice["watchlist"]) == ([], [{"symbol": b}])


async def test_an_unknown_symbol_is_asset_not_found(gql, make_user, make_asset):
    user = await make_user()
    kept = await make_asset()
    await add(gql, user, kept)
    for mutation in (add, remove):
        refused = await mutation(gql, user, "NO_SUCH_COIN")
        assert refused == {
            "watchlist": [],
            "errors": [{"code": "ASSET_NOT_FOUND", "field": "assetSymbol"}],
        }
    assert [a["symbol"] for a in (await gql(LIST, token=user.token))["me"]["watchlist"]] == [kept]


async def test_each_user_has_their_own(gql, make_user, make_asset):
    alice, bob = await make_user(), await make_user()
    symbol = await make_asset()
    await add(gql, alice, symbol)
    assert (await gql(LIST, token=bob.token))["me"]["watchlist"] == []


async def test_changing_it_needs_a_token(gql, make_asset):
    body = await gql.raw(ADD, {"s": await make_asset()})
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
