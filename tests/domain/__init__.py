"""Domain services against the real database and Redis, without the API in front.

The price engine: what a tick writes and publishes, feeds, and its one leader.
"""
