import { useEffect, useState } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";
import { useQuery } from "urql";
import { AssetsQuery, WatchlistQuery } from "../api/operations";
import { useAuth } from "../auth/AuthProvider";
import type { AssetOrder } from "../gql/graphql";
import { AssetIcon } from "../components/AssetIcon";
import { Change } from "../components/Change";
import { LivePrice } from "../components/LivePrice";
import { Options } from "../components/Options";
import { Pager, useCursorPages } from "../components/Pager";
import { Empty, ErrorBanner, Skeleton } from "../components/Status";
import { WatchStar } from "../features/WatchStar";
import { useDebounced } from "../hooks/useDebounced";
import { useLivePrices } from "../hooks/useLivePrices";
import { formatCompact } from "../lib/decimal";
import { describeRequestError } from "../lib/errors";

const SORTS: Array<{ value: AssetOrder; label: string }> = [
  { value: "MARKET_CAP_RANK", label: "Market cap" },
  { value: "SYMBOL", label: "Symbol (A–Z)" },
  { value: "PRICE_CHANGE_24H", label: "24h gainers" },
  { value: "VOLUME_24H", label: "24h volume" },
];

function SortHeader({ label, order, current, onSort, className }: { label: string; order: AssetOrder; current: AssetOrder; onSort: (order: AssetOrder) => void; className?: string }) {
  const active = current === order;
  return (
    <th className={className} aria-sort={active ? (order === "SYMBOL" ? "ascending" : "descending") : "none"}>
      <button type="button" className={`sort ${active ? "active" : ""}`} onClick={() => onSort(order)}>
        {label}
        <span aria-hidden="true">{active ? (order === "SYMBOL" ? " ↑" : " ↓") : " ↕"}</span>
      </button>
    </th>
  );
}

export function MarketPage() {
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const [search, setSearch] = useState(params.get("q") ?? "");
  const orderBy = (params.get("sort") as AssetOrder | null) ?? "MARKET_CAP_RANK";
  const tradableOnly = params.get("all") !== "1";
  const query = useDebounced(search.trim(), 250);
  const pages = useCursorPages();

  useEffect(() => {
    pages.reset();
    const next = new URLSearchParams(params);
    if (query) next.set("q", query);
    else next.delete("q");
    if (next.toString() !== params.toString()) setParams(next, { replace: true });
    // Only a new (debounced) search resets the pages and the address.
  }, [query]);

  const setParam = (key: string, value: string | null) => {
    pages.reset();
    const next = new URLSearchParams(params);
    if (value === null) next.delete(key);
    else next.set(key, value);
    setParams(next, { replace: true });
  };

  const [{ data, fetching, error }, refetch] = useQuery({
    query: AssetsQuery,
    variables: { after: pages.after, search: query || null, orderBy, tradableOnly },
  });
  const { signedIn } = useAuth();
  const [watchlist] = useQuery({ query: WatchlistQuery, pause: !signedIn });
  const watched = new Set((signedIn ? watchlist.data?.me?.watchlist : null)?.map((asset) => asset.symbol) ?? []);
  const connection = data?.assets;
  const assets = connection?.edges.map((edge) => edge.node) ?? [];
  useLivePrices(assets.map((asset) => asset.symbol), assets.length === 0);

  return (
    <div className="page">
      <header className="page-head">
        <div>
          <h1>Markets</h1>
          <p className="muted">Live prices for every asset in the catalogue. Select one for its chart and figures.</p>
        </div>
      </header>

      <div className="toolbar">
        <input
          type="search"
          className="search"
          placeholder="Search by name or symbol"
          aria-label="Search assets"
          value={search}
          onChange={(event) => setSearch(event.target.value)}
        />
        <label className="inline">
          Sort by
          <select value={orderBy} onChange={(event) => setParam("sort", event.target.value)} aria-label="Sort by">
            <Options items={SORTS} />
          </select>
        </label>
        <label className="check">
          <input type="checkbox" checked={!tradableOnly} onChange={(event) => setParam("all", event.target.checked ? "1" : null)} />
          Include non-tradable
        </label>
      </div>

      <ErrorBanner message={describeRequestError(error)} onRetry={() => refetch({ requestPolicy: "network-only" })} />

      <div className="card table-card">
        {fetching && !connection ? (
          <Skeleton rows={8} />
        ) : assets.length === 0 ? (
          <Empty>No asset matches “{query}”.</Empty>
        ) : (
          <table className="table market-table" data-testid="market-table">
            <thead>
              <tr>
                {signedIn && <th className="star-col"><span className="sr-only">Watchlist</span></th>}
                <SortHeader label="#" order="MARKET_CAP_RANK" current={orderBy} onSort={(value) => setParam("sort", value)} />
                <SortHeader label="Asset" order="SYMBOL" current={orderBy} onSort={(value) => setParam("sort", value)} />
                <th className="right">Price</th>
                <SortHeader label="24h" order="PRICE_CHANGE_24H" current={orderBy} onSort={(value) => setParam("sort", value)} />
                <th className="right hide-sm">7d</th>
                <th className="right hide-sm">Market cap</th>
                <SortHeader label="Volume 24h" order="VOLUME_24H" current={orderBy} onSort={(value) => setParam("sort", value)} className="hide-sm" />
              </tr>
            </thead>
            <tbody>
              {assets.map((asset) => (
                <tr
                  key={asset.symbol}
                  className="clickable"
                  data-symbol={asset.symbol}
                  onClick={() => navigate(`/market/${asset.symbol}`)}
                >
                  {signedIn && (
                    <td className="star-col">
                      <WatchStar symbol={asset.symbol} watched={watched.has(asset.symbol)} />
                    </td>
                  )}
                  <td className="muted num">{asset.marketCapRank ?? "—"}</td>
                  <td>
                    <Link to={`/market/${asset.symbol}`} className="asset-cell" onClick={(event) => event.stopPropagation()}>
                      <AssetIcon symbol={asset.symbol} imageUrl={asset.imageUrl} />
                      <span>
                        <strong>{asset.name}</strong>
                        <span className="muted">{asset.symbol}</span>
                      </span>
                      {!asset.isTradable && <span className="tag">not tradable</span>}
                    </Link>
                  </td>
                  <td className="right">
                    <LivePrice value={asset.price} testId={`price-${asset.symbol}`} />
                  </td>
                  <td className="right">
                    <Change value={asset.priceChange24h} />
                  </td>
                  <td className="right hide-sm">
                    <Change value={asset.priceChange7d} />
                  </td>
                  <td className="right num hide-sm">{formatCompact(asset.marketCap, "$")}</td>
                  <td className="right num hide-sm">{formatCompact(asset.volume24h, "$")}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {connection && (
          <Pager
            label="Assets"
            page={pages.page}
            total={connection.totalCount}
            hasPrevious={pages.hasPrevious}
            hasNext={connection.pageInfo.hasNextPage}
            onPrevious={pages.previous}
            onNext={() => pages.next(connection.pageInfo.endCursor)}
          />
        )}
      </div>
    </div>
  );
}
