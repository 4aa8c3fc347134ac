"""The red-pocket game: secret phrases, the daily consolation, and claims racing each other."""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import text

from domain.clock import utc_today
from domain.errors import BusinessError, ErrorCode
from domain.red_pocket import RedPocket
from web.adapters.secret_words import DEFAULT_CONFIG, load_secret_words
from web.runtime import start_runtime

CLAIM = """
mutation Claim($phrase: String!) {
  claimRedPocket(phrase: $phrase) {
    amount gotRedPocket
    balance { cash available }
    errors { code field message }
  }
}"""

SECRETS = load_secret_words(DEFAULT_CONFIG)
FORTUNE, NEW_YEAR = "恭喜发财", "新年快乐"
LATIN = "Gong Xi Fa Cai"
WRONG = "happy birthday"


async def claim(gql, user, phrase):
    return (await gql(CLAIM, {"phrase": phrase}, token=user.token))["claimRedPocket"]


async def rewards(runtime, user_id):
    async with runtime.services.db.read() as session:
        rows = await session.execute(
            text(
                "SELECT amount, balance_after FROM ledger_entries"
                " WHERE user_id = :id AND type = 'REWARD' ORDER BY id"
            ),
            {"id": user_id},
        )
        return [(amount, balance_after) for amount, balance_after in rows]


async def claim_kinds(runtime, user_id):
    async with runtime.services.db.read() as session:
        rows = await session.execute(
            text("SELECT kind, amount FROM red_pocket_claims WHERE user_id = :id ORDER BY id"),
            {"id": user_id},
        )
        return [(kind, amount) for kind, amount in rows]


def paid(amount: str, *, got_red_pocket: bool, cash: str) -> dict[str, Any]:
    """A claim's payload when it pays ``amount`` and leaves ``cash``, none of it held."""
    return {
        "amount": amount,
        "gotRedPocket": got_red_pocket,
        "balance": {"cash": cash, "available": cash},
        "errors": [],
    }


def test_example_config_pairs_phrases_with_amounts():
    assert {FORTUNE, NEW_YEAR, LATIN} <= set(SECRETS)
    assert SECRETS[FORTUNE] == Decimal("88.88")
    assert all(amount > 0 for amount in SECRETS.values())


async def test_a_secret_phrase_pays_its_amount_as_a_reward(gql, runtime, make_user):
    user = await make_user(cash="1000.00")
    payload = await claim(gql, user, FORTUNE)
    assert payload == paid("88.88", got_red_pocket=True, cash="1088.88")
    assert await rewards(runtime, user.id) == [(Decimal("88.88"), Decimal("1088.88"))]
    assert await claim_kinds(runtime, user.id) == [("SECRET", Decimal("88.88"))]


async def test_a_second_secret_phrase_the_same_day_is_already_claimed(gql, runtime, make_user):
    user = await make_user(cash="1000.00")
    await claim(gql, user, FORTUNE)
    for phrase in (FORTUNE, NEW_YEAR):
        payload = await claim(gql, user, phrase)
        assert payload["amount"] is None
        assert payload["gotRedPocket"] is None
        assert payload["balance"] is None
        [error] = payload["errors"]
        assert error["code"] == "ALREADY_CLAIMED_TODAY"
        assert "tomorrow" in error["message"]
    assert len(await rewards(runtime, user.id)) == 1


async def test_phrases_match_after_trimming_and_case_sensitively(gql, make_user):
    trimmed = await claim(gql, await make_user(), f"  {LATIN}\n")
    assert (trimmed["amount"], trimmed["gotRedPocket"]) == (str(SECRETS[LATIN]), True)
    other_case = await claim(gql, await make_user(), LATIN.lower())
    assert (other_case["amount"], other_case["gotRedPocket"]) == ("8.88", False)


async def test_a_wrong_guess_pays_the_consolation_once_a_day(gql, runtime, make_user):
    user = await make_user(cash="1000.00")
    first = await claim(gql, user, WRONG)
    assert first == paid("8.88", got_red_pocket=False, cash="1008.88")
    # Later wrong guesses pay nothing but are not errors: the guessing goes on.
    for phrase in ("another guess", WRONG):
        later = await claim(gql, user, phrase)
        assert later == paid("0.00", got_red_pocket=False, cash="1008.88")
    assert await rewards(runtime, user.id) == [(Decimal("8.88"), Decimal("1008.88"))]
    assert [kind for kind, _ in await claim_kinds(runtime, user.id)] == [
        "CONSOLATION",
        "NONE",
        "NONE",
    ]


async def test_the_secret_still_pays_after_wrong_guesses(gql, make_user):
    user = await make_user(cash="1000.00")
    await claim(gql, user, WRONG)
    await claim(gql, user, WRONG)
    payload = await claim(gql, user, NEW_YEAR)
    assert (payload["amount"], payload["gotRedPocket"]) == ("66.66", True)
    assert payload["balance"]["cash"] == "1075.54"


@pytest.mark.parametrize("phrase", ["", "   ", "\t\n", "x" * 101, " " * 101])
async def test_blank_or_overlong_phrases_are_refused(gql, runtime, make_user, phrase):
    user = await make_user(cash="1000.00")
    payload = await claim(gql, user, phrase)
    assert payload["amount"] is None
    [error] = payload["errors"]
    assert (error["code"], error["field"]) == ("VALIDATION_FAILED", "phrase")
    assert await claim_kinds(runtime, user.id) == []


async def test_a_hundred_character_phrase_is_a_guess(gql, make_user):
    payload = await claim(gql, await make_user(), "x" * 100)
    assert (payload["amount"], payload["errors"]) == ("8.88", [])


async def test_claiming_needs_a_signed_in_user(gql):
    body = await gql.raw(CLAIM, {"phrase": FORTUNE})
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_new_utc_day_brings_new_red_pockets(runtime, make_user):
    user = await make_user(cash="1000.00")
    today = utc_today()
    yesterday = RedPocket(
        runtime.services.db, SECRETS, Decimal("8.88"), today=lambda: today - timedelta(days=1)
    )
    game = RedPocket(runtime.services.db, SECRETS, Decimal("8.88"), today=lambda: today)
    assert (await yesterday.claim(user.id, FORTUNE)).got_red_pocket
    assert (await yesterday.claim(user.id, WRONG)).amount == Decimal("8.88")
    with pytest.raises(BusinessError) as refused:
        await yesterday.claim(user.id, NEW_YEAR)
    assert refused.value.code is ErrorCode.ALREADY_CLAIMED_TODAY

    secret = await game.claim(user.id, NEW_YEAR)
    consolation = await game.claim(user.id, WRONG)
    assert (secret.amount, secret.got_red_pocket) == (Decimal("66.66"), True)
    assert (consolation.amount, consolation.got_red_pocket) == (Decimal("8.88"), False)
    # 1000 + 88.88 and 8.88 yesterday + 66.66 and 8.88 today
    assert consolation.balance.cash == Decimal("1173.30")


async def test_parallel_claims_of_a_secret_pay_once(gql, runtime, make_user):
    user = await make_user(cash="1000.00")
    payloads = await asyncio.gather(*(claim(gql, user, FORTUNE) for _ in range(10)))
    paid = [p for p in payloads if not p["errors"]]
    refused = [p["errors"][0]["code"] for p in payloads if p["errors"]]
    assert len(paid) == 1
    assert refused == ["ALREADY_CLAIMED_TODAY"] * 9
    assert await rewards(runtime, user.id) == [(Decimal("88.88"), Decimal("1088.88"))]


async def test_parallel_wrong_guesses_pay_the_consolation_once(gql, runtime, make_user):
    user = await make_user(cash="1000.00")
    payloads = await asyncio.gather(*(claim(gql, user, f"guess {n}") for n in range(10)))
    assert all(p["errors"] == [] for p in payloads)
    assert sorted(p["amount"] for p in payloads) == ["0.00"] * 9 + ["8.88"]
    assert await rewards(runtime, user.id) == [(Decimal("8.88"), Decimal("1008.88"))]


async def test_parallel_mixed_claims_pay_one_secret_and_one_consolation(gql, runtime, make_user):
    user = await make_user(cash="1000.00")
    phrases = [FORTUNE, NEW_YEAR, WRONG, "nope"] * 4
    payloads = await asyncio.gather(*(claim(gql, user, phrase) for phrase in phrases))
    assert sum(1 for p in payloads if p["gotRedPocket"]) == 1
    assert sum(1 for p in payloads if p["amount"] == "8.88") == 1
    paid = sorted(amount for amount, _ in await rewards(runtime, user.id))
    assert paid[0] == Decimal("8.88")
    assert paid[1] in (Decimal("88.88"), Decimal("66.66"))
    me = await gql("{ me { balance { cash } } }", token=user.token)
    assert Decimal(me["me"]["balance"]["cash"]) == Decimal("1000.00") + sum(paid)


# ------------------------------------------------------------------ the config file


def write(tmp_path, content):
    path = tmp_path / "words.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return path


def test_amounts_may_be_json_numbers_and_phrases_are_trimmed(tmp_path):
    path = write(tmp_path, '{"secret_words": [" 福 ", "Lucky"], "amounts": [8.8, "100"]}')
    assert load_secret_words(path) == {"福": Decimal("8.80"), "Lucky": Decimal("100.00")}


@pytest.mark.parametrize(
    "content",
    [
        "{not json",
        [],
        {"secret_words": ["a"]},
        {"secret_words": ["a", "b"], "amounts": ["1.00"]},
        {"secret_words": ["a"], "amounts": ["lots"]},
        {"secret_words": ["a"], "amounts": ["-1.00"]},
        {"secret_words": ["a"], "amounts": ["0"]},
        {"secret_words": ["a"], "amounts": ["1.234"]},
        {"secret_words": ["a"], "amounts": [True]},
        {"secret_words": ["a"], "amounts": ["NaN"]},
        {"secret_words": ["  "], "amounts": ["1.00"]},
        {"secret_words": [7], "amounts": ["1.00"]},
        {"secret_words": ["a", " a"], "amounts": ["1.00", "2.00"]},
    ],
)
def test_a_malformed_config_leaves_no_secret_words(tmp_path, caplog, content):
    with caplog.at_level(logging.WARNING, logger="cnop.red_pocket"):
        assert load_secret_words(write(tmp_path, content)) == {}
    assert "no secret words" in caplog.text


def test_a_missing_config_leaves_no_secret_words(tmp_path, caplog):
    with caplog.at_level(logging.WARNING, logger="cnop.red_pocket"):
        assert load_secret_words(tmp_path / "absent.json") == {}
    assert "absent.json" in caplog.text


async def test_start_up_without_a_config_runs_the_game_with_no_secrets(
    settings, tmp_path, caplog, make_user
):
    user = await make_user(cash="1000.00")
    missing = settings.model_copy(update={"red_pocket_config": tmp_path / "absent.json"})
    with caplog.at_level(logging.WARNING, logger="cnop.red_pocket"):
        runtime = await start_runtime(missing)
    try:
        assert "no secret words" in caplog.text
        outcome = await runtime.services.red_pocket.claim(user.id, FORTUNE)
        assert (outcome.amount, outcome.got_red_pocket) == (Decimal("8.88"), False)
    finally:
        await runtime.close()
