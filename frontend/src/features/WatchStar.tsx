import { useMutation } from "urql";
import { AddToWatchlistMutation, RemoveFromWatchlistMutation } from "../api/operations";

interface Props {
  symbol: string;
  watched: boolean;
}

/** A star that follows or unfollows an asset (both idempotent on the server). */
export function WatchStar({ symbol, watched }: Props) {
  const [add, addToWatchlist] = useMutation(AddToWatchlistMutation);
  const [remove, removeFromWatchlist] = useMutation(RemoveFromWatchlistMutation);
  const busy = add.fetching || remove.fetching;
  const label = watched ? `Remove ${symbol} from the watchlist` : `Add ${symbol} to the watchlist`;
  return (
    <button
      type="button"
      className={`star ${watched ? "on" : ""}`}
      aria-label={label}
      aria-pressed={watched}
      title={label}
      disabled={busy}
      data-testid={`star-${symbol}`}
      onClick={(event) => {
        // Inside a clickable row: starring must not open the asset.
        event.stopPropagation();
        void (watched ? removeFromWatchlist({ symbol }) : addToWatchlist({ symbol }));
      }}
    >
      {watched ? "★" : "☆"}
    </button>
  );
}
