#!/bin/bash
# Prepare first, on the CPU machine: `bash bench/classify_gpu_prepare.sh` (fills the git-ignored .gpu_model/).
# Then run this script on the GPU machine from the repository root, carrying .gpu_model, with OUT set to a folder
# for the logs: `bash bench/classify_gpu_run.sh`. Throughput first: it is what the GPU adds.
export PYTHONPATH=$PWD:$PWD/.gpu_model/shim PYTHONUNBUFFERED=1 HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader
python3 -c "import torch, transformers, sklearn, pandas; print('torch', torch.__version__, 'transformers', transformers.__version__, 'sklearn', sklearn.__version__, 'pandas', pandas.__version__)"
python3 -m pytest --version >/dev/null 2>&1 && python3 -m pytest -q -p no:cacheprovider tests/test_classify_encoder.py 2>&1 | tail -3
B="--base-model .gpu_model/minilm --data .gpu_model/data --device cuda"
run() { name=$1; shift; echo "=== $name: classify_bench.py $*"; python3 bench/classify_bench.py $B "$@" --json-out $OUT/$name.json 2>&1 | grep -v Warning | tee $OUT/$name.log; }
run full --only pricerunner throughput --max-rows 0 --batch-size 256 --epochs 4 --lr 2e-4
run flipkart --only flipkart
run audit_emb --only audit --audit-method embeddings
echo done
