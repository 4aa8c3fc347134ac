import { useMemo, useState, type MouseEvent } from "react";
import { formatPrice } from "../lib/decimal";

export interface ChartPoint {
  price: string;
  at: string;
}

interface Props {
  points: readonly ChartPoint[];
  height?: number;
  label: string;
}

const WIDTH = 800;
const PAD_Y = 12;

/**
 * A price line from priceHistory. Coordinates are plain numbers: this is drawing,
 * not money; the tooltip shows the recorded decimal string itself.
 */
export function PriceChart({ points, height = 280, label }: Props) {
  const [hover, setHover] = useState<number | null>(null);

  const geometry = useMemo(() => {
    if (points.length < 2) return null;
    const values = points.map((point) => Number(point.price));
    const min = Math.min(...values);
    const max = Math.max(...values);
    const span = max - min || Math.abs(max) * 0.01 || 1;
    const x = (index: number) => (index / (points.length - 1)) * WIDTH;
    const y = (value: number) => PAD_Y + (1 - (value - min) / span) * (height - 2 * PAD_Y);
    const line = values.map((value, index) => `${index ? "L" : "M"}${x(index).toFixed(1)},${y(value).toFixed(1)}`).join(" ");
    const area = `${line} L${WIDTH},${height} L0,${height} Z`;
    const rising = values[values.length - 1] >= values[0];
    return { values, x, y, line, area, rising, min, max };
  }, [points, height]);

  if (!geometry) {
    return <div className="chart-empty">Not enough price history yet for a chart.</div>;
  }

  const onMove = (event: MouseEvent<SVGSVGElement>) => {
    const box = event.currentTarget.getBoundingClientRect();
    const ratio = (event.clientX - box.left) / box.width;
    setHover(Math.max(0, Math.min(points.length - 1, Math.round(ratio * (points.length - 1)))));
  };

  const tone = geometry.rising ? "up" : "down";
  const hovered = hover !== null ? points[hover] : null;
  return (
    <figure className={`chart ${tone}`} aria-label={label}>
      <svg
        viewBox={`0 0 ${WIDTH} ${height}`}
        preserveAspectRatio="none"
        role="img"
        aria-label={`${label}: from ${formatPrice(points[0].price)} to ${formatPrice(points[points.length - 1].price)}`}
        onMouseMove={onMove}
        onMouseLeave={() => setHover(null)}
        style={{ height }}
      >
        <defs>
          <linearGradient id="chart-fill" x1="0" x2="0" y1="0" y2="1">
            <stop offset="0%" stopColor="currentColor" stopOpacity="0.28" />
            <stop offset="100%" stopColor="currentColor" stopOpacity="0" />
          </linearGradient>
        </defs>
        <path d={geometry.area} fill="url(#chart-fill)" stroke="none" />
        <path d={geometry.line} fill="none" stroke="currentColor" strokeWidth="2" vectorEffect="non-scaling-stroke" />
        {hover !== null && (
          <line
            x1={geometry.x(hover)}
            x2={geometry.x(hover)}
            y1={0}
            y2={height}
            stroke="var(--muted)"
            strokeDasharray="4 4"
            vectorEffect="non-scaling-stroke"
          />
        )}
      </svg>
      <div className="chart-scale">
        <span>{formatPrice(String(geometry.max))}</span>
        <span>{formatPrice(String(geometry.min))}</span>
      </div>
      {hovered && (
        <figcaption className="chart-tip" style={{ left: `${(hover! / (points.length - 1)) * 100}%` }}>
          <strong className="num">{formatPrice(hovered.price)}</strong>
          <span>{new Date(hovered.at).toLocaleString()}</span>
        </figcaption>
      )}
    </figure>
  );
}
