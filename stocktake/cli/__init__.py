"""The ``stocktake`` command line."""
