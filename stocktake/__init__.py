"""Stocktake: an AI assistant that takes stock of e-commerce search & recommendation data."""

__version__ = "0.1.0"
