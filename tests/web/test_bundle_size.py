"""The widget is a guest on the shop's page: it stays within its size budget, and what only
Mayday needs (rrweb, WebRTC) is a second file loaded at the video tap. These read the built
files in hub/static (web/build.mjs makes them); no browser is needed."""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any

STATIC = Path(__file__).parents[2] / "hub" / "static"
BUDGET = 35 * 1024
# The lazy Mayday bundle has no hard budget (it loads only at the tap), but a ceiling catches
# an accident such as a second copy of socket.io or of the rrweb replayer.
MAYDAY_CEILING = 100 * 1024
MAYDAY = STATIC / "widget-mayday.js"


def gzipped(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), compresslevel=9))


def test_widget_within_budget(record_property: Any) -> None:
    size = gzipped(STATIC / "widget.js")
    record_property("widget_js_gzip_bytes", size)
    print(f"widget.js: {size / 1024:.1f} KB gzipped (budget {BUDGET // 1024} KB)")
    assert size <= BUDGET, f"widget.js is {size} bytes gzipped, over its {BUDGET} budget"


def test_mayday_bundle_is_lazy_and_reported(record_property: Any) -> None:
    size = gzipped(MAYDAY)
    record_property("widget_mayday_js_gzip_bytes", size)
    print(f"widget-mayday.js (lazy): {size / 1024:.1f} KB gzipped")
    assert size <= MAYDAY_CEILING, f"widget-mayday.js is {size} bytes gzipped"
    widget = (STATIC / "widget.js").read_text()
    mayday = MAYDAY.read_text()
    # rrweb is in the lazy file only; the socket.io client in widget.js only (shared at run time).
    assert "rr_width" in mayday and "rr_width" not in widget
    assert "widget-mayday.js" in widget
    assert "engine.io" not in mayday and "EIO" not in mayday
    # (rrweb carries the word inside strings; what matters is that the file points to no map)
    assert "sourceMappingURL" not in mayday.rstrip().splitlines()[-1]


def test_widget_bundles_socket_io_and_no_source_map() -> None:
    text = (STATIC / "widget.js").read_text()
    assert "sourceMappingURL" not in text
    # The socket.io client is inside, not fetched from elsewhere at run time.
    assert "engine.io" in text or "EIO" in text


def test_console_and_demo_are_built() -> None:
    for name in (
        "console/index.html",
        "console/console.js",
        "console/console.css",
        "widget-mayday.js",
        "demo/index.html",
        "demo/cart.html",
    ):
        assert (STATIC / name).is_file(), name


def test_the_charts_are_the_supervisors_only() -> None:
    # Chart.js is in the reports' own bundle, which the console loads on first use only.
    console = (STATIC / "console" / "console.js").read_text()
    charts = (STATIC / "console" / "charts.js").read_text()
    # ("chartjs" is in Chart.js's own strings, which minifying keeps.)
    assert "LifelineCharts" in charts and "chartjs" in charts
    assert "/console/charts.js" in console and "chartjs" not in console
