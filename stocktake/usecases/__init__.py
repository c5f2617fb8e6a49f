"""The use-case layer: what Stocktake does, once, for every face.

The CLI (``stocktake.cli``), the app (``stocktake.serve``) and the agent's tools (``stocktake.agent.tools``) call
these modules, one per domain (``catalog``, ``profiling``, ``questions``, ``cleaning``, ``models``, ``docs``,
``reports``), and never re-enter the engines (``stocktake.tools``) on their own. A use case takes the workspace's
services (``Services``) and plain arguments, decides what is to be decided (which session is open, which columns
hold the user and the item, which profiles to read), and returns a typed result: a frozen dataclass or a pydantic
model. It raises ``StocktakeError`` with structured fields; each face words the error its own way
(``StocktakeError.for_face``). Nothing here prints, renders or knows about options, buttons or tool calls.
"""

from stocktake.usecases.services import Services

__all__ = ["Services"]
