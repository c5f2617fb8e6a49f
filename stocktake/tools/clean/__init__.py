"""Guided data cleaning: proposed steps, decisions in a persistent session, export as a pandas script."""

from stocktake.tools.clean.propose import propose_steps
from stocktake.tools.clean.proposal import CleanSettings, Proposal
from stocktake.tools.clean.session import CleaningSession, load_session, start_session
from stocktake.tools.clean.steps import STEP_TYPES, describe_kinds, get_step
from stocktake.tools.clean.store import list_sessions

__all__ = ["CleanSettings", "CleaningSession", "Proposal", "STEP_TYPES", "describe_kinds", "get_step",
           "list_sessions", "load_session", "propose_steps", "start_session"]
