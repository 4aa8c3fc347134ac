import { useMemo } from "react";
import { useSubscription } from "urql";
import { PriceTicksSubscription } from "../api/operations";

/**
 * Live prices for these symbols over the websocket, one message per market tick
 * (priceTicks: all the tick's prices at once). Each price is written into the
 * cached Asset (see api/client.ts), so every query showing it re-renders; the
 * subscription is shared by every component asking for the same symbols.
 */
export function useLivePrices(symbols: readonly string[] | null, pause = false): void {
  const key = symbols === null ? null : [...new Set(symbols)].sort().join(",");
  const variables = useMemo(() => ({ symbols: key === null ? null : key ? key.split(",") : [] }), [key]);
  useSubscription({ query: PriceTicksSubscription, variables, pause: pause || key === "" });
}
