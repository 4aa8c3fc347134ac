"""The persistence adapters on their own.

The migrations, the embedded PostgreSQL, the advisory lock, and the Redis and in-memory stores.
"""
