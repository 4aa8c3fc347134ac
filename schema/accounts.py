"""Accounts: the User type, sign-up and sign-in, profile and password."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import strawberry

from domain.accounts import Registration, SignedIn
from domain.errors import BusinessError, BusinessErrors
from persistence.models import User as UserModel
from resolvers import accounts as resolve
from resolvers.context import Info
from schema.common import UserError, user_errors


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

    @classmethod
    def from_model(cls, model: UserModel) -> User:
        return cls(
            model=model,
            id=strawberry.ID(str(model.id)),
            username=model.username,
            email=model.email,
            first_name=model.first_name,
            last_name=model.last_name,
            phone=model.phone,
            date_of_birth=model.date_of_birth,
            marketing_emails_consent=model.marketing_emails_consent,
            created_at=model.created_at,
            updated_at=model.updated_at,
        )


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
        default=None,
        description="Up to 50 letters, spaces, apostrophes or hyphens (likewise lastName).",
    )
    last_name: str | None = None
    phone: str | None = strawberry.field(
        default=None, description="10 to 15 digits once separators are removed."
    )
    date_of_birth: date | None = strawberry.field(
        default=None, description="The user must be 13 to 120 years old."
    )
    marketing_emails_consent: bool | None = False

    def to_domain(self) -> Registration:
        return Registration(
            username=self.username,
            email=self.email,
            password=self.password,
            first_name=self.first_name,
            last_name=self.last_name,
            phone=self.phone,
            date_of_birth=self.date_of_birth,
            marketing_emails_consent=bool(self.marketing_emails_consent),
        )


@strawberry.input
class LoginInput:
    username: str = strawberry.field(description="Username or email, case-insensitive.")
    password: str


@strawberry.input(description="Fields left out (or null) stay as they are.")
class UpdateProfileInput:
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = None
    date_of_birth: date | None = None
    marketing_emails_consent: bool | None = None

    def changes(self) -> dict[str, Any]:
        return {
            "email": self.email,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "phone": self.phone,
            "date_of_birth": self.date_of_birth,
            "marketing_emails_consent": self.marketing_emails_consent,
        }


@strawberry.input
class ChangePasswordInput:
    current_password: str
    new_password: str


@strawberry.type
class AuthPayload:
    token: str | None = strawberry.field(
        default=None,
        description=(
            "A bearer token for the Authorization header and the websocket connection_init payload."
        ),
    )
    expires_at: datetime | None = None
    user: User | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)

    @classmethod
    def signed_in(cls, result: SignedIn) -> AuthPayload:
        return cls(
            token=result.token.token,
            expires_at=result.token.expires_at,
            user=User.from_model(result.user),
        )


@strawberry.type
class LogoutPayload:
    success: bool
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class UserPayload:
    user: User | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class AccountQuery:
    @strawberry.field(
        description="The signed-in user, or null when the request carries no valid token."
    )
    async def me(self, info: Info) -> User | None:
        model = await resolve.me(info.context)
        return None if model is None else User.from_model(model)


@strawberry.type
class AccountMutation:
    @strawberry.mutation
    async def register(self, info: Info, input: RegisterInput) -> AuthPayload:
        try:
            result = await resolve.register(info.context, input.to_domain())
        except (BusinessError, BusinessErrors) as failure:
            return AuthPayload(errors=user_errors(failure))
        return AuthPayload.signed_in(result)

    @strawberry.mutation
    async def login(self, info: Info, input: LoginInput) -> AuthPayload:
        try:
            result = await resolve.login(info.context, input.username, input.password)
        except BusinessError as failure:
            return AuthPayload(errors=user_errors(failure))
        return AuthPayload.signed_in(result)

    @strawberry.mutation(
        description="Revokes the token the request was made with. Requires authentication."
    )
    async def logout(self, info: Info) -> LogoutPayload:
        await resolve.logout(info.context)
        return LogoutPayload(success=True)

    @strawberry.mutation
    async def update_profile(self, info: Info, input: UpdateProfileInput) -> UserPayload:
        try:
            user = await resolve.update_profile(info.context, input.changes())
        except (BusinessError, BusinessErrors) as failure:
            return UserPayload(errors=user_errors(failure))
        return UserPayload(user=User.from_model(user))

    @strawberry.mutation
    async def change_password(self, info: Info, input: ChangePasswordInput) -> UserPayload:
        try:
            user = await resolve.change_password(
                info.context, input.current_password, input.new_password
            )
        except BusinessError as failure:
            return UserPayload(errors=user_errors(failure))
        return UserPayload(user=User.from_model(user))
