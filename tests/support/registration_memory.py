"""Run as ``python -m tests.registration_memory DATABASE_URL DATA_DIR COUNT``: registers
COUNT users at once through the API, in a fresh process, and prints as JSON how far
the process's peak resident memory rose while they ran (``ru_maxrss``, KiB on Linux).

A process of its own, so that no earlier test's peak hides this one's. Worker threads
as on a large host: the default executor has min(32, CPUs + 4) of them, counted from
the host's CPUs, which a container's CPU limit does not lower.
"""

from __future__ import annotations

import asyncio
import json
import resource
import sys
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from web.app import create_app
from web.config import Settings
from web.runtime import start_runtime

REGISTER = """
mutation($input: RegisterInput!) { register(input: $input) { token errors { code } } }"""


def peak_kib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


async def main(database_url: str, data_dir: Path, count: int) -> dict[str, int]:
    asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor(max_workers=32))
    settings = Settings(
        database_url=database_url,
        jwt_secret="test-secret-" + "x" * 40,
        migrate_on_start=False,
        data_dir=data_dir,
        price_engine=False,
        rate_limits_enabled=False,
    )
    runtime = await start_runtime(settings)
    app = create_app(settings, runtime)
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:

            async def register() -> bool:
                name = f"mem_{uuid.uuid4().hex[:12]}"
                form = {"username": name, "email": f"{name}@example.com"}
                form["password"] = "Correct-Horse-9-Battery"
                response = await http.post(
                    "/graphql",
                    json={"query": REGISTER, "variables": {"input": form}},
                    timeout=300,
                )
                return bool(response.json()["data"]["register"]["token"])

            assert await register()  # warm: every import, pool connection and cache
            before = peak_kib()
            results = await asyncio.gather(*(register() for _ in range(count)))
            after = peak_kib()
    finally:
        await runtime.close()
    return {"registered": sum(results), "before_kib": before, "after_kib": after}


if __name__ == "__main__":
    url, folder, count = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
    print(json.dumps(asyncio.run(main(url, folder, count))))
