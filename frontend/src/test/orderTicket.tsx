/** What the OrderTicket tests share: the ticket rendered over a mocked client, and the orders it answers. */
import { render } from "@testing-library/react";
import { OrderTicket } from "../features/OrderTicket";
import { mockClient, withClient } from "./urql";

type TicketProps = Parameters<typeof OrderTicket>[0];

/** An Order as the API answers it, with every field the app selects: a market buy
 * of 0.01 BTC filled at once, unless `fields` say otherwise. */
export function anOrder(fields: Record<string, unknown> = {}) {
  return {
    __typename: "Order",
    id: "7",
    clientOrderId: "x",
    side: "BUY",
    type: "MARKET",
    status: "FILLED",
    quantity: "0.01",
    limitPrice: null,
    stopPrice: null,
    timeInForce: null,
    expiresAt: null,
    triggeredAt: null,
    expiredAt: null,
    executedPrice: "104481.0509",
    total: "1044.82",
    createdAt: "2026-11-28T09:00:00+00:00",
    filledAt: "2026-11-28T09:00:00+00:00",
    cancelledAt: null,
    asset: { __typename: "Asset", symbol: "BTC", name: "Bitcoin", imageUrl: null, price: "104481.0509" },
    ...fields,
  };
}

/** The ticket for BTC with $5,000 to spend and none held; `mutation` answers placeOrder. */
export function renderTicket(mutation?: (variables: Record<string, unknown>) => unknown, props: Partial<TicketProps> = {}) {
  const mock = mockClient({ mutation });
  const asset = { symbol: "BTC", name: "Bitcoin", price: "104481.0509", isTradable: true };
  render(<OrderTicket asset={asset} cashAvailable="5000.00" positionAvailable="0" maxOrderValue="10000.00" {...props} />, {
    wrapper: withClient(mock.client),
  });
  return mock;
}
