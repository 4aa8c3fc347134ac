"""The public asset catalogue: ordering, filtering, search, pagination and wire formats.

Other tests add assets (symbols "T" + 10 hex digits, unranked, no volume) to the same
database, so these tests assert on relative properties, on the shipped symbols and on
assets they create themselves, never on global counts.
"""

from __future__ import annotations

import base64
import itertools
import json
import re
from decimal import Decimal
from typing import Any

import pytest

from persistence.catalogue.loader import CATALOGUE_FILE

SHIPPED = {item["symbol"] for item in json.loads(CATALOGUE_FILE.read_text())["assets"]}
UNTRADABLE = {"STETH", "WBTC", "WSTETH"}

NODE_FIELDS = """
  symbol name isTradable price priceUpdatedAt marketCap marketCapRank
  priceChange24h priceChange7d priceChange30d high24h low24h volume24h
  circulatingSupply totalSupply maxSupply allTimeHigh allTimeHighAt allTimeLow allTimeLowAt
"""

ASSETS = (
    """
query Assets($first: Int, $after: String, $search: String, $tradableOnly: Boolean,
             $orderBy: AssetOrder) {
  assets(first: $first, after: $after, search: $search, tradableOnly: $tradableOnly,
         orderBy: $orderBy) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { """
    + NODE_FIELDS
    + """ } }
  }
}"""
)
ASSET = "query One($symbol: String!) { asset(symbol: $symbol) { " + NODE_FIELDS + " } }"

DECIMAL_FIELDS = (
    "price",
    "marketCap",
    "priceChange24h",
    "priceChange7d",
    "priceChange30d",
    "high24h",
    "low24h",
    "volume24h",
    "circulatingSupply",
    "totalSupply",
    "maxSupply",
    "allTimeHigh",
    "allTimeLow",
)
DATETIME_FIELDS = ("priceUpdatedAt", "allTimeHighAt", "allTimeLowAt")
# At least two decimals; past two, no trailing zero.
DECIMAL_WIRE = re.compile(r"-?\d+\.(\d{2}|\d{2,}[1-9])")


def cursor_of(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


async def page(gql, **arguments: Any) -> dict[str, Any]:
    data = await gql(ASSETS, arguments)
    connection: dict[str, Any] = data["assets"]
    return connection


async def walk(gql, page_size: int = 100, **arguments: Any) -> list[dict[str, Any]]:
    """Every node of the listing, following endCursor page after page."""
    nodes: list[dict[str, Any]] = []
    after = None
    for _ in range(100):
        connection = await page(gql, first=page_size, after=after, **arguments)
        nodes.extend(edge["node"] for edge in connection["edges"])
        if not connection["pageInfo"]["hasNextPage"]:
            return nodes
        after = connection["pageInfo"]["endCursor"]
    raise AssertionError("pagination never reached the last page")


def symbols(nodes: list[dict[str, Any]]) -> list[str]:
    return [node["symbol"] for node in nodes]


async def assert_validation_failure(gql, field: str, **arguments: Any) -> None:
    body = await gql.raw(ASSETS, arguments)
    assert body.get("data") is None, body
    [error] = body["errors"]
    assert error["extensions"]["code"] == "VALIDATION_FAILED", error
    assert error["extensions"].get("field") == field, error
    assert error["path"] == ["assets"]
    assert "Traceback" not in json.dumps(body)


# ------------------------------------------------------------------ ordering


async def test_default_order_is_market_cap_rank_with_unranked_last(gql, make_asset):
    mine = sorted([await make_asset("5.00"), await make_asset("6.00")])
    nodes = await walk(gql)
    listed = symbols(nodes)
    assert listed[:11] == [
        "BTC",
        "ETH",
        "USDT",
        "XRP",
        "BNB",
        "SOL",
        "USDC",
        "DOGE",
        "TRX",
        "ADA",
        "HYPE",
    ]
    ranks = [node["marketCapRank"] for node in nodes]
    ranked = [rank for rank in ranks if rank is not None]
    assert ranked == sorted(ranked)
    assert len(set(ranked)) == len(ranked)
    first_unranked = ranks.index(None)
    assert all(rank is None for rank in ranks[first_unranked:]), "a ranked asset after unranked"
    # Unranked assets are tie-broken by symbol.
    assert listed.index(mine[0]) < listed.index(mine[1])
    assert listed.index(mine[0]) >= first_unranked


async def test_explicit_market_cap_rank_order_matches_default(gql):
    default = symbols(await walk(gql))
    explicit = symbols(await walk(gql, orderBy="MARKET_CAP_RANK"))
    assert explicit == default


async def test_order_by_symbol_is_alphabetical(gql, make_asset):
    await make_asset()
    listed = symbols(await walk(gql, orderBy="SYMBOL", tradableOnly=False))
    assert listed == sorted(listed)
    assert listed[0] == "AAVE"
    assert {"AAVE", "ADA", "ZEC", "WSTETH"} <= set(listed)


async def test_order_by_price_change_24h_puts_biggest_gainer_first(gql, make_asset):
    await make_asset()
    nodes = await walk(gql, orderBy="PRICE_CHANGE_24H")
    changes = [node["priceChange24h"] for node in nodes]
    present = [Decimal(change) for change in changes if change is not None]
    assert present == sorted(present, reverse=True)
    assert present[0] > present[-1]
    assert nodes[0]["symbol"] in SHIPPED
    assert Decimal(nodes[0]["priceChange24h"]) > 0
    # Equal changes fall back to the symbol, A to Z.
    for earlier, later in itertools.pairwise(nodes):
        if earlier["priceChange24h"] == later["priceChange24h"]:
            assert earlier["symbol"] < later["symbol"]


async def test_order_by_volume_puts_largest_volume_first_and_unknown_last(gql, make_asset):
    mine = await make_asset()  # no volume recorded
    nodes = await walk(gql, orderBy="VOLUME_24H")
    volumes = [node["volume24h"] for node in nodes]
    assert nodes[0]["symbol"] == "USDT"  # 55 billion, the largest of the shipped data
    known = [Decimal(volume) for volume in volumes if volume is not None]
    assert known == sorted(known, reverse=True)
    first_unknown = volumes.index(None)
    assert all(volume is None for volume in volumes[first_unknown:])
    assert symbols(nodes).index(mine) >= first_unknown


# ------------------------------------------------------------ tradable filter


async def test_untradable_assets_are_hidden_by_default(gql):
    nodes = await walk(gql)
    assert not UNTRADABLE & set(symbols(nodes))
    assert all(node["isTradable"] for node in nodes)
    assert set(symbols(nodes)) >= SHIPPED - UNTRADABLE


async def test_tradable_only_false_lists_untradable_assets_too(gql, make_asset):
    hidden = await make_asset(tradable=False)
    everything = await walk(gql, tradableOnly=False)
    listed = {node["symbol"]: node for node in everything}
    assert SHIPPED | {hidden} <= set(listed)
    untradable = {symbol for symbol, node in listed.items() if not node["isTradable"]}
    assert untradable & SHIPPED == UNTRADABLE
    assert hidden in untradable
    default = await walk(gql)
    assert hidden not in symbols(default)
    assert len(everything) - len(default) == len(untradable)


async def test_total_count_follows_the_tradable_filter(gql):
    tradable = await page(gql, first=1, search="steth")
    everything = await page(gql, first=1, search="steth", tradableOnly=False)
    assert tradable["totalCount"] == 0
    assert tradable["edges"] == []
    assert everything["totalCount"] == 2  # Lido Staked Ether, Wrapped stETH


# -------------------------------------------------------------------- search


@pytest.mark.parametrize("term", ["btc", "BTC", "bTc"])
async def test_search_matches_symbols_case_insensitively(gql, term):
    assert symbols(await walk(gql, search=term, tradableOnly=False)) == ["BTC", "WBTC"]
    assert symbols(await walk(gql, search=term)) == ["BTC"]


@pytest.mark.parametrize("term", ["bitcoin", "BITCOIN", "BitCoin"])
async def test_search_matches_names_case_insensitively(gql, term):
    found = symbols(await walk(gql, search=term, tradableOnly=False, orderBy="SYMBOL"))
    assert found == ["BCH", "BTC", "WBTC"]


async def test_search_finds_a_new_asset_by_its_lower_case_symbol(gql, make_asset):
    mine = await make_asset("42.00")
    connection = await page(gql, search=mine.lower())
    assert connection["totalCount"] == 1
    assert symbols([edge["node"] for edge in connection["edges"]]) == [mine]
    assert connection["edges"][0]["node"]["price"] == "42.00"


@pytest.mark.parametrize("term", ["%", "_", "b_c", "bit%n", "%coin", "\\", "e_h"])
async def test_search_treats_wildcards_literally(gql, term):
    # Each would match shipped assets if % and _ were wildcards (e.g. "b_c" -> BTC).
    connection = await page(gql, search=term, tradableOnly=False)
    assert connection["totalCount"] == 0
    assert connection["edges"] == []
    assert connection["pageInfo"]["startCursor"] is None
    assert connection["pageInfo"]["endCursor"] is None


async def test_search_without_match_is_an_empty_page(gql):
    connection = await page(gql, search="no such coin anywhere")
    assert connection == {
        "totalCount": 0,
        "pageInfo": {
            "hasNextPage": False,
            "hasPreviousPage": False,
            "startCursor": None,
            "endCursor": None,
        },
        "edges": [],
    }


# ---------------------------------------------------------------- pagination


async def test_pages_walk_the_whole_list_without_repeats_or_gaps(gql):
    whole = symbols(await walk(gql, page_size=100))
    total = (await page(gql, first=1))["totalCount"]
    assert len(whole) == total
    walked: list[str] = []
    cursors: list[str] = []
    after = None
    pages = 0
    while True:
        connection = await page(gql, first=7, after=after)
        pages += 1
        edges = connection["edges"]
        info = connection["pageInfo"]
        assert connection["totalCount"] == total
        assert info["hasPreviousPage"] is (after is not None)
        assert info["startCursor"] == edges[0]["cursor"]
        assert info["endCursor"] == edges[-1]["cursor"]
        walked.extend(edge["node"]["symbol"] for edge in edges)
        cursors.extend(edge["cursor"] for edge in edges)
        if not info["hasNextPage"]:
            assert len(edges) == total - 7 * (pages - 1)
            break
        assert len(edges) == 7
        after = info["endCursor"]
    assert walked == whole
    assert len(set(walked)) == len(walked)
    assert len(set(cursors)) == len(cursors)


async def test_page_info_on_a_small_exact_listing(gql):
    search = {"search": "bitcoin", "tradableOnly": False, "orderBy": "SYMBOL"}
    first = await page(gql, first=2, **search)
    assert first["totalCount"] == 3
    assert symbols([edge["node"] for edge in first["edges"]]) == ["BCH", "BTC"]
    assert first["pageInfo"]["hasNextPage"] is True
    assert first["pageInfo"]["hasPreviousPage"] is False
    second = await page(gql, first=2, after=first["pageInfo"]["endCursor"], **search)
    assert second["totalCount"] == 3
    assert symbols([edge["node"] for edge in second["edges"]]) == ["WBTC"]
    assert second["pageInfo"]["hasNextPage"] is False
    assert second["pageInfo"]["hasPreviousPage"] is True
    # Resuming from the middle of a page continues right after that edge.
    middle = await page(gql, first=5, after=first["edges"][0]["cursor"], **search)
    assert symbols([edge["node"] for edge in middle["edges"]]) == ["BTC", "WBTC"]


async def test_default_page_size_is_fifty(gql):
    connection = (await gql("{ assets { totalCount edges { node { symbol } } } }"))["assets"]
    assert connection["totalCount"] > 50
    assert len(connection["edges"]) == 50


async def test_first_100_is_the_largest_page_allowed(gql):
    connection = await page(gql, first=100, tradableOnly=False)
    assert len(connection["edges"]) == min(100, connection["totalCount"])


@pytest.mark.parametrize("first", [101, 1000, -1])
async def test_first_out_of_range_is_a_validation_error(gql, first):
    await assert_validation_failure(gql, "first", first=first)


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage!!",
        "not a cursor",
        "é",
        cursor_of("order:3"),
        cursor_of("asset:-1"),
        cursor_of("asset:abc"),
        cursor_of("asset:9223372036854775807"),
        cursor_of("asset:99999999999999999999"),
    ],
)
async def test_a_forged_or_garbage_cursor_is_a_validation_error(gql, cursor):
    await assert_validation_failure(gql, "after", first=5, after=cursor)


async def test_search_longer_than_100_characters_is_a_validation_error(gql):
    await assert_validation_failure(gql, "search", search="x" * 101)


# ---------------------------------------------------------------- one asset


@pytest.mark.parametrize("symbol", ["BTC", "btc", "Btc"])
async def test_asset_by_symbol_is_case_insensitive(gql, symbol):
    asset = (await gql(ASSET, {"symbol": symbol}))["asset"]
    assert asset["symbol"] == "BTC"
    assert asset["name"] == "Bitcoin"
    assert asset["price"] == "104500.00"
    assert asset["marketCapRank"] == 1


async def test_asset_by_symbol_finds_untradable_assets(gql):
    asset = (await gql(ASSET, {"symbol": "wsteth"}))["asset"]
    assert asset["symbol"] == "WSTETH"
    assert asset["isTradable"] is False


@pytest.mark.parametrize("symbol", ["NOPE", "", "   ", "B" * 50, "%", "BT_"])
async def test_unknown_asset_is_null(gql, symbol):
    assert (await gql(ASSET, {"symbol": symbol}))["asset"] is None


async def test_asset_created_by_a_test_reads_back_exactly(gql, make_asset):
    mine = await make_asset("0.0000130000")
    asset = (await gql(ASSET, {"symbol": mine.lower()}))["asset"]
    assert asset["symbol"] == mine
    assert asset["name"] == f"Test {mine}"
    assert asset["price"] == "0.000013"
    assert asset["priceChange24h"] == "0.00"
    assert asset["marketCapRank"] is None
    assert asset["volume24h"] is None
    assert asset["isTradable"] is True


# ------------------------------------------------------------- wire formats


async def test_every_shipped_asset_has_a_price_and_backfilled_changes(gql):
    nodes = [node for node in await walk(gql, tradableOnly=False) if node["symbol"] in SHIPPED]
    assert set(symbols(nodes)) == SHIPPED
    for node in nodes:
        assert Decimal(node["price"]) > 0, node
        assert node["priceUpdatedAt"] is not None, node
        # Computed from the 30 days of history loaded with the catalogue.
        assert node["priceChange7d"] is not None, node
        assert node["priceChange30d"] is not None, node
        assert node["priceChange24h"] is not None, node
        assert Decimal(node["low24h"]) <= Decimal(node["price"]) <= Decimal(node["high24h"]), node
    # A random walk does not land exactly where it started for every asset.
    assert len({node["priceChange30d"] for node in nodes}) > 10


async def test_decimals_are_strings_with_at_least_two_places(gql):
    nodes = [node for node in await walk(gql, tradableOnly=False) if node["symbol"] in SHIPPED]
    for node in nodes:
        for field in DECIMAL_FIELDS:
            value = node[field]
            if value is None:
                continue
            assert isinstance(value, str), (node["symbol"], field, value)
            assert DECIMAL_WIRE.fullmatch(value), (node["symbol"], field, value)
    by_symbol = {node["symbol"]: node for node in nodes}
    seeded = {"BTC": "104500.00", "USDT": "1.00", "SHIB": "0.00001285", "GALA": "0.0165"}
    assert {symbol: by_symbol[symbol]["price"] for symbol in seeded} == seeded


@pytest.mark.parametrize(
    ("stored", "wire"),
    [("1000", "1000.00"), ("12.5", "12.50"), ("3.14159", "3.14159"), ("7.1000", "7.10")],
)
async def test_decimal_output_of_a_chosen_price(gql, make_asset, stored, wire):
    mine = await make_asset(stored)
    assert (await gql(ASSET, {"symbol": mine}))["asset"]["price"] == wire


async def test_timestamps_carry_an_explicit_utc_offset(gql):
    nodes = [node for node in await walk(gql, tradableOnly=False) if node["symbol"] in SHIPPED]
    for node in nodes:
        for field in DATETIME_FIELDS:
            value = node[field]
            if value is not None:
                assert value.endswith("+00:00"), (node["symbol"], field, value)
