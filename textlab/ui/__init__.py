"""The Gradio app: the only package that imports gradio."""

import os

# Gradio otherwise sends usage analytics from background threads at import time.
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
