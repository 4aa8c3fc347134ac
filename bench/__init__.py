"""Benchmark harness: GraphQL against a plain Starlette baseline and raw asyncpg.

Run it with ``make bench``; bench/README.md explains what it measures and how to read it.
"""
