"""The ``hub`` command as an operator runs it: a subprocess on a test's database."""

from __future__ import annotations

import asyncio
import os
import sys


async def hub_cli(database_url: str, *args: str, **env: str) -> tuple[int, str, str]:
    """``python -m hub ARGS`` with ``HUB_DATABASE_URL`` (and ``env``) set: (code, out, err)."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "hub",
        *args,
        env={**os.environ, "HUB_DATABASE_URL": database_url, **env},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await proc.communicate()
    return int(proc.returncode or 0), out.decode(), err.decode()
