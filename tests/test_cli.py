"""The ``hub sites`` commands, run as an operator would: ``python -m hub`` in a subprocess."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from hub.store import queries
from hub.store.db import create_oneshot_engine

SECRET = "cli-test-secret-0123456789"
CANNED = [{"title": "Hello", "text": "Hello! How can I help?"}]


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'hub.db'}"


def hub(db_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hub", *args],
        env={**os.environ, "HUB_DATABASE_URL": db_url},
        capture_output=True,
        text=True,
        timeout=60,
    )


def site(db_url: str, key: str) -> dict[str, Any] | None:
    async def read() -> dict[str, Any] | None:
        engine = create_oneshot_engine(db_url)
        try:
            async with engine.connect() as conn:
                return await queries.site_by_key(conn, key)
        finally:
            await engine.dispose()

    return asyncio.run(read())


def write(path: Path, content: Any) -> str:
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return str(path)


def test_add_with_lists_then_set(db_url: str, tmp_path: Path) -> None:
    canned = write(tmp_path / "canned.json", CANNED)
    done = hub(
        db_url, "sites", "add", "shop", "--secret", SECRET, "--canned-responses", canned,
        "--contact-reasons", "Order status, Refund",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    row = site(db_url, "shop")
    assert row is not None
    assert row["settings"]["canned_responses"] == CANNED
    assert row["settings"]["contact_reasons"] == ["Order status", "Refund"]
    assert row["settings"]["channels"] == ["chat", "callback", "video"]  # defaults kept

    other = [{"title": "Bye", "text": "Have a nice day."}]
    done = hub(
        db_url, "sites", "set", "shop", "--canned-responses", write(tmp_path / "b.json", other),
        "--name", "The shop", "--origins", "https://shop.example",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    row = site(db_url, "shop")
    assert row is not None
    assert row["name"] == "The shop"
    assert row["origins"] == ["https://shop.example"]
    assert row["settings"]["canned_responses"] == other
    assert row["settings"]["contact_reasons"] == ["Order status", "Refund"]  # untouched

    done = hub(db_url, "sites", "set", "shop", "--contact-reasons", "Delivery", "--origins", "")
    assert done.returncode == 0, done.stderr
    row = site(db_url, "shop")
    assert row is not None
    assert row["settings"]["contact_reasons"] == ["Delivery"]
    assert row["origins"] is None  # any origin again


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[{'title': 'x'}", "not valid JSON"),
        ({"title": "a", "text": "b"}, "JSON list"),
        ([{"title": "", "text": "b"}], "title must be a non-empty string"),
        ([{"title": "a", "text": 3}], "text must be a non-empty string"),
        ([{"title": "a"}], 'exactly "title" and "text"'),
        ([{"title": "t" * 81, "text": "b"}], "over 80 characters"),
        ([{"title": "a", "text": "x" * 2001}], "over 2000 characters"),
        ([{"title": f"t{i}", "text": "b"} for i in range(101)], "at most 100"),
    ],
)
def test_bad_canned_responses_change_nothing(
    db_url: str, tmp_path: Path, content: Any, message: str
) -> None:
    assert hub(db_url, "sites", "add", "shop", "--secret", SECRET).returncode == 0
    before = site(db_url, "shop")
    bad = write(tmp_path / "bad.json", content)

    done = hub(db_url, "sites", "set", "shop", "--canned-responses", bad, "--name", "Renamed")
    assert done.returncode == 2
    assert message in done.stderr
    assert site(db_url, "shop") == before

    done = hub(db_url, "sites", "add", "other", "--secret", SECRET, "--canned-responses", bad)
    assert done.returncode == 2
    assert message in done.stderr
    assert site(db_url, "other") is None


def test_set_refuses_unknown_site_bad_reasons_and_nothing_to_do(db_url: str) -> None:
    assert hub(db_url, "sites", "add", "shop", "--secret", SECRET).returncode == 0
    before = site(db_url, "shop")
    for args, message in [
        (["nope", "--name", "x"], "no site with key 'nope'"),
        (["shop", "--contact-reasons", "a,a"], "different"),
        (["shop", "--contact-reasons", "r" * 81], "over 80 characters"),
        (["shop", "--canned-responses", "/nonexistent/canned.json"], "cannot read"),
        (["shop"], "nothing to change"),
    ]:
        done = hub(db_url, "sites", "set", *args)
        assert done.returncode == 2, args
        assert message in done.stderr, (args, done.stderr)
    assert site(db_url, "shop") == before
