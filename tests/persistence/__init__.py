"""The persistence adapters on their own.

The migrations, the embedded PostgreSQL, and the Redis and in-memory stores.
"""
