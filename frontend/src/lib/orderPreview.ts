/**
 * The order ticket's live preview and the checks made before an order is sent.
 * Same arithmetic as the server: a BUY pays quantity x price rounded up to the
 * cent, a SELL receives it rounded down; an order is worth 1.00 USD at least and
 * `maxOrderValue` at most. The server decides in the end (a market price moves
 * between preview and execution); these checks spare a round trip and say why.
 */
import Big from "big.js";
import { decimalPlaces, formatPrice, formatQuantity, formatUsd, isDecimalInput, toBig } from "./decimal";

export type Side = "BUY" | "SELL";
export type OrderKind = "MARKET" | "LIMIT" | "STOP" | "STOP_LIMIT";
export type TimeInForce = "GTC" | "IOC" | "DAY" | "GTD";

export interface OrderDraft {
  side: Side;
  type: OrderKind;
  quantity: string;
  limitPrice: string;
  /** STOP and STOP_LIMIT only. */
  stopPrice?: string;
  /** Ignored for MARKET (always IOC); GTC when left out. */
  timeInForce?: TimeInForce;
  /** GTD only: a local date-time as a datetime-local input gives it ("2026-12-24T17:30"). */
  expiresAt?: string;
}

/** Which order types take which price, as the API's contract says. */
export const usesLimitPrice = (type: OrderKind) => type === "LIMIT" || type === "STOP_LIMIT";
export const usesStopPrice = (type: OrderKind) => type === "STOP" || type === "STOP_LIMIT";
/** The longest a GTD order may stay open. */
export const MAX_GOOD_TILL_DAYS = 90;

export interface OrderContext {
  symbol: string;
  /** The asset's latest price (a string from the API or a live tick). */
  marketPrice: string | null;
  /** Cash not held by open orders. */
  cashAvailable: string | null;
  /** Units of the asset not held by open sell orders. */
  positionAvailable: string | null;
  maxOrderValue: string | null;
  minOrderValue?: string;
}

export type OrderField = "quantity" | "limitPrice" | "stopPrice" | "expiresAt";

/** What a resting order reserves until it fills, is cancelled or expires. */
export type Hold = { cash: Big } | { units: Big };

export interface OrderPreview {
  /**
   * Price the preview assumes: the limit for LIMIT and STOP_LIMIT orders, the stop
   * for STOP orders (they execute at the market once it gets there), the market
   * price for MARKET orders.
   */
  price: Big | null;
  /** What the order holds while it rests; null for orders that never rest (MARKET, IOC). */
  hold: Hold | null;
  /** A stop whose condition already holds at the market price triggers as soon as it is placed. */
  triggersNow: boolean;
  quantity: Big | null;
  /** Cash that changes hands, rounded to the cent the way the server rounds it. */
  total: Big | null;
  cashAfter: Big | null;
  positionAfter: Big | null;
  errors: Partial<Record<OrderField, string>>;
  /** True when every field is filled in and every check passes. */
  ready: boolean;
}

export const MIN_ORDER_VALUE = "1.00";
const QUANTITY_DP = 8;
const PRICE_DP = 10;

/** quantity x price to the cent: up for a BUY (what is paid), down for a SELL. */
export function orderTotal(side: Side, quantity: Big, price: Big): Big {
  return quantity.times(price).round(2, side === "BUY" ? Big.roundUp : Big.roundDown);
}

function parsePositive(text: string, dp: number, what: string, example: string): { value: Big | null; error?: string } {
  const trimmed = text.trim();
  if (trimmed === "") return { value: null };
  if (!isDecimalInput(trimmed)) return { value: null, error: `Enter a ${what} such as ${example}.` };
  const value = new Big(trimmed);
  if (value.lte(0)) return { value: null, error: `The ${what} must be more than zero.` };
  if (decimalPlaces(trimmed) > dp) {
    return { value: null, error: `The ${what} may have at most ${dp === 8 ? "eight" : "ten"} decimal places.` };
  }
  return { value };
}

/** A BUY stop triggers at or above its stop price, a SELL stop at or below it. */
export function stopReached(side: Side, stop: Big, price: Big): boolean {
  return side === "BUY" ? price.gte(stop) : price.lte(stop);
}

/** The problem with a GTD expiry typed into a datetime-local input, if any. */
export function expiryProblem(text: string | undefined, now: Date = new Date()): string | undefined {
  if (!text || !text.trim()) return "Choose when the order expires.";
  const at = new Date(text);
  if (Number.isNaN(at.getTime())) return "Enter a date and time such as 2026-12-24 17:30.";
  if (at.getTime() <= now.getTime()) return "The expiry must lie in the future.";
  if (at.getTime() > now.getTime() + MAX_GOOD_TILL_DAYS * 86_400_000) {
    return `The expiry may lie at most ${MAX_GOOD_TILL_DAYS} days ahead.`;
  }
  return undefined;
}

/** The expiry to send: the local date-time as an ISO-8601 instant in UTC. */
export function expiryInstant(text: string): string {
  return new Date(text).toISOString();
}

export function previewOrder(draft: OrderDraft, context: OrderContext, now: Date = new Date()): OrderPreview {
  const errors: OrderPreview["errors"] = {};
  const quantity = parsePositive(draft.quantity, QUANTITY_DP, "quantity", "0.25");
  if (quantity.error) errors.quantity = quantity.error;

  let limitPrice: Big | null = null;
  let stopPrice: Big | null = null;
  if (usesLimitPrice(draft.type)) {
    const limit = parsePositive(draft.limitPrice, PRICE_DP, "limit price", "50000");
    if (limit.error) errors.limitPrice = limit.error;
    limitPrice = limit.value;
  }
  if (usesStopPrice(draft.type)) {
    const stop = parsePositive(draft.stopPrice ?? "", PRICE_DP, "stop price", "45000");
    if (stop.error) errors.stopPrice = stop.error;
    stopPrice = stop.value;
  }
  const timeInForce = draft.type === "MARKET" ? "IOC" : (draft.timeInForce ?? "GTC");
  let expiryMissing = false;
  if (timeInForce === "GTD") {
    const problem = expiryProblem(draft.expiresAt, now);
    expiryMissing = !draft.expiresAt?.trim();
    if (problem && !expiryMissing) errors.expiresAt = problem;
  }
  const market = toBig(context.marketPrice);
  const price = draft.type === "MARKET" ? market : draft.type === "STOP" ? stopPrice : limitPrice;
  const triggersNow = stopPrice !== null && market !== null && stopReached(draft.side, stopPrice, market);

  const cash = toBig(context.cashAvailable);
  const held = toBig(context.positionAvailable) ?? new Big(0);
  let total: Big | null = null;
  let cashAfter: Big | null = null;
  let positionAfter: Big | null = null;

  if (quantity.value && price) {
    total = orderTotal(draft.side, quantity.value, price);
    if (draft.side === "BUY") {
      cashAfter = cash ? cash.minus(total) : null;
      positionAfter = held.plus(quantity.value);
    } else {
      cashAfter = cash ? cash.plus(total) : null;
      positionAfter = held.minus(quantity.value);
    }

    const min = new Big(context.minOrderValue ?? MIN_ORDER_VALUE);
    const max = toBig(context.maxOrderValue);
    const worth = `The order is worth ${formatUsd(total)}`;
    if (total.lt(min)) {
      errors.quantity ??= `${worth} at ${formatPrice(price)}; orders start at ${formatUsd(min)}.`;
    } else if (max && total.gt(max)) {
      errors.quantity ??= `${worth}; one order may be worth at most ${formatUsd(max)}.`;
    } else if (draft.side === "BUY" && cash && total.gt(cash)) {
      errors.quantity ??= `Not enough cash: this needs ${formatUsd(total)} and ${formatUsd(cash)} is available.`;
    } else if (draft.side === "SELL" && quantity.value.gt(held)) {
      errors.quantity ??= `You have ${formatQuantity(held)} ${context.symbol} available to sell.`;
    }
  }

  let hold: Hold | null = null;
  if (draft.type !== "MARKET" && timeInForce !== "IOC" && quantity.value && price) {
    // Held as the server holds it: a BUY quantity x (limit or stop) rounded up to the cent.
    hold = draft.side === "BUY" ? { cash: orderTotal("BUY", quantity.value, price) } : { units: quantity.value };
  }

  const ready =
    quantity.value !== null &&
    price !== null &&
    total !== null &&
    (!usesStopPrice(draft.type) || stopPrice !== null) &&
    !expiryMissing &&
    Object.keys(errors).length === 0;
  return { price, hold, triggersNow, quantity: quantity.value, total, cashAfter, positionAfter, errors, ready };
}

/**
 * The largest quantity (eight decimals) whose total stays within the cash available
 * (BUY) or the units held (SELL) and the per-order cap, or null when none fits.
 */
export function maxQuantity(side: Side, context: OrderContext, limitPrice?: string): Big | null {
  const price = toBig(limitPrice && limitPrice.trim() ? limitPrice : context.marketPrice);
  if (!price || price.lte(0)) return null;
  const cap = toBig(context.maxOrderValue);
  if (side === "SELL") {
    // A SELL's total rounds down, so quantity x price <= cap keeps it within the cap.
    let units = toBig(context.positionAvailable) ?? new Big(0);
    if (cap) units = minBig(units, cap.div(price).round(QUANTITY_DP, Big.roundDown));
    return units.gt(0) ? units : null;
  }
  const cash = toBig(context.cashAvailable);
  if (!cash) return null;
  const budget = cap ? minBig(cash, cap) : cash;
  let units = budget.div(price).round(QUANTITY_DP, Big.roundDown);
  if (orderTotal("BUY", units, price).gt(budget)) {
    // Rounding up to the cent adds less than a cent: leave a cent of room.
    units = budget.minus("0.01").div(price).round(QUANTITY_DP, Big.roundDown);
  }
  return units.gt(0) ? units : null;
}

function minBig(a: Big, b: Big): Big {
  return a.lt(b) ? a : b;
}
