"""Personal data, found and masked: the one place that says what is personal. By value, one set of patterns
behind the profiler's PII counts and semantic types (DuckDB's RE2, over whole columns) and every string a model
sees, a profile stores, a report shows or the docs index holds; by column name (``customer_name``, ``iban``),
the rule by which a column's every value is masked whole (``mask_whole``, ``mask_record``, ``mask_pairs``).

Each pattern is a core and the characters that must not touch it on either side, written in the common subset
of Python ``re`` and RE2 with bounded repeats only. A match can then start only at the edge of a token and scans
a bounded number of characters, so masking is linear in the length of the text (an unbounded ``[\\w.]+@`` tried
at every position of 80 KB of letters is quadratic: ten seconds). Numbers that carry a checksum (card numbers,
IBANs, Chinese resident ids) count only when it holds, which keeps order ids and timestamps unmasked.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from stocktake.tools.profile.names import tokens


def luhn_ok(text: str) -> bool:
    digits = [int(ch) for ch in text if ch.isdigit()]
    total = sum(d if i % 2 == 0 else (2 * d if d < 5 else 2 * d - 9) for i, d in enumerate(reversed(digits)))
    return total % 10 == 0


def iban_ok(text: str) -> bool:
    """ISO 13616: the country and check digits moved to the end, letters as 10..35, the number mod 97 is 1."""
    plain = text.replace(" ", "")
    moved = plain[4:] + plain[:4]
    return 15 <= len(plain) <= 34 and int("".join(str(int(ch, 36)) for ch in moved)) % 97 == 1


CN_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def cn_id_ok(text: str) -> bool:
    """GB 11643: the 18th character is the ISO 7064 MOD 11-2 check of the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(text[:17], CN_ID_WEIGHTS))
    return "10X98765432"[total % 11] == text[17].upper()


@dataclass(frozen=True)
class PiiPattern:
    kind: str
    core: str
    left: str  # characters (a class body) that must not come just before a match
    right: str  # ... nor just after it
    keep: int = 2  # trailing letters or digits left readable
    check: Callable[[str], bool] | None = None

    @cached_property
    def regex(self) -> re.Pattern:
        return re.compile(f"(?<![{self.left}])(?:{self.core})(?![{self.right}])")

    @property
    def re2(self) -> str:
        """The same pattern for RE2 (DuckDB), which has no look-around: the edges are matched instead."""
        return f"(?:^|[^{self.left}])(?:{self.core})(?:[^{self.right}]|$)"

    def found(self, match: str) -> bool:
        return self.check is None or self.check(match)


_ALNUM = "0-9A-Za-z_"
EMAIL = PiiPattern(
    "email", r"[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,8}\.[A-Za-z]{2,24}",
    left="A-Za-z0-9._%+-", right="A-Za-z0-9-")
IBAN = PiiPattern("iban", r"[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?", _ALNUM, _ALNUM,
                  check=iban_ok)
CARD = PiiPattern(  # issuers start with 2-6: epoch timestamps (1...) and order ids are left alone
    "card", r"[2-6][0-9]{12,18}|[2-6][0-9]{3}(?:[ -][0-9]{4}){3}|3[47][0-9]{2}[ -][0-9]{6}[ -][0-9]{5}",
    _ALNUM, _ALNUM, keep=4, check=luhn_ok)
CN_ID = PiiPattern(
    "cn_resident_id", r"[1-9][0-9]{5}(?:18|19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9Xx]",
    _ALNUM, _ALNUM, check=cn_id_ok)
PHONE = PiiPattern("phone", "|".join((
    r"\+[0-9]{1,3}[ .-]?\(?[0-9]{1,4}\)?(?:[ .-][0-9]{2,8}){1,4}",  # +44 20 7946 0958, +1 (555) 010-9999
    r"\+[0-9]{1,3}[ .-]?[0-9]{6,12}",  # +86 13800138000
    # (555) 123 4567, 555.123.4567, 020 7946 0958: the last group has four digits, unlike 12.345.678
    r"(?:\([0-9]{2,4}\) ?|[0-9]{2,3}[ .-])[0-9]{3,4}[ .-][0-9]{4}",
    r"0[0-9]{4} ?[0-9]{6}",  # 07700 900123
    r"1[3-9][0-9]{9}",  # 13800138000
    r"0[1-9](?:[ .][0-9]{2}){4}",  # 06 12 34 56 78
)), _ALNUM, _ALNUM)

# Checked patterns first: a card number must not be masked as a phone number and then kept in part.
PATTERNS: tuple[PiiPattern, ...] = (EMAIL, IBAN, CARD, CN_ID, PHONE)
# What the profiler counts straight away in SQL, and what needs the checksum in Python first.
CERTAIN_RE2 = "|".join(p.re2 for p in PATTERNS if p.check is None)
CHECKED_RE2 = "|".join(p.re2 for p in PATTERNS if p.check is not None)


@dataclass(frozen=True)
class MaskSettings:
    # Longer text is cut before it is masked, so masking cost is bounded whatever a value holds.
    max_chars: int = 10_000


def mask_text(text: str, settings: MaskSettings = MaskSettings()) -> str:
    """``text`` cut to ``settings.max_chars`` with every e-mail address, phone, card, IBAN and resident id
    masked to its shape (``j***@e***.com``, ``+•• •• •••• ••58``)."""
    if len(text) > settings.max_chars:
        text = text[: settings.max_chars] + "…"
    for p in PATTERNS:
        text = p.regex.sub(lambda m, p=p: _masked(p, m.group()) if p.found(m.group()) else m.group(), text)
    return text


def has_pii(text: str | None, settings: MaskSettings = MaskSettings()) -> bool:
    """Whether ``text`` (cut as mask_text cuts it) holds anything mask_text would mask."""
    if text is None:
        return False
    text = text[: settings.max_chars]
    return any(p.found(m.group()) for p in PATTERNS for m in p.regex.finditer(text))


def pii_excerpt(text: str, keep: int = 80, settings: MaskSettings = MaskSettings()) -> str:
    """About ``keep`` characters of ``text`` around its first masked value, everything in it masked."""
    masked = mask_text(text, settings)
    hit = re.search(r"\*\*\*@|•", masked)
    start = max(0, (hit.start() if hit else 0) - keep // 3)
    return ("…" if start else "") + masked[start: start + keep] + ("…" if start + keep < len(masked) else "")


def _masked(p: PiiPattern, found: str) -> str:
    if p is EMAIL:
        return mask_email(found)
    alnum = [i for i, ch in enumerate(found) if ch.isalnum()]
    hidden = set(alnum[: max(0, len(alnum) - p.keep)])
    return "".join("•" if i in hidden else ch for i, ch in enumerate(found))


def mask_email(email: str) -> str:
    user, _, domain = email.partition("@")
    host, _, tld = domain.rpartition(".")
    return f"{user[:1]}***@{host[:1]}***.{tld}"


def mask_whole(value: Any, settings: MaskSettings = MaskSettings()) -> Any:
    """A personal value with only its shape left: "Jonas Lindqvist" -> "J*** L***", 1975 -> "••••"; None stays
    None. For values of columns that hold personal data, which a name or an address is not recognisable by."""
    if value is None:
        return None
    text = str(value)[: settings.max_chars]
    if EMAIL.regex.fullmatch(text.strip()):
        return mask_email(text.strip())
    return re.sub(r"\w+", lambda m: "•" * len(m.group()) if m.group().isdigit() else m.group()[:1] + "***", text)


# ---- personal columns, by name ------------------------------------------------------------------------
_PERSON = r"first|last|full|middle|given|family|sur|maiden|customer|client|contact|user|buyer|recipient|receiver|" \
          r"sender|holder|cardholder|person|member|patient|employee"


@dataclass(frozen=True)
class PersonalDataSettings:
    # Column names that say what they hold, whatever the values look like (a name is not recognisable by shape),
    # matched against the name in snake case (``CustomerName`` reads as ``customer_name``).
    name_pattern: str = (rf"(e_?mail|phone|mobile|^name$|(^|_)({_PERSON})_?name($|_)|address|street|ssn|passport|"
                         r"iban|card_?number|birth|^dob$|national_id|resident_id|id_card)")
    semantic_types: tuple[str, ...] = ("email", "phone")  # values recognised as addresses or numbers
    # Quasi-identifiers: no one value names a person, a few together can (Sweeney: zip code, birth date and
    # sex single out most Americans). Name tokens per kind; columns named col_1.. are judged by their values.
    quasi_names: tuple[tuple[str, frozenset[str]], ...] = (
        ("zip code", frozenset({"zip", "zipcode", "postcode", "postal", "plz"})),
        ("age", frozenset({"age", "yob", "birthyear"})),
        ("gender", frozenset({"gender", "sex"})),
        ("occupation", frozenset({"occupation", "job", "profession"})))
    quasi_min_kinds: int = 2  # a table with fewer kinds of them gives no combination to single anyone out
    postal_code_pattern: str = r"\d{5}(-\d{4})?|\d{4}|[A-Za-z]\d[A-Za-z] ?\d[A-Za-z]\d"  # US, 4-digit, Canada
    gender_values: frozenset[str] = frozenset({"m", "f", "male", "female", "man", "woman", "w", "x", "other"})
    age_range: tuple[int, int] = (0, 120)
    age_min_distinct: int = 10  # ages spread over many values; a 0..5 rating column does not
    # Credentials are no personal data, but no example of them is ever written down (the docs index).
    secret_pattern: str = r"pass(word|wd)|token|secret"


def personal_name(column: str, settings: PersonalDataSettings = PersonalDataSettings()) -> bool:
    """Whether the column's name says it holds personal data (``CustomerName``, ``e_mail``, ``date_of_birth``)."""
    return bool(re.search(settings.name_pattern, "_".join(tokens(column)), re.I))


def secret_name(column: str, settings: PersonalDataSettings = PersonalDataSettings()) -> bool:
    """Whether the column's name says it holds credentials (``password``, ``api_token``, ``client_secret``)."""
    return bool(re.search(settings.secret_pattern, "_".join(tokens(column)), re.I))


# ---- example rows and records -------------------------------------------------------------------------
def mask_record(record: dict, personal: Iterable[str], mask: MaskSettings = MaskSettings()) -> dict:
    """A row as a dict: the values of personal columns masked whole, other text masked by value."""
    personal = set(personal)
    return {k: mask_whole(v, mask) if k in personal else mask_text(v, mask) if isinstance(v, str) else v
            for k, v in record.items()}


def mask_pairs(text: str, personal: Iterable[str], mask: MaskSettings = MaskSettings()) -> str:
    """``column=value`` text (the profiler's example rows) with the values of personal columns masked whole and
    everything else masked by value."""
    for column in personal:
        # A value runs to the next ", other=" pair, a closing bracket, the " (xN)" repeat count or the end.
        pattern = rf"(?<![\w.]){re.escape(column)}=([^,)]*?)(?=, [\w.]+=|\)|\s\(x\d+\)$|$)"
        text = re.sub(pattern, lambda m: f"{column}={mask_whole(m.group(1), mask)}", text)
    return mask_text(text, mask)
