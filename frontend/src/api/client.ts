/**
 * The urql client: a normalised cache (graphcache) that live price ticks and
 * mutations update, HTTP for queries and mutations, graphql-ws for subscriptions.
 * The catalogue's queries go out as GET, so that the browser's cache (and any CDN)
 * can keep their public answers for a price tick; everything else is POST.
 * The bearer token goes in the Authorization header of every HTTP request and in
 * the websocket's connection_init payload.
 */
import { Client, fetchExchange, getOperationName, makeOperation, mapExchange, subscriptionExchange, type Operation } from "@urql/core";
import { cacheExchange, type Cache, type CacheExchangeOpts } from "@urql/exchange-graphcache";
import { persistedExchange } from "@urql/exchange-persisted";
import { createClient as createWsClient, type Client as WsClient } from "graphql-ws";
import { errorCode } from "../lib/errors";
import { LivePriceFragment } from "./operations";

export type SocketStatus = "idle" | "connecting" | "live" | "reconnecting";

export interface ApiClientOptions {
  /** The current bearer token, read at every request and (re)connection. */
  getToken: () => string | null;
  /** The server said the token is no longer good (expired, revoked). */
  onUnauthenticated: () => void;
  onSocketStatus?: (status: SocketStatus) => void;
  httpUrl?: string;
  wsUrl?: string;
}

export interface ApiClient {
  client: Client;
  socket: WsClient;
  dispose: () => void;
}

/** The websocket URL on the same origin as the page: ws://host/graphql or wss://. */
export function defaultWsUrl(location: Pick<Location, "protocol" | "host"> = window.location): string {
  return `${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}/graphql`;
}

export function authHeaders(token: string | null): Record<string, string> {
  return token ? { Authorization: `Bearer ${token}` } : {};
}

/**
 * The queries that read public fields only (the server's schema marks them `@public`):
 * the server answers them with Cache-Control: public and an ETag when they come by GET.
 * A query that reads the signed-in user is answered private, no-store: it gains
 * nothing from GET and stays off this list.
 */
export const CATALOGUE_QUERIES: ReadonlySet<string> = new Set(["TopAssets", "Assets", "AssetDetail", "PriceHistory", "TradableAssets"]);

/** Sends a catalogue query by GET (urql falls back to POST past 2 KB of URL). */
export function preferGetForCatalogue(operation: Operation): Operation {
  if (operation.kind !== "query" || !CATALOGUE_QUERIES.has(getOperationName(operation.query) ?? "")) return operation;
  return makeOperation(operation.kind, operation, { ...operation.context, preferGetMethod: true });
}

/** The User fields that change when money or units move. */
const ACCOUNT_FIELDS = [
  "balance",
  "portfolio",
  "positions",
  "orders",
  "transactions",
  "assetTransactions",
  "limits",
  "insights",
  "portfolioHistory",
];

/** Marks the signed-in user's money-related fields stale: active queries refetch them. */
export function invalidateAccount(cache: Cache): void {
  invalidateUserFields(cache, ACCOUNT_FIELDS);
}

/** Marks these fields of the signed-in user stale, whatever their arguments. */
export function invalidateUserFields(cache: Cache, names: readonly string[]): void {
  const me = cache.resolve("Query", "me");
  if (typeof me !== "string") return;
  for (const field of cache.inspectFields(me)) {
    if (names.includes(field.fieldName)) cache.invalidate(me, field.fieldName, field.arguments ?? undefined);
  }
}

interface PriceTickData {
  symbol: string;
  price: string;
  priceChange24h: string | null;
  at: string;
}

const embedded = () => null;

export const cacheConfig: CacheExchangeOpts = {
  keys: {
    Asset: (asset) => (asset.symbol as string | undefined) ?? null,
    Balance: embedded,
    Portfolio: embedded,
    Position: embedded,
    Limits: embedded,
    PortfolioInsights: embedded,
    PricePoint: embedded,
    PriceTick: embedded,
    PageInfo: embedded,
    UserError: embedded,
    AssetConnection: embedded,
    AssetEdge: embedded,
    OrderConnection: embedded,
    OrderEdge: embedded,
    BalanceTransactionConnection: embedded,
    BalanceTransactionEdge: embedded,
    AssetTransactionConnection: embedded,
    AssetTransactionEdge: embedded,
    AuthPayload: embedded,
    LogoutPayload: embedded,
    UserPayload: embedded,
    BalancePayload: embedded,
    OrderPayload: embedded,
    CancelAllOrdersPayload: embedded,
    RedPocketPayload: embedded,
    PriceAlertPayload: embedded,
    WatchlistPayload: embedded,
    PortfolioPoint: embedded,
  },
  updates: {
    Subscription: {
      // A tick rewrites the asset's price wherever it is shown: market rows,
      // detail page, order ticket and portfolio all read the same Asset record.
      priceTicks(result, _args, cache) {
        const ticks = result.priceTicks as PriceTickData[] | undefined;
        for (const tick of ticks ?? []) {
          const asset = {
            __typename: "Asset" as const,
            symbol: tick.symbol,
            price: tick.price,
            priceChange24h: tick.priceChange24h,
            priceUpdatedAt: tick.at,
          };
          cache.writeFragment(LivePriceFragment, asset);
        }
      },
      // The order itself is normalised by id; what it moved is refetched.
      orderUpdates(_result, _args, cache) {
        invalidateAccount(cache);
      },
      // The fired alert is normalised by id; the lists it moves between are refetched.
      priceAlerts(_result, _args, cache) {
        invalidateUserFields(cache, ["priceAlerts"]);
      },
    },
    Mutation: {
      deposit: (_r, _a, cache) => invalidateAccount(cache),
      withdraw: (_r, _a, cache) => invalidateAccount(cache),
      placeOrder: (_r, _a, cache) => invalidateAccount(cache),
      cancelOrder: (_r, _a, cache) => invalidateAccount(cache),
      cancelAllOrders: (_r, _a, cache) => invalidateAccount(cache),
      claimRedPocket: (_r, _a, cache) => invalidateAccount(cache),
      createPriceAlert: (_r, _a, cache) => invalidateUserFields(cache, ["priceAlerts"]),
      deletePriceAlert: (_r, _a, cache) => invalidateUserFields(cache, ["priceAlerts"]),
      addToWatchlist: (_r, _a, cache) => invalidateUserFields(cache, ["watchlist"]),
      removeFromWatchlist: (_r, _a, cache) => invalidateUserFields(cache, ["watchlist"]),
    },
  },
};

/** The hash codegen embedded in a generated document; none for a hand-written one,
 * which is then sent as text. */
export function documentHash(document: unknown): string | undefined {
  const meta = (document as { __meta__?: { hash?: unknown } } | null)?.__meta__;
  return typeof meta?.hash === "string" ? meta.hash : undefined;
}

export function createApiClient(options: ApiClientOptions): ApiClient {
  const status = options.onSocketStatus ?? (() => undefined);
  let connectedOnce = false;
  const socket = createWsClient({
    url: options.wsUrl ?? defaultWsUrl(),
    lazy: true,
    lazyCloseTimeout: 5_000,
    keepAlive: 15_000,
    // Reconnect for as long as the page is open, backing off up to 10 s.
    retryAttempts: Number.POSITIVE_INFINITY,
    shouldRetry: () => true,
    retryWait: (retries) =>
      new Promise((resolve) => setTimeout(resolve, Math.min(500 * 2 ** retries, 10_000) + Math.random() * 300)),
    connectionParams: () => authHeaders(options.getToken()),
    on: {
      connecting: () => status(connectedOnce ? "reconnecting" : "connecting"),
      connected: () => {
        connectedOnce = true;
        status("live");
      },
      closed: (event) => {
        const code = (event as CloseEvent | undefined)?.code;
        // 4403: the server refused the token in connection_init (expired or revoked).
        if (code === 4403 && options.getToken()) options.onUnauthenticated();
        // 1000: closed on purpose (no subscription left); anything else is retried.
        status(code === 1000 ? "idle" : connectedOnce ? "reconnecting" : "connecting");
      },
    },
  });

  const client = new Client({
    url: options.httpUrl ?? "/graphql",
    // POST by default; the catalogue's public queries opt into GET (preferGetForCatalogue).
    preferGetMethod: false,
    // The cache stays right by itself: ticks write prices into it, mutations and
    // order updates mark what they change stale. Refetching on every visit would
    // only spend the per-minute request budget the server grants each user.
    requestPolicy: "cache-first",
    fetchOptions: () => ({ headers: authHeaders(options.getToken()) }),
    exchanges: [
      mapExchange({
        onError(error) {
          if (errorCode(error) === "UNAUTHENTICATED" && options.getToken()) options.onUnauthenticated();
        },
      }),
      cacheExchange(cacheConfig),
      // Trusted documents: queries and mutations go by the SHA-256 that codegen
      // computed at build time (persisted-documents.json), not by their text.
      persistedExchange({
        enableForMutation: true,
        generateHash: (_query, document) => Promise.resolve(documentHash(document)),
        // POST unless the operation asks for GET: the next exchange decides.
        preferGetForPersistedQueries: false,
      }),
      // After the persisted exchange, which would set every query back to POST: the
      // catalogue's public queries go by GET (hash in the URL), so caches can keep them.
      mapExchange({ onOperation: preferGetForCatalogue }),
      fetchExchange,
      subscriptionExchange({
        forwardSubscription(request) {
          const input = { ...request, query: request.query ?? "" };
          return {
            subscribe(sink) {
              const unsubscribe = socket.subscribe(input, sink);
              return { unsubscribe };
            },
          };
        },
      }),
    ],
  });

  return {
    client,
    socket,
    dispose: () => {
      void socket.dispose();
    },
  };
}
