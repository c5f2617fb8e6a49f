"""Retrieval quality and speed of `stocktake docs search` on real and sample docs.

Indexes the Olist data dictionary, both MovieLens READMEs and the sample shop's schema docs into a fresh
workspace, asks the questions in bench/docs_questions.yaml, and reports Recall@1, Recall@5 and MRR for the
dense retriever alone, BM25 alone and both fusions (same run, same index), plus indexing speed (chunks/s,
model already loaded) and query latency.

    python bench/docs_eval.py [--data ../shared/data] [--questions bench/docs_questions.yaml] [--misses]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from stocktake.catalog import Workspace  # noqa: E402
from stocktake.tools.docs import DocsSettings, DocStore, index_docs, search_docs  # noqa: E402
from stocktake.tools.docs.model import table_name  # noqa: E402
from stocktake.tools.docs.search import keyword_index  # noqa: E402
from stocktake.vectorstore.embeddings import shared_encoder  # noqa: E402

REAL_DOCS = ("olist-ecommerce-sample/DATA_DICTIONARY.md", "movielens-100k/README", "movielens-latest-small/README.txt")


def answers(question: dict) -> list[dict]:
    first = {k: question.get(k) for k in ("doc", "table", "column", "section")}
    return [first, *question.get("also", [])]


def is_right(hit, answer: dict) -> bool:
    if Path(hit.source).name != answer["doc"]:
        return False
    if answer.get("section"):
        return answer["section"].lower() in hit.location.lower()
    if table_name(hit.table or "").lower() != table_name(answer["table"]).lower():
        return False
    return answer.get("column") is None or (hit.column or "").lower() == answer["column"].lower()


def rank_of(hits, question: dict) -> int | None:
    return next((i for i, h in enumerate(hits, 1) if any(is_right(h, a) for a in answers(question))), None)


def evaluate(store, questions, settings, mode, k):
    ranks, latencies, results = [], [], []
    for q in questions:
        started = time.perf_counter()
        hits = search_docs(store, q["q"], k=k, settings=settings, mode=mode)
        latencies.append((time.perf_counter() - started) * 1000)
        ranks.append(rank_of(hits, q))
        results.append(hits)
    n = len(questions)
    return {
        "r1": sum(r == 1 for r in ranks) / n, "r5": sum(r is not None and r <= 5 for r in ranks) / n,
        "mrr": sum(1 / r for r in ranks if r) / n, "ms_median": statistics.median(latencies),
        "ms_p95": sorted(latencies)[int(0.95 * (n - 1))], "ranks": ranks, "hits": results,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--questions", type=Path, default=ROOT / "bench" / "docs_questions.yaml")
    parser.add_argument("--misses", action="store_true", help="List the questions the default search misses.")
    args = parser.parse_args()
    questions = yaml.safe_load(args.questions.read_text())["questions"]
    missing = [p for p in REAL_DOCS if not (args.data / p).is_file()]
    if missing:
        sys.exit(f"docs not found under {args.data}: {', '.join(missing)} (pass --data)")

    with tempfile.TemporaryDirectory() as tmp:
        paths = [args.data / p for p in REAL_DOCS]
        try:
            from stocktake.tools.sample_data import write_sample_data

            paths.append(write_sample_data(Path(tmp) / "sample", seed=0, scale="small").out_dir / "docs")
        except ImportError:
            docs = {p.name for p in paths}
            questions = [q for q in questions if q["doc"] in docs or q["doc"] == "README"]
            print("sample_data is not available: its questions are left out", file=sys.stderr)

        started = time.perf_counter()
        encoder = shared_encoder()
        encoder.encode(["warm up"])
        load_s = time.perf_counter() - started
        store = DocStore(Workspace(Path(tmp) / "ws"), encoder)
        store.count()  # open the Chroma client outside the indexing timer
        cpu_started = time.process_time()
        report = index_docs(store, paths)
        index_cpu_s = time.process_time() - cpu_started  # all threads: a figure that shared cores distort less
        keyword_index(store)  # built once per index revision; not part of a query's latency

        base = DocsSettings()
        variants = {
            "dense only": (base, "dense"),
            "BM25 only": (base, "keyword"),
            "hybrid, RRF (equal weights)": (replace(base, fusion="rrf", keyword_weight=1.0), "hybrid"),
            "hybrid, weighted (default)": (replace(base, fusion="weighted"), "hybrid"),
        }
        results = {name: evaluate(store, questions, s, mode, 5) for name, (s, mode) in variants.items()}

    n = len(questions)
    print(f"questions: {n}   docs: {len(report.files)}   chunks: {report.chunks}")
    print(f"model load: {load_s:.1f} s   indexing: {report.seconds:.2f} s = {report.chunks_per_second:.0f} chunks/s "
          f"(embedding included, model loaded); {report.chunks / index_cpu_s:.0f} chunks per CPU-second")
    print(f"\n{'retrieval':28} {'R@1':>6} {'R@5':>6} {'MRR':>6} {'ms p50':>7} {'ms p95':>7}")
    for name, r in results.items():
        print(f"{name:28} {r['r1']:6.3f} {r['r5']:6.3f} {r['mrr']:6.3f} {r['ms_median']:7.1f} {r['ms_p95']:7.1f}")
    default, dense = results["hybrid, weighted (default)"], results["dense only"]
    print(f"\nhybrid vs dense only: R@1 x{default['r1'] / max(dense['r1'], 1e-9):.2f}, "
          f"R@5 x{default['r5'] / max(dense['r5'], 1e-9):.2f}")
    by_doc: dict[str, list[int | None]] = {}
    for q, r in zip(questions, default["ranks"]):
        by_doc.setdefault(q["doc"] if q["doc"] in ("DATA_DICTIONARY.md", "README", "README.txt") else "sample docs",
                          []).append(r)
    for doc, ranks in by_doc.items():
        print(f"  {doc:20} n={len(ranks):2}  R@1 {sum(r == 1 for r in ranks) / len(ranks):.3f}  "
              f"R@5 {sum(bool(r) for r in ranks) / len(ranks):.3f}")
    if args.misses:
        print("\nnot at rank 1 (default):")
        for q, r, hits in zip(questions, default["ranks"], default["hits"]):
            if r != 1:
                print(f"  [{r or '-'}] {q['q']}  (want {q.get('table') or q.get('section')}.{q.get('column')})")
                for h in hits[:3]:
                    print(f"        {h.score:.3f} {h.location}")


if __name__ == "__main__":
    main()
