"""Look inside the chat's character LSTM: how surprised it is by each character, what each unit (hidden, cell and
gates) does over a text, which units track a property of the text, and which earlier characters drive a prediction.

NumPy and torch only, no Gradio: the Look inside tab, `python -m textlab inspect` and `bench/inspect.py` call these.
"""

from textlab.inspect.drivers import Drivers, drivers
from textlab.inspect.properties import PROPERTIES, find_span, property_values, regex_property, span_values
from textlab.inspect.reading import Reading, read_text
from textlab.inspect.trace import STATES, Trace, lstm_states, trace
from textlab.inspect.units import UnitScore, find_units, rank_units, span_units

__all__ = [
    "PROPERTIES",
    "STATES",
    "Drivers",
    "Reading",
    "Trace",
    "UnitScore",
    "drivers",
    "find_span",
    "find_units",
    "lstm_states",
    "property_values",
    "rank_units",
    "read_text",
    "regex_property",
    "span_units",
    "span_values",
    "trace",
]
