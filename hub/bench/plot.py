"""``hub bench --plot FILE``: the scale curves and the soak as one PNG (matplotlib, Agg)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hub.errors import HubError


def require_matplotlib() -> None:
    """Raise a readable error now if ``--plot`` cannot work, before minutes of measuring."""
    try:
        import matplotlib  # noqa: F401
    except ImportError as exc:
        raise HubError(
            "--plot needs matplotlib: pip install 'lifeline-hub[bench]'",
            code="missing_dependency",
        ) from exc


def plot(results: dict[str, Any], path: Path) -> bool:
    """Draw what ``results`` holds of the scale and soak scenarios into ``path``.

    Returns False, writing nothing, when neither ran. matplotlib is the optional ``bench``
    extra, imported only here.
    """
    panels: list[tuple[str, str, dict[str, Any], str]] = []
    scale = results.get("scale") or {}
    for key, title, unit in (
        ("memory_kb_per_customer", "memory per idle customer", "KB"),
        ("offer_p99_ms", "tap → offer p99", "ms"),
        ("engine_decisions_per_s", "routing engine alone", "decisions/s"),
    ):
        if scale.get(key):
            panels.append(("curve", title, scale[key], unit))
    soak = results.get("soak") or {}
    if soak.get("rss_kb"):
        rss = {str(p["t_s"] / 60): p["kb"] / 1024 for p in soak["rss_kb"]}
        panels.append(("time", "soak: hub RSS", rss, "MB"))
    if soak.get("p99_ms_per_minute"):
        panels.append(("time", "soak: chat p99 per minute", soak["p99_ms_per_minute"], "ms"))
    if not panels:
        return False
    require_matplotlib()
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(panels), figsize=(4.2 * len(panels), 3.4), squeeze=False)
    for ax, (kind, title, points, unit) in zip(axes[0], panels, strict=True):
        xs = [float(x) for x in points]
        ys = [float("nan") if y is None else float(y) for y in points.values()]
        ax.plot(xs, ys, marker="o")
        ax.set_title(title, fontsize=10)
        ax.set_ylabel(unit)
        ax.set_xlabel("minutes" if kind == "time" else "size")
        ax.set_ylim(bottom=0)
        ax.grid(True, alpha=0.3)
    machine = results.get("machine") or {}
    fig.suptitle(
        f"hub bench {results.get('date', '')}: {machine.get('cpu', '')}, "
        f"{machine.get('cores', '?')} cores",
        fontsize=9,
    )
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return True
