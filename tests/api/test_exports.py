"""CSV exports: the token rule, exact decimals, formula-safe cells, streamed in batches."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import httpx
import pytest
from sqlalchemy import text

from domain.exports import Exports, cell, safe_text
from tests.support.trading import place
from web.app import create_app


def rows(body: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body)))


async def export(client, path, token):
    return await client.get(path, headers={"Authorization": f"Bearer {token}"})


async def test_orders_export_has_every_order_newest_first_with_exact_decimals(
    client, gql, make_user, make_asset
):
    user = await make_user(cash="1000.00")
    symbol = await make_asset("33.333")
    await place(gql, user, symbol, "BUY", "1.5", clientOrderId="-cmd.exe")
    await place(gql, user, symbol, "BUY", "0.1", type="LIMIT", limitPrice="20.0000001")
    response = await export(client, "/export/orders.csv", user.token)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"].startswith('attachment; filename="orders-')
    assert response.headers["cache-control"] == "no-store"
    header, limit, market = rows(response.text)
    # The header line a spreadsheet shows, as it is written.
    assert response.text.splitlines()[0] == (
        "id,created_at,asset_symbol,side,type,status,quantity,limit_price,stop_price,"
        "time_in_force,expires_at,executed_price,total,filled_at,triggered_at,cancelled_at,"
        "expired_at,client_order_id"
    )
    resting, filled = dict(zip(header, limit, strict=True)), dict(zip(header, market, strict=True))
    assert [resting[k] for k in header[2:13]] == [
        symbol,
        "BUY",
        "LIMIT",
        "OPEN",
        "0.10",
        "20.0000001",
        "",
        "GTC",
        "",
        "",
        "",
    ]
    assert [filled[k] for k in header[2:13]] == [
        symbol,
        "BUY",
        "MARKET",
        "FILLED",
        "1.50",
        "",
        "",
        "IOC",
        "",
        "33.333",
        "50.00",
    ]
    assert filled["client_order_id"] == "'-cmd.exe"  # user text a spreadsheet would evaluate
    assert int(limit[0]) > int(market[0])


async def test_transactions_export_is_the_ledger(client, gql, make_user, make_asset):
    user = await make_user(cash="1000.00")
    symbol = await make_asset("33.333")
    await place(gql, user, symbol, "BUY", "1.5")
    response = await export(client, "/export/transactions.csv", user.token)
    assert response.status_code == 200
    header, buy, deposit = rows(response.text)
    assert header == ["id", "created_at", "type", "amount", "balance_after", "order_id"]
    # Our own negative numbers stay numbers: no apostrophe.
    assert buy[2:5] == ["ORDER_BUY", "-50.00", "950.00"]
    assert buy[5] != ""
    assert deposit[2:6] == ["DEPOSIT", "1000.00", "1000.00", ""]


async def test_each_user_exports_only_their_own(client, gql, make_user, make_asset):
    alice, bob = await make_user(cash="100.00"), await make_user()
    await place(gql, alice, await make_asset("10.00"), "BUY", "1")
    assert len(rows((await export(client, "/export/orders.csv", bob.token)).text)) == 1
    assert len(rows((await export(client, "/export/transactions.csv", bob.token)).text)) == 1


@pytest.mark.parametrize("path", ["/export/orders.csv", "/export/transactions.csv"])
@pytest.mark.parametrize(
    "authorization", [None, "Bearer not-a-jwt", "Basic dXNlcjpwYXNz", "Bearer "]
)
async def test_no_valid_token_is_401(client, path, authorization):
    headers = {} if authorization is None else {"Authorization": authorization}
    response = await client.get(path, headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_signed_out_token_is_401(client, gql, make_user):
    user = await make_user()
    await gql("mutation { logout { success } }", token=user.token)
    assert (await export(client, "/export/orders.csv", user.token)).status_code == 401


async def test_exports_spend_the_rate_budget(settings, runtime, make_user):
    limited = settings.model_copy(
        update={
            "rate_limits_enabled": True,
            "rate_limit_user_points": 70,
            "rate_limit_ip_points": 10_000,
        }
    )
    user = await make_user()
    app = create_app(limited, runtime)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        statuses = [
            (await export(http, "/export/orders.csv", user.token)).status_code for _ in range(3)
        ]
        refused = await export(http, "/export/transactions.csv", user.token)
    assert statuses == [200, 200, 429]
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) > 0


async def test_a_long_ledger_streams_in_batches(runtime, make_user):
    user = await make_user()
    async with runtime.services.db.transaction() as session:
        await session.execute(
            text(
                "INSERT INTO ledger_entries (user_id, type, amount, balance_after)"
                " SELECT :u, 'DEPOSIT', 0.01, g * 0.01 FROM generate_series(1, 2345) g"
            ),
            {"u": user.id},
        )
    exports = Exports(runtime.services.db, batch_rows=500)
    chunks = [chunk async for chunk in exports.ledger_csv(user.id)]
    # The header, then one chunk per batch of 500: never the whole file at once.
    assert len(chunks) == 1 + 5
    lines = rows("".join(chunks))
    assert len(lines) == 1 + 2345
    assert [line[4] for line in lines[1:4]] == ["23.45", "23.44", "23.43"]
    assert lines[-1][4] == "0.01"
    ids = [int(line[0]) for line in lines[1:]]
    assert ids == sorted(set(ids), reverse=True)


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-cmd", "'-cmd"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("plain", "plain"),
        ("-12.50", "-12.50"),
    ],
)
def test_formula_cells_are_defused(value, written):
    assert safe_text(value) == written


def test_cells_write_decimals_as_the_api_does():
    assert cell(Decimal("0.0000130000")) == "0.000013"
    assert cell(Decimal("1000")) == "1000.00"
    assert cell(None) == ""
