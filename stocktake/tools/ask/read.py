"""Reading a question into a query plan: find what it counts or measures, how it groups, which conditions and
records it names; then place every part on the catalog (which asset, which column, which join) so that the
parts fit together, and say how sure the reading is.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from stocktake.tools.ask.cues import find_cues
from stocktake.tools.ask.dates import find_dates, spell_out_dates
from stocktake.tools.ask.ground import Grounder
from stocktake.tools.ask.measure_spec import MeasureChoice, MeasureSpec
from stocktake.tools.ask.measures import find_measure
from stocktake.tools.ask.model import Group, Measure, QueryPlan
from stocktake.tools.ask.place_conditions import ConditionPlacer
from stocktake.tools.ask.read_plan import (Draft, contents_of, kinds_of, list_notes, listed_ids, lookup_base,
                                           plan_from_draft, rival_plans, share_part, with_display_label,
                                           with_name_asked)
from stocktake.tools.ask.read_score import (NEUTRAL_WORDS, doc_nouns, is_vague, mostly_unexplained, score_for,
                                            unexplained_words)
from stocktake.tools.ask.read_shape import (answer_form, asks_best_sellers, asks_sample_rows, overlaps_ids,
                                            read_top_n, unplaced_comparisons)
from stocktake.tools.ask.roles import Roles, find_comparisons, find_ids
from stocktake.tools.ask.schema import SchemaIndex
from stocktake.tools.ask.spelling import Speller, catalog_words
from stocktake.tools.ask.text import FUNCTION_WORDS, expand_jargon, fold, tokenize


@dataclass(frozen=True)
class Reading:
    plan: QueryPlan | None
    score: float
    notes: tuple[str, ...] = ()  # how words were read ("revenue as quantity × unit_price")
    unexplained: tuple[str, ...] = ()  # words the reading does not account for
    missing: str | None = None  # what the question lacks for a plan ("asset", "measure")
    alternatives: tuple[QueryPlan, ...] = ()  # readings almost as good
    form: str = "aggregate"  # aggregate, lookup or rows
    dates: tuple[str, ...] = ()
    vague: bool = False  # nothing in the question names the table, and its words are too general to


class Reader:
    def __init__(self, schema: SchemaIndex, grounder: Grounder | None = None):
        self.schema = schema
        self.grounder = grounder or Grounder(schema)

    @cached_property
    def speller(self) -> Speller:
        from stocktake.tools.ask.cues import PHRASES
        from stocktake.tools.ask.vocab import KIND_ENTITIES, MONEY_WORDS, SYNONYMS

        planner = {w for words, _, _ in PHRASES for w in words} | set(FUNCTION_WORDS) | set(SYNONYMS)
        planner |= {w for words in KIND_ENTITIES.values() for e in words for w in e.split()} | set(MONEY_WORDS)
        planner |= NEUTRAL_WORDS
        return Speller(catalog_words(self.schema), planner)

    def roles(self, question: str) -> Roles:
        question, notes = expand_jargon(spell_out_dates(question))
        tokens = self.speller.fix(tokenize(question))
        mentions = self.grounder.ground(tokens)
        roles = Roles(tokens, find_cues(tokens), mentions, self.grounder.values(tokens), notes=notes)
        roles.ids = find_ids(tokens, mentions)
        roles.dates = [d for d in find_dates(tokens, None) if not overlaps_ids(d, roles.ids)]
        roles.comparisons = find_comparisons(roles)
        return roles

    def read(self, question: str) -> Reading:
        roles = self.roles(question)
        read_top_n(roles)
        spec = None if asks_sample_rows(roles) else find_measure(roles)
        if spec is not None:
            roles.mark([t for t in spec.tokens if t is not None])
        placer = ConditionPlacer(self.schema, roles)
        subject = placer.subject()
        base, choice = placer.measure(spec, subject)
        if spec is not None and choice is None and spec.agg in ("min", "max", "sum", "mean", "median"):
            # "the latest products" with no date, "average colour": the word asked for a measure none fits
            roles.unplace(spec.tokens)
        if len(roles.ids) > 1 and (spec is None or spec.kind == "sort"):
            base = lookup_base(roles) or base
        if spec is None and base is not None:
            base = contents_of(roles, self.schema, base) or base
        counted = placer.counted_per(subject) if spec is None else None
        if counted is not None:  # "customers with at least 8 orders": orders per customer, those with 8 or more
            return self._counted_per(placer, roles, *counted)
        if base is None:
            return Reading(None, 0.0, missing="asset", unexplained=unexplained_words(roles, set()))
        form = answer_form(roles, spec, choice)
        draft = Draft(asset=base, measure=choice, limit=roles.limit, notes=list(roles.notes))
        if choice is not None:
            draft.notes += choice.notes
            draft.score += choice.score
        placer.mark_subject(subject, base)
        if form == "aggregate":
            self._aggregate(placer, spec, draft, roles)
        form = self._place_conditions(placer, draft, roles, form, choice)
        plan = plan_from_draft(draft, form, self.schema)
        if plan is None:
            return Reading(None, 0.0, missing="measure", unexplained=unexplained_words(roles, set()))
        return self._reading(plan, draft, roles, form)

    def _counted_per(self, placer: ConditionPlacer, roles: Roles, base: str, group: Group, having) -> Reading:
        draft = Draft(asset=base, measure=MeasureChoice(Measure(agg="count"), (), 0.8, ()),
                      groups=[group], having=[having], order="desc")
        placer.filters(base, draft, None)
        plan = plan_from_draft(draft, "aggregate", self.schema)
        unexplained = unexplained_words(roles, roles.used)
        return Reading(plan, score_for(unexplained), (), unexplained, form="aggregate") if plan else \
            Reading(None, 0.0, missing="measure")

    def _place_conditions(self, placer: ConditionPlacer, draft: Draft, roles: Roles, form: str,
                          choice: MeasureChoice | None) -> str:
        """Comparisons, filters, looked-up records, listed columns, flags and related rows onto the draft; the
        form it ends in ("what kinds of status are there" is rows asked for, counted per value)."""
        base = draft.asset
        placer.compares(base, draft)
        placer.filters(base, draft, None)
        placer.lookups(base, draft, roles.ids)
        if form != "aggregate":
            draft.measure = None
            placer.listing(base, draft, choice)
        placer.flags(base, draft)
        placer.related(base, draft)
        unplaced_comparisons(roles)
        share_part(draft)
        kinds = kinds_of(draft, roles, self.schema) if form == "rows" else None
        kinds = kinds or (listed_ids(draft, roles, self.schema) if form == "rows" else None)
        if kinds is None:
            return form
        draft.measure = MeasureChoice(Measure(agg="count"), (), 0.5, ())
        draft.groups, draft.select = [Group(column=kinds)], []
        if draft.limit:  # "the top 5 categories": the most common first
            draft.order = roles.direction or "desc"
        return "aggregate"

    def _reading(self, plan: QueryPlan, draft: Draft, roles: Roles, form: str) -> Reading:
        draft.notes += spelling_notes(roles, plan) + list_notes(plan, self.schema)
        plan = with_display_label(with_name_asked(plan, roles, self.schema), self.schema)
        doc_nouns(roles, self.schema, plan.asset)
        unexplained = unexplained_words(roles, roles.used)
        if mostly_unexplained(roles, unexplained):  # "what's the weather in Paris": not a data question
            return Reading(None, 0.0, missing="measure", unexplained=unexplained)
        rivals = rival_plans(plan, roles)
        vague = is_vague(plan, roles, form)
        score = score_for(unexplained) - (0.4 if rivals or vague else 0.0)
        return Reading(plan, score, tuple(dict.fromkeys(draft.notes)), unexplained, alternatives=rivals, form=form,
                       dates=tuple(n for n in draft.notes if n.startswith("dates:")), vague=vague)

    def follow_up(self, question: str, previous: QueryPlan) -> Reading:
        """The question read as a change to the previous answer's plan."""
        from stocktake.tools.ask.read_followup import FollowUp

        return FollowUp(self.schema, self.roles(question), previous).read()

    def _aggregate(self, placer: ConditionPlacer, spec: MeasureSpec | None, draft: Draft, roles: Roles) -> None:
        if draft.measure is None:
            draft.measure = placer.summed_before_group(draft.asset) if roles.cue("group") else None
            if draft.measure is None:
                draft.measure = MeasureChoice(Measure(agg="count"), (), 0.5, ())
                placer.mark_counted(draft.asset)
            else:
                draft.notes += draft.measure.notes
        draft.groups = placer.groups(draft.asset, spec)
        if spec is not None and spec.kind == "most":
            draft.order = spec.direction
            draft.limit = roles.limit or 1
            if not draft.groups and roles.top_end is not None:  # "best sellers by units - top 5 products"
                group = placer.ranked(draft.asset, roles.top_end)
                if group is not None:
                    draft.groups.append(group)
            if not draft.groups and asks_best_sellers(roles):  # "best sellers by units": products, whatever the table
                group = placer.thing_sold(draft.asset)
                if group is not None:
                    draft.groups.append(group)
        elif roles.limit:
            draft.order = roles.direction or "desc"
            if not draft.groups and roles.top_end is not None:
                group = placer.ranked(draft.asset, roles.top_end)
                if group is not None:
                    draft.groups.append(group)




def spelling_notes(roles: Roles, plan: QueryPlan) -> list[str]:
    """A word the answer rests on that was read as another ("ordrs" as orders) is said, so a wrong guess shows."""
    fixed = {fold(t.text): t.norm for i, t in enumerate(roles.tokens) if i in roles.used and fold(t.text) != t.norm}
    placed = {(c.asset, c.column) for c in plan.columns()}
    fixed |= {fold(roles.tokens[m.start].text): m.column or m.asset for m in roles.mentions
              if m.how == "typo" and m.start in roles.used and m.end - m.start == 1
              and ((m.asset, m.column) in placed if m.column else m.asset in plan.assets())}
    said = [f"“{typed}” as {meant}" for typed, meant in fixed.items() if meant and typed != fold(meant)]
    return ["I read " + ", ".join(said)] if said else []
