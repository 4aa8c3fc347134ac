import { Link } from "react-router";
import { useQuery } from "urql";
import { WatchlistQuery } from "../api/operations";
import { AssetIcon } from "../components/AssetIcon";
import { Change } from "../components/Change";
import { LivePrice } from "../components/LivePrice";
import { Empty, ErrorBanner, Skeleton } from "../components/Status";
import { useLivePrices } from "../hooks/useLivePrices";
import { describeRequestError } from "../lib/errors";
import { WatchStar } from "./WatchStar";

/** The assets the user follows, in the order added, at live prices. */
export function WatchlistPanel() {
  const [{ data, fetching, error }] = useQuery({ query: WatchlistQuery });
  const assets = data?.me?.watchlist ?? [];
  useLivePrices(assets.map((asset) => asset.symbol), assets.length === 0);
  return (
    <section className="card" aria-labelledby="watchlist-title" data-testid="watchlist">
      <div className="section-head">
        <h2 id="watchlist-title">Watchlist</h2>
        <Link to="/market">Markets →</Link>
      </div>
      <ErrorBanner message={data ? null : describeRequestError(error)} />
      {fetching && !data ? (
        <Skeleton rows={3} />
      ) : assets.length === 0 ? (
        <Empty>
          Nothing followed yet: star an asset in the <Link to="/market">market list</Link>.
        </Empty>
      ) : (
        <ul className="holdings">
          {assets.map((asset) => (
            <li key={asset.symbol} data-symbol={asset.symbol}>
              <AssetIcon symbol={asset.symbol} imageUrl={asset.imageUrl} size={28} />
              <div>
                <Link to={`/market/${asset.symbol}`}>
                  <strong>{asset.symbol}</strong>
                </Link>
                <span className="muted small">{asset.name}</span>
              </div>
              <div className="right">
                <LivePrice value={asset.price} testId={`watch-price-${asset.symbol}`} />
                <span className="small">
                  <Change value={asset.priceChange24h} /> <WatchStar symbol={asset.symbol} watched />
                </span>
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
