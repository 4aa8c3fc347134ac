"""The product's GraphQL app as a uvicorn factory, set up the way ``cnop serve`` sets it up.

``uvicorn bench.product_app:create --factory`` lets the benchmark choose uvicorn's options
(loop, HTTP parser, no access log) while the app, its settings and the process-wide
tuning stay exactly what production runs.
"""

from __future__ import annotations

import gc

from starlette.applications import Starlette

from web.app import create_app
from web.config import Settings
from web.logs import configure_logging


def configure_process(settings: Settings) -> None:
    """What ``web.cli.serve`` does before it starts uvicorn (both servers get it)."""
    configure_logging(settings.log_level, settings.log_format)
    gc.set_threshold(20_000, 20, 10)


def create() -> Starlette:
    settings = Settings.from_env()
    configure_process(settings)
    return create_app(settings)
