"""Chat conversations kept in the workspace, so that a reloaded page (or a browser coming back) can show them again.

One JSON file per conversation, named by its thread id: the id the assistant keys its memory, query plans and
cleaning session by (the same thread a CLI ``--thread`` names). A browser keeps the ids of its own
conversations; nothing here lists conversations by anything but their ids, so one browser never sees another's.
What is kept is what the chat showed as text and files; charts are drawn again by asking again. A file that is
not a conversation is ignored: it is data, never code.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from stocktake.files import write_atomic

THREAD_ID = re.compile(r"[0-9a-f]{32}")  # what the app makes (uuid4().hex); anything else never names a file
TITLE_CHARS = 60


@dataclass(frozen=True)
class Conversation:
    id: str
    title: str  # its first question
    updated: str  # ISO time of the last save, UTC
    messages: tuple[dict, ...] = field(default=())  # {"role", "content": text or {"path"}, "metadata"?}

    @property
    def label(self) -> str:
        return f"{self.title} · {self.updated[:16].replace('T', ' ')}"


class Conversations:
    def __init__(self, folder: Path, max_bytes: int = 5_000_000):
        self.folder = folder
        self.max_bytes = max_bytes

    def save(self, thread: str, history: Iterable[dict]) -> Conversation | None:
        """Keep the chat as shown; None when there is nothing to keep or the workspace is read-only."""
        messages = tuple(m for m in (kept_message(h) for h in history) if m is not None)
        if not THREAD_ID.fullmatch(str(thread)) or not messages:
            return None
        first = next((m["content"] for m in messages if m["role"] == "user" and isinstance(m["content"], str)), "")
        title = " ".join(first.split())
        title = title if len(title) <= TITLE_CHARS else title[: TITLE_CHARS - 1] + "…"
        kept = Conversation(thread, title or "(no question)", datetime.now(UTC).isoformat(timespec="seconds"),
                            messages)
        try:
            write_atomic(self.folder / f"{thread}.json", json.dumps(
                {"id": kept.id, "title": kept.title, "updated": kept.updated, "messages": list(kept.messages)},
                ensure_ascii=False))
        except OSError:  # a read-only workspace still answers; it only forgets the chat on reload
            return None
        return kept

    def get(self, thread: str | None) -> Conversation | None:
        if not THREAD_ID.fullmatch(str(thread)):
            return None
        path = self.folder / f"{thread}.json"
        try:
            if path.stat().st_size > self.max_bytes:
                return None
            raw = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(raw, dict) or not isinstance(raw.get("messages"), list):
            return None
        messages = tuple(m for m in (kept_message(m) for m in raw["messages"]) if m is not None)
        return Conversation(thread, str(raw.get("title") or "(no question)"), str(raw.get("updated") or ""), messages)

    def listed(self, threads: Iterable[str]) -> list[Conversation]:
        """The conversations of these ids that are kept, newest first."""
        found = [c for c in (self.get(t) for t in dict.fromkeys(threads)) if c is not None]
        return sorted(found, key=lambda c: c.updated, reverse=True)


def kept_message(message) -> dict | None:
    """A chat message as kept: its role, its text or file, and its step metadata (title, status...).

    Takes the app's own messages and Gradio's normalised ones (content as a list of text, file and component
    parts) alike; a chart or any other component is left out, and so is a file that no longer exists.
    """
    if not isinstance(message, dict) or message.get("role") not in ("user", "assistant"):
        return None
    content = _content(message.get("content"))
    if content is None:
        return None
    kept = {"role": message["role"], "content": content}
    metadata = message.get("metadata")
    if isinstance(metadata, dict) and metadata:
        kept["metadata"] = {k: v for k, v in metadata.items() if isinstance(v, (str, int, float))}
    return kept


def _content(content) -> str | dict | None:
    if isinstance(content, str):
        return content
    if isinstance(content, dict) and isinstance(content.get("path"), str):
        return {"path": content["path"]} if Path(content["path"]).is_file() else None
    if not isinstance(content, list):
        return None
    texts = [p["text"] for p in content if isinstance(p, dict) and p.get("type") == "text"
             and isinstance(p.get("text"), str)]
    if texts:
        return "".join(texts)
    for part in content:
        path = _file_path(part)
        if path is not None:
            return _content({"path": path})
    return None


def _file_path(part) -> str | None:
    if not isinstance(part, dict):
        return None
    if part.get("type") == "file":
        value = part.get("file")
    elif part.get("type") == "component" and part.get("component") == "file":
        value = part.get("value")
        value = value[0] if isinstance(value, list) and value else value
    else:
        return None
    return value.get("path") if isinstance(value, dict) and isinstance(value.get("path"), str) else None
