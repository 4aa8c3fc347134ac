"""The `cnop` command: serve, migrate, print-schema, print-config-table, db stop."""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import sys

from web.config import ConfigError, Settings, revealed
from web.logs import configure_logging

log = logging.getLogger("cnop")


def _settings() -> Settings:
    try:
        return Settings.from_env()
    except ConfigError as error:
        print(f"cnop: configuration error: {error}", file=sys.stderr)
        raise SystemExit(2) from None


def serve(settings: Settings) -> None:
    import uvicorn

    from web.app import create_app
    from web.server import GracefulServer

    # Fewer, larger gen-2 collections: GC pauses were the websocket tail latency.
    gc.set_threshold(20_000, 20, 10)
    app = create_app(settings)
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,  # web.access_log writes one richer line per request
        ws="websockets-sansio",
        # Compressing every price tick costs a quarter of the fan-out's CPU and half the
        # memory per connection (bench/WS.md); ticks are small.
        ws_per_message_deflate=False,
        ws_max_size=settings.max_body_bytes,
        lifespan="on",
        timeout_graceful_shutdown=settings.shutdown_timeout_s,
        # web.app wraps the app in ProxyHeadersMiddleware with TRUSTED_PROXIES only;
        # uvicorn's own would trust 127.0.0.1 (or FORWARDED_ALLOW_IPS) as well.
        proxy_headers=False,
    )
    GracefulServer(config, before_shutdown=app.state.websockets.close_all).run()


def migrate(settings: Settings) -> None:
    from persistence import embedded
    from web.runtime import prepare_database

    url = revealed(settings.database_url) or embedded.start(settings.data_dir)
    asyncio.run(prepare_database(url))
    log.info("database is at the latest migration, catalogue loaded")


def print_schema() -> None:
    from schema.schema import build_schema

    sys.stdout.write(build_schema().as_str() + "\n")


def print_config_table() -> None:
    from web.config_table import configuration_table

    sys.stdout.write(configuration_table())


def stop_db(settings: Settings) -> None:
    from persistence import embedded

    if embedded.stop(settings.data_dir):
        log.info("embedded PostgreSQL stopped")
    else:
        log.info("embedded PostgreSQL was not running")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="cnop", description="Paper-trading GraphQL server.")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("serve", help="apply migrations, load the catalogue, serve /graphql")
    commands.add_parser("migrate", help="apply migrations and load the catalogue, then exit")
    commands.add_parser("print-schema", help="print the GraphQL schema (SDL)")
    commands.add_parser(
        "print-config-table", help="print the settings as docs/configuration.md's table"
    )
    db = commands.add_parser("db", help="the embedded PostgreSQL")
    db.add_argument("action", choices=["stop"])
    args = parser.parse_args(argv)

    if args.command == "print-schema":
        print_schema()
        return
    if args.command == "print-config-table":
        print_config_table()
        return
    settings = _settings()
    configure_logging(settings.log_level, settings.log_format)
    if args.command == "serve":
        serve(settings)
    elif args.command == "migrate":
        migrate(settings)
    else:
        stop_db(settings)


if __name__ == "__main__":
    main()
