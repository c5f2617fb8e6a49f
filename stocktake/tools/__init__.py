"""Engines: plain Python over data, with typed results; no UI or LangChain imports."""
