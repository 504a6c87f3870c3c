"""``hub bench`` scenario lists, the scale and soak scenarios at tiny sizes, and ``--plot``."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from hub.bench.runner import main

TINY = ["--quiet", "--agents", "3", "--samples", "5", "--seconds", "1"]


def test_unknown_scenario_is_refused_by_name(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--scenario", "routing,nope"])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "unknown scenario 'nope'" in err and "soak" in err


def test_bad_curve_sizes_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--scenario", "scale", "--scale-waiting", "10,x"])
    assert "whole numbers" in capsys.readouterr().err


@pytest.mark.slow
def test_scale_and_soak_report_curves(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out, png = tmp_path / "bench.json", tmp_path / "bench.png"
    status = main(
        [
            "--scenario",
            "scale,soak",
            "--json",
            str(out),
            "--plot",
            str(png),
            *TINY,
            "--scale-customers",
            "10,20",
            "--scale-waiting",
            "5,10",
            "--scale-engine",
            "50,100",
            "--customers",
            "6",
            "--rate",
            "20",
            "--minutes",
            "1",
        ]
    )
    assert status == 0
    results = json.loads(out.read_text())
    assert list(results)[:2] == ["scale", "soak"]
    scale = results["scale"]
    assert set(scale["memory_kb_per_customer"]) == {"10", "20"}
    assert set(scale["offer_p99_ms"]) == {"5", "10"}
    assert set(scale["engine_decisions_per_s"]) == {"50", "100"}
    for value in [*scale["offer_p99_ms"].values(), *scale["engine_decisions_per_s"].values()]:
        assert isinstance(value, int | float) and value > 0
    soak = results["soak"]
    assert soak["customers"] == 6 and soak["agents"] == 3 and soak["minutes"] == 1
    assert soak["errors"] == 0, soak["error_kinds"]
    # Samples at 0, 30 and 60 s and one after the last message is in.
    assert len(soak["rss_kb"]) >= 3 and all(p["kb"] > 0 for p in soak["rss_kb"])
    assert math.isfinite(soak["rss_slope_kb_per_min"])
    assert set(soak["p99_ms_per_minute"]) == {"0"}
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    table = capsys.readouterr().out
    assert "tap → offer p99, 10 waiting" in table and "soak: errors" in table


def test_plot_writes_a_png(tmp_path: Path) -> None:
    from hub.bench.plot import plot

    results = {
        "scale": {
            "memory_kb_per_customer": {"1000": 35.0, "5000": 34.0, "10000": 36.0},
            "offer_p99_ms": {"500": 9.0, "2000": 11.0, "5000": None},
            "engine_decisions_per_s": {"1000": 150000.0, "10000": 140000.0},
        },
        "soak": {
            "rss_kb": [{"t_s": 0.0, "kb": 90000}, {"t_s": 30.0, "kb": 90100}],
            "p99_ms_per_minute": {"0": 12.0},
        },
        "machine": {"cpu": "test", "cores": 2},
        "date": "2026-12-02T00:00:00+00:00",
    }
    png = tmp_path / "chart.png"
    assert plot(results, png)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not plot({"routing": {}}, tmp_path / "none.png")
    assert not (tmp_path / "none.png").exists()


@pytest.mark.slow
def test_the_reports_scenario_times_the_summary_of_a_stored_day(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    status = main(
        ["--scenario", "reports", "--json", str(out), "--quiet", "--report-contacts", "300"]
    )
    assert status == 0
    results = json.loads(out.read_text())["reports"]
    assert results["contacts"] == 300
    for key in ("seed_s", "summary_p50_ms", "summary_max_ms", "csv_ms"):
        assert math.isfinite(results[key]) and results[key] > 0, key
    assert results["csv_bytes"] > 300 * 50  # a header and 300 rows
    assert "not 300" not in json.loads(out.read_text())["notes"]["reports"]
