import { CombinedError } from "@urql/core";
import { GraphQLError } from "graphql";
import { describe, expect, it } from "vitest";
import { describeRequestError, errorCode, placeErrors, withoutField } from "./errors";

describe("placeErrors", () => {
  it("puts each UserError next to the field it names", () => {
    const placed = placeErrors(
      [
        { code: "ORDER_VALUE_LIMIT_EXCEEDED", field: "quantity", message: "Too big." },
        { code: "VALIDATION_FAILED", field: "limitPrice", message: "Required for LIMIT." },
      ],
      ["quantity", "limitPrice"],
    );
    expect(placed).toEqual({ fields: { quantity: "Too big.", limitPrice: "Required for LIMIT." }, form: [] });
  });

  it("keeps errors without a field, or naming a field the form lacks, for the form", () => {
    const placed = placeErrors(
      [
        { code: "INSUFFICIENT_FUNDS", field: null, message: "Not enough cash." },
        { code: "VALIDATION_FAILED", field: "clientOrderId", message: "Too long." },
      ],
      ["quantity"],
    );
    expect(placed).toEqual({ fields: {}, form: ["Not enough cash.", "Too long."] });
  });

  it("understands a dotted path and joins two errors on one field", () => {
    const placed = placeErrors(
      [
        { code: "VALIDATION_FAILED", field: "input.password", message: "Too short." },
        { code: "VALIDATION_FAILED", field: "password", message: "Needs a digit." },
      ],
      ["password"],
    );
    expect(placed.fields.password).toBe("Too short. Needs a digit.");
  });

  it("treats an empty list as success", () => {
    expect(placeErrors([], ["email"])).toEqual({ fields: {}, form: [] });
    expect(placeErrors(null, ["email"])).toEqual({ fields: {}, form: [] });
  });

  it("forgets a field's error once it is edited", () => {
    const placed = { fields: { email: "Taken.", phone: "Short." }, form: ["x"] };
    expect(withoutField(placed, "email")).toEqual({ fields: { phone: "Short." }, form: ["x"] });
    expect(withoutField(placed, "firstName")).toBe(placed);
  });
});

describe("request errors", () => {
  const graphQLError = (code: string, extra: Record<string, unknown> = {}) =>
    new CombinedError({ graphQLErrors: [new GraphQLError("boom", { extensions: { code, ...extra } })] });

  it("reads extensions.code", () => {
    expect(errorCode(graphQLError("UNAUTHENTICATED"))).toBe("UNAUTHENTICATED");
    expect(errorCode(undefined)).toBeNull();
  });

  it("says something a person can act on", () => {
    expect(describeRequestError(new CombinedError({ networkError: new Error("offline") }))).toMatch(/Can't reach the server/);
    expect(describeRequestError(graphQLError("UNAUTHENTICATED"))).toMatch(/sign in again/);
    expect(describeRequestError(graphQLError("RATE_LIMITED", { retryAfter: 2.2 }))).toBe("Too many requests. Try again in 3 s.");
    expect(describeRequestError(graphQLError("INTERNAL_SERVER_ERROR"))).toMatch(/Something went wrong/);
    expect(describeRequestError(null)).toBeNull();
  });
});
