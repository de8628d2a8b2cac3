"""The Lab's curves as Vega-Lite specs for `gr.Plot`: one colour per run, the style of its line for what the line is
(solid training, dashed validation), whole-number ticks on the x axis.

Not `gr.LinePlot`: its frontend writes its own spec with a Vega-Lite 5.17 `$schema` and draws it with the Vega-Lite
6.4 it bundles, which logs "The input spec uses Vega-Lite v5.17.0, but the current version of Vega-Lite is v6.4.2"
at every draw, and it has no line styles. `gr.Plot` draws an Altair-type spec with the Vega-Lite 5 it bundles for
Altair, in the page's theme.
"""

from __future__ import annotations

import itertools
import json
import math

from gradio.components.plot import AltairPlotData

from textlab.lab.experiments import Point

SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"  # what gr.Plot's Vega-Lite (5.23) reads without a warning
TRAIN_VALID = {"train": "training", "validation": "validation"}  # a point's split -> its line, solid then dashed
DASHES = [[1, 0], [6, 4]]
# Gradio recolours a themed line chart from its own palette, in this order; these are for the spec read elsewhere
COLOURS = ["#ef4444", "#22c55e", "#3b82f6", "#eab308", "#a855f7", "#14b8a6"]


def ticks(xs: list[float], most: int = 10) -> list[int]:
    """Whole numbers across the range of `xs`, every 1, 2, 5, 10, 20, ... of them: at most `most` ticks."""
    if not xs:
        return []
    low, high = math.ceil(min(xs)), math.floor(max(xs))
    step = next(s for s in (m * 10**e for e in itertools.count() for m in (1, 2, 5)) if (high - low) // s < most)
    return list(range(-(-low // step) * step, high + 1, step))


def chart(
    points: list[Point], metric: str, title: str, x_title: str, y_title: str, lines: dict[str, str] = TRAIN_VALID
) -> AltairPlotData:
    """The points of `metric` as a line chart; `lines` names the splits, its first drawn solid, its second dashed.
    Points that are not finite (a validation loss with nothing to validate) are left out: JSON cannot hold them."""
    rows = [
        {"x": p.x, "value": p.value, "run": p.series, "line": lines[p.split]}
        for p in points
        if p.metric == metric and math.isfinite(p.value)
    ]
    runs = list(dict.fromkeys(row["run"] for row in rows))
    xs = [row["x"] for row in rows]
    legend = {"orient": "bottom", "symbolType": "stroke", "symbolSize": 400, "symbolStrokeWidth": 2}
    encoding = {
        "x": {
            "field": "x",
            "type": "quantitative",
            "title": x_title,
            "axis": {"values": ticks(xs), "format": ",d"},
            "scale": {"zero": False},
        },
        "y": {"field": "value", "type": "quantitative", "title": y_title, "scale": {"zero": False}},
        "color": {
            "field": "run",
            "title": "run (one colour each)",
            "scale": {"domain": runs, "range": [COLOURS[i % len(COLOURS)] for i in range(len(runs))]},
            "legend": legend,
        },
        "strokeDash": {
            "field": "line",
            "title": "line",
            "scale": {"domain": list(lines.values()), "range": DASHES},
            "legend": legend,
        },
        "tooltip": [
            {"field": "run"},
            {"field": "line"},
            {"field": "x", "title": x_title, "format": ",d"},
            {"field": "value", "title": y_title, "format": ".4g"},
        ],
    }
    spec = {
        "$schema": SCHEMA,
        "usermeta": {"embedOptions": {"renderer": "svg", "actions": False}},
        "title": title,
        "height": 260,
        "data": {"values": rows},
        "layer": [{"mark": "line", "encoding": encoding}],
    }
    return AltairPlotData(chart="line", plot=json.dumps(spec))
