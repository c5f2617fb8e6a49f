"""Which columns hold personal data: one answer for the report, the cleaner and the assistant."""

from __future__ import annotations

import re
from dataclasses import dataclass

from stocktake.tools.profile_model import TableProfile


@dataclass(frozen=True)
class PersonalDataSettings:
    # Column names that say what they hold, whatever the values look like (a name is not recognisable by shape).
    name_pattern: str = r"(e-?mail|phone|mobile|^name$|full_?name|first_?name|last_?name|surname|address|street|ssn)"
    semantic_types: tuple[str, ...] = ("email", "phone")  # values recognised as addresses or numbers


@dataclass(frozen=True)
class PersonalColumn:
    column: str
    reason: str  # why it counts as personal data, in words
    rows: int | None = None  # rows found holding an address or number in free text; None: the whole column

    def to_dict(self) -> dict:
        return {"column": self.column, "reason": self.reason, "rows": self.rows}


def find_personal_columns(profile: TableProfile,
                          settings: PersonalDataSettings = PersonalDataSettings()) -> tuple[PersonalColumn, ...]:
    """Columns of personal data, in table order: by their values' type, by their name, or by free-text hits."""
    hits = {i.column: i.rows for i in profile.issues if i.kind == "pii"}
    name = re.compile(settings.name_pattern, re.I)
    found = []
    for c in profile.columns:
        if c.semantic_type in settings.semantic_types:
            found.append(PersonalColumn(c.name, f"{c.semantic_type} values"))
        elif name.search(c.name):
            found.append(PersonalColumn(c.name, "its name says it holds personal data"))
        elif c.name in hits:
            found.append(PersonalColumn(c.name, "free text with e-mail addresses or phone numbers", hits[c.name]))
    return tuple(found)
