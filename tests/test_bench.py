"""``hub bench`` smoke test: every scenario runs at a tiny size and reports every figure."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from hub.bench.runner import main

EXPECTED = {
    "routing": ["waiting", "agents", "offer_p50_ms", "offer_p99_ms", "engine_decisions_per_s"],
    "chat": ["bare_relay_msgs_per_s", "hub_msgs_per_s", "ratio_to_bare", "p99_ms_at_500_per_s"],
    "memory": ["customers", "kb_per_idle_customer"],
}


@pytest.mark.slow
def test_bench_smoke(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "bench.json"
    status = main(
        [
            "--scenario",
            "all",
            "--json",
            str(out),
            "--quiet",
            "--waiting",
            "20",
            "--agents",
            "3",
            "--samples",
            "10",
            "--customers",
            "20",
            "--seconds",
            "1",
            "--pairs",
            "3",
            "--rate",
            "100",
        ]
    )
    assert status == 0
    results = json.loads(out.read_text())
    for scenario, keys in EXPECTED.items():
        for key in keys:
            value = results[scenario][key]
            assert isinstance(value, int | float), f"{scenario}.{key} = {value!r}"
            assert math.isfinite(value), f"{scenario}.{key} = {value!r}"
            # Memory may measure ~0 per customer at this size (RSS moves in pages).
            if key != "kb_per_idle_customer":
                assert value > 0, f"{scenario}.{key} = {value!r}"
    assert results["routing"]["waiting"] == 20 and results["routing"]["agents"] == 3
    assert results["memory"]["customers"] == 20
    assert results["machine"]["cores"] >= 1 and results["machine"]["python"]
    assert results["date"]
    table = capsys.readouterr().out
    assert "tap → offer p99" in table and "hub / bare relay" in table


def test_bench_rejects_bad_sizes(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--agents", "0"])
