"""Where the project's files are, for tests that read them or run commands in the project."""

from __future__ import annotations

from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
TESTS = PROJECT / "tests"
FRONTEND_OPERATIONS = PROJECT / "frontend" / "src" / "api" / "operations.ts"
"""Every document the web app sends, as written in its sources."""
