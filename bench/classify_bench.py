"""Text classifier figures on real data, each against a peer measured in the same run.

  python bench/classify_bench.py                    # PriceRunner subset, Flipkart, throughput (CPU or GPU)
  python bench/classify_bench.py --audit            # adds the label-noise audit (precision, recall)
  python bench/classify_bench.py --only audit       # the audit alone
  python bench/classify_bench.py --device cuda --max-rows 0 --batch-size 256 --audit   # full data on a GPU

Peers: the fine-tuned encoder against TF-IDF + logistic regression (word n-grams, the engine's baseline, and
char n-grams, a stronger one) on the same split; end-to-end throughput against the bare training and
inference loop of the same model at the same batch size and length on random token ids.
Data: ../shared/data beside the checkout (or --data); nothing is copied or downloaded.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from stocktake.tools.classify.audit import audit_labels  # noqa: E402
from stocktake.tools.classify.baseline import build_baseline  # noqa: E402
from stocktake.tools.classify.data import encode_labels, inject_label_noise, split_stratified  # noqa: E402
from stocktake.tools.classify.metrics import score_predictions  # noqa: E402
from stocktake.tools.classify.settings import (  # noqa: E402
    AuditSettings, BaselineSettings, ClassifySettings, batch_tokens,
)

PRICERUNNER = ("pricerunner-product-titles/pricerunner_aggregate.csv", ["Product Title"], "Category Label")
FLIPKART = ("flipkart-products-1050/flipkart_com-ecommerce_sample_1050.csv", ["product_name", "description"],
            "top_category")
SECTIONS = ("pricerunner", "flipkart", "throughput", "audit")
INFER_BATCH = 256  # the bare inference loop's batch, as in the H200 reference figure


def main() -> None:
    args = parse_args()
    import torch
    import transformers

    transformers.logging.set_verbosity_error()
    transformers.utils.logging.disable_progress_bar()
    settings = ClassifySettings(
        base_model=args.base_model, epochs=args.epochs, batch_size=args.batch_size, max_length=args.max_length,
        learning_rate=args.lr, max_rows=args.max_rows or None, device=args.device,
    )
    device = "cuda" if args.device == "cuda" or (args.device == "auto" and torch.cuda.is_available()) else "cpu"
    print(f"device: {device}" + (f" ({torch.cuda.get_device_name()})" if device == "cuda" else
                                 f" ({torch.get_num_threads()} threads)"), flush=True)
    results: dict = {"device": device, "settings": {k: v for k, v in vars(args).items() if k != "data"}}
    wanted = set(args.only or [s for s in SECTIONS if s != "audit" or args.audit])
    if "pricerunner" in wanted:
        results["pricerunner"] = bench_quality(args.data, PRICERUNNER, settings)
    if "flipkart" in wanted:
        # 735 training rows: a GPU-sized batch would leave too few optimiser steps.
        flip = replace(settings, max_rows=None, max_length=args.flipkart_max_length,
                       batch_size=args.flipkart_batch_size, learning_rate=args.flipkart_lr)
        results["flipkart"] = bench_quality(args.data, FLIPKART, flip)
    if "throughput" in wanted:
        results["throughput"] = bench_throughput(args.data, settings, device, results.get("pricerunner"))
    if "audit" in wanted:
        results["audit"] = bench_audit(args.data, AuditSettings(method=args.audit_method, device=args.device,
                                                                base_model=args.base_model))
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(results, indent=1))


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    p.add_argument("--only", nargs="+", choices=SECTIONS)
    p.add_argument("--audit", action="store_true", help="Also run the label-noise audit.")
    p.add_argument("--audit-method", default="tfidf", choices=("tfidf", "embeddings"))
    p.add_argument("--device", default="auto", choices=("auto", "cpu", "cuda"))
    p.add_argument("--max-rows", type=int, default=4000, help="PriceRunner rows to use; 0 = all 35,311.")
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--max-length", type=int, default=32)
    p.add_argument("--flipkart-max-length", type=int, default=64)
    p.add_argument("--flipkart-batch-size", type=int, default=32)
    p.add_argument("--flipkart-lr", type=float, default=1e-4)
    p.add_argument("--lr", type=float, default=1e-4)
    p.add_argument("--base-model", default=None)
    p.add_argument("--json-out", default=None)
    args = p.parse_args()
    if not args.data.is_dir():
        p.error(f"no datasets at {args.data}; pass --data")
    return args


def load(data: Path, spec) -> pd.DataFrame:
    df = pd.read_csv(data / spec[0])
    if spec[2] == "top_category":
        df["top_category"] = df["product_category_tree"].map(top_category)
    return df


def top_category(tree: str) -> str | None:
    """'["Home Furnishing >> Curtains >> ..."]' -> 'Home Furnishing'."""
    if not isinstance(tree, str):
        return None
    return tree.strip().removeprefix('["').removesuffix('"]').split(">>")[0].strip() or None


def bench_quality(data: Path, spec, settings: ClassifySettings) -> dict:
    from stocktake.tools.classify.train import train_classifier

    df = load(data, spec)
    report = train_classifier(df, spec[1], spec[2], settings)
    labelled = encode_labels(df, spec[1], spec[2], settings.max_rows, settings.split.seed)
    split = split_stratified(labelled.labels, settings.split)
    char = build_baseline(BaselineSettings(analyzer="char_wb", ngram_max=5))
    char.fit([labelled.texts[i] for i in split.train], labelled.labels[split.train])
    char_f1 = score_predictions(labelled.labels[split.test], char.predict([labelled.texts[i] for i in split.test]),
                                labelled.classes).macro_f1
    name = Path(spec[0]).stem
    out = {"rows": report.rows, "classes": len(report.test.labels), "epochs_run": report.epochs_run,
           "accuracy": report.accuracy, "macro_f1": report.macro_f1,
           "baseline_accuracy": report.baseline.accuracy, "baseline_macro_f1": report.baseline.macro_f1,
           "char_baseline_macro_f1": char_f1, "train_seconds": report.train_seconds,
           "train_samples_per_s": report.train_samples_per_s,
           "end_to_end_samples_per_s": report.end_to_end_samples_per_s}
    print(f"{name}: {report.rows['train']} train / {report.rows['test']} test rows, {out['classes']} classes, "
          f"{report.epochs_run} epochs on {report.device} ({report.train_seconds:.0f} s)\n"
          f"  fine-tuned encoder     macro-F1 {report.macro_f1:.4f}  accuracy {report.accuracy:.4f}\n"
          f"  TF-IDF word + LR       macro-F1 {report.baseline.macro_f1:.4f}  accuracy {report.baseline.accuracy:.4f}"
          f"  (encoder - baseline: {report.macro_f1 - report.baseline.macro_f1:+.4f})\n"
          f"  TF-IDF char 2-5 + LR   macro-F1 {char_f1:.4f}", flush=True)
    return out


def bench_throughput(data: Path, settings: ClassifySettings, device: str, quality: dict | None) -> dict:
    """End-to-end samples/s (tokenising and moving data included) over the bare loop on random ids."""
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from stocktake.tools.classify.encoder import (
        base_model_path, predict_proba, prepare_for_inference, resolve_device, tokenize,
    )

    dev = resolve_device(device)
    path = base_model_path(settings.base_model)
    model = AutoModelForSequenceClassification.from_pretrained(path, num_labels=10, dtype=torch.float32).to(dev)
    titles = load(data, PRICERUNNER)["Product Title"].astype(str).tolist()
    tokenizer = AutoTokenizer.from_pretrained(path)
    host = count_host_work(model, tokenize(tokenizer, titles[:4096], settings.max_length), settings, dev)
    bare_train = bare_train_loop(model, dev, settings.batch_size, settings.max_length)
    model = prepare_for_inference(model, dev)  # as predict_labels does
    bare_infer = bare_inference_loop(model, dev, INFER_BATCH, settings.max_length)
    n = len(titles) if dev.type == "cuda" else min(len(titles), 2000)
    tokens = batch_tokens(dev.type, settings.eval_batch_tokens)
    predict_proba(model, tokenize(tokenizer, titles[:512], settings.max_length), tokens, dev)
    start = _now(dev)
    encoded = tokenize(tokenizer, titles[:n], settings.max_length)
    tokenize_s = _now(dev) - start
    predict_proba(model, encoded, tokens, dev)
    e2e_infer = n / (_now(dev) - start)
    e2e_train = quality["end_to_end_samples_per_s"] if quality else None
    out = {"batch_size": settings.batch_size, "eval_batch_tokens": tokens,
           "bare_inference_batch": INFER_BATCH, "max_length": settings.max_length,
           "mean_tokens": float(encoded.lengths.mean()), "tokenize_samples_per_s": round(n / tokenize_s, 1),
           "bare_train_samples_per_s": round(bare_train, 1), "bare_inference_samples_per_s": round(bare_infer, 1),
           "end_to_end_train_samples_per_s": e2e_train, "end_to_end_inference_samples_per_s": round(e2e_infer, 1),
           **host}
    train_line = (f"{e2e_train:,.0f} samples/s end to end (PriceRunner run) = {e2e_train / bare_train:.2f} x "
                  if e2e_train else "(run the pricerunner section for the end-to-end figure) ")
    print(f"throughput on {dev.type}, batch {settings.batch_size}, max length {settings.max_length} "
          f"(titles average {out['mean_tokens']:.1f} tokens):\n"
          f"  training:  {train_line}bare loop {bare_train:,.0f}\n"
          f"  inference: {e2e_infer:,.0f} samples/s end to end ({n} titles, tokenising at {n / tokenize_s:,.0f}/s "
          f"included, batches of {tokens} tokens) = {e2e_infer / bare_infer:.2f} x bare loop "
          f"{bare_infer:,.0f} (batch {INFER_BATCH}, length {settings.max_length})\n"
          f"  host work per training step (ops dispatched, waits for the device): engine "
          f"{host['engine_ops_padded']} / {host['engine_host_reads_padded']} on a padded batch, "
          f"{host['engine_ops_unpadded']} / {host['engine_host_reads_unpadded']} unpadded; bare step "
          f"{host['bare_ops']:,} / {host['bare_host_reads']}", flush=True)
    return out


def count_host_work(model, encoded, settings: ClassifySettings, dev) -> dict:
    """Ops the host dispatches per training step, the engine's against the bare step.

    The GPU run of this small model is bound by how fast the host queues kernels, so op counts (which are
    the same on any device) and values read back (each makes the host wait) predict the GPU ratio.
    """
    import numpy as np
    import torch

    from stocktake.tools.classify.encoder import length_grouped_batches
    from stocktake.tools.classify.train import make_optimizer, train_step

    batches = length_grouped_batches(np.arange(len(encoded)), encoded.lengths, settings.batch_size,
                                     np.random.default_rng(0))
    encoded = encoded.to(dev)
    steps = {mask is None: (ids, mask, index) for ids, mask, index in encoded.batches(batches)}
    optimizer, scheduler = make_optimizer(model, settings, total_steps=100)
    loss_fn = torch.nn.CrossEntropyLoss(weight=torch.ones(model.config.num_labels, device=dev))
    y = torch.zeros(len(encoded), dtype=torch.long, device=dev)
    model.train()
    out = {}
    for unpadded, name in ((False, "padded"), (True, "unpadded")):
        if unpadded not in steps:  # every batch of the sample had padding, or none had
            out[f"engine_ops_{name}"] = out[f"engine_host_reads_{name}"] = None
            continue
        ids, mask, index = steps[unpadded]
        ops = count_ops(lambda: train_step(model, ids, mask, y[index], loss_fn, optimizer, scheduler, dev), dev)
        out[f"engine_ops_{name}"], out[f"engine_host_reads_{name}"] = ops
    ids = torch.randint(1000, 30000, (settings.batch_size, settings.max_length), device=dev)
    out["bare_ops"], out["bare_host_reads"] = count_ops(bare_step(model, ids, y[:settings.batch_size], optimizer,
                                                                  dev), dev)
    return out


def count_ops(step, dev) -> tuple[int, int]:
    """(ops dispatched, host waits) in one call of ``step``, after a warm-up call.

    Host waits: on a GPU, the synchronisations CUDA's sync debug mode reports; elsewhere the ops that copy a
    value to the host, which would be one on a GPU.
    """
    import warnings

    import torch
    from torch.utils._python_dispatch import TorchDispatchMode

    reads = ("aten._local_scalar_dense", "aten.nonzero", "aten.is_nonzero", "aten.equal", "aten.masked_select")
    counts = {"ops": 0, "reads": 0}

    class Count(TorchDispatchMode):
        def __torch_dispatch__(self, func, types, args=(), kwargs=None):
            counts["ops"] += 1
            counts["reads"] += str(func.overloadpacket).startswith(reads)
            return func(*args, **(kwargs or {}))

    step()
    with Count(), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if dev.type == "cuda":
            torch.cuda.set_sync_debug_mode("warn")
        try:
            step()
        finally:
            if dev.type == "cuda":
                torch.cuda.set_sync_debug_mode("default")
    if dev.type == "cuda":
        return counts["ops"], sum("synchroniz" in str(w.message) for w in caught)
    return counts["ops"], counts["reads"]


def bare_step(model, ids, y, optimizer, dev):
    """The training step with nothing around it: fixed-length ids, no mask, no clipping or schedule."""
    import torch

    from stocktake.tools.classify.encoder import autocast

    def step():
        with autocast(dev):
            logits = model(input_ids=ids).logits
        torch.nn.functional.cross_entropy(logits.float(), y).backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)

    return step


def bare_train_loop(model, dev, batch: int, length: int) -> float:
    """Samples/s of the training step alone, on fixed-length random ids."""
    import torch

    ids = torch.randint(1000, 30000, (batch, length), device=dev)  # no padding, so no mask
    y = torch.randint(0, model.config.num_labels, (batch,), device=dev)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-5, fused=True)
    model.train()
    return _rate(bare_step(model, ids, y, optimizer, dev), 30 if dev.type == "cuda" else 4, batch, dev)


def bare_inference_loop(model, dev, batch: int, length: int) -> float:
    """Samples/s of the forward pass alone, on fixed-length random ids."""
    import torch

    from stocktake.tools.classify.encoder import autocast

    ids = torch.randint(1000, 30000, (batch, length), device=dev)  # no padding, so no mask

    def infer_step():
        with torch.inference_mode(), autocast(dev):
            model(input_ids=ids)

    return _rate(infer_step, 30 if dev.type == "cuda" else 4, batch, dev)


def _rate(step, steps: int, batch: int, dev) -> float:
    for _ in range(3):
        step()
    start = _now(dev)
    for _ in range(steps):
        step()
    return steps * batch / (_now(dev) - start)


def _now(dev) -> float:
    import torch

    if dev.type == "cuda":
        torch.cuda.synchronize()
    return time.perf_counter()


def bench_audit(data: Path, settings: AuditSettings, fraction: float = 0.05) -> dict:
    """Move 5% of labels to a random other class, audit, and score the flagged rows against that truth."""
    out = {}
    for spec in (PRICERUNNER, FLIPKART):
        df = load(data, spec)
        df["noisy_label"], flipped = inject_label_noise(df[spec[2]], fraction, seed=0)
        report = audit_labels(df, spec[1], "noisy_label", settings)
        flagged = {s.row for s in report.suspects}
        hits = len(flagged & set(flipped.tolist()))
        precision, recall = hits / max(1, len(flagged)), hits / max(1, len(flipped))
        name = Path(spec[0]).stem
        out[name] = {"rows": report.rows, "injected": len(flipped), "flagged": len(flagged),
                     "precision": round(precision, 4), "recall": round(recall, 4), "seconds": report.seconds,
                     "method": report.method, "folds": report.folds}
        print(f"audit {name} ({report.method}, {report.folds}-fold): {len(flipped)} of {report.rows} labels moved "
              f"to another class; flagged {len(flagged)}: precision {precision:.3f}, recall {recall:.3f} "
              f"(target >= 0.8 and >= 0.7) in {report.seconds:.0f} s", flush=True)
    return out


if __name__ == "__main__":
    main()
