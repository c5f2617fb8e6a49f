"""The Gradio app: chat with the assistant, and tabs for the inventory, docs, models, cleaning and the report.

Gradio and the Hugging Face hub client read these switches when they are imported, so they are set here,
before any module of this package imports gradio: no analytics call, no telemetry thread, no request that
leaves the machine.
"""

import os

os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
os.environ["ANONYMIZED_TELEMETRY"] = "False"
