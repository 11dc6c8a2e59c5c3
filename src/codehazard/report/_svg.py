"""A small SVG renderer for the report's plots: curves with interval bands, and deltas.

Why our own: the report is one offline file, so a chart library would have to be vendored, and
matplotlib's SVG is large and not accessible. These plots are plain SVG text: a ``<title>`` and
``<desc>`` for screen readers, series told apart by marker shape and dash pattern as well as by
colour (Okabe-Ito, readable by colour-blind readers and in greyscale), and every plot is
accompanied by a table of the same numbers in the page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
"""Okabe-Ito colours, in the order series use them."""
DASHES = ("", "6 3", "2 2", "8 3 2 3", "1 3", "4 4", "10 2")
MARKERS = ("circle", "square", "diamond", "triangle", "cross", "circle", "square")

WIDTH, HEIGHT = 560, 300
LEFT, RIGHT, TOP, BOTTOM = 52, 16, 34, 46


@dataclass(frozen=True)
class Series:
    """One line of a plot: points ``(x label, y, low, high)`` and its name; ``yardstick``
    draws a dashed line without markers or band (such as the composed expectation)."""

    name: str
    points: Sequence[tuple[str, float, float | None, float | None]]
    yardstick: bool = False


def _marker(shape: str, x: float, y: float, colour: str) -> str:
    if shape == "square":
        return f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="{colour}"/>'
    if shape == "diamond":
        pts = f"{x:.1f},{y - 5:.1f} {x + 5:.1f},{y:.1f} {x:.1f},{y + 5:.1f} {x - 5:.1f},{y:.1f}"
        return f'<polygon points="{pts}" fill="{colour}"/>'
    if shape == "triangle":
        pts = f"{x:.1f},{y - 5:.1f} {x + 5:.1f},{y + 4:.1f} {x - 5:.1f},{y + 4:.1f}"
        return f'<polygon points="{pts}" fill="{colour}"/>'
    if shape == "cross":
        return (
            f'<path d="M{x - 4:.1f},{y - 4:.1f}L{x + 4:.1f},{y + 4:.1f}M{x - 4:.1f},'
            f'{y + 4:.1f}L{x + 4:.1f},{y - 4:.1f}" stroke="{colour}" stroke-width="2"/>'
        )
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}"/>'


def _axes(labels: Sequence[str], xs: Sequence[float], y_of: object, x_title: str) -> list[str]:
    out = [
        f'<line x1="{LEFT}" y1="{HEIGHT - BOTTOM}" x2="{WIDTH - RIGHT}" y2="{HEIGHT - BOTTOM}" '
        'stroke="#333"/>',
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{HEIGHT - BOTTOM}" stroke="#333"/>',
    ]
    for tick in (0.0, 0.25, 0.5, 0.75, 1.0):
        y = y_of(tick)  # type: ignore[operator]
        out.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" stroke="#ddd"/>'
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{tick:.0%}</text>'
        )
    for label, x in zip(labels, xs, strict=True):
        out.append(
            f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle">'
            f"{escape(label)}</text>"
        )
    out.append(
        f'<text x="{(LEFT + WIDTH - RIGHT) / 2:.1f}" y="{HEIGHT - 8}" text-anchor="middle">'
        f"{escape(x_title)}</text>"
    )
    return out


def curve_svg(
    title: str, x_title: str, series: Sequence[Series], *, plot_id: str, desc: str = ""
) -> str:
    """A pass-rate plot (y in [0, 1]) over categorical x labels, one line per series, each
    observed series with its interval band."""
    labels = list(dict.fromkeys(p[0] for s in series for p in s.points))
    span = WIDTH - LEFT - RIGHT
    step = span / max(len(labels), 1)
    xs = [LEFT + step * (i + 0.5) for i in range(len(labels))]
    x_of = dict(zip(labels, xs, strict=True))

    def y_of(v: float) -> float:
        return TOP + (1 - max(0.0, min(1.0, v))) * (HEIGHT - TOP - BOTTOM)

    body = _axes(labels, xs, y_of, x_title)
    legend = []
    for i, s in enumerate(series):
        colour, dash = PALETTE[i % len(PALETTE)], DASHES[i % len(DASHES)]
        pts = [(x_of[p[0]], p) for p in s.points]
        if not s.yardstick:
            band = [(x, p[3]) for x, p in pts if p[3] is not None]
            band += [(x, p[2]) for x, p in reversed(pts) if p[2] is not None]
            if len(band) > 2:
                poly = " ".join(f"{x:.1f},{y_of(v):.1f}" for x, v in band)  # type: ignore[arg-type]
                body.append(f'<polygon points="{poly}" fill="{colour}" fill-opacity="0.15"/>')
            for x, p in pts:
                if p[2] is not None and p[3] is not None:
                    body.append(
                        f'<line x1="{x:.1f}" y1="{y_of(p[2]):.1f}" x2="{x:.1f}" '
                        f'y2="{y_of(p[3]):.1f}" stroke="{colour}" stroke-width="1.5"/>'
                    )
        line = " ".join(f"{x:.1f},{y_of(p[1]):.1f}" for x, p in pts)
        pattern = dash or ("5 4" if s.yardstick else "")
        dash_attr = f' stroke-dasharray="{pattern}"' if pattern else ""
        body.append(
            f'<polyline points="{line}" fill="none" stroke="{colour}" stroke-width="2"{dash_attr}/>'
        )
        if not s.yardstick:
            body += [_marker(MARKERS[i % len(MARKERS)], x, y_of(p[1]), colour) for x, p in pts]
        legend.append((s.name, colour, dash, MARKERS[i % len(MARKERS)], s.yardstick))
    leg = _legend(legend)
    title_id, desc_id = f"{plot_id}-title", f"{plot_id}-desc"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} '
        f'{HEIGHT + 18 * len(legend)}" role="img" aria-labelledby="{title_id} {desc_id}" '
        f'class="plot" id="{plot_id}">'
        f'<title id="{title_id}">{escape(title)}</title>'
        f'<desc id="{desc_id}">{escape(desc or title)}</desc>'
        f'<text x="{LEFT}" y="18" class="plot-title">{escape(title)}</text>'
        + "".join(body)
        + leg
        + "</svg>"
    )


def _legend(items: list[tuple[str, str, str, str, bool]]) -> str:
    out = []
    for i, (name, colour, dash, marker, yardstick) in enumerate(items):
        y = HEIGHT + 4 + 18 * i
        dash_attr = f' stroke-dasharray="{dash or "5 4"}"' if dash or yardstick else ""
        out.append(
            f'<line x1="{LEFT}" y1="{y}" x2="{LEFT + 26}" y2="{y}" stroke="{colour}" '
            f'stroke-width="2"{dash_attr}/>'
        )
        if not yardstick:
            out.append(_marker(marker, LEFT + 13, y, colour))
        out.append(f'<text x="{LEFT + 34}" y="{y + 4}">{escape(name)}</text>')
    return "".join(out)


def delta_svg(
    title: str,
    rows: Sequence[tuple[str, float, float, float]],
    *,
    plot_id: str,
) -> str:
    """A forest plot of differences (label, delta, low, high) on [-1, 1], zero marked."""
    height = TOP + 22 * len(rows) + 30
    left = 220

    def x_of(v: float) -> float:
        return left + (max(-1.0, min(1.0, v)) + 1) / 2 * (WIDTH - left - 3 * RIGHT)

    body = [
        f'<line x1="{x_of(0):.1f}" y1="{TOP - 6}" x2="{x_of(0):.1f}" y2="{height - 24}" '
        'stroke="#333" stroke-dasharray="3 3"/>'
    ]
    for tick in (-1.0, -0.5, 0.0, 0.5, 1.0):
        body.append(
            f'<text x="{x_of(tick):.1f}" y="{height - 8}" text-anchor="middle">{tick:+.0%}</text>'
        )
    for i, (label, d, lo, hi) in enumerate(rows):
        y = TOP + 22 * i + 6
        body.append(
            f'<text x="{left - 8}" y="{y + 4}" text-anchor="end">{escape(label)}</text>'
            f'<line x1="{x_of(lo):.1f}" y1="{y}" x2="{x_of(hi):.1f}" y2="{y}" '
            f'stroke="{PALETTE[0]}" stroke-width="2"/>' + _marker("diamond", x_of(d), y, PALETTE[1])
        )
    title_id = f"{plot_id}-title"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-labelledby="{title_id}" class="plot" id="{plot_id}">'
        f'<title id="{title_id}">{escape(title)}</title>'
        f'<text x="8" y="18" class="plot-title">{escape(title)}</text>' + "".join(body) + "</svg>"
    )


RISK_COLOURS = (
    "#f2f2f2",
    "#fde725",
    "#a0da39",
    "#4ac16d",
    "#1fa187",
    "#277f8e",
    "#365c8d",
    "#46327e",
    "#440154",
)
"""Light to dark (viridis), so a higher risk is darker in colour and in greyscale alike."""


def risk_colour(rank: int, levels: int) -> tuple[str, str]:
    """Background and text colour of a risk level of rank ``rank`` (1 = lowest) of ``levels``."""
    if levels <= 1:
        return RISK_COLOURS[0], "#000"
    index = round((rank - 1) / (levels - 1) * (len(RISK_COLOURS) - 1))
    return RISK_COLOURS[index], "#fff" if index >= 5 else "#000"
