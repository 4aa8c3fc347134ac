"""Short-lived shared state: caches, pub/sub and rate counters.

Each has one interface and two implementations: Redis, shared by every server
process, and in-process, for a single process that needs nothing else running.
"""

from persistence.stores.bundle import Stores, open_stores

__all__ = ["Stores", "open_stores"]
