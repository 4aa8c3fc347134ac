import { useState } from "react";

/** A stable hue per symbol, so a missing logo still reads as the same coin everywhere. */
export function symbolHue(symbol: string): number {
  let hash = 0;
  for (const char of symbol) hash = (hash * 31 + char.charCodeAt(0)) % 360;
  return hash;
}

export function initials(symbol: string): string {
  return symbol.replace(/[^A-Za-z0-9]/g, "").slice(0, 3).toUpperCase() || "?";
}

interface Props {
  symbol: string;
  imageUrl?: string | null;
  size?: number;
}

/**
 * The asset's logo from its image URL, drawn over the symbol's initials: when the
 * image cannot load (offline, blocked CDN) the initials simply stay visible.
 */
export function AssetIcon({ symbol, imageUrl, size = 32 }: Props) {
  const [loaded, setLoaded] = useState(false);
  const [failed, setFailed] = useState(false);
  const hue = symbolHue(symbol);
  return (
    <span
      className="asset-icon"
      aria-hidden="true"
      style={{
        width: size,
        height: size,
        fontSize: Math.max(9, Math.round(size / 3.2)),
        background: `hsl(${hue} 55% 28%)`,
        color: `hsl(${hue} 90% 85%)`,
      }}
    >
      {!loaded && initials(symbol)}
      {imageUrl && !failed && (
        <img
          src={imageUrl}
          alt=""
          loading="lazy"
          referrerPolicy="no-referrer"
          style={{ opacity: loaded ? 1 : 0 }}
          onLoad={() => setLoaded(true)}
          onError={() => setFailed(true)}
        />
      )}
    </span>
  );
}
