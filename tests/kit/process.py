"""The hub in a subprocess (``python -m hub serve``): killed without warning, started again."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import time
from pathlib import Path
from typing import IO

import aiohttp

from tests.kit.hub import free_port


def _log_file(path: Path) -> IO[bytes]:
    return path.open("ab")


class HubProcess:
    """``python -m hub serve`` on a free port; killed without warning, started again.

    It runs on the system clock (a subprocess cannot share a test's clock) and passes the
    test's environment on, so ``monkeypatch.setenv("HUB_...")`` configures it.
    """

    def __init__(
        self, database_url: str, log_path: Path, env: dict[str, str] | None = None
    ) -> None:
        self.database_url = database_url
        self.log_path = log_path
        # Variables for this process only (two nodes of a cluster differ in a few).
        self.env = env or {}
        self.proc: asyncio.subprocess.Process | None = None
        self.url = ""

    async def start(self) -> None:
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        env = {
            **os.environ,
            "HUB_DATABASE_URL": self.database_url,
            "HUB_LOG_LEVEL": "WARNING",
            # One customer sends hundreds of messages in a few seconds on purpose.
            "HUB_RATE_LIMIT": "10000",
            "HUB_RATE_BURST": "10000",
            **self.env,
        }
        log = _log_file(self.log_path)
        try:
            self.proc = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "hub",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                env=env,
                stdout=log,
                stderr=log,
            )
        finally:
            log.close()
        deadline = time.monotonic() + 30
        async with aiohttp.ClientSession() as http:
            while True:
                if self.proc.returncode is not None:
                    raise AssertionError(f"hub exited; see {self.log_path}")
                with contextlib.suppress(aiohttp.ClientError):
                    async with http.get(f"{self.url}/healthz") as r:
                        if r.status == 200:
                            return
                assert time.monotonic() < deadline, f"hub did not start; see {self.log_path}"
                # A real process starting up: polled in real time.
                await asyncio.sleep(0.1)

    async def kill(self) -> None:
        """SIGKILL: no shutdown handler, no flush, no goodbye to the clients."""
        assert self.proc is not None and self.proc.returncode is None
        os.kill(self.proc.pid, signal.SIGKILL)
        assert await self.proc.wait() == -signal.SIGKILL

    async def terminate(self) -> int:
        """SIGTERM: the hub shuts down as an operator stops it, finishing what is under way."""
        assert self.proc is not None and self.proc.returncode is None
        self.proc.terminate()
        return await self.proc.wait()

    async def stop(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.kill()
            await self.proc.wait()
