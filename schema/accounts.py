"""Accounts: the User type, sign-up and sign-in, profile and password."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import strawberry

from domain.accounts import Registration, SignedIn
from domain.login_guard import LoginThrottled
from persistence.models import User as UserModel
from resolvers import portfolio as resolve_portfolio
from resolvers.context import Info, RateLimited
from schema.alerts import PriceAlert, build_alerts
from schema.cash import Balance, BalanceTransaction, Limits
from schema.catalogue import Asset
from schema.common import from_attributes, given
from schema.enums import BalanceTransactionType, OrderSide, OrderStatus, PriceAlertStatus
from schema.insights import USER_INSIGHTS_DESCRIPTION, PortfolioInsights, user_insights
from schema.order_json import OrdersRead
from schema.pagination import HISTORY_PAGE_SIZE, Connection, page_request
from schema.payloads import mutation, payload
from schema.portfolio import HistoryRange, Portfolio, PortfolioPoint, Position
from schema.trading import AssetTransaction, Order
from schema.watchlist import followed


@strawberry.type(description="A registered user; the fields below are theirs alone.")
class User:
    model: strawberry.Private[UserModel]
    id: strawberry.ID
    username: str
    email: str
    first_name: str | None
    last_name: str | None
    phone: str | None = strawberry.field(description="Digits only, 10 to 15 of them.")
    date_of_birth: date | None
    marketing_emails_consent: bool
    created_at: datetime
    updated_at: datetime

    @strawberry.field(description="Cash in USD.")
    async def balance(self, info: Info) -> Balance:
        balance = await info.context.services.cash.balance(self.model.id)
        if balance is None:
            raise LookupError(f"user {self.model.id} has no cash balance")
        return Balance.from_model(balance)

    @strawberry.field(
        description=(
            "Every asset the user holds a non-zero quantity of, largest market value first."
        )
    )
    async def positions(self, info: Info) -> list[Position]:
        valuation = await resolve_portfolio.valuation(info.context, self.model.id)
        return [Position.from_valued(position) for position in valuation.positions]

    @strawberry.field
    async def portfolio(self, info: Info) -> Portfolio:
        valuation = await resolve_portfolio.valuation(info.context, self.model.id)
        return Portfolio.from_valuation(valuation)

    @strawberry.field(description="Newest first.", graphql_type=Connection[Order])
    async def orders(
        self,
        info: Info,
        first: int | None = HISTORY_PAGE_SIZE,
        after: str | None = strawberry.UNSET,
        status: OrderStatus | None = strawberry.UNSET,
        side: OrderSide | None = strawberry.UNSET,
        asset_symbol: str | None = strawberry.UNSET,
    ) -> OrdersRead:
        # Read once the selection is known: as JSON the database builds, or as rows.
        return OrdersRead(
            info,
            self.model.id,
            **page_request(first, after, HISTORY_PAGE_SIZE),
            status=given(status),
            side=given(side),
            asset_symbol=given(asset_symbol),
        )

    @strawberry.field(description="Cash movements (the ledger), newest first.")
    async def transactions(
        self,
        info: Info,
        first: int | None = HISTORY_PAGE_SIZE,
        after: str | None = strawberry.UNSET,
        type: BalanceTransactionType | None = strawberry.UNSET,
    ) -> Connection[BalanceTransaction]:
        type = given(type)
        page = await info.context.services.history.transactions(
            self.model.id,
            **page_request(first, after, HISTORY_PAGE_SIZE),
            type_=type,
        )
        return Connection.of(page, map(BalanceTransaction.from_model, page.items))

    @strawberry.field(description="Asset movements, newest first.")
    async def asset_transactions(
        self,
        info: Info,
        first: int | None = HISTORY_PAGE_SIZE,
        after: str | None = strawberry.UNSET,
        asset_symbol: str | None = strawberry.UNSET,
    ) -> Connection[AssetTransaction]:
        page = await info.context.services.history.asset_transactions(
            self.model.id,
            **page_request(first, after, HISTORY_PAGE_SIZE),
            asset_symbol=given(asset_symbol),
        )
        return Connection.of(page, map(AssetTransaction.from_model, page.items))

    @strawberry.field(
        description="What the user may still move today (UTC day) and the per-order cap."
    )
    async def limits(self, info: Info) -> Limits:
        return Limits.from_usage(await info.context.services.cash.usage_today(self.model.id))

    @strawberry.field(description=USER_INSIGHTS_DESCRIPTION)
    async def insights(self, info: Info) -> PortfolioInsights | None:
        return await user_insights(self.model.id, info)

    @strawberry.field(
        description=(
            "The account's value over time, oldest first, at most `points` points spread evenly "
            "over `range` and ending now. Each point values the cash and units held at that "
            "moment at that moment's recorded prices. No points before the account existed."
        )
    )
    async def portfolio_history(
        self, info: Info, range: HistoryRange = HistoryRange.ONE_WEEK, points: int | None = 100
    ) -> list[PortfolioPoint]:
        series = await info.context.services.portfolio_history.series(
            self.model.id, range.value, points
        )
        return [PortfolioPoint.from_domain(point) for point in series]

    @strawberry.field(
        description=(
            "The user's price alerts, newest first; ACTIVE ones unless status says otherwise."
        )
    )
    async def price_alerts(
        self, info: Info, status: PriceAlertStatus | None = PriceAlertStatus.ACTIVE
    ) -> list[PriceAlert]:
        models = await info.context.services.price_alerts.of_user(self.model.id, status)
        return await build_alerts(info, models)

    @strawberry.field(description="Assets the user follows, in the order they were added.")
    async def watchlist(self, info: Info) -> list[Asset]:
        return followed(info.context, await info.context.services.watchlist.assets(self.model.id))

    @classmethod
    def from_model(cls, model: UserModel) -> User:
        return from_attributes(cls, model, model=model)


@strawberry.input
class RegisterInput:
    username: str = strawberry.field(
        description="6 to 30 letters, digits or underscores; unique regardless of case."
    )
    email: str = strawberry.field(description="Stored lower-cased; unique.")
    password: str = strawberry.field(
        description=(
            "12 to 128 characters with at least one upper-case letter, one lower-case letter, "
            "one digit and one symbol."
        )
    )
    first_name: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="Up to 50 letters, spaces, apostrophes or hyphens (likewise lastName).",
    )
    last_name: str | None = strawberry.UNSET
    phone: str | None = strawberry.field(
        default=strawberry.UNSET, description="10 to 15 digits once separators are removed."
    )
    date_of_birth: date | None = strawberry.field(
        default=strawberry.UNSET, description="The user must be 13 to 120 years old."
    )
    marketing_emails_consent: bool | None = False

    def to_domain(self) -> Registration:
        return Registration(
            username=self.username,
            email=self.email,
            password=self.password,
            first_name=given(self.first_name),
            last_name=given(self.last_name),
            phone=given(self.phone),
            date_of_birth=given(self.date_of_birth),
            marketing_emails_consent=bool(given(self.marketing_emails_consent)),
        )


@strawberry.input
class LoginInput:
    username: str = strawberry.field(description="Username or email, case-insensitive.")
    password: str


@strawberry.input(description="Fields left out (or null) stay as they are.")
class UpdateProfileInput:
    email: str | None = strawberry.UNSET
    first_name: str | None = strawberry.UNSET
    last_name: str | None = strawberry.UNSET
    phone: str | None = strawberry.UNSET
    date_of_birth: date | None = strawberry.UNSET
    marketing_emails_consent: bool | None = strawberry.UNSET

    def changes(self) -> dict[str, Any]:
        return {
            "email": given(self.email),
            "first_name": given(self.first_name),
            "last_name": given(self.last_name),
            "phone": given(self.phone),
            "date_of_birth": given(self.date_of_birth),
            "marketing_emails_consent": given(self.marketing_emails_consent),
        }


@strawberry.input
class ChangePasswordInput:
    current_password: str
    new_password: str


@payload
class AuthPayload:
    token: str | None = strawberry.field(
        default=None,
        description=(
            "A bearer token for the Authorization header and the websocket connection_init payload."
        ),
    )
    expires_at: datetime | None = None
    user: User | None = None

    @classmethod
    def signed_in(cls, result: SignedIn) -> AuthPayload:
        return cls(
            token=result.token.token,
            expires_at=result.token.expires_at,
            user=User.from_model(result.user),
        )


@payload
class LogoutPayload:
    success: bool = False


@payload
class UserPayload:
    user: User | None = None


@strawberry.type
class AccountQuery:
    @strawberry.field(
        description="The signed-in user, or null when the request carries no valid token."
    )
    async def me(self, info: Info) -> User | None:
        context = info.context
        if context.claims is None:
            return None
        # The token was checked when the request was authenticated (Accounts.authenticate).
        model = await context.loaders.user_by_id.load(context.claims.user_id)
        return None if model is None else User.from_model(model)


@strawberry.type
class AccountMutation:
    @mutation()
    async def register(self, info: Info, input: RegisterInput) -> AuthPayload:
        result = await info.context.services.accounts.register(input.to_domain())
        return AuthPayload.signed_in(result)

    @mutation()
    async def login(self, info: Info, input: LoginInput) -> AuthPayload:
        context = info.context
        try:
            result = await context.services.accounts.login(
                input.username, input.password, context.client_ip
            )
        except LoginThrottled as throttled:
            context.answer_http(429, {"Retry-After": str(throttled.retry_after)})
            raise RateLimited(
                throttled.retry_after,
                "Too many failed sign-ins; sign-in is paused for "
                f"{throttled.retry_after} s. Check the name and password, or wait.",
            ) from None
        return AuthPayload.signed_in(result)

    @mutation(description="Revokes the token the request was made with. Requires authentication.")
    async def logout(self, info: Info) -> LogoutPayload:
        await info.context.services.accounts.logout(info.context.require_claims())
        return LogoutPayload(success=True)

    @mutation()
    async def update_profile(self, info: Info, input: UpdateProfileInput) -> UserPayload:
        context = info.context
        user = await context.services.accounts.update_profile(
            context.require_user_id(), input.changes()
        )
        return UserPayload(user=User.from_model(user))

    @mutation()
    async def change_password(self, info: Info, input: ChangePasswordInput) -> UserPayload:
        context = info.context
        user = await context.services.accounts.change_password(
            context.require_user_id(), input.current_password, input.new_password
        )
        return UserPayload(user=User.from_model(user))
