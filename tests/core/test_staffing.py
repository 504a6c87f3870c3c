"""Erlang C staffing and the reports' arithmetic: the reference case exactly, then invariants."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hub.core import reports
from hub.core.staffing import erlang_b, erlang_c, service_level, staffing


def test_the_reference_case_of_the_design() -> None:
    # 100 contacts per 1800 s, AHT 180 s, 80 % answered in 20 s (DESIGN §9).
    got = staffing(volume=100, interval_s=1800, aht_s=180, threshold_s=20, target_pct=80)
    assert got.traffic_erlangs == pytest.approx(10.0)
    assert got.agents == 14
    assert got.service_level_pct == pytest.approx(88.8, abs=0.05)
    assert got.p_wait == pytest.approx(0.174, abs=0.0005)
    assert got.asa_s == pytest.approx(7.84, abs=0.005)
    assert got.occupancy_pct == pytest.approx(71.4, abs=0.05)
    assert got.scheduled == 20
    # One agent fewer misses the target: 79.6 %.
    assert service_level(13, 10.0, 180, 20) == pytest.approx(0.796, abs=0.0005)


def test_erlang_b_matches_its_closed_form_where_that_is_exact() -> None:
    for n, a in [(1, 1.0), (5, 3.0), (10, 7.5)]:
        closed = (a**n / math.factorial(n)) / sum(a**k / math.factorial(k) for k in range(n + 1))
        assert erlang_b(n, a) == pytest.approx(closed, rel=1e-12)


def test_the_occupancy_cap_can_decide() -> None:
    # A lenient target is met by 11 agents, but 10 ÷ 11 is 91 % busy: the cap asks for 12.
    got = staffing(volume=100, interval_s=1800, aht_s=180, threshold_s=20, target_pct=30)
    assert got.agents == 12 and got.occupancy_pct is not None and got.occupancy_pct <= 85


def test_chats_share_an_agent() -> None:
    single = staffing(volume=300, interval_s=3600, aht_s=600, threshold_s=30, target_pct=80)
    shared = staffing(
        volume=300, interval_s=3600, aht_s=600, threshold_s=30, target_pct=80, concurrency=3
    )
    assert shared.traffic_erlangs == pytest.approx(single.traffic_erlangs / 3)
    assert shared.agents < single.agents


def test_no_volume_needs_nobody_and_measures_nothing() -> None:
    got = staffing(volume=0, interval_s=1800, aht_s=180, threshold_s=20, target_pct=80)
    assert (got.agents, got.scheduled) == (0, 0)
    assert got.service_level_pct is None and got.p_wait is None and got.asa_s is None


@pytest.mark.parametrize(
    "bad",
    [
        {"volume": -1},
        {"interval_s": 0},
        {"aht_s": -5},
        {"threshold_s": -1},
        {"target_pct": 100},
        {"target_pct": 0},
        {"max_occupancy_pct": 0},
        {"shrinkage_pct": 100},
        {"concurrency": 0},
        {"volume": 1e12},
        # Traffic beyond what a float holds (found by the OpenAPI fuzz test).
        {"volume": 1e300, "aht_s": 1e300},
    ],
)
def test_inputs_without_an_answer_are_refused(bad: dict[str, float]) -> None:
    args = {"volume": 100, "interval_s": 1800, "aht_s": 180, "threshold_s": 20, "target_pct": 80}
    with pytest.raises(ValueError):
        staffing(**{**args, **bad})  # type: ignore[arg-type]


traffic = st.floats(0.01, 200.0)


@given(traffic, st.integers(0, 400))
def test_p_wait_is_a_probability_and_falls_with_agents(a: float, extra: int) -> None:
    n = math.floor(a) + 1 + extra
    c = erlang_c(n, a)
    assert 0.0 <= c <= 1.0
    assert erlang_c(n + 1, a) <= c + 1e-12
    assert 0.0 <= erlang_b(n, a) <= c + 1e-12  # a lost call would have waited


@given(traffic, st.integers(0, 400), st.floats(1.0, 900.0), st.floats(0.0, 600.0))
def test_service_level_rises_with_agents(a: float, extra: int, aht: float, t: float) -> None:
    n = math.floor(a) + 1 + extra
    level = service_level(n, a, aht, t)
    assert 0.0 <= level <= 1.0
    assert service_level(n + 1, a, aht, t) >= level - 1e-12


@given(
    st.floats(1.0, 5000.0),
    st.floats(300.0, 7200.0),
    st.floats(10.0, 900.0),
    st.floats(0.0, 300.0),
    st.floats(1.0, 99.0),
)
def test_the_answer_is_the_fewest_agents_that_do(
    volume: float, interval: float, aht: float, threshold: float, target: float
) -> None:
    got = staffing(
        volume=volume, interval_s=interval, aht_s=aht, threshold_s=threshold, target_pct=target
    )
    a = got.traffic_erlangs
    assert got.agents > a
    assert got.service_level_pct is not None and got.service_level_pct >= target
    assert got.occupancy_pct is not None and got.occupancy_pct <= 85 + 1e-9
    assert got.scheduled >= got.agents
    fewer = got.agents - 1
    assert (
        fewer <= a or service_level(fewer, a, aht, threshold) * 100 < target or a / fewer * 100 > 85
    )


def test_a_figure_with_nothing_to_measure_is_none() -> None:
    assert reports.pct(3, 0) is None
    assert reports.percentile([], 90) is None
    assert reports.service_level(0, 2, 2) is None  # every contact left within seconds


def test_percentiles_are_nearest_rank() -> None:
    waits = [float(x) for x in range(1, 11)]  # 1..10 s
    assert reports.percentile(waits, 90) == 9.0
    assert reports.percentile(waits, 100) == 10.0
    assert reports.percentile(waits, 50) == 5.0
    assert reports.percentile([7.0], 90) == 7.0


@given(st.lists(st.floats(0, 1e6), min_size=1, max_size=50), st.floats(0.5, 100.0))
def test_a_percentile_is_one_of_the_values_and_has_p_percent_at_or_below(
    values: list[float], p: float
) -> None:
    got = reports.percentile(values, p)
    assert got in values
    at_or_below = sum(1 for v in values if v <= got)
    assert at_or_below >= p / 100 * len(values) - 1e-9


def test_service_levels_are_parsed_per_channel_and_default_for_the_rest() -> None:
    got = reports.parse_service_levels("video=95/10, chat=70/60")
    assert got == {
        "video": {"target_pct": 95.0, "threshold_s": 10.0},
        "chat": {"target_pct": 70.0, "threshold_s": 60.0},
    }
    levels = reports.service_levels({"service_level": {"chat": got["chat"]}})
    assert levels["chat"] == {"target_pct": 70.0, "threshold_s": 60.0}
    assert levels["video"] == reports.DEFAULT_SERVICE_LEVELS["video"]
    assert reports.service_levels(None) == reports.DEFAULT_SERVICE_LEVELS


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "chat",
        "chat=80",
        "email=80/30",
        "chat=x/30",
        "chat=100/30",
        "chat=80/0",
        "chat=1/2,chat=3/4",
    ],
)
def test_a_bad_service_level_is_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        reports.parse_service_levels(bad)


def test_a_percentile_needs_a_sensible_p() -> None:
    with pytest.raises(ValueError):
        reports.percentile([1.0], 0)
