"""CSV downloads of the signed-in user's orders and ledger: GET /export/orders.csv and
GET /export/transactions.csv with the same bearer token as GraphQL.

The token rule is GraphQL's own (``Accounts.authenticate``: signature, expiry,
sign-out, password change): 401 without a token that stands. An export spends
``EXPORT_WEIGHT`` points of the caller's address budget and of the user's budget,
as a heavy query would, so downloads cannot go around the rate limits; over
budget it is 429 with Retry-After. The body streams batch by batch (domain.exports).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from domain.clock import utc_now
from resolvers.context import Services
from web.client_ip import client_address
from web.config import Settings
from web.graphql_app import bearer_token

EXPORT_WEIGHT = 30
"""Rate-budget points one export costs: what a page of a hundred nested orders weighs."""


def _error(status: int, code: str, message: str, headers: dict[str, str]) -> Response:
    return JSONResponse(
        {"errors": [{"message": message, "extensions": {"code": code}}]},
        status_code=status,
        headers=headers,
    )


class ExportRoutes:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    async def orders(self, request: Request) -> Response:
        return await self._export(request, "orders", lambda s, user: s.exports.orders_csv(user))

    async def transactions(self, request: Request) -> Response:
        return await self._export(
            request, "transactions", lambda s, user: s.exports.ledger_csv(user)
        )

    async def _export(
        self,
        request: Request,
        name: str,
        rows: Callable[[Services, int], AsyncIterator[str]],
    ) -> Response:
        services: Services = request.app.state.services
        limited = await self._spend(services, f"ip:{client_address(request.scope)}", "ip")
        if limited is not None:
            return limited
        token = bearer_token(request.headers.get("authorization"))
        authenticated = None if token is None else await services.accounts.authenticate(token)
        if authenticated is None:
            return _error(
                401,
                "UNAUTHENTICATED",
                "Sign in first: this needs a valid bearer token.",
                {"WWW-Authenticate": "Bearer"},
            )
        user_id = authenticated.claims.user_id
        limited = await self._spend(services, f"user:{user_id}", "user")
        if limited is not None:
            return limited
        filename = f"{name}-{utc_now().date().isoformat()}.csv"
        return StreamingResponse(
            rows(services, user_id),
            media_type="text/csv; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="{filename}"',
                "Cache-Control": "no-store",
            },
        )

    async def _spend(self, services: Services, key: str, scope: str) -> Response | None:
        settings = self._settings
        if not settings.rate_limits_enabled:
            return None
        points = (
            settings.rate_limit_user_points if scope == "user" else settings.rate_limit_ip_points
        )
        decision = await services.stores.rate_limiter.hit(
            f"ops:{key}", limit=points, window=settings.rate_limit_window_s, cost=EXPORT_WEIGHT
        )
        if decision.allowed:
            return None
        return _error(
            429,
            "RATE_LIMITED",
            f"Too many requests; try again in {decision.retry_after} s.",
            {"Retry-After": str(decision.retry_after)},
        )
