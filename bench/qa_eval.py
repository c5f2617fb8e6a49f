"""Question-answering evaluation of the offline assistant: accuracy by category, confident wrong answers, latency.

Each dataset (the sample shop with two seeds, Olist, MovieLens, Online Retail, Diginetica, CDNOW, the clothing
and Alexa reviews, the Flipkart and PriceRunner products; the held-out set adds Taobao and MovieLens latest-small)
is ingested into its own workspace the way a user would, the questions in bench/qa/*.yaml (dev) or
bench/qa_heldout.yaml are asked in offline mode, and every answer is judged against a result computed with pandas
from the source files (bench/qa_truth.py; the judge is bench/qa_judge.py).

    python bench/qa_eval.py [--set dev|heldout|heldout2|all] [--dataset NAME] [--category NAME] [--show-failures]
                            [--json FILE] [--keep DIR] [--data ../shared/data] [--show-expected]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:0] = [str(ROOT), str(BENCH)]

from qa_datasets import DATASETS  # noqa: E402
from qa_judge import Verdict, combine, verdict  # noqa: E402
from qa_truth import SpecError, expected  # noqa: E402

CATEGORIES = ("inventory", "location", "meaning", "quality", "relationships", "freshness", "pii", "aggregate",
              "derived", "topn", "time_bucket", "two_column", "join", "lookup", "followup", "compound",
              "refusal", "ambiguous")
SETS = {"dev": sorted((BENCH / "qa").glob("*.yaml")), "heldout": [BENCH / "qa_heldout.yaml"],
        "heldout2": [BENCH / "qa_heldout2.yaml"]}
OUTCOMES = ("correct", "clarify", "wrong", "confident_wrong")
WARM_UP = "which tables do we have"


@dataclass(frozen=True)
class Turn:
    question: str
    expect: dict | None  # None: a turn that sets up the conversation and is not judged itself


@dataclass(frozen=True)
class Question:
    id: str
    dataset: str
    category: str
    turns: tuple[Turn, ...]
    file: str


@dataclass
class Result:
    question: Question
    verdict: Verdict
    answers: list = field(default_factory=list)  # (turn, Answer | None, seconds, Verdict | None)


def load_questions(paths: list[Path]) -> list[Question]:
    questions, seen = [], set()
    for path in paths:
        entries = yaml.safe_load(path.read_text()) or []
        for entry in entries:
            q = _question(entry, path.name)
            if q.id in seen:
                raise SpecError(f"{path.name}: question id {q.id} is used twice")
            seen.add(q.id)
            questions.append(q)
    return questions


def _question(entry: dict, file: str) -> Question:
    where = f"{file}: {entry.get('id', '?')}"
    missing = [k for k in ("id", "dataset", "category", "question") if k not in entry]
    if missing:
        raise SpecError(f"{where}: missing {', '.join(missing)}")
    if entry["dataset"] not in DATASETS:
        raise SpecError(f"{where}: unknown dataset {entry['dataset']!r} (known: {', '.join(DATASETS)})")
    if entry["category"] not in CATEGORIES:
        raise SpecError(f"{where}: unknown category {entry['category']!r} (known: {', '.join(CATEGORIES)})")
    asked = entry["question"]
    if isinstance(asked, str):
        if "expect" not in entry:
            raise SpecError(f"{where}: no expect")
        turns = (Turn(asked, entry["expect"]),)
    else:
        turns = tuple(Turn(t["q"], t.get("expect")) for t in asked)
        if not any(t.expect for t in turns):
            raise SpecError(f"{where}: no turn has an expect")
    return Question(entry["id"], entry["dataset"], entry["category"], turns, file)


def ask_all(questions: list[Question], root: Path, shared: Path, show_expected: bool) -> tuple[list[Result], dict]:
    from qa_workspaces import catalog_state, prepare

    from stocktake.agent.assistant import Assistant
    from stocktake.agent.context import ToolContext

    # Threads are remembered in the workspace: a run of its own never continues a thread of an earlier --keep run.
    run = uuid.uuid4().hex[:8]
    results, setup = [], {}
    for name in dict.fromkeys(q.dataset for q in questions):
        started = time.perf_counter()
        prepared = prepare(name, root, shared)
        assistant = Assistant(ToolContext(prepared.catalog))
        setup[name] = {"setup_s": time.perf_counter() - started}
        started = time.perf_counter()
        assistant.ask(WARM_UP, thread_id=f"qa-{run}-warm-up")
        setup[name]["warm_up_s"] = time.perf_counter() - started
        asked = [q for q in questions if q.dataset == name]
        expects = expectations(asked, prepared.source, show_expected)
        for q in asked:
            results.append(_ask(q, expects[q.id], assistant, prepared, catalog_state, f"qa-{run}-{q.id}"))
    return results, setup


def expectations(questions: list[Question], source, show: bool) -> dict[str, list]:
    """Every turn's expected result, computed before any question is asked; all bad specs are named at once."""
    found, errors = {}, []
    for q in questions:
        found[q.id] = []
        for i, turn in enumerate(q.turns, 1):
            try:
                expect = None if turn.expect is None else expected(source, turn.expect)
            except (SpecError, KeyError, ValueError, TypeError, AttributeError) as exc:
                errors.append(f"{q.file}: {q.id} turn {i}: {exc!r}")
                expect = None
            found[q.id].append(expect)
            if show and expect is not None:
                print(f"{q.id}: {turn.question!r}\n    {expect}")
    if errors:
        raise SpecError("bad expect specs:\n  " + "\n  ".join(errors))
    return found


def _ask(q: Question, expects: list, assistant, prepared, catalog_state, thread: str) -> Result:
    result, verdicts = Result(q, Verdict("correct", "")), []
    for turn, expect in zip(q.turns, expects):
        before = catalog_state(prepared.catalog)
        started = time.perf_counter()
        try:
            answer = assistant.ask(turn.question, thread_id=thread)
        except Exception as exc:  # a crash is an answer the user gets too: record it, go on
            answer, crash = None, f"raised {type(exc).__name__}: {exc}"
        else:
            crash = ""
        seconds = time.perf_counter() - started
        changed = catalog_state(prepared.catalog) != before
        judged = None if turn.expect is None else verdict(expect, answer, changed)
        if judged is not None and crash:
            judged = Verdict("confident_wrong", crash)
        elif judged is None and (changed or crash):  # a set-up turn may not break things either
            judged = Verdict("confident_wrong", crash or "the catalog changed")
        if judged is not None:
            verdicts.append(judged)
        result.answers.append((turn, answer, seconds, judged))
    result.verdict = combine(verdicts)
    return result


# ---- reporting ------------------------------------------------------------------------------------------------
def summarise(results: list[Result]) -> dict:
    by_category = {}
    for category in CATEGORIES:
        outcomes = Counter(r.verdict.outcome for r in results if r.question.category == category)
        total = sum(outcomes.values())
        if total:
            by_category[category] = {"questions": total, **{o: outcomes[o] for o in OUTCOMES},
                                     "accuracy": outcomes["correct"] / total}
    answers = [(a, s) for r in results for _, a, s, _ in r.answers]
    unread = [r.question.id for r in results for _, a, _, _ in r.answers if a is None or not (a.reading or "").strip()]
    latencies = sorted(s for _, s in answers)
    total = len(results)
    return {
        "questions": total,
        "correct": sum(r.verdict.outcome == "correct" for r in results),
        "accuracy": sum(r.verdict.outcome == "correct" for r in results) / total if total else 0.0,
        "confident_wrong": sum(r.verdict.outcome == "confident_wrong" for r in results),
        "confident_wrong_refusals": sum(r.verdict.outcome == "confident_wrong" for r in results
                                        if r.question.category == "refusal"),
        "answers": len(answers),
        "without_reading": len(unread),
        "without_reading_ids": list(dict.fromkeys(unread)),
        "latency_ms_p50": 1000 * statistics.median(latencies) if latencies else 0.0,
        "latency_ms_p95": 1000 * latencies[int(0.95 * (len(latencies) - 1))] if latencies else 0.0,
        "by_category": by_category,
        "by_dataset": dict(Counter(r.question.dataset for r in results)),
    }


def print_summary(summary: dict, label: str) -> None:
    print(f"\n{label}: {summary['questions']} questions\n")
    print(f"{'category':14} {'questions':>9} {'correct':>8} {'clarify':>8} {'conf.wrong':>10} {'accuracy':>9}")
    for category, row in summary["by_category"].items():
        print(f"{category:14} {row['questions']:9} {row['correct']:8} {row['clarify']:8} "
              f"{row['confident_wrong']:10} {row['accuracy']:9.1%}")
    print(f"\noverall accuracy: {summary['accuracy']:.1%} ({summary['correct']}/{summary['questions']})")
    print(f"confident wrong answers: {summary['confident_wrong']} "
          f"(of them on refusal questions: {summary['confident_wrong_refusals']})")
    missing = summary["without_reading_ids"]
    shown = f" (e.g. {', '.join(missing[:5])}{', …' if len(missing) > 5 else ''})" if missing else ""
    print(f"answers without a reading: {summary['without_reading']} of {summary['answers']}{shown}")
    print(f"latency per answer (in process, warm): p50 {summary['latency_ms_p50']:.0f} ms, "
          f"p95 {summary['latency_ms_p95']:.0f} ms")
    print("questions per dataset: " + ", ".join(f"{k} {v}" for k, v in summary["by_dataset"].items()))


def print_failures(results: list[Result]) -> None:
    for r in (r for r in results if r.verdict.outcome != "correct"):
        print(f"\n[{r.verdict.outcome}] {r.question.id} ({r.question.category}, {r.question.dataset}): "
              f"{r.verdict.reason}")
        for turn, answer, _, judged in r.answers:
            mark = "" if judged is None else f" -> {judged.outcome}"
            print(f"  Q: {turn.question}{mark}")
            if answer is not None:
                text = " ".join((answer.text or "").split())
                print(f"  A: status={answer.status} reading={answer.reading!r} sql={answer.sql!r}")
                print(f"     {text[:240]}{'…' if len(text) > 240 else ''}")


def as_json(results: list[Result], summaries: dict, setup: dict) -> dict:
    def answer_dict(turn, answer, seconds, judged):
        shown = None if answer is None else {
            "status": answer.status, "reading": answer.reading, "sql": answer.sql, "text": answer.text,
            "table_rows": None if answer.table is None else len(answer.table.get("rows") or [])}
        return {"question": turn.question, "seconds": round(seconds, 4), "answer": shown,
                "outcome": judged and judged.outcome, "reason": judged and judged.reason}

    return {"summaries": summaries, "setup": setup, "results": [
        {"id": r.question.id, "set": r.question.file, "dataset": r.question.dataset,
         "category": r.question.category, "outcome": r.verdict.outcome, "reason": r.verdict.reason,
         "turns": [answer_dict(*a) for a in r.answers]} for r in results]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=("dev", "heldout", "heldout2", "all"), default="dev")
    parser.add_argument("--dataset", choices=sorted(DATASETS))
    parser.add_argument("--category", choices=CATEGORIES)
    parser.add_argument("--show-failures", action="store_true", help="Print every answer that is not correct.")
    parser.add_argument("--show-expected", action="store_true", help="Print each computed expectation.")
    parser.add_argument("--json", type=Path, help="Write the summary and every answer to this file.")
    parser.add_argument("--keep", type=Path, help="Build the workspaces here and reuse them in later runs.")
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    args = parser.parse_args()
    if not args.data.is_dir():
        print(f"skipped: the shared datasets are not at {args.data} (pass --data DIR)")
        return 0
    sets = ("dev", "heldout", "heldout2") if args.set == "all" else (args.set,)
    questions = {s: [q for q in load_questions(SETS[s]) if (not args.dataset or q.dataset == args.dataset)
                     and (not args.category or q.category == args.category)] for s in sets}
    everything = [q for s in sets for q in questions[s]]
    if not everything:
        print("no questions match the filters")
        return 0
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="qa-eval-") as tmp:
        root = args.keep or Path(tmp)
        try:
            results, setup = ask_all(everything, root, args.data, args.show_expected)
        except SpecError as exc:
            print(exc, file=sys.stderr)
            return 2
    summaries = {s: summarise([r for r in results if r.question in questions[s]]) for s in sets}
    if args.show_failures:
        print_failures(results)
    print("\nset-up per dataset (ingest, docs, models; then a warm-up question): " + ", ".join(
        f"{k} {v['setup_s']:.1f}+{v['warm_up_s']:.1f} s" for k, v in setup.items()))
    for s in sets:
        if questions[s]:
            print_summary(summaries[s], f"{s} set")
    print(f"\nwall time: {time.perf_counter() - started:.0f} s")
    if args.json:
        args.json.write_text(json.dumps(as_json(results, summaries, setup), indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
