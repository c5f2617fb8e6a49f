"""A follow-up question read as a change to the last answer's plan: "and per month?", "how many of those were
late?", "the same for sellers", "and the newest"."""

from __future__ import annotations

from stocktake.tools.ask.followup import FEW, merge_filters, retarget, same_column, same_for, wants_rows, with_bucket
from stocktake.tools.ask.measure_spec import MeasureSpec
from stocktake.tools.ask.measures import find_measure
from stocktake.tools.ask.model import Col, Group, Measure, QueryPlan
from stocktake.tools.ask.place_conditions import ConditionPlacer
from stocktake.tools.ask.read_plan import Draft, measure_asset, which_of_those
from stocktake.tools.ask.read_score import mostly_unexplained, score_for, unexplained_words
from stocktake.tools.ask.read_shape import explain_connectives, read_top_n
from stocktake.tools.ask.roles import Roles
from stocktake.tools.ask.schema import SchemaIndex


class FollowUp:
    """One follow-up: its roles, the measure it asks for (if any), and the plan it changes."""

    def __init__(self, schema: SchemaIndex, roles: Roles, previous: QueryPlan):
        self.schema, self.roles, self.previous = schema, roles, previous
        explain_connectives(roles)
        read_top_n(roles)
        self.spec: MeasureSpec | None = find_measure(roles)
        if self.spec is not None:
            roles.mark([t for t in self.spec.tokens if t is not None])
        self.placer = ConditionPlacer(schema, roles)
        self.notes = [f"Following on from the last answer ({previous.asset})."]

    def read(self):
        from stocktake.tools.ask.read import Reading

        roles, spec = self.roles, self.spec
        plan = self._moved()
        if plan is None:
            return Reading(None, 0.0, missing="asset", unexplained=(roles.tokens[self.moved.start].text,))
        draft = Draft(asset=plan.asset, limit=roles.limit)
        self.placer.mark_subject([], plan.asset)
        self.placer.compares(plan.asset, draft)
        self.placer.filters(plan.asset, draft, None)
        self.placer.lookups(plan.asset, draft, roles.ids)
        plan, groups = self._groups(plan)
        update: dict = {"filters": merge_filters(plan.filters, draft.filters),
                        "compares": plan.compares + tuple(draft.compares),
                        "absent": tuple(dict.fromkeys(plan.absent + tuple(draft.absent)))}
        if groups:
            rebucketed = with_bucket(plan.group_by, groups[0].bucket) if len(groups) == 1 and groups[0].bucket else None
            update["group_by"] = rebucketed or tuple(groups)
        update |= self._measures(plan, draft, groups)
        if roles.limit and "limit" not in update:
            update |= {"limit": roles.limit, "order": roles.direction or "desc"}
        try:
            new = QueryPlan.model_validate({**plan.model_dump(), **update})
        except ValueError:
            return Reading(None, 0.0, missing="measure", unexplained=unexplained_words(roles, roles.used))
        unexplained = unexplained_words(roles, roles.used)
        if mostly_unexplained(roles, unexplained) or any(
                m.agg == "share" and not m.part and not new.group_by for m in new.measures):  # a share of what?
            return Reading(None, 0.0, missing="measure", unexplained=unexplained)
        notes = self.notes + draft.notes
        return Reading(new, score_for(unexplained), tuple(dict.fromkeys(notes)), unexplained,
                       form="aggregate" if new.measures else "rows",
                       dates=tuple(n for n in draft.notes if n.startswith("dates:")))

    def _moved(self) -> QueryPlan | None:
        """"the same for sellers": the last question about another asset; None where it has no such plan."""
        self.moved = same_for(self.roles, self.previous) if self.spec is None else None
        if self.moved is None:
            return self.previous
        plan = retarget(self.previous, self.moved.asset, self.schema)
        if plan is not None:
            self.roles.mark(range(self.moved.start, self.moved.end))
            self.notes.append(f"The same question about {self.moved.asset}.")
        return plan

    def _groups(self, plan: QueryPlan) -> tuple[QueryPlan, list[Group]]:
        """The grouping the follow-up asks for: a column it names, "which one has the most", "which … did those
        use", or the same column of another asset."""
        roles, spec = self.roles, self.spec
        groups = self.placer.groups(plan.asset, spec)
        counted = next((m.column for m in plan.measures if m.agg == "count_distinct" and m.column), None)
        ones = [i for i, t in enumerate(roles.tokens[:-1]) if t.norm in ("which", "what")
                and roles.tokens[i + 1].norm in ("one", "ones")]
        if not groups and spec is not None and spec.kind == "most" and counted is not None and ones:
            # "how many countries ... and which one has the most lines": those countries, ranked
            roles.mark([ones[0], ones[0] + 1])
            groups = [Group(column=counted)]
            ranked = {"order": spec.direction, "limit": roles.limit or 1}
            plan = plan.model_copy(update={"measures": (Measure(agg="count"),), **ranked} if spec.agg == "count"
                                   else ranked)
        if not groups and spec is None and plan.measures and not wants_rows(roles.tokens):
            groups = which_of_those(roles, self.placer, plan.asset)
        regroup = same_column(roles, plan) if self.moved is None and not groups else None
        if regroup is not None and self.schema.path(plan.asset, regroup.asset) is not None:
            roles.mark(range(regroup.start, regroup.end))
            groups = [Group(column=Col(asset=regroup.asset, column=regroup.column))]
        return plan, groups

    def _measures(self, plan: QueryPlan, draft: Draft, groups: list[Group]) -> dict:
        """What the follow-up changes in the measures: rows instead, a share of the last rows, the other end of
        the same column, or a new measure; nothing where it asks for the same count."""
        roles, spec = self.roles, self.spec
        extreme = next((c for c in roles.cue("agg") if c.value in ("min", "max")), None) if spec is None else None
        if wants_rows(roles.tokens):
            roles.mark([i for i, t in enumerate(roles.tokens) if t.norm in ("few", "some", "rows", "examples")])
            return {"measures": (), "group_by": (), "order": None, "limit": roles.limit or FEW, "select": ()}
        if spec is not None and spec.agg == "share" and plan.filters and not groups and not draft.filters \
                and (not spec.target or any(m.asset == plan.asset for m in spec.target)):
            # "what share of all reviews is that": the last answer's rows as a part of all of them
            for m in spec.target:
                roles.mark(range(m.start, m.end))
            return {"measures": (Measure(agg="share", part=plan.filters),), "filters": ()}
        if spec is not None and spec.agg == "count" and not spec.target and any(
                m.agg in ("count", "count_distinct") for m in plan.measures):
            return {}  # "and how many from france": still the invoices counted before
        if extreme is not None and len(plan.measures) == 1 and plan.measures[0].agg in ("min", "max") \
                and plan.measures[0].column is not None:  # "and the newest": the other end of the same column
            roles.mark(extreme.covers())
            return {"measures": (plan.measures[0].model_copy(update={"agg": extreme.value}),)}
        return self._new_measure(plan) if spec is not None else {}

    def _new_measure(self, plan: QueryPlan) -> dict:
        spec = self.spec
        _, choice = self.placer.measure(spec, [])
        if choice is None and spec.agg in ("mean", "sum", "median", "min", "max") and not spec.target:
            choice = self.placer.main_measure(plan.asset, spec.agg)
        if choice is not None and self.schema.path(plan.asset, measure_asset(choice.measure, plan.asset)) is not None:
            self.notes += list(choice.notes)
            return {"measures": (choice.measure,)}
        if spec.agg == "count":
            return {"measures": (Measure(agg="count"),)}
        self.roles.unplace(spec.tokens)  # a measure asked for that nothing here fits: not the last answer again
        return {}
