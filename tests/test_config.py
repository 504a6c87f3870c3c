"""Configuration from the environment: what is read, and what stops the hub at start."""

from __future__ import annotations

from pathlib import Path

import pytest

from hub.config import Config

TURN = {"HUB_TURN_SECRET": "s3cret", "HUB_TURN_URLS": "turn:t.example.com:3478"}


def test_turn_unset_by_default() -> None:
    config = Config.from_env({})
    assert config.turn_urls == () and config.turn_secret == "" and config.turn_ttl_s == 43200


def test_turn_read_from_env() -> None:
    config = Config.from_env(
        {
            "HUB_TURN_SECRET": "s3cret",
            "HUB_TURN_URLS": " turn:t.example.com:3478?transport=udp, turns:t.example.com:5349,"
            "stun:t.example.com:3478 ",
            "HUB_TURN_TTL": "600",
        }
    )
    assert config.turn_urls == (
        "turn:t.example.com:3478?transport=udp",
        "turns:t.example.com:5349",
        "stun:t.example.com:3478",
    )
    assert config.turn_secret == "s3cret" and config.turn_ttl_s == 600
    assert "s3cret" not in repr(config)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"HUB_TURN_URLS": "turn:t.example.com"}, "HUB_TURN_SECRET is empty"),
        ({**TURN, "HUB_TURN_SECRET": "  "}, "HUB_TURN_SECRET is empty"),
        ({"HUB_TURN_SECRET": "s3cret"}, "HUB_TURN_URLS is empty"),
        ({**TURN, "HUB_TURN_URLS": "t.example.com:3478"}, "not a turn:, turns: or stun: URL"),
        ({**TURN, "HUB_TURN_URLS": "stun:t.example.com"}, "no turn: or turns: URL"),
        ({**TURN, "HUB_TURN_TTL": "0"}, "HUB_TURN_TTL must be a positive"),
        ({**TURN, "HUB_TURN_TTL": "soon"}, "HUB_TURN_TTL must be a number"),
    ],
)
def test_bad_turn_settings_stop_the_start(env: dict[str, str], message: str) -> None:
    with pytest.raises(SystemExit, match=message):
        Config.from_env(env)


def test_static_dir_must_be_a_folder(tmp_path: Path) -> None:
    assert Config.from_env({}).static_dir == ""
    assert Config.from_env({"HUB_STATIC_DIR": str(tmp_path)}).static_dir == str(tmp_path)
    with pytest.raises(SystemExit, match="HUB_STATIC_DIR must be a folder"):
        Config.from_env({"HUB_STATIC_DIR": str(tmp_path / "missing")})


def test_the_time_zone_of_the_agents_day() -> None:
    assert Config.from_env({}).timezone == "UTC"
    assert Config.from_env({"HUB_TIMEZONE": " Europe/Paris "}).timezone == "Europe/Paris"
    with pytest.raises(SystemExit, match="HUB_TIMEZONE is not a known time zone: Mars/Olympus"):
        Config.from_env({"HUB_TIMEZONE": "Mars/Olympus"})


def test_mayday_limits_come_from_the_environment() -> None:
    default = Config.from_env({})
    assert default.laser_rate_per_s == 60.0 and default.cobrowse_max_bytes == 8 * 1024 * 1024
    config = Config.from_env({"HUB_LASER_RATE": "30", "HUB_COBROWSE_MAX_BYTES": "4194304"})
    assert config.laser_rate_per_s == 30.0 and config.cobrowse_max_bytes == 4 * 1024 * 1024
    with pytest.raises(SystemExit, match="HUB_LASER_RATE must be a positive"):
        Config.from_env({"HUB_LASER_RATE": "0"})
    with pytest.raises(SystemExit, match="HUB_COBROWSE_MAX_BYTES must be at least"):
        Config.from_env({"HUB_COBROWSE_MAX_BYTES": "1000"})
