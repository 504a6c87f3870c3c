"""``hub bench``: load scenarios against a real hub on loopback; a table, and JSON if asked."""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import platform
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tqdm import tqdm

from hub.bench.common import Context, Options
from hub.bench.plot import plot, require_matplotlib
from hub.bench.scenarios import QUICK, SCENARIOS
from hub.errors import HubError

# (scenario, key, label, unit, target) for the printed table, in DESIGN §12 order.
TABLE: list[tuple[str, str, str, str, str]] = [
    ("routing", "offer_p50_ms", "tap → offer p50", "ms", ""),
    ("routing", "offer_p99_ms", "tap → offer p99", "ms", "< 50"),
    ("routing", "engine_decisions_per_s", "routing engine alone", "decisions/s", "≥ 20000"),
    ("chat", "bare_relay_msgs_per_s", "bare socket.io relay", "msg/s", "(floor)"),
    ("chat", "hub_msgs_per_s", "chat customer → agent", "msg/s", ""),
    ("chat", "ratio_to_bare", "hub / bare relay", "ratio", "≥ 0.5"),
    ("chat", "bare_relay_p99_ms_at_500_per_s", "bare relay p99 at 500 msg/s", "ms", "(floor)"),
    ("chat", "p50_ms_at_500_per_s", "chat p50 at 500 msg/s", "ms", ""),
    ("chat", "p99_ms_at_500_per_s", "chat p99 at 500 msg/s", "ms", "< 50"),
    ("memory", "kb_per_idle_customer", "idle customer", "KB each", "< 150"),
    ("video", "first_frame_p50_ms", "Mayday tap → first agent frame p50", "ms", ""),
    ("video", "first_frame_p95_ms", "Mayday tap → first agent frame p95", "ms", "< 1500"),
    ("soak", "errors", "soak: errors", "count", "0"),
    ("soak", "achieved_per_s", "soak: messages sent", "msg/s", ""),
    ("soak", "p99_ms", "soak: chat p99, whole run", "ms", ""),
    ("soak", "rss_slope_kb_per_min", "soak: hub RSS slope", "KB/min", "flat"),
    ("reports", "summary_p50_ms", "reports: summary of the day, p50", "ms", "< 1000"),
    ("reports", "summary_max_ms", "reports: summary of the day, slowest", "ms", "< 1000"),
    ("reports", "series_ms", "reports: the day by hour (series)", "ms", ""),
    ("reports", "csv_ms", "reports: the day's CSV", "ms", ""),
    ("logins", "quiet_history_p50_ms", "history ack, quiet, p50", "ms", ""),
    ("logins", "flood_history_p50_ms", "history ack during 60 wrong logins, p50", "ms", ""),
    ("logins", "flood_history_max_ms", "history ack in 60 wrong logins, slowest", "ms", "< 250"),
    ("logins", "flood_s", "60 wrong logins, all answered in", "s", ""),
]

# (scenario, key, label with {n}, unit, target): one row for each point of a curve.
CURVES: list[tuple[str, str, str, str, str]] = [
    ("scale", "memory_kb_per_customer", "idle customer, {n} connected", "KB each", "flat"),
    ("scale", "offer_p99_ms", "tap → offer p99, {n} waiting", "ms", "< 50"),
    ("scale", "engine_decisions_per_s", "engine alone, {n} contacts", "decisions/s", "flat"),
    ("soak", "p99_ms_per_minute", "soak: chat p99 in minute {n}", "ms", ""),
    ("soak", "rss_kb", "", "KB", ""),
]


def parse_args(argv: list[str]) -> argparse.Namespace:
    defaults = Options()
    parser = argparse.ArgumentParser(
        prog="hub bench", description="Measure the hub against the targets of DESIGN §12."
    )
    parser.add_argument(
        "--scenario",
        type=scenario_list,
        default=list(QUICK),
        metavar="NAME[,NAME...]",
        help=f"comma-separated, of {', '.join(SCENARIOS)}; or all (the default: "
        f"{', '.join(QUICK)}; scale and soak take minutes and run when named)",
    )
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    parser.add_argument(
        "--plot", metavar="FILE", help="also draw the scale and soak curves as a PNG (matplotlib)"
    )
    parser.add_argument(
        "--database-url",
        help="run against this database (e.g. PostgreSQL) instead of a fresh SQLite file",
    )
    parser.add_argument(
        "--waiting",
        type=int,
        default=defaults.waiting,
        help="contacts waiting that no agent can take (routing)",
    )
    parser.add_argument(
        "--agents", type=int, default=defaults.agents, help="available agents (routing)"
    )
    parser.add_argument(
        "--samples", type=int, default=defaults.samples, help="taps measured (routing)"
    )
    parser.add_argument(
        "--customers",
        type=int,
        default=defaults.customers,
        help="idle customers connected (memory)",
    )
    parser.add_argument(
        "--seconds", type=float, default=defaults.seconds, help="length of each chat measurement"
    )
    parser.add_argument(
        "--pairs", type=int, default=defaults.pairs, help="customer → agent conversations (chat)"
    )
    parser.add_argument(
        "--window",
        type=int,
        default=defaults.window,
        help="unacked messages per sender (chat throughput)",
    )
    parser.add_argument(
        "--rate", type=int, default=defaults.rate, help="paced messages per second (chat p99)"
    )
    parser.add_argument(
        "--sessions", type=int, default=defaults.sessions, help="Mayday sessions at once (video)"
    )
    parser.add_argument(
        "--minutes",
        type=float,
        default=defaults.minutes,
        help="length of the steady phase, fractions allowed (soak)",
    )
    for flag, default, what in (
        ("--scale-customers", defaults.scale_customers, "idle customers"),
        ("--scale-waiting", defaults.scale_waiting, "contacts waiting"),
        ("--scale-engine", defaults.scale_engine, "contacts in the engine alone"),
    ):
        parser.add_argument(
            flag,
            type=sizes,
            default=default,
            metavar="N[,N...]",
            help=f"{what} at each point of the curve (scale)",
        )
    parser.add_argument(
        "--report-contacts",
        type=int,
        default=defaults.report_contacts,
        help="contacts stored for the day (reports)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    for name in ("agents", "samples", "pairs", "window", "rate", "sessions"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1")
    if args.report_contacts < 10:
        parser.error("--report-contacts must be at least 10")
    if args.waiting < 0 or args.customers < 1 or args.seconds <= 0:
        parser.error("--waiting must be >= 0, --customers >= 1 and --seconds > 0")
    if args.minutes <= 0:
        parser.error("--minutes must be > 0")
    return args


def scenario_list(text: str) -> list[str]:
    """``routing,chat`` or ``all`` → the scenarios to run, in the order given, each once."""
    names = [n.strip() for n in text.split(",") if n.strip()]
    if names == ["all"]:
        return list(QUICK)
    unknown = [n for n in names if n not in SCENARIOS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown scenario {', '.join(map(repr, unknown)) or repr(text)}; "
            f"choose from {', '.join(SCENARIOS)}, or all"
        )
    return list(dict.fromkeys(names))


def sizes(text: str) -> tuple[int, ...]:
    """``1000,5000`` → (1000, 5000): the points of a curve, each at least 1."""
    try:
        values = tuple(int(v) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of whole numbers: {text!r}") from None
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError(f"sizes must be at least 1: {text!r}")
    return values


def machine() -> dict[str, Any]:
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


async def run(args: argparse.Namespace) -> dict[str, Any]:
    names: list[str] = args.scenario
    options = Options(
        waiting=args.waiting,
        agents=args.agents,
        samples=args.samples,
        customers=args.customers,
        seconds=args.seconds,
        pairs=args.pairs,
        window=args.window,
        rate=args.rate,
        sessions=args.sessions,
        minutes=args.minutes,
        scale_customers=args.scale_customers,
        scale_waiting=args.scale_waiting,
        scale_engine=args.scale_engine,
        report_contacts=args.report_contacts,
    )
    results: dict[str, Any] = {}
    with (
        tempfile.TemporaryDirectory(prefix="hub-bench-") as tmp,
        tqdm(file=sys.stderr, disable=args.quiet, mininterval=0.3, leave=False) as bar,
    ):
        ctx = Context(options=options, workdir=Path(tmp), bar=bar, database_url=args.database_url)
        for name in names:
            results[name] = await SCENARIOS[name](ctx)
        results["notes"] = ctx.notes
    results["machine"] = machine()
    results["date"] = datetime.now(UTC).isoformat(timespec="seconds")
    results["database"] = "given by --database-url" if args.database_url else "fresh SQLite"
    return results


def _fmt(value: Any) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        if not math.isfinite(value):
            return "n/a"
        return f"{value:,.2f}" if value < 100 else f"{value:,.0f}"
    return str(value)


def table(results: dict[str, Any]) -> str:
    rows = [("figure", "value", "unit", "target")]
    for scenario, key, label, unit, target in TABLE:
        if scenario in results:
            rows.append((label, _fmt(results[scenario].get(key)), unit, target))
    for scenario, key, label, unit, target in CURVES:
        curve = results.get(scenario, {}).get(key)
        if isinstance(curve, dict):
            for n, value in curve.items():
                rows.append((label.format(n=n), _fmt(value), unit, target))
        elif isinstance(curve, list):  # the soak's RSS samples
            for point in curve:
                rows.append((f"soak: hub RSS at {point['t_s']:g} s", _fmt(point["kb"]), unit, ""))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = [
        "  ".join(
            c.ljust(w) if i != 1 else c.rjust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        )
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    m = results["machine"]
    lines.append("")
    lines.append(
        f"{m['cpu']}, {m['cores']} cores, Python {m['python']}, {results['database']}, "
        f"{results['date']}"
    )
    for scenario, note in results.get("notes", {}).items():
        lines.append(f"{scenario}: {note}")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    """Entry point for ``hub bench``; returns the process exit status."""
    if argv[:1] == ["--"]:
        argv = argv[1:]  # ``hub bench -- --json F`` when a parent parser needs the separator
    args = parse_args(argv)
    if args.plot:
        try:
            require_matplotlib()
        except HubError as exc:
            print(f"hub bench: {exc.message}", file=sys.stderr)
            return 2
    try:
        results = asyncio.run(run(args))
    except KeyboardInterrupt:
        return 130
    print(table(results))
    if args.json:
        # NaN (a figure that could not be measured) is not JSON: write null instead.
        Path(args.json).write_text(
            json.dumps(_finite(results), indent=2, allow_nan=False, default=str) + "\n"
        )
    if args.plot and not plot(_finite(results), Path(args.plot)):
        print("hub bench: --plot draws the scale and soak scenarios; neither ran", file=sys.stderr)
    return 0


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
