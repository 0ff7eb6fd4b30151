#!/usr/bin/env bash
# npm run models:train — regenerates the synthetic training set, trains and evaluates the
# 2D models (segmentation, classification, the interactive click model; Debian's
# python3-torch, a GPU is not needed), measures explanation faithfulness and rewrites the
# model cards. Seeded: see the cards for the tolerance.
set -euo pipefail
cd "$(dirname "$0")/../.."
python=/usr/bin/python3
$python -c 'import torch, onnx, PIL' 2>/dev/null || { echo "Needs Debian's python3-torch, python3-onnx and python3-pil: apt-get install -y python3-torch python3-onnx python3-pil" >&2; exit 1; }
npx tsx scripts/synthetic/export-training.ts --out .data/training --studies 160 --seed 1000
$python models/train/train.py --data .data/training --out models
# The interactive model starts from lesion-seg-2d's file, so it trains after it.
$python models/train/train_interactive.py --data .data/training --out models
npx tsx --conditions=react-server scripts/explain/faithfulness.ts
npx tsx scripts/models/write-cards.ts
