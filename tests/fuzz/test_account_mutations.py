"""Hostile values thrown at the account mutations: register, login, logout, profile
and password changes."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from tests.conftest import TEST_PASSWORD
from tests.support.fuzz.bench import post
from tests.support.fuzz.examples import attempt, fuzz, new_user, resolve
from tests.support.fuzz.promises import ME
from tests.support.fuzz.tokens import authorizations, forged_tokens
from tests.support.fuzz.values import (
    Field,
    Ref,
    consents,
    dates_of_birth,
    emails,
    input_object,
    mix,
    names,
    new_passwords,
    phones,
    refs,
    text_field,
    usernames,
    weak_passwords,
)

pytestmark = pytest.mark.usefixtures("quiet_strawberry_errors")


register_inputs = input_object(
    username=usernames,
    email=emails,
    password=new_passwords,
    firstName=names,
    lastName=names,
    phone=phones,
    dateOfBirth=dates_of_birth,
    marketingEmailsConsent=consents,
)
VALID_SIGN_UP = {
    "username": Ref("fresh_username"),
    "email": Ref("fresh_email"),
    "password": "Another-Strong-9-Pass",
    "firstName": "Zo\u00eb",
    "phone": "+1 (555) 123-4567",
    "dateOfBirth": "1990-04-01",
}


@fuzz(40)
@example(variables={"input": VALID_SIGN_UP})
@example(variables={"input": {**VALID_SIGN_UP, "username": Ref("OTHER_USERNAME")}})
@example(variables={"input": {**VALID_SIGN_UP, "email": Ref("OTHER_EMAIL")}})
@given(variables=st.fixed_dictionaries({"input": register_inputs}))
async def test_register(bench, tally, variables):
    user, names = await new_user(bench)
    answer = await attempt(bench, tally, "register", resolve(variables, names), user=user)
    if not answer.rejected:
        assert isinstance(answer.payload["token"], str)  # type: ignore[index]


login_inputs = input_object(
    username=text_field(
        (4, refs("username", "USERNAME", "email", "EMAIL")),
        (1, refs("other_username", "OTHER_EMAIL")),
    ),
    password=text_field((4, st.just(TEST_PASSWORD)), (1, weak_passwords)),
)


@fuzz(25)
@example(variables={"input": {"username": Ref("EMAIL"), "password": TEST_PASSWORD}})
@given(variables=st.fixed_dictionaries({"input": login_inputs}))
async def test_login(bench, tally, variables):
    user, names = await new_user(bench)
    answer = await attempt(bench, tally, "login", resolve(variables, names), user=user)
    if not answer.rejected:
        # Every test user shares one password: the bystander's name signs the bystander in.
        signed_in = answer.payload["user"]["id"]  # type: ignore[index]
        assert signed_in in (str(user.id), str(bench.bystander.id)), answer.body


@fuzz(40)
@example(authorization=Ref("valid"))
@given(authorization=mix((1, st.just(Ref("valid"))), (6, authorizations)))
async def test_logout(bench, tally, authorization):
    user, _ = await new_user(bench)
    header = resolve(authorization, forged_tokens(user))
    answer = await attempt(bench, tally, "logout", {}, user=user, authorization=header)
    response, _ = await post(bench.http, ME, {}, authorization=f"Bearer {user.token}")
    me = response.json()["data"]["me"]
    if header == f"Bearer {user.token}":
        assert answer.payload == {"success": True, "errors": []}, answer.body
        assert me is None, "a signed-out token still works"
    else:
        assert answer.codes == ["UNAUTHENTICATED"], answer.body
        assert me == {"id": str(user.id), "username": user.username}, "a forged logout revoked"


profile_inputs = input_object(
    email=dataclasses.replace(emails, optional=True),
    firstName=names,
    lastName=names,
    phone=phones,
    dateOfBirth=dates_of_birth,
    marketingEmailsConsent=consents,
)


@fuzz(60)
@example(variables={"input": {"email": Ref("OTHER_EMAIL"), "firstName": "Ann"}})
@given(variables=st.fixed_dictionaries({"input": profile_inputs}))
async def test_update_profile(bench, tally, variables):
    user, names = await new_user(bench)
    await attempt(bench, tally, "updateProfile", resolve(variables, names), user=user)


password_changes = input_object(
    currentPassword=text_field((4, st.just(TEST_PASSWORD))),
    newPassword=Field(mix((4, new_passwords.typed), (1, st.just(TEST_PASSWORD)))),
)


@fuzz(25)
@example(
    variables={"input": {"currentPassword": TEST_PASSWORD, "newPassword": "New-Strong-9-Pass"}}
)
@given(variables=st.fixed_dictionaries({"input": password_changes}))
async def test_change_password(bench, tally, variables):
    user, names = await new_user(bench)
    answer = await attempt(bench, tally, "changePassword", resolve(variables, names), user=user)
    response, _ = await post(bench.http, ME, {}, authorization=f"Bearer {user.token}")
    still_signed_in = response.json()["data"]["me"] is not None
    assert still_signed_in == answer.rejected, "only a password change signs the token out"
