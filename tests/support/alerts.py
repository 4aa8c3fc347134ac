"""Creating a price alert through the API."""

from __future__ import annotations

CREATE = """
mutation Create($input: CreatePriceAlertInput!) {
  createPriceAlert(input: $input) {
    alert { id condition price status triggeredAt triggeredPrice asset { symbol } }
    errors { code field message }
  }
}"""


async def create(gql, user, symbol, condition, price):
    variables = {"input": {"assetSymbol": symbol, "condition": condition, "price": price}}
    return (await gql(CREATE, variables, token=user.token))["createPriceAlert"]
