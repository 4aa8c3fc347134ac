import { Client } from "@urql/core";
import { cacheExchange } from "@urql/exchange-graphcache";
import { afterEach, describe, expect, it, vi } from "vitest";
import { filter, fromValue, makeSubject, merge, mergeMap, pipe, subscribe, type Source } from "wonka";
import type { Exchange, Operation, OperationResult } from "@urql/core";
import { cacheConfig, createApiClient, defaultWsUrl, authHeaders } from "./client";
import { AssetDetailQuery, AssetsQuery, PriceTicksSubscription } from "./operations";

const wsOptions: Array<Record<string, unknown>> = [];
vi.mock("graphql-ws", () => ({
  createClient: (options: Record<string, unknown>) => {
    wsOptions.push(options);
    return { subscribe: vi.fn(() => () => undefined), dispose: vi.fn() };
  },
}));

afterEach(() => {
  vi.unstubAllGlobals();
  wsOptions.length = 0;
});

describe("transport", () => {
  it("derives the websocket URL from the page", () => {
    expect(defaultWsUrl({ protocol: "http:", host: "127.0.0.1:8000" })).toBe("ws://127.0.0.1:8000/graphql");
    expect(defaultWsUrl({ protocol: "https:", host: "trade.example" })).toBe("wss://trade.example/graphql");
    expect(authHeaders(null)).toEqual({});
  });

  it("sends the bearer token by POST and in connection_init", async () => {
    let token: string | null = "tok-1";
    const fetch = vi.fn(async () => new Response(JSON.stringify({ data: { me: null } }), { headers: { "Content-Type": "application/json" } }));
    vi.stubGlobal("fetch", fetch);
    const api = createApiClient({ getToken: () => token, onUnauthenticated: vi.fn(), httpUrl: "http://test/graphql", wsUrl: "ws://test/graphql" });
    await api.client.query("query Viewer { me { id } }", {}).toPromise();
    const [, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(init.method).toBe("POST");
    expect(new Headers(init.headers).get("Authorization")).toBe("Bearer tok-1");

    const connectionParams = wsOptions[0].connectionParams as () => unknown;
    expect(connectionParams()).toEqual({ Authorization: "Bearer tok-1" });
    token = null;
    expect(connectionParams()).toEqual({});
  });

  it("loads the catalogue with GET, so that the browser can cache it", async () => {
    const pageInfo = { __typename: "PageInfo", hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null };
    const page = { __typename: "Query", assets: { __typename: "AssetConnection", totalCount: 0, pageInfo, edges: [] } };
    const fetch = vi.fn(async (_url: string, init: RequestInit) => {
      const data = init.method === "GET" ? page : { __typename: "Query", me: null };
      return new Response(JSON.stringify({ data }), { headers: { "Content-Type": "application/graphql-response+json" } });
    });
    vi.stubGlobal("fetch", fetch);
    const api = createApiClient({ getToken: () => "tok-1", onUnauthenticated: vi.fn(), httpUrl: "http://test/graphql", wsUrl: "ws://test/graphql" });
    const result = await api.client.query(AssetsQuery, { search: "bit" }).toPromise();
    expect(result.data?.assets.totalCount).toBe(0);
    const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(init.method).toBe("GET");
    expect(init.body).toBeUndefined();
    const params = new URL(url).searchParams;
    expect(params.get("operationName")).toBe("Assets");
    // A trusted document goes by its hash: the URL carries no query text.
    expect(params.get("query")).toBeNull();
    expect(JSON.parse(params.get("extensions") ?? "{}").persistedQuery.sha256Hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.parse(params.get("variables") ?? "{}")).toEqual({ search: "bit" });
    // The same token as any other request: the server counts it against the same budget.
    expect(new Headers(init.headers).get("Authorization")).toBe("Bearer tok-1");

    // A query of the signed-in user's data still goes by POST.
    await api.client.query("query Viewer { me { id } }", {}).toPromise();
    const [, viewer] = fetch.mock.calls[1] as unknown as [string, RequestInit];
    expect(viewer.method).toBe("POST");
  });

  it("reconnects forever, and ends the session when the socket is refused with 4403", () => {
    const onUnauthenticated = vi.fn();
    createApiClient({ getToken: () => "tok-1", onUnauthenticated, wsUrl: "ws://test/graphql" });
    const options = wsOptions[0] as { retryAttempts: number; shouldRetry: () => boolean; on: { closed: (event: unknown) => void } };
    expect(options.retryAttempts).toBe(Number.POSITIVE_INFINITY);
    expect(options.shouldRetry()).toBe(true);
    options.on.closed({ code: 1006 });
    expect(onUnauthenticated).not.toHaveBeenCalled();
    options.on.closed({ code: 4403 });
    expect(onUnauthenticated).toHaveBeenCalledTimes(1);
  });

  it("ends the session on an UNAUTHENTICATED error", async () => {
    const body = { data: null, errors: [{ message: "no", extensions: { code: "UNAUTHENTICATED" } }] };
    vi.stubGlobal("fetch", vi.fn(async () => new Response(JSON.stringify(body), { headers: { "Content-Type": "application/json" } })));
    const onUnauthenticated = vi.fn();
    const api = createApiClient({ getToken: () => "tok-1", onUnauthenticated, httpUrl: "http://test/graphql", wsUrl: "ws://test/graphql" });
    await api.client.query("query Viewer { me { id } }", {}).toPromise();
    expect(onUnauthenticated).toHaveBeenCalled();
  });
});

describe("cache", () => {
  it("writes a live price tick into the cached asset", async () => {
    const ticks = makeSubject<OperationResult>();
    const asset = {
      __typename: "Asset",
      symbol: "BTC",
      name: "Bitcoin",
      imageUrl: null,
      category: null,
      isTradable: true,
      price: "100.00",
      priceUpdatedAt: "2026-11-28T09:00:00+00:00",
      priceChange24h: "1.00",
      priceChange7d: null,
      marketCap: null,
      marketCapRank: 1,
      volume24h: null,
      description: null,
      priceChange30d: null,
      high24h: null,
      low24h: null,
      circulatingSupply: null,
      totalSupply: null,
      maxSupply: null,
      allTimeHigh: null,
      allTimeHighAt: null,
      allTimeLow: null,
      allTimeLowAt: null,
    };
    let tickOperation: Operation | null = null;
    const server: Exchange = () => (operations$) =>
      merge([
        pipe(
          operations$,
          filter((operation) => operation.kind === "query"),
          mergeMap((operation) => fromValue({ operation, data: { __typename: "Query", asset }, stale: false, hasNext: false } as OperationResult)),
        ),
        pipe(
          operations$,
          filter((operation) => operation.kind === "subscription"),
          mergeMap((operation) => {
            tickOperation = operation;
            return ticks.source as Source<OperationResult>;
          }),
        ),
      ]);
    const client = new Client({ url: "http://test/graphql", exchanges: [cacheExchange(cacheConfig), server] });
    const prices: string[] = [];
    const unsubscribeQuery = pipe(
      client.query(AssetDetailQuery, { symbol: "BTC" }),
      subscribe((result) => {
        if (result.data?.asset) prices.push(result.data.asset.price);
      }),
    );
    const subscription = client.subscription(PriceTicksSubscription, { symbols: ["BTC"] }).subscribe(() => undefined);
    await vi.waitFor(() => expect(tickOperation).not.toBeNull());
    ticks.next({
      operation: tickOperation!,
      data: {
        __typename: "Subscription",
        priceTicks: [
          { __typename: "PriceTick", symbol: "ETH", price: "3000.00", priceChange24h: null, at: "2026-11-28T09:00:01+00:00" },
          { __typename: "PriceTick", symbol: "BTC", price: "101.50", priceChange24h: "2.50", at: "2026-11-28T09:00:01+00:00" },
        ],
      },
      stale: false,
      hasNext: true,
    } as OperationResult);
    await vi.waitFor(() => expect(prices[prices.length - 1]).toBe("101.50"));
    subscription.unsubscribe();
    unsubscribeQuery.unsubscribe();
  });
});
