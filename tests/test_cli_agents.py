"""``hub agents list|set`` and ``hub sites list``, run as an operator would, in a subprocess."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from hub.actions import admin
from hub.core.credentials import verify_password
from hub.store import queries
from hub.store.db import create_oneshot_engine

SECRET = "cli-test-secret-0123456789"


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """Two sites and two agents, seeded in-process (the commands under test run as processes)."""
    url = f"sqlite:///{tmp_path / 'hub.db'}"

    async def seed() -> None:
        origins = ["https://shop.example", "https://m.shop.example"]
        await admin.add_site(url, "shop", SECRET, name="The shop", origins=origins)
        await admin.add_site(url, "open", SECRET + "-2", identity_mode="required")
        await admin.add_agents(
            url,
            [
                {"email": "ada@example.com", "name": "Ada", "password": "ada-password",
                 "skills": ["fr", "returns"]},
                {"email": "sue@example.com", "name": "Sue", "password": "sue-password",
                 "role": "supervisor", "auto_answer": True},
            ],
        )  # fmt: skip

    asyncio.run(seed())
    return url


def hub(db_url: str, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hub", *args],
        env={**os.environ, "HUB_DATABASE_URL": db_url},
        capture_output=True,
        text=True,
        input=stdin,
        timeout=60,
    )


def stored(db_url: str, email: str) -> dict[str, Any]:
    async def read() -> dict[str, Any] | None:
        engine = create_oneshot_engine(db_url)
        try:
            async with engine.connect() as conn:
                return await queries.agent_by_email(conn, email)
        finally:
            await engine.dispose()

    row = asyncio.run(read())
    assert row is not None
    return row


def test_agents_list_as_a_table_and_as_json(db_url: str) -> None:
    done = hub(db_url, "agents", "list")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].split() == [
        "EMAIL", "NAME", "ROLE", "SKILLS", "SITES", "AUTO-ANSWER", "STATE",
    ]  # fmt: skip
    assert lines[1].split() == [
        "ada@example.com", "Ada", "agent", "fr,returns", "all", "no", "enabled",
    ]  # fmt: skip
    assert lines[2].split() == [
        "sue@example.com",
        "Sue",
        "supervisor",
        "-",
        "all",
        "yes",
        "enabled",
    ]

    done = hub(db_url, "agents", "list", "--json")
    assert done.returncode == 0, done.stderr
    agents = json.loads(done.stdout)
    assert [a["email"] for a in agents] == ["ada@example.com", "sue@example.com"]
    assert agents[0] | {"id": "", "created_at": 0} == {
        "id": "",
        "email": "ada@example.com",
        "name": "Ada",
        "role": "agent",
        "skills": ["fr", "returns"],
        "sites": None,
        "auto_answer": False,
        "disabled": False,
        "disabled_at": None,
        "created_at": 0,
    }
    assert "argon2" not in done.stdout and "password" not in done.stdout


def test_agents_set_changes_only_what_is_given(db_url: str) -> None:
    before = stored(db_url, "ada@example.com")
    done = hub(
        db_url, "agents", "set", "ADA@example.com", "--name", "Ada L.", "--role", "supervisor",
        "--skills", "video", "--auto-answer",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    after = stored(db_url, "ada@example.com")
    assert (after["name"], after["role"], after["skills"], after["auto_answer"]) == (
        "Ada L.",
        "supervisor",
        ["video"],
        True,
    )
    assert after["password_hash"] == before["password_hash"]
    assert after["disabled_at"] is None

    done = hub(db_url, "agents", "set", "ada@example.com", "--no-auto-answer", "--skills", "")
    assert done.returncode == 0, done.stderr
    after = stored(db_url, "ada@example.com")
    assert (after["name"], after["skills"], after["auto_answer"]) == ("Ada L.", [], False)


def test_agents_serve_the_sites_they_are_given(db_url: str) -> None:
    done = hub(db_url, "agents", "set", "ada@example.com", "--sites", "open, shop")
    assert done.returncode == 0, done.stderr
    agents = json.loads(hub(db_url, "agents", "list", "--json").stdout)
    assert agents[0]["sites"] == ["open", "shop"]
    done = hub(db_url, "agents", "set", "ada@example.com", "--sites", "shop")
    assert done.returncode == 0, done.stderr
    assert hub(db_url, "agents", "list").stdout.splitlines()[1].split()[4] == "shop"
    # The ids are stored, so the list follows a site's row, not its spelling.
    assert len(stored(db_url, "ada@example.com")["sites"]) == 1

    done = hub(db_url, "agents", "set", "ada@example.com", "--all-sites")
    assert done.returncode == 0, done.stderr
    assert stored(db_url, "ada@example.com")["sites"] is None

    done = hub(
        db_url, "agents", "add", "max@example.com", "--name", "Max", "--password", "max-password",
        "--sites", "open",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(hub(db_url, "agents", "list", "--json").stdout)[1]["sites"] == ["open"]
    done = hub(
        db_url, "agents", "add", "nan@example.com", "--name", "Nan", "--password", "nan-password",
        "--sites", "nowhere",
    )  # fmt: skip
    assert done.returncode != 0 and "no site with key 'nowhere'" in done.stderr
    assert "nan@example.com" not in hub(db_url, "agents", "list").stdout


def test_agents_set_password_from_the_command_line_or_standard_input(db_url: str) -> None:
    done = hub(db_url, "agents", "set", "ada@example.com", "--password", "a-new-password")
    assert done.returncode == 0, done.stderr
    assert verify_password(stored(db_url, "ada@example.com")["password_hash"], "a-new-password")

    done = hub(
        db_url, "agents", "set", "ada@example.com", "--password", "-", stdin="from-stdin-1\n"
    )
    assert done.returncode == 0, done.stderr
    assert verify_password(stored(db_url, "ada@example.com")["password_hash"], "from-stdin-1")


def test_agents_disable_then_enable(db_url: str) -> None:
    done = hub(db_url, "agents", "set", "sue@example.com", "--disable")
    assert done.returncode == 0, done.stderr
    assert stored(db_url, "sue@example.com")["disabled_at"] is not None
    listed = hub(db_url, "agents", "list").stdout.splitlines()
    assert listed[2].split()[-1] == "disabled"
    assert json.loads(hub(db_url, "agents", "list", "--json").stdout)[1]["disabled"] is True

    done = hub(db_url, "agents", "set", "sue@example.com", "--enable")
    assert done.returncode == 0, done.stderr
    assert stored(db_url, "sue@example.com")["disabled_at"] is None


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["nobody@example.com", "--name", "X"], "no agent with email nobody@example.com"),
        (["ada@example.com", "--role", "boss"], "invalid choice: 'boss'"),
        (["ada@example.com", "--password", "short"], "at least 8 characters"),
        (["ada@example.com", "--password", "-"], "at least 8 characters"),  # empty stdin
        (["ada@example.com", "--name", "  "], "name is 1 to 200 characters"),
        (["ada@example.com", "--skills", "x" * 65], "over 64 characters"),
        (["ada@example.com", "--disable", "--enable"], "not allowed with argument"),
        (["ada@example.com", "--sites", "shop,nowhere"], "no site with key 'nowhere'"),
        (["ada@example.com", "--sites", " , "], "give at least one site key"),
        (["ada@example.com", "--sites", "shop", "--all-sites"], "not allowed with argument"),
        (["ada@example.com"], "nothing to change"),
        # A refused part refuses the whole: the name given with it is not written either.
        (["ada@example.com", "--name", "Changed", "--password", "short"], "at least 8"),
    ],
)
def test_agents_set_refuses_bad_input_and_changes_nothing(
    db_url: str, args: list[str], says: str
) -> None:
    before = stored(db_url, "ada@example.com")
    done = hub(db_url, "agents", "set", *args, stdin="")
    assert done.returncode != 0
    assert says in done.stderr, done.stderr
    assert done.stdout == ""
    assert stored(db_url, "ada@example.com") == before


def test_sites_list_never_shows_a_secret(db_url: str) -> None:
    done = hub(db_url, "sites", "list")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].split() == ["KEY", "NAME", "IDENTITY", "ORIGINS"]
    assert lines[1].split() == [
        "shop", "The", "shop", "optional", "https://shop.example,https://m.shop.example",
    ]  # fmt: skip
    assert lines[2].split() == ["open", "open", "required", "any"]
    assert SECRET not in done.stdout

    done = hub(db_url, "sites", "list", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [
        {
            "key": "shop",
            "name": "The shop",
            "identity_mode": "optional",
            "origins": ["https://shop.example", "https://m.shop.example"],
        },
        {"key": "open", "name": "open", "identity_mode": "required", "origins": None},
    ]
    assert SECRET not in done.stdout
