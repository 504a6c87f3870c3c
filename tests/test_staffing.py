"""Staffing (Erlang C) through REST and the command line: supervisors only, bad input refused."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import aiohttp
import pytest

from tests.kit.hub import HubServer

SUE = ("sue@example.com", "sue-password")
ADA = ("ada@example.com", "ada-password")
REFERENCE = {
    "volume": "100",
    "interval_s": "1800",
    "aht_s": "180",
    "threshold_s": "20",
    "target_pct": "80",
}


async def get(server: HubServer, who: tuple[str, str], params: dict[str, str]) -> tuple[int, Any]:
    async with aiohttp.ClientSession() as http:
        async with http.post(
            server.url + "/api/v1/auth/login", json={"email": who[0], "password": who[1]}
        ) as resp:
            token = (await resp.json())["token"]
        async with http.get(
            server.url + "/api/v1/reports/staffing",
            params=params,
            headers={"Authorization": f"Bearer {token}"},
        ) as resp:
            return resp.status, await resp.json()


async def test_a_supervisor_gets_the_reference_case(hub_server: HubServer) -> None:
    status, body = await get(hub_server, SUE, REFERENCE)
    assert status == 200, body
    assert body["agents"] == 14 and body["scheduled"] == 20
    assert body["traffic_erlangs"] == pytest.approx(10.0)
    assert body["service_level_pct"] == pytest.approx(88.8, abs=0.05)
    assert body["p_wait"] == pytest.approx(0.174, abs=0.0005)
    assert body["asa_s"] == pytest.approx(7.84, abs=0.005)
    assert body["occupancy_pct"] == pytest.approx(71.4, abs=0.05)


async def test_an_agent_is_forbidden(hub_server: HubServer) -> None:
    status, body = await get(hub_server, ADA, REFERENCE)
    assert status == 403 and body["error"]["code"] == "forbidden"
    # Even with nonsense parameters: an agent learns nothing about them.
    status, body = await get(hub_server, ADA, {"volume": "-1"})
    assert status == 403


@pytest.mark.parametrize(
    "bad",
    [
        {"volume": "-1"},
        {"volume": "many"},
        {"volume": "nan"},
        {"interval_s": "0"},
        {"target_pct": "100"},
        {"shrinkage_pct": "100"},
        {"concurrency": "0"},
        {"concurrency": "1.5"},
        {"volume": "1e12"},
        {"colour": "blue"},
    ],
)
async def test_bad_parameters_are_a_400(hub_server: HubServer, bad: dict[str, str]) -> None:
    status, body = await get(hub_server, SUE, {**REFERENCE, **bad})
    assert status == 400 and body["error"]["code"] == "invalid", (bad, body)


async def test_a_missing_parameter_is_a_400(hub_server: HubServer) -> None:
    params = {k: v for k, v in REFERENCE.items() if k != "aht_s"}
    status, body = await get(hub_server, SUE, params)
    assert status == 400 and "aht_s" in body["error"]["message"]


def staffing_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hub", "reports", "staffing", *args],
        env=os.environ,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_command_line_prints_the_same_in_process(capsys: pytest.CaptureFixture[str]) -> None:
    from hub.cli import main

    assert (
        main(
            [
                "reports",
                "staffing",
                "--volume",
                "100",
                "--aht",
                "180",
                "--service-level",
                "80/20",
                "--json",
            ]
        )
        == 0
    )
    assert json.loads(capsys.readouterr().out)["agents"] == 14
    assert (
        main(["reports", "staffing", "--volume", "0", "--aht", "180", "--service-level", "80/20"])
        == 0
    )
    assert "agents at their desks        0" in capsys.readouterr().out
    assert (
        main(["reports", "staffing", "--volume", "10", "--aht", "180", "--service-level", "80"])
        == 2
    )
    assert (
        main(["reports", "staffing", "--volume", "10", "--aht", "180", "--service-level", "100/9"])
        == 2
    )
    assert capsys.readouterr().err.startswith("hub: --service-level")


def test_the_command_line_prints_the_same() -> None:
    done = staffing_cli("--volume", "100", "--aht", "180", "--service-level", "80/20", "--json")
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert (answer["agents"], answer["scheduled"]) == (14, 20)
    table = staffing_cli("--volume", "100", "--aht", "180", "--service-level", "80/20")
    assert "agents at their desks        14" in table.stdout
    for bad in (["--service-level", "80"], ["--service-level", "100/20"], ["--volume", "-3"]):
        args = {"--volume": "100", "--aht": "180", "--service-level": "80/20"}
        args.update(dict(zip(bad[::2], bad[1::2], strict=True)))
        refused = staffing_cli(*[x for pair in args.items() for x in pair])
        assert refused.returncode == 2 and refused.stderr.startswith("hub: "), bad
