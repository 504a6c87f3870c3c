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
from hub.bench.scenarios import SCENARIOS

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
]


def parse_args(argv: list[str]) -> argparse.Namespace:
    defaults = Options()
    parser = argparse.ArgumentParser(
        prog="hub bench", description="Measure the hub against the targets of DESIGN §12."
    )
    parser.add_argument("--scenario", choices=[*SCENARIOS, "all"], default="all")
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
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
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    for name in ("agents", "samples", "pairs", "window", "rate", "sessions"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1")
    if args.waiting < 0 or args.customers < 1 or args.seconds <= 0:
        parser.error("--waiting must be >= 0, --customers >= 1 and --seconds > 0")
    return args


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
    names = list(SCENARIOS) if args.scenario == "all" else [args.scenario]
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
