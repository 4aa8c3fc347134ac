import { Link } from "react-router";
import { useQuery } from "urql";
import { TopAssetsQuery } from "../api/operations";
import { useAuth } from "../auth/AuthProvider";
import { AssetIcon } from "../components/AssetIcon";
import { Change } from "../components/Change";
import { LivePrice } from "../components/LivePrice";
import { ErrorBanner, Skeleton } from "../components/Status";
import { useLivePrices } from "../hooks/useLivePrices";
import { describeRequestError } from "../lib/errors";
import { formatCompact } from "../lib/decimal";

export function LandingPage() {
  const { signedIn } = useAuth();
  const [{ data, fetching, error }, refetch] = useQuery({ query: TopAssetsQuery });
  const assets = data?.assets.edges.map((edge) => edge.node) ?? [];
  useLivePrices(assets.map((asset) => asset.symbol), assets.length === 0);

  return (
    <div className="landing">
      <section className="hero">
        <div>
          <p className="eyebrow">Paper trading · live prices</p>
          <h1>Trade crypto without risking a cent.</h1>
          <p className="lead">
            Start with play money, follow live prices, place market and limit orders, and watch your portfolio move,
            with an analyst's reading of it on your dashboard.
          </p>
          <div className="hero-actions">
            {signedIn ? (
              <Link to="/dashboard" className="btn primary large">
                Go to your dashboard
              </Link>
            ) : (
              <>
                <Link to="/register" className="btn primary large">
                  Create a free account
                </Link>
                <Link to="/login" className="btn ghost large">
                  Sign in
                </Link>
              </>
            )}
            <Link to="/market" className="btn link">
              Browse the market →
            </Link>
          </div>
        </div>
        <ul className="hero-points">
          <li>
            <strong>Live</strong> prices pushed over a websocket, every second.
          </li>
          <li>
            <strong>Exact</strong> decimals: what you preview is what you pay.
          </li>
          <li>
            <strong>Daily limits</strong> and order checks, like a real broker.
          </li>
        </ul>
      </section>

      <section aria-labelledby="top-assets">
        <div className="section-head">
          <h2 id="top-assets">Top assets</h2>
          <Link to="/market">See all</Link>
        </div>
        <ErrorBanner message={describeRequestError(error)} onRetry={() => refetch({ requestPolicy: "network-only" })} />
        {fetching && assets.length === 0 ? (
          <Skeleton rows={4} />
        ) : (
          <div className="ticker-grid" data-testid="top-assets">
            {assets.map((asset) => (
              <Link key={asset.symbol} to={`/market/${asset.symbol}`} className="ticker-card" data-symbol={asset.symbol}>
                <div className="ticker-head">
                  <AssetIcon symbol={asset.symbol} imageUrl={asset.imageUrl} size={36} />
                  <div>
                    <strong>{asset.symbol}</strong>
                    <span className="muted">{asset.name}</span>
                  </div>
                </div>
                <LivePrice value={asset.price} className="ticker-price" testId={`price-${asset.symbol}`} />
                <div className="ticker-foot">
                  <Change value={asset.priceChange24h} label="24 hours" />
                  <span className="muted">Cap {formatCompact(asset.marketCap, "$")}</span>
                </div>
              </Link>
            ))}
          </div>
        )}
      </section>
    </div>
  );
}
