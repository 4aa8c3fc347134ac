"""Deposits and withdrawals through the API, and the cash and limits they leave."""

from __future__ import annotations

DEPOSIT = """
mutation Deposit($input: CashMovementInput!) {
  deposit(input: $input) {
    balance { cash available }
    transaction { id type amount balanceAfter }
    errors { code field message }
  }
}"""
WITHDRAW = DEPOSIT.replace("Deposit(", "Withdraw(").replace("deposit(", "withdraw(")
ME_CASH = """{ me {
  balance { cash available }
  limits { depositLimit depositedToday depositRemaining withdrawLimit withdrawnToday
           withdrawRemaining maxOrderValue }
} }"""


async def move(gql, mutation, user, amount, key=None):
    variables = {"input": {"amount": amount, "idempotencyKey": key}}
    data = await gql(mutation, variables, token=user.token)
    return data["deposit" if "deposit(" in mutation else "withdraw"]


async def cash_of(gql, user):
    return (await gql(ME_CASH, token=user.token))["me"]
