"""The app under test and the database read directly: a funded bystander with a
resting order, raw posts, and per-user snapshots of every row a mutation may touch."""

from __future__ import annotations

import dataclasses
import json
from decimal import Decimal
from typing import Any

import httpx
from sqlalchemy import text

from tests.support.fuzz.promises import DOCUMENTS
from web.runtime import Runtime


@dataclasses.dataclass
class Bench:
    http: httpx.AsyncClient
    runtime: Runtime
    make_user: Any
    symbol: str
    untradable: str
    bystander: Any
    bystander_order: str


async def post(
    http: httpx.AsyncClient,
    query: str,
    variables: Any,
    *,
    authorization: str | None = None,
) -> tuple[httpx.Response, str]:
    """Send raw JSON (lone surrogates and NaN included); the request text comes back too."""
    body = json.dumps({"query": query, "variables": variables}, ensure_ascii=True)
    headers = {"content-type": "application/json"}
    if authorization is not None:
        headers["authorization"] = authorization
    response = await http.post("/graphql", content=body.encode(), headers=headers)
    return response, body + "\n" + (authorization or "")


async def send(bench: Bench, mutation: str, variables: Any, token: str | None) -> httpx.Response:
    """One mutation as the web app sends it, signed in when ``token`` is given."""
    response, _ = await post(
        bench.http,
        DOCUMENTS[mutation],
        variables,
        authorization=None if token is None else f"Bearer {token}",
    )
    return response


async def call(bench: Bench, mutation: str, variables: Any, token: str | None) -> dict[str, Any]:
    """A setup step that must succeed."""
    response = await send(bench, mutation, variables, token)
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    payload: dict[str, Any] = body["data"][mutation]
    assert payload["errors"] == [], payload
    return payload


async def place(bench: Bench, user: Any, **order: str) -> str:
    variables = {
        "input": {
            "assetSymbol": bench.symbol,
            "side": order["side"],
            "type": order["type"],
            "quantity": order["quantity"],
            **({"limitPrice": order["limit"]} if "limit" in order else {}),
            **({"clientOrderId": order["key"]} if "key" in order else {}),
        }
    }
    payload = await call(bench, "placeOrder", variables, user.token)
    return str(payload["order"]["id"])


# ------------------------------------------------------------------ the database, read directly

SNAPSHOT = text(
    """
    SELECT jsonb_build_object(
      'user', (SELECT to_jsonb(u) FROM users u WHERE u.id = :id),
      'balance', (SELECT to_jsonb(b) FROM cash_balances b WHERE b.user_id = :id),
      'positions', (SELECT coalesce(jsonb_agg(to_jsonb(p) ORDER BY p.asset_id), '[]')
                    FROM positions p WHERE p.user_id = :id),
      'orders', (SELECT coalesce(jsonb_agg(to_jsonb(o) ORDER BY o.id), '[]')
                 FROM orders o WHERE o.user_id = :id),
      'ledger', (SELECT count(*) FROM ledger_entries l WHERE l.user_id = :id),
      'asset_moves', (SELECT count(*) FROM asset_transactions t WHERE t.user_id = :id),
      'idempotency_keys', (SELECT count(*) FROM idempotency_keys k WHERE k.user_id = :id),
      'red_pockets', (SELECT count(*) FROM red_pocket_claims c WHERE c.user_id = :id)
    )::text
    """
)
USERS = text("SELECT count(*) FROM users")
CASH_BOOKS = text(
    """
    SELECT b.cash, b.held,
      (SELECT coalesce(sum(l.amount), 0) FROM ledger_entries l WHERE l.user_id = b.user_id),
      (SELECT coalesce(sum(o.held_cash), 0) FROM orders o
        WHERE o.user_id = b.user_id AND o.status = 'OPEN')
    FROM cash_balances b WHERE b.user_id = :id
    """
)
UNIT_BOOKS = text(
    """
    SELECT p.asset_id, p.quantity, p.held,
      (SELECT coalesce(sum(CASE WHEN t.side = 'BUY' THEN t.quantity ELSE -t.quantity END), 0)
        FROM asset_transactions t WHERE t.user_id = p.user_id AND t.asset_id = p.asset_id),
      (SELECT coalesce(sum(o.held_quantity), 0) FROM orders o
        WHERE o.user_id = p.user_id AND o.asset_id = p.asset_id AND o.status = 'OPEN')
    FROM positions p WHERE p.user_id = :id
    """
)


async def snapshot(bench: Bench, user_ids: list[int]) -> dict[str, Any]:
    async with bench.runtime.services.db.read() as session:
        state: dict[str, Any] = {"users": await session.scalar(USERS)}
        for user_id in user_ids:
            raw = await session.scalar(SNAPSHOT, {"id": user_id})
            state[str(user_id)] = json.loads(raw, parse_float=Decimal)
    return state


async def assert_books_balance(bench: Bench, user_id: int) -> None:
    async with bench.runtime.services.db.read() as session:
        cash, held, ledger, open_held = (await session.execute(CASH_BOOKS, {"id": user_id})).one()
        units = (await session.execute(UNIT_BOOKS, {"id": user_id})).all()
    assert cash == ledger, f"user {user_id}: cash {cash} but the ledger sums to {ledger}"
    assert held == open_held, f"user {user_id}: {held} held but open buys hold {open_held}"
    assert 0 <= held <= cash
    for asset_id, quantity, units_held, moved, open_units in units:
        assert quantity == moved, f"user {user_id} asset {asset_id}: {quantity} != {moved}"
        assert units_held == open_units, f"user {user_id} asset {asset_id}: held {units_held}"


def changed_rows(before: dict[str, Any], after: dict[str, Any]) -> str:
    return "\n".join(
        f"  {key}: {before.get(key)!r}\n   -> {after.get(key)!r}"
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    )
