"""A session's log of decisions folded up into the decisions in force: which steps are applied (in order), which
are accepted or rejected, each step's trail of decisions and reversals, what undo takes back and redo makes again.

Nothing in the log is erased: an undo is an event of its own, so the fold of the whole log is the current state.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from stocktake.errors import StocktakeError


@dataclass
class Decisions:
    """The session's log folded up: which steps are applied (in order), which decisions are in force, and so on."""
    params: dict[str, dict]
    status: dict[str, str]  # proposed, accepted or rejected
    trail: dict[str, list[str]]  # each step's decisions and their reversals, oldest first
    applied: list[str] = field(default_factory=list)
    decided: list[str] = field(default_factory=list)  # steps with a decision in force, latest last: what undo takes
    redo: list[tuple[str, str, int]] = field(default_factory=list)  # (step, decision undone, where it was applied)

    def decide(self, sid: str, decision: str, position: int) -> None:
        if decision == "accepted":
            self.applied.insert(position, sid)
        if sid in self.decided:  # logs from before decisions were pending-only may accept a rejected step
            self.decided.remove(sid)
        self.decided.append(sid)
        self.status[sid] = decision
        self.trail[sid].append(decision)

    def take_back(self, sid: str) -> None:
        if sid in self.applied:
            self.applied.remove(sid)
        self.decided.remove(sid)
        self.status[sid] = "proposed"
        self.trail[sid].append("undone")

    def pending(self) -> list[str]:
        """The steps waiting for a decision, in the order they were defined."""
        return [sid for sid, status in self.status.items() if status == "proposed"]


def fold(state: dict) -> Decisions:
    """Replay a session's decision log into the decisions in force."""
    d = Decisions(params={sid: dict(step["params"]) for sid, step in state["steps"].items()},
                  status={sid: "proposed" for sid in state["steps"]},
                  trail={sid: [] for sid in state["steps"]})
    for n, ev in enumerate(state["events"], 1):
        try:
            _fold_event(d, ev)
        except (KeyError, ValueError, IndexError):  # a log no sequence of decisions here could write
            raise StocktakeError(f"Cleaning session {state['id']} has a damaged history (event {n}, "
                                 f"{ev['op']} {ev['step']}); nothing was changed.") from None
    return d


def _fold_event(d: Decisions, ev: dict) -> None:
    sid, op = ev["step"], ev["op"]
    if op in ("accept", "edit"):
        d.params[sid].update(ev["params"])
    if op in ("accept", "reject"):
        d.decide(sid, "accepted" if op == "accept" else "rejected", len(d.applied))
        d.redo.clear()
    elif op == "undo":
        d.redo.append((sid, d.status[sid], d.applied.index(sid) if sid in d.applied else -1))
        d.take_back(sid)
    elif op == "redo":
        # By step: a log written before a reject cleared the redo stack may name a step that is not on it.
        entry = next((e for e in reversed(d.redo) if e[0] == sid), None)
        if entry:
            d.redo.remove(entry)
            d.decide(*entry)
