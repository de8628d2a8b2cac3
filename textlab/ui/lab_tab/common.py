"""What the Lab's inner tabs share: turning the Lab's errors into messages, and curve points into plot frames."""

from __future__ import annotations

import pandas as pd

from textlab.lab.data import ExperimentError
from textlab.lab.experiments import Point
from textlab.lab.own_model import OwnModelError
from textlab.lab.preprocess import PreprocessError
from textlab.lab.summary import BuilderError
from textlab.ui.common import user_error


def answer(fn, *args):
    """`fn(*args)`, an error a person caused shown as its message."""
    try:
        return fn(*args)
    except (PreprocessError, BuilderError, ExperimentError, OwnModelError) as e:
        raise user_error(str(e)) from None


def frames(points: list[Point], second: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The loss curves, and the curves of the `second` metric, as LinePlot frames (x, value, curve)."""
    rows = [(p.x, p.value, f"{p.series} \u00b7 {p.split}", p.metric) for p in points]
    frame = pd.DataFrame(rows, columns=["x", "value", "curve", "metric"])
    return frame[frame.metric == "loss"].drop(columns="metric"), frame[frame.metric == second].drop(columns="metric")
