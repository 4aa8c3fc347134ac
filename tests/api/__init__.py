"""API tests: each feature through GraphQL over HTTP or graphql-transport-ws.

The app runs in process (or on a local uvicorn) over the real PostgreSQL and Redis.
"""
