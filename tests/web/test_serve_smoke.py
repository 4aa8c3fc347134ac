"""`cnop serve` with no configuration at all: its own embedded PostgreSQL, in-process stores.

Starts the real console script, talks to it over HTTP, stops it with SIGTERM and checks
that the embedded database went away with it.
"""

from __future__ import annotations

import itertools
import os
import re
import signal
import socket
import subprocess
import time
import uuid
from decimal import Decimal
from pathlib import Path

import httpx
import psutil  # type: ignore[import-untyped]
import pytest

from persistence import embedded
from tests.support.paths import PROJECT

CNOP = PROJECT / ".venv" / "bin" / "cnop"
READY_TIMEOUT_S = 60
PLAYGROUND_BUILT = (PROJECT / "frontend" / "dist" / "graphiql.html").is_file()
"""`make test` runs pytest before the web app's build: on a fresh clone there is none yet."""
# Every variable the server reads: none may leak in from the environment running the tests.
SERVER_VARIABLES = (
    "DATABASE_URL",
    "REDIS_URL",
    "HOST",
    "PORT",
    "APP_ENV",
    "DATA_DIR",
    "JWT_SECRET",
    "JWT_TTL_MINUTES",
    "JWT_ISSUER",
    "JWT_AUDIENCE",
    "LOG_LEVEL",
    "LOG_FORMAT",
    "METRICS_ENABLED",
    "MAX_BODY_BYTES",
    "SHUTDOWN_TIMEOUT_S",
    "CORS_ORIGINS",
    "MIGRATE_ON_START",
    "DB_POOL_SIZE",
    "GRAPHIQL",
    "INTROSPECTION",
    "DAILY_DEPOSIT_LIMIT",
    "DAILY_WITHDRAW_LIMIT",
    "MAX_ORDER_VALUE",
    "GEMINI_API_KEY",
    "GEMINI_MODEL",
    "GEMINI_TIMEOUT_S",
    "INSIGHTS_BREAKER_FAILURES",
    "INSIGHTS_BREAKER_COOLDOWN_S",
    "RED_POCKET_CONFIG",
    "RED_POCKET_DEFAULT_REWARD",
    "PRICE_ENGINE",
    "XDG_RUNTIME_DIR",
)
DECIMAL_WIRE = re.compile(r"\d+\.(\d{2}|\d{2,}[1-9])")
REGISTER = """
mutation Register($input: RegisterInput!) {
  register(input: $input) { token user { username } errors { code field message } }
}"""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def server_environment(data_dir: Path, port: int) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if name not in SERVER_VARIABLES}
    env.update({"HOST": "127.0.0.1", "PORT": str(port), "DATA_DIR": str(data_dir)})
    return env


def postgres_processes(pgdata: Path) -> list[psutil.Process]:
    """Running postgres servers whose data directory (-D) is ``pgdata``."""
    found = []
    for process in psutil.process_iter(["name", "cmdline"]):
        cmdline = process.info["cmdline"] or []
        if not cmdline or not Path(cmdline[0]).name.startswith("postgres"):
            continue
        if any(
            flag == "-D" and Path(value) == pgdata for flag, value in itertools.pairwise(cmdline)
        ):
            found.append(process)
    return found


def wait_until_gone(pgdata: Path, timeout: float) -> list[psutil.Process]:
    deadline = time.monotonic() + timeout
    while True:
        left = postgres_processes(pgdata)
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.1)


def wait_until_ready(base_url: str, server: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"cnop serve exited with {server.returncode}:\n{log_path.read_text()}")
        try:
            response = httpx.get(f"{base_url}/health/ready", timeout=1)
        except httpx.TransportError:
            time.sleep(0.2)
            continue
        if response.status_code == 200:
            return
        time.sleep(0.2)
    pytest.fail(f"cnop serve was not ready after {READY_TIMEOUT_S} s:\n{log_path.read_text()}")


def stop_everything(server: subprocess.Popen[bytes], data_dir: Path, port: int) -> None:
    """Whatever the test saw: no server and no embedded database of ours outlive it."""
    if server.poll() is None:
        server.kill()
        server.wait(timeout=10)
    subprocess.run(
        [str(CNOP), "db", "stop"],
        env=server_environment(data_dir, port),
        capture_output=True,
        timeout=60,
        check=False,
    )
    for process in wait_until_gone(data_dir / "postgres", timeout=5):
        process.kill()  # our own server, found by its data directory


def test_cnop_serve_answers_and_stops_its_embedded_database(tmp_path):
    # The embedded server runs as another user when we are root: it must reach this folder.
    assert str(tmp_path).startswith("/tmp/")
    data_dir = tmp_path / "data"
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    log_path = tmp_path / "server.log"
    pgdata = data_dir / "postgres"
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [str(CNOP), "serve"],
            env=server_environment(data_dir, port),
            cwd=tmp_path,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until_ready(base_url, server, log_path)
        with httpx.Client(base_url=base_url, timeout=10) as http:
            ready = http.get("/health/ready").json()
            # The only process: it leads the price engine once its first attempt is in.
            assert ready.pop("price_engine") in ("leader", "follower")
            assert ready == {
                "status": "ok",
                "checks": {"database": "ok", "redis": "not configured"},
                "stores": "in-process",
            }
            assert postgres_processes(pgdata), "no embedded postgres runs on the data folder"

            answer = http.post(
                "/graphql",
                json={"query": "{ assets(first: 5) { edges { node { symbol price } } } }"},
            ).json()
            assert "errors" not in answer, answer
            nodes = [edge["node"] for edge in answer["data"]["assets"]["edges"]]
            assert len(nodes) == 5
            assert [node["symbol"] for node in nodes] == ["BTC", "ETH", "USDT", "XRP", "BNB"]
            # Prices move while the server runs; they stay exact decimal strings near the
            # shipped snapshot (BTC 104500.00).
            for node in nodes:
                assert DECIMAL_WIRE.fullmatch(node["price"]), node
            assert 50_000 < Decimal(nodes[0]["price"]) < 200_000

            username = f"smoke_{uuid.uuid4().hex[:10]}"
            registered = http.post(
                "/graphql",
                json={
                    "query": REGISTER,
                    "variables": {
                        "input": {
                            "username": username,
                            "email": f"{username}@example.com",
                            "password": "Correct-Horse-9-Battery",
                        }
                    },
                },
            ).json()
            assert "errors" not in registered, registered
            payload = registered["data"]["register"]
            assert payload["errors"] == []
            me = http.post(
                "/graphql",
                json={"query": "{ me { username balance { cash } } }"},
                headers={"Authorization": f"Bearer {payload['token']}"},
            ).json()
            assert me == {"data": {"me": {"username": username, "balance": {"cash": "0.00"}}}}

            graphiql = http.get("/graphql", headers={"Accept": "text/html"})
            assert graphiql.headers["content-type"].startswith("text/html")
            if PLAYGROUND_BUILT:
                assert graphiql.status_code == 200
                assert "graphiql" in graphiql.text.lower()
            else:  # the web app's build makes it; until then the page says how
                assert graphiql.status_code == 503
                assert "playground is not built" in graphiql.text

        server.send_signal(signal.SIGTERM)
        returncode = server.wait(timeout=30)
        log_text = log_path.read_text()
        # Uvicorn re-raises the signal once shut down: killed by SIGTERM is a clean exit here.
        assert returncode in (0, -signal.SIGTERM), log_text
        left = wait_until_gone(pgdata, timeout=5)
        assert left == [], (
            "the embedded postgres outlived `cnop serve`: "
            f"{[process.pid for process in left]}\n{log_text}"
        )
        assert "Traceback" not in log_text, log_text
    finally:
        stop_everything(server, data_dir, port)


@pytest.mark.skipif(os.geteuid() != 0, reason="the stop command only switches user as root")
def test_stopping_the_embedded_database_does_not_depend_on_sbin_being_on_path(
    tmp_path, monkeypatch
):
    # Cron, `env -i` and many process supervisors run with PATH=/usr/bin:/bin.
    # Stopping must then still work, or `cnop serve` leaves its database running on exit.
    pgdata = tmp_path / "postgres"
    pgdata.mkdir()
    (pgdata / "postmaster.pid").write_text("999999\n")  # a server that is not running
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    assert embedded.stop(tmp_path) is False


def test_a_server_killed_without_warning_leaves_nothing_the_next_cannot_handle(tmp_path):
    """SIGKILL skips every shutdown hook: the embedded PostgreSQL stays up, orphaned.
    The next start must attach to it, and a clean stop must then stop it."""
    tmp_path.chmod(0o755)
    pgdata = tmp_path / "postgres"
    servers: list[tuple[subprocess.Popen[bytes], int]] = []
    try:
        for attempt in range(2):
            port = free_port()
            log_path = tmp_path / f"serve-{attempt}.log"
            with log_path.open("wb") as log:
                server = subprocess.Popen(
                    [str(CNOP), "serve"],
                    env={**server_environment(tmp_path, port), "PRICE_ENGINE": "false"},
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            servers.append((server, port))
            wait_until_ready(f"http://127.0.0.1:{port}", server, log_path)
            if attempt == 0:
                server.kill()
                server.wait(timeout=10)
                assert postgres_processes(pgdata), "the orphaned database should still run"
        assert "dropping 1 handle" in (tmp_path / "serve-1.log").read_text()
        second, _ = servers[-1]
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=30)
        assert wait_until_gone(pgdata, timeout=10) == []
    finally:
        for server, port in servers:
            stop_everything(server, tmp_path, port)
