import { describe, expect, it } from "vitest";
import { expiryInstant, expiryProblem, previewOrder, stopReached, type OrderContext, type OrderDraft } from "./orderPreview";
import Big from "big.js";

const context: OrderContext = {
  symbol: "BTC",
  marketPrice: "100000",
  cashAvailable: "5000.00",
  positionAvailable: "0.05",
  maxOrderValue: "10000.00",
};

const NOW = new Date("2026-12-04T12:00:00Z");
const draft = (change: Partial<OrderDraft>): OrderDraft => ({ side: "BUY", type: "MARKET", quantity: "", limitPrice: "", ...change });

describe("stop orders in the preview", () => {
  it("triggers a BUY stop at or above, a SELL stop at or below", () => {
    expect(stopReached("BUY", new Big("100"), new Big("100"))).toBe(true);
    expect(stopReached("BUY", new Big("100"), new Big("99.99"))).toBe(false);
    expect(stopReached("SELL", new Big("100"), new Big("100"))).toBe(true);
    expect(stopReached("SELL", new Big("100"), new Big("100.01"))).toBe(false);
  });

  it("holds a BUY stop at its stop price, rounded up to the cent", () => {
    const preview = previewOrder(draft({ type: "STOP", quantity: "0.03", stopPrice: "110000.555" }), context, NOW);
    expect(preview.price?.toFixed()).toBe("110000.555");
    expect(preview.hold).toEqual({ cash: new Big("3300.02") });
    expect(preview.triggersNow).toBe(false);
    expect(preview.ready).toBe(true);
  });

  it("holds a STOP_LIMIT at its limit price and a SELL stop's units", () => {
    const buy = previewOrder(draft({ type: "STOP_LIMIT", quantity: "0.01", stopPrice: "105000", limitPrice: "106000" }), context, NOW);
    expect(buy.hold).toEqual({ cash: new Big("1060.00") });
    const sell = previewOrder(draft({ side: "SELL", type: "STOP", quantity: "0.02", stopPrice: "90000" }), context, NOW);
    expect(sell.hold).toEqual({ units: new Big("0.02") });
    expect(sell.total?.toFixed(2)).toBe("1800.00");
  });

  it("says when a stop would trigger as soon as it is placed", () => {
    expect(previewOrder(draft({ side: "SELL", type: "STOP", quantity: "0.01", stopPrice: "100001" }), context, NOW).triggersNow).toBe(true);
    expect(previewOrder(draft({ type: "STOP", quantity: "0.01", stopPrice: "99999" }), context, NOW).triggersNow).toBe(true);
  });

  it("needs a stop price for STOP and STOP_LIMIT and a limit price for STOP_LIMIT", () => {
    const noStop = previewOrder(draft({ type: "STOP", quantity: "0.01" }), context, NOW);
    expect(noStop.ready).toBe(false);
    const noLimit = previewOrder(draft({ type: "STOP_LIMIT", quantity: "0.01", stopPrice: "105000" }), context, NOW);
    expect(noLimit.ready).toBe(false);
    const badStop = previewOrder(draft({ type: "STOP", quantity: "0.01", stopPrice: "0" }), context, NOW);
    expect(badStop.errors.stopPrice).toBe("The stop price must be more than zero.");
  });

  it("checks the order value and the cash at the hold price", () => {
    const capped = previewOrder(draft({ type: "STOP", quantity: "0.1", stopPrice: "110000" }), context, NOW);
    expect(capped.errors.quantity).toContain("at most $10,000.00");
    const poor = previewOrder(draft({ type: "STOP", quantity: "0.05", stopPrice: "110000" }), context, NOW);
    expect(poor.errors.quantity).toContain("Not enough cash");
  });
});

describe("time in force in the preview", () => {
  it("holds nothing for an IOC order, which never rests", () => {
    const preview = previewOrder(draft({ type: "LIMIT", quantity: "0.01", limitPrice: "90000", timeInForce: "IOC" }), context, NOW);
    expect(preview.hold).toBeNull();
    expect(preview.ready).toBe(true);
  });

  it("needs a GTD expiry in the future and within 90 days", () => {
    const base = { type: "LIMIT" as const, quantity: "0.01", limitPrice: "90000", timeInForce: "GTD" as const };
    expect(previewOrder(draft(base), context, NOW).ready).toBe(false);
    expect(previewOrder(draft({ ...base, expiresAt: "2026-12-04T11:00" }), context, new Date("2026-12-05T00:00:00")).errors.expiresAt).toBe(
      "The expiry must lie in the future.",
    );
    const tomorrow = new Date(NOW.getTime() + 86_400_000);
    const local = (date: Date) => new Date(date.getTime() - date.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
    expect(previewOrder(draft({ ...base, expiresAt: local(tomorrow) }), context, NOW).ready).toBe(true);
    expect(expiryProblem(local(new Date(NOW.getTime() + 91 * 86_400_000)), NOW)).toBe("The expiry may lie at most 90 days ahead.");
  });

  it("sends the local expiry as a UTC instant", () => {
    const local = "2026-12-24T17:30";
    expect(expiryInstant(local)).toBe(new Date(local).toISOString());
    expect(expiryInstant(local)).toMatch(/Z$/);
  });

  it("ignores time in force for market orders", () => {
    const preview = previewOrder(draft({ quantity: "0.01", timeInForce: "GTD" }), context, NOW);
    expect(preview.ready).toBe(true);
    expect(preview.hold).toBeNull();
  });
});
