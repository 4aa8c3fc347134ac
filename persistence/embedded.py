"""A private PostgreSQL 16 kept in the project's data folder (the `pgserver` wheel).

Chosen over SQLite or an in-memory fake because the product's guarantees (row
locks, CHECK constraints, NUMERIC) are PostgreSQL's: the embedded server is the
same database the deployments use, started in well under a second.

pgserver shares one server between the processes attached to a data folder
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
from urllib.parse import quote

log = logging.getLogger(__name__)

PIDS_FILE = ".handle_pids.json"


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
    # pgserver keeps a lock file in the user's runtime dir, which a service account may lack.
    if "XDG_RUNTIME_DIR" not in os.environ:
        runtime = data_dir / "run"
        runtime.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.environ["XDG_RUNTIME_DIR"] = str(runtime)


def start(data_dir: Path) -> str:
    """Start (or attach to) the embedded server; returns its asyncpg URL."""
    _set_runtime_dir(data_dir)
    from pgserver import get_server  # type: ignore[attr-defined]  # lazily: embedded mode only

    pgdata = data_dir / "postgres"
    pgdata.mkdir(parents=True, exist_ok=True)
    _prune_dead_handles(pgdata)
    server = get_server(pgdata, cleanup_mode="stop")
    info = server.get_postmaster_info()
    return f"postgresql+asyncpg://postgres@/postgres?host={quote(str(info.socket_dir))}&port={info.port}"


def release(data_dir: Path) -> None:
    """Detach this process; the last process to detach stops the server.

    Called from the application's shutdown rather than left to pgserver's atexit
    hook, which never runs when the server re-raises SIGTERM to exit.
    """
    pgdata = data_dir / "postgres"
    pids_path = pgdata / PIDS_FILE
    try:
        pids = json.loads(pids_path.read_text())
    except (OSError, ValueError):
        pids = []
    others = [pid for pid in pids if pid != os.getpid() and _is_running(pid)]
    pids_path.write_text(json.dumps(others))
    if not others:
        stop(data_dir)


def stop(data_dir: Path) -> bool:
    """Stop the embedded server if one runs on this data folder. True when it was running."""
    _set_runtime_dir(data_dir)
    from pgserver._commands import POSTGRES_BIN_PATH

    pgdata = data_dir / "postgres"
    if not (pgdata / "postmaster.pid").exists():
        return False
    # As root, pgserver runs PostgreSQL as its own "pgserver" user; so must pg_ctl.
    result = subprocess.run(  # noqa: S603 - fixed binary and arguments
        [str(POSTGRES_BIN_PATH / "pg_ctl"), "-D", str(pgdata), "-w", "-m", "fast", "stop"],
        capture_output=True,
        text=True,
        check=False,
        user="pgserver" if os.geteuid() == 0 else None,
    )
    (pgdata / PIDS_FILE).unlink(missing_ok=True)
    return result.returncode == 0
