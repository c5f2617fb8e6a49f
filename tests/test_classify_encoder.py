"""The torch plumbing under the classifier: tokenising once, batching, and a forward pass that never waits."""

from __future__ import annotations

import collections

import numpy as np
import pytest
import torch
from torch.utils._python_dispatch import TorchDispatchMode

from stocktake.tools.classify.encoder import (
    Encoded, base_model_path, forward, length_grouped_batches, token_budget_batches, tokenize,
)

# Ops that copy a value from the device to the host: on a GPU each one makes the host wait for the queue.
HOST_READS = ("aten._local_scalar_dense", "aten.nonzero", "aten.is_nonzero", "aten.equal", "aten.masked_select")


class CountOps(TorchDispatchMode):
    def __init__(self):
        super().__init__()
        self.ops = collections.Counter()

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        self.ops[str(func.overloadpacket)] += 1
        return func(*args, **(kwargs or {}))

    def host_reads(self) -> int:
        return sum(n for op, n in self.ops.items() if op.startswith(HOST_READS))


@pytest.fixture(scope="module")
def tokenizer():
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(base_model_path(None))


def small_model(attention: str):
    from transformers import AutoModelForSequenceClassification

    torch.manual_seed(0)
    return AutoModelForSequenceClassification.from_pretrained(
        base_model_path(None), num_labels=3, attn_implementation=attention).eval()


def padded_batch(tokenizer) -> Encoded:
    return tokenize(tokenizer, ["Apple iPhone 8 Plus 64GB silver", "Bosch dishwasher", "a tv"], max_length=16)


def test_fast_tokenizing_matches_the_tokenizers_own_padding(tokenizer):
    texts = ["Apple iPhone 8 Plus 64GB silver", "", "a " * 40, "Bosch SMS46KI01G dishwasher"]
    ours = tokenize(tokenizer, texts, max_length=12)
    theirs = tokenizer(texts, max_length=12, truncation=True, padding="max_length", return_tensors="pt")
    assert ours.ids.tolist() == theirs["input_ids"].tolist()
    assert ours.mask.tolist() == theirs["attention_mask"].tolist()
    assert ours.lengths.tolist() == theirs["attention_mask"].sum(dim=1).tolist()


def test_length_grouped_batches_cover_every_row_once_in_full_batches_with_less_padding():
    rng = np.random.default_rng(0)
    lengths = rng.integers(3, 33, size=1000)
    positions = np.arange(0, 1000, 2)
    batches = length_grouped_batches(positions, lengths, batch_size=16, rng=rng, window=8)
    assert sorted(np.concatenate(batches).tolist()) == positions.tolist()
    assert sorted(len(b) for b in batches)[1:] == [16] * (len(batches) - 1)  # 500 = 31 x 16 + 4

    def padding(batches):
        return sum(int(lengths[b].max() * len(b) - lengths[b].sum()) for b in batches)

    shuffled = np.split(rng.permutation(positions), range(16, 500, 16))
    assert padding(batches) < padding(shuffled) / 5


@pytest.mark.parametrize("lengths, budget, sizes", [
    ([5, 5, 5, 5], 10, [2, 2]),
    ([2, 8, 4, 4], 8, [1, 2, 1]),  # longest first: 8 | 4 4 | 2
    ([30, 1], 8, [1, 1]),  # a row longer than the budget still gets a batch of its own
    ([], 8, []),
])
def test_token_budget_batches_take_rows_longest_first_within_the_budget(lengths, budget, sizes):
    lengths = np.array(lengths, dtype=np.int64)
    batches = token_budget_batches(lengths, budget)
    assert [len(b) for b in batches] == sizes
    order = np.concatenate(batches) if batches else np.array([], dtype=np.int64)
    assert sorted(order.tolist()) == list(range(len(lengths)))
    assert lengths[order].tolist() == sorted(lengths.tolist(), reverse=True)


def test_a_batch_gets_a_mask_only_when_it_holds_padding(tokenizer):
    encoded = tokenize(tokenizer, ["a tv", "a tv", "a big tv"], max_length=8)
    (ids, mask, index), (ids2, mask2, _) = encoded.batches([np.array([0, 1]), np.array([2, 0])])
    assert mask is None and ids.shape == (2, 4) and index.tolist() == [0, 1]
    assert mask2.tolist() == [[1, 1, 1, 1, 1], [1, 1, 1, 1, 0]]


@pytest.mark.parametrize("attention", ["sdpa", "eager"])
def test_forward_with_the_ready_made_mask_matches_the_models_own_masking(tokenizer, attention):
    model, encoded = small_model(attention), padded_batch(tokenizer)
    (ids, mask, _), = encoded.batches([np.arange(3)])
    with torch.inference_mode():
        theirs = model(input_ids=ids, attention_mask=mask).logits
        ours = forward(model, ids, mask).logits
    torch.testing.assert_close(ours, theirs)


@pytest.mark.parametrize("device", ["cpu", "cuda"])
def test_a_padded_training_step_reads_nothing_back_from_the_device(tokenizer, device):
    from stocktake.tools.classify.settings import ClassifySettings
    from stocktake.tools.classify.train import make_optimizer, train_step

    if device == "cuda" and not torch.cuda.is_available():
        pytest.skip("no CUDA GPU here; the CPU case checks the same ops")
    dev = torch.device(device)
    model, encoded = small_model("sdpa").to(dev), padded_batch(tokenizer).to(dev)
    (ids, mask, _), = encoded.batches([np.arange(3)])
    optimizer, scheduler = make_optimizer(model, ClassifySettings(), total_steps=10)
    loss_fn = torch.nn.CrossEntropyLoss(weight=torch.tensor([1.0, 2.0, 0.5], device=dev))
    targets = torch.tensor([0, 1, 2], device=dev)
    model.train()
    with CountOps() as plain:
        model(input_ids=ids, attention_mask=mask).logits.sum().backward()
    train_step(model, ids, mask, targets, loss_fn, optimizer, scheduler, dev)  # CUDA initialises lazily
    with CountOps() as ours:
        if device == "cuda":
            torch.cuda.set_sync_debug_mode("error")
        try:
            train_step(model, ids, mask, targets, loss_fn, optimizer, scheduler, dev)
        finally:
            if device == "cuda":
                torch.cuda.set_sync_debug_mode("default")
    assert plain.host_reads() > 0  # transformers checks a 2-D mask for padding
    assert ours.host_reads() == 0
