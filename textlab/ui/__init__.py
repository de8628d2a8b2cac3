"""The Gradio app: the only package that imports gradio."""

import os

# Gradio otherwise sends usage analytics from background threads at import time.
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
# After every queued event Gradio rebuilds its latency summary (the View API page's figures) in pandas from up to
# 10,000 past events: 6-16 ms of CPU each time, much of it holding the GIL, as much as a classification costs, and 12%
# of the app's samples under `bench serve`'s load. Every 100 events keeps the figures and drops the cost.
os.environ.setdefault("GRADIO_ANALYTICS_CACHE_FREQUENCY", "100")
