import { useMemo, useState } from "react";
import { Link, useParams } from "react-router";
import { useQuery } from "urql";
import { AssetDetailQuery, PriceHistoryQuery } from "../api/operations";
import { useAuth } from "../auth/AuthProvider";
import { AssetIcon } from "../components/AssetIcon";
import { Change } from "../components/Change";
import { LivePrice } from "../components/LivePrice";
import { PriceChart } from "../components/PriceChart";
import { Segmented } from "../components/Segmented";
import { ErrorBanner, Loading, Skeleton } from "../components/Status";
import { useLivePrices } from "../hooks/useLivePrices";
import { formatDate, formatDateTime, formatTime } from "../lib/dates";
import { formatCompact, formatPrice, formatQuantity, formatUsd } from "../lib/decimal";
import { describeRequestError } from "../lib/errors";

const RANGES = [
  { value: "1h", label: "1H", hours: 1 },
  { value: "24h", label: "24H", hours: 24 },
  { value: "7d", label: "7D", hours: 24 * 7 },
  { value: "30d", label: "30D", hours: 24 * 30 },
] as const;

type RangeKey = (typeof RANGES)[number]["value"];

function sinceFor(hours: number): string {
  // Rounded to the minute so that re-renders ask for the same (cached) page.
  const at = new Date(Date.now() - hours * 3_600_000);
  at.setSeconds(0, 0);
  return at.toISOString();
}

function Stat({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="stat">
      <dt>{label}</dt>
      <dd className="num">{children}</dd>
    </div>
  );
}

export function AssetPage() {
  const { symbol = "" } = useParams();
  const { signedIn } = useAuth();
  const [range, setRange] = useState<RangeKey>("24h");
  const chosen = RANGES.find((item) => item.value === range) ?? RANGES[1];
  const since = useMemo(() => sinceFor(chosen.hours), [chosen.hours]);

  const [{ data, fetching, error }, refetch] = useQuery({ query: AssetDetailQuery, variables: { symbol } });
  const [history] = useQuery({
    query: PriceHistoryQuery,
    variables: { symbol, since },
  });
  const asset = data?.asset;
  useLivePrices([symbol.toUpperCase()], !asset);

  const points = useMemo(() => {
    const recorded = history.data?.asset?.priceHistory ?? [];
    if (!asset || recorded.length === 0) return recorded;
    // The chart ends at the live price.
    return [...recorded, { price: asset.price, at: asset.priceUpdatedAt }];
  }, [history.data, asset]);

  if (fetching && !data) return <Loading label="Loading asset…" />;
  if (error && !data) return <ErrorBanner message={describeRequestError(error)} onRetry={() => refetch({ requestPolicy: "network-only" })} />;
  if (!asset) {
    return (
      <div className="narrow center">
        <h1>No asset “{symbol}”</h1>
        <Link to="/market" className="btn primary">
          Back to the market
        </Link>
      </div>
    );
  }

  return (
    <div className="page asset-page">
      <nav className="crumbs" aria-label="Breadcrumb">
        <Link to="/market">Markets</Link> / <span>{asset.symbol}</span>
      </nav>
      <header className="asset-head">
        <AssetIcon symbol={asset.symbol} imageUrl={asset.imageUrl} size={56} />
        <div className="asset-title">
          <h1>
            {asset.name} <span className="muted">{asset.symbol}</span>
          </h1>
          <div className="tags">
            {asset.marketCapRank && <span className="tag">Rank #{asset.marketCapRank}</span>}
            {asset.category && <span className="tag">{asset.category}</span>}
            {!asset.isTradable && <span className="tag warn">Not tradable</span>}
          </div>
        </div>
        <div className="asset-price">
          <LivePrice value={asset.price} className="big" testId="asset-price" />
          <div>
            <Change value={asset.priceChange24h} label="24 hours" /> <span className="muted small">24h · updated {formatTime(asset.priceUpdatedAt)}</span>
          </div>
        </div>
        {asset.isTradable && (
          <Link to={signedIn ? `/trade/${asset.symbol}` : "/login"} state={signedIn ? undefined : { from: `/trade/${asset.symbol}` }} className="btn primary large">
            Trade {asset.symbol}
          </Link>
        )}
      </header>

      <section className="card chart-card" aria-label="Price chart">
        <div className="chart-head">
          <h2>Price</h2>
          <Segmented label="Chart range" value={range} options={RANGES} onChange={setRange} />
        </div>
        {history.fetching && !history.data ? <Skeleton rows={5} /> : <PriceChart points={points} label={`${asset.symbol} price, ${chosen.label}`} />}
      </section>

      <section className="card">
        <h2>Market figures</h2>
        <dl className="stats-grid">
          <Stat label="Price">{formatPrice(asset.price)}</Stat>
          <Stat label="Change 24h"><Change value={asset.priceChange24h} /></Stat>
          <Stat label="Change 7d"><Change value={asset.priceChange7d} /></Stat>
          <Stat label="Change 30d"><Change value={asset.priceChange30d} /></Stat>
          <Stat label="High 24h">{formatPrice(asset.high24h)}</Stat>
          <Stat label="Low 24h">{formatPrice(asset.low24h)}</Stat>
          <Stat label="Market cap">
            <span title={formatUsd(asset.marketCap)}>{formatCompact(asset.marketCap, "$")}</span>
          </Stat>
          <Stat label="Market-cap rank">{asset.marketCapRank ?? "—"}</Stat>
          <Stat label="Volume 24h">
            <span title={formatUsd(asset.volume24h)}>{formatCompact(asset.volume24h, "$")}</span>
          </Stat>
          <Stat label="Circulating supply">{formatQuantity(asset.circulatingSupply)}</Stat>
          <Stat label="Total supply">{formatQuantity(asset.totalSupply)}</Stat>
          <Stat label="Max supply">{asset.maxSupply ? formatQuantity(asset.maxSupply) : "Unlimited"}</Stat>
          <Stat label="All-time high">
            {formatPrice(asset.allTimeHigh)}
            {asset.allTimeHighAt && <small className="muted"> {formatDate(asset.allTimeHighAt)}</small>}
          </Stat>
          <Stat label="All-time low">
            {formatPrice(asset.allTimeLow)}
            {asset.allTimeLowAt && <small className="muted"> {formatDate(asset.allTimeLowAt)}</small>}
          </Stat>
          <Stat label="Price updated">{formatDateTime(asset.priceUpdatedAt)}</Stat>
        </dl>
        {asset.description && (
          <>
            <h3>About {asset.name}</h3>
            <p className="description">{asset.description}</p>
          </>
        )}
      </section>
    </div>
  );
}
