"""The live market: price feeds, the price engine, limit-order matching and live events."""
