"""The English of a question about data: words that ask for a count, a total, a top N, a group, a comparison,
a missing value. Found by position, so the planner can tell what each cue applies to.
"""

from __future__ import annotations

from dataclasses import dataclass

from stocktake.tools.ask.dates import NUMBER_WORDS
from stocktake.tools.ask.text import Token, parse_number


@dataclass(frozen=True)
class Cue:
    kind: str  # count distinct agg share top list group sort compare null notnull negate late bucket per
    start: int
    end: int
    value: object = None

    def covers(self) -> range:
        return range(self.start, self.end)


# (words, kind, value); longest phrases first within a kind is not needed: matching tries every phrase.
PHRASES: list[tuple[tuple[str, ...], str, object]] = []


def _add(kind: str, value, *phrases: str) -> None:
    PHRASES.extend((tuple(p.split()), kind, value) for p in phrases)


_add("count", None, "how many", "number of", "count of", "count", "counts", "no of", "how often", "total number of",
     "tally", "#", "# of", "nr of", "num of")
_add("distribution", None, "value counts", "value count", "counts of", "counts per", "counts by", "frequency of",
     "frequencies of", "distribution of", "breakdown of", "how often", "occurrences of", "split of", "histogram of",
     "breakdown", "distribution", "histogram", "mix")
_add("distinct", None, "distinct", "unique", "different", "individual", "separate")
_add("agg", "sum", "total", "sum", "sum of", "overall", "combined", "in total", "altogether", "how much")
_add("agg", "mean", "average", "avg", "mean", "typical", "on average")
_add("agg", "median", "median", "midpoint")
_add("agg", "min", "minimum", "min", "lowest", "smallest", "least", "earliest", "oldest", "cheapest", "first",
     "least expensive")
_add("agg", "max", "maximum", "max", "highest", "largest", "biggest", "greatest", "latest", "newest", "most recent",
     "most expensive", "priciest", "costliest", "last", "top")
_add("most", "desc", "most", "the most", "most common", "most frequent", "most popular", "best", "popular",
     "best selling", "best-selling", "bestselling", "busiest", "best sellers", "best seller", "bestsellers",
     "top sellers", "top selling", "top-selling", "most active", "most engaged")
_add("most", "asc", "fewest", "least common", "least popular", "worst", "least frequent", "rarest", "quietest",
     "least active", "least engaged")
_add("share", None, "share", "percentage", "percent", "%", "proportion", "fraction", "ratio", "what part", "rate of",
     "pct")
_add("group", None, "by", "per", "for each", "for every", "each", "across", "grouped by", "broken down by",
     "broken out by", "split by", "breakdown by", "by each", "in each", "for all", "every")
_add("sort", None, "sorted by", "ordered by", "ranked by", "sort by", "order by", "rank by", "in terms of")
_add("list", None, "list", "show", "display", "give", "get", "find", "which", "what are", "who", "fetch", "see",
     "look up", "lookup", "pull", "details", "info", "information")
_add("compare", ">", "more than", "greater than", "higher than", "larger than", "bigger than", "over", "above",
     "exceeding", "exceeds", "exceed", "after", "later than", "beyond", "past", ">", "older than", "aged over")
# "taller than", "heavier than": a comparison whose word also names the measured dimension (see DIMENSIONS)
_add("compare", ">", "taller than", "longer than", "wider than", "heavier than", "deeper than", "bigger than")
_add("compare", "<", "shorter than", "narrower than", "lighter than", "shallower than")
_add("compare", ">=", "at least", "or more", "minimum of", ">=", "no less than")
_add("compare", "<", "less than", "fewer than", "lower than", "smaller than", "cheaper than", "under", "below",
     "before", "earlier than", "<", "younger than", "aged under")
_add("compare", "<=", "at most", "or less", "up to", "maximum of", "<=", "no more than")
_add("compare", "=", "exactly", "equal to", "equals", "=", "of exactly", "same as", "the same as", "identical to")
_add("compare", "!=", "not equal to", "other than", "!=", "doesn't match", "doesnt match", "does not match",
     "don't match", "dont match", "do not match", "differs from", "differ from", "different from",
     "different than", "not the same as", "isn't the same as", "isnt the same as")
_add("null", None, "without", "with no", "no", "missing", "lacking", "lack", "lacks", "empty", "blank", "null",
     "not set", "none", "absent", "have no", "has no", "had no", "never", "dont have", "don't have", "do not have",
     "doesnt have", "doesn't have", "does not have", "didnt have", "didn't have", "lacking a", "missing a",
     "missing the", "without a", "without an", "without any")
_add("notnull", None, "with a", "with an", "that have a", "that have an", "filled", "not empty", "not null",
     "present", "is set", "with their")
_add("negate", None, "not", "non", "except", "excluding", "exclude", "other than", "apart from", "besides",
     "isn't", "aren't", "wasn't", "weren't", "but not")
_add("late", ">", "late", "delayed", "overdue", "past due", "after the estimated", "behind schedule", "later than "
     "estimated", "later than expected", "after the expected")
_add("late", "<=", "on time", "early", "in time", "ahead of schedule")
_add("bucket", "day", "daily", "day", "days", "per day", "each day", "by day", "a day", "date")
_add("bucket", "week", "weekly", "week", "weeks")
_add("bucket", "month", "monthly", "month", "months", "over time", "trend", "per month")
_add("bucket", "quarter", "quarterly", "quarter", "quarters")
_add("bucket", "year", "yearly", "annual", "annually", "year", "years", "per year")
_add("bucket", "hour", "hourly", "hour", "hours", "time of day")
_add("bucket", "weekday", "weekday", "weekdays", "day of week", "day of the week", "days of the week")
_add("zero", 0, "zero", "negative", "positive")


def find_cues(tokens: list[Token]) -> list[Cue]:
    norms = [t.norm for t in tokens]
    stems = [t.stem for t in tokens]
    found = []
    for words, kind, value in PHRASES:
        n = len(words)
        for i in range(len(norms) - n + 1):
            # "totals" is "total", "averages" "average": one-word cues match their plural too
            if tuple(norms[i:i + n]) == words or n == 1 and kind in ("agg", "share") and stems[i] == words[0]:
                found.append(Cue(kind, i, i + n, value))
    # "order #1000100": the sign marks an id, it asks for no count
    found = [c for c in found if not (norms[c.start] == "#" and c.end == c.start + 1 and c.end < len(tokens)
                                      and tokens[c.end].kind == "number")]
    # "over all order lines", "over the whole year": across, not more than
    found = [c for c in found if not (c.kind == "compare" and norms[c.start] == "over" and c.end < len(norms)
                                      and norms[c.end] in ("all", "every", "whole", "entire", "time"))]
    compares = [c for c in found if c.kind == "compare"]
    # "at least 8 orders", "at most 3": a comparison, not the smallest or the largest
    found = [c for c in found if c.kind not in ("agg", "most") or not any(
        c.start < k.end and k.start < c.end for k in compares)]
    # "overall average", "total avg": the second word says which aggregate, the first only "across everything"
    found = [c for c in found if not (c.kind == "agg" and c.value == "sum" and any(
        k.kind == "agg" and k.value != "sum" and k.start == c.end for k in found))]
    return sorted(found, key=lambda c: (c.start, c.start - c.end))


def number_at(tokens: list[Token], i: int) -> int | float | None:
    """The number a token stands for: digits, or a number word ("five")."""
    if not 0 <= i < len(tokens):
        return None
    t = tokens[i]
    if t.kind == "number":
        return parse_number(t.text)
    if t.norm in NUMBER_WORDS and t.norm not in ("a", "an"):
        return NUMBER_WORDS[t.norm]
    if t.norm in ("few", "couple"):
        return 5 if t.norm == "few" else 2
    return None
