/** Words for price alerts, shared by the alerts page and the live toast. */
import { formatPrice } from "./decimal";

export type AlertCondition = "ABOVE" | "BELOW";

export function describeAlert(symbol: string, condition: AlertCondition, price: string): string {
  return `${symbol} ${condition === "ABOVE" ? "at or above" : "at or below"} ${formatPrice(price)}`;
}

/** Alerts already toasted: the creating page and the subscription may both hear of one. */
const toasted = new Set<string>();

/** True the first time an alert id is seen, false after. */
export function firstTimeFired(id: string): boolean {
  if (toasted.has(id)) return false;
  toasted.add(id);
  if (toasted.size > 200) toasted.delete(toasted.values().next().value as string);
  return true;
}
