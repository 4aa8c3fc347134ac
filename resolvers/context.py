"""The per-request context every resolver receives, and the services it carries."""

from __future__ import annotations

from dataclasses import InitVar, dataclass, field
from typing import TYPE_CHECKING, Any

import strawberry
from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket

from domain.accounts import Accounts, Authenticated
from domain.tokens import Claims
from persistence.database import Database
from persistence.models import User
from persistence.stores import Stores
from resolvers.loaders import Loaders

if TYPE_CHECKING:
    from domain.cash import Cash
    from domain.catalogue import Catalogue
    from domain.exports import Exports
    from domain.history import History
    from domain.insights.service import Insights
    from domain.market.live import LiveHub
    from domain.orders import Orders
    from domain.portfolio import Portfolios
    from domain.portfolio_history import PortfolioHistory
    from domain.price_alerts import PriceAlerts
    from domain.red_pocket import RedPocket
    from domain.watchlist import Watchlist


@dataclass(frozen=True, slots=True)
class Services:
    """Long-lived collaborators, built once at start-up."""

    db: Database
    stores: Stores
    accounts: Accounts
    catalogue: Catalogue
    cash: Cash
    orders: Orders
    portfolios: Portfolios
    history: History
    red_pocket: RedPocket
    insights: Insights
    live: LiveHub
    price_alerts: PriceAlerts
    watchlist: Watchlist
    portfolio_history: PortfolioHistory
    exports: Exports


class NotAuthenticated(GraphQLError):
    def __init__(self) -> None:
        super().__init__(
            "Sign in first: this needs a valid bearer token.",
            extensions={"code": "UNAUTHENTICATED"},
        )


class RateLimited(GraphQLError):
    def __init__(self, retry_after: int, message: str | None = None) -> None:
        super().__init__(
            message or f"Too many requests; try again in {retry_after} s.",
            extensions={"code": "RATE_LIMITED", "retryAfter": retry_after},
        )


@dataclass(slots=True)
class Context:
    services: Services
    request: Request | WebSocket
    response: Response | WebSocket | None
    claims: Claims | None
    client_ip: str = "unknown"
    """The caller's address (the socket's peer, or behind a trusted proxy the forwarded one)."""
    loaders: Loaders = field(init=False)
    memo: dict[object, Any] = field(default_factory=dict)
    """Per-request results shared by sibling fields (e.g. one portfolio valuation)."""
    connection_params: dict[str, Any] = field(default_factory=dict)
    """The connection_init payload of a websocket connection (Strawberry fills it in)."""
    token: str | None = None
    """The bearer token the claims came from, kept so a websocket can check it again."""
    user: InitVar[User | None] = None
    """The signed-in user as authentication read it: the user loader starts with it."""

    def __post_init__(self, user: User | None) -> None:
        # Built per request: a loader's cache must never outlive the request that filled it.
        self.loaders = Loaders(self.services.db)
        if user is not None:
            self.loaders.user_by_id.prime(user.id, user)

    @classmethod
    def signed_in(
        cls,
        authenticated: Authenticated | None,
        *,
        services: Services,
        request: Request | WebSocket,
        response: Response | WebSocket | None,
        client_ip: str,
    ) -> Context:
        """The context of a request made with ``authenticated``'s token (None: anonymous)."""
        return cls(
            services=services,
            request=request,
            response=response,
            claims=None if authenticated is None else authenticated.claims,
            client_ip=client_ip,
            user=None if authenticated is None else authenticated.user,
        )

    def for_operation(self, authenticated: Authenticated | None) -> Context:
        """A fresh context for one operation of this websocket connection, with what its
        token stands for now: loaders and memo never carry over between operations."""
        context = Context.signed_in(
            authenticated,
            services=self.services,
            request=self.request,
            response=self.response,
            client_ip=self.client_ip,
        )
        context.connection_params = self.connection_params
        context.token = self.token
        return context

    def forget_cached(self) -> None:
        """Empty the caches: a subscription's one context outlives many events."""
        self.loaders = Loaders(self.services.db)
        self.memo.clear()

    def answer_http(self, status: int | None = None, headers: dict[str, str] | None = None) -> None:
        """Set the HTTP status and headers of this request's response (no-op on websockets)."""
        if not isinstance(self.response, Response):
            return
        if status is not None:
            self.response.status_code = status
        for name, value in (headers or {}).items():
            self.response.headers[name] = value

    @property
    def user_id(self) -> int | None:
        return None if self.claims is None else self.claims.user_id

    def require_claims(self) -> Claims:
        if self.claims is None:
            raise NotAuthenticated()
        return self.claims

    def require_user_id(self) -> int:
        return self.require_claims().user_id


Info = strawberry.Info[Context, None]
