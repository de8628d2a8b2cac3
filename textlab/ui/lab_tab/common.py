"""What the Lab's inner tabs share: turning the Lab's errors into messages."""

from __future__ import annotations

from textlab.lab.data import ExperimentError
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
