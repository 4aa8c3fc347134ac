"""The unit of work a use case is handed: SQLAlchemy's ``AsyncSession``.

Named here so that the layers above persistence pass sessions to repositories
without importing SQLAlchemy themselves; which toolkit talks to PostgreSQL is
this package's business (the import contracts in pyproject.toml hold it there).
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession as Session

__all__ = ["Session"]
