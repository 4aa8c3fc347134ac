"""Short-lived shared state: caches, pub/sub and rate counters.

Each has one interface and two implementations: Redis, shared by every server
process, and in-process, for a single process that needs nothing else running.
With Redis, caches, pub/sub and rate limits fall back to their in-process
behaviour while Redis is unreachable (fallback.py, link.py).
"""

from persistence.stores.bundle import Stores, open_stores

__all__ = ["Stores", "open_stores"]
