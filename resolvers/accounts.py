"""Account resolvers: parse what the schema received, call the domain, return its results."""

from __future__ import annotations

from typing import Any

from domain.accounts import Registration, SignedIn
from domain.login_guard import LoginThrottled
from persistence.models import User
from resolvers.context import Context, RateLimited


async def me(context: Context) -> User | None:
    claims = context.claims
    if claims is None:
        return None
    # The token was checked when the request was authenticated (Accounts.authenticate).
    user: User | None = await context.loaders.user_by_id.load(claims.user_id)
    return user


async def register(context: Context, form: Registration) -> SignedIn:
    return await context.services.accounts.register(form)


async def login(context: Context, username: str, password: str) -> SignedIn:
    try:
        return await context.services.accounts.login(username, password, context.client_ip)
    except LoginThrottled as throttled:
        context.answer_http(429, {"Retry-After": str(throttled.retry_after)})
        raise RateLimited(
            throttled.retry_after,
            "Too many failed sign-ins; sign-in is paused for "
            f"{throttled.retry_after} s. Check the name and password, or wait.",
        ) from None


async def logout(context: Context) -> None:
    await context.services.accounts.logout(context.require_claims())


async def update_profile(context: Context, changes: dict[str, Any]) -> User:
    user_id = context.require_user_id()
    return await context.services.accounts.update_profile(user_id, changes)


async def change_password(context: Context, current: str, new: str) -> User:
    user_id = context.require_user_id()
    return await context.services.accounts.change_password(user_id, current, new)
