"""axe-core in a test's page: the accessibility violations of what the page shows now.

axe-core is a devDependency of web/ (``npm ci`` there puts it in web/node_modules). The script
is evaluated through the browser's debugging protocol, which a strict Content-Security-Policy
(the console's) does not stop, as it would a ``<script>`` tag added to the page.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

AXE = Path(__file__).parents[2] / "web" / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("critical", "serious")

RUN = """async ([selector, exclude]) => {
  const context = exclude.length
    ? { include: [selector], exclude: exclude.map((s) => [s]) }
    : selector;
  const r = await window.axe.run(context, { resultTypes: ["violations"], iframes: false });
  return r.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.map((n) => ({ target: n.target.join(" "), summary: n.failureSummary })),
  }));
}"""


async def violations(
    page: Any, selector: str = "html", *, exclude: tuple[str, ...] = ()
) -> list[dict[str, Any]]:
    """Every axe violation inside SELECTOR (less EXCLUDE) as the page is now."""
    if not await page.evaluate("() => !!window.axe"):
        if not AXE.exists():
            raise AssertionError(f"no {AXE}: run `npm ci` in web/")
        await page.evaluate(AXE.read_text() + "\n;true")
    result: list[dict[str, Any]] = await page.evaluate(RUN, [selector, list(exclude)])
    return result


async def blocking(
    page: Any, selector: str = "html", *, exclude: tuple[str, ...] = ()
) -> list[dict[str, Any]]:
    """The critical and serious violations only: what a page may not have."""
    return [v for v in await violations(page, selector, exclude=exclude) if v["impact"] in BLOCKING]


def describe(found: list[dict[str, Any]]) -> str:
    """The violations, one line per node, for an assertion's message."""
    return "\n".join(
        f"{v['impact']} {v['id']} ({v['help']}): {n['target']}: {n['summary']}"
        for v in found
        for n in v["nodes"]
    )
