// Writes the model cards (models/<id>/CARD.md) from the evaluation outputs: the training
// script's models/train/metrics.json and the faithfulness script's faithfulness.json. The
// numbers in the cards are never typed by hand.
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'

const root = path.resolve(import.meta.dirname, '../..')
const metrics = JSON.parse(readFileSync(path.join(root, 'models/train/metrics.json'), 'utf8'))
const faithfulness = JSON.parse(readFileSync(path.join(root, 'models/train/faithfulness.json'), 'utf8')) as {
  nodules: number
  methods: Record<string, Record<string, { pointingGame: number; deletionAuc: number; trials: number }>>
}
const pct = (value: number) => `${(100 * value).toFixed(1)}%`
const num = (value: number, digits = 3) => value.toFixed(digits)

function faithfulnessTable(id: string): string {
  const methods = faithfulness.methods[id]!
  const random = methods.random!.deletionAuc
  const rows = Object.entries(methods).map(([name, entry]) => `| ${name} | ${pct(entry.pointingGame)} | ${num(entry.deletionAuc, 4)} | ${name === 'random' ? 'baseline' : entry.deletionAuc < random ? 'yes' : '**no**'} |`)
  return [`On ${faithfulness.nodules} held-out nodules (the central slice of each; random: 3 random maps per slice).`, '', '| method | pointing game | deletion AUC (lower is better) | beats random |', '| --- | --- | --- | --- |', ...rows].join('\n')
}

const data = metrics.data
const common = `## Training data
Synthetic chest CT phantoms from \`lib/synthetic\` (body, lungs, mediastinum, heart, aorta, spine, ribs; CT-like blur and noise; 0–3 spherical nodules of 3–30 mm, −450 to +80 HU), ${data.studies} studies split by study: ${data.slices.train} training slices (every slice with a nodule and 8 without, per study), ${data.slices.validation} validation and ${data.slices.test} test slices (all slices of ${data.test_studies} test studies, ${data.test_positive_studies} with nodules). Slices are resized to 128×128 exactly as the app does, clipped to −1000…400 HU and scaled to 0…1.

## Reproduce
\`npm run models:train\` regenerates the data, trains (seed ${metrics.seed}, ${metrics.epochs} epochs, Debian python3-torch on the CPU), evaluates, measures faithfulness and rewrites this card. Training is seeded and uses PyTorch's deterministic algorithms: a second run from scratch on the same machine gave byte-identical ONNX files (same SHA-256) and therefore identical metrics. Across machines or library versions, expect the numbers within ±0.02 (Dice, AUC, sensitivity, specificity) and ±0.01 (ECE). \`python3 models/train/train.py --data .data/training --out models --evaluate-only\` re-evaluates the saved weights without training.

## Limitations
Trained and tested only on synthetic phantoms: real CT has vessels, fissures, motion, partial volume, and nodules that are not spheres. Never use it on patients. It sees one 2.5 mm slice at a time, at 128×128 (about 2.8 mm pixels), so nodules under about 5 mm are near its resolution limit.
`

writeFileSync(path.join(root, 'models/lesion-seg-2d/CARD.md'), `# Model card: lung nodule segmentation (2D U-Net, synthetic) — lesion-seg-2d 1.0.0

## Intended use
Demonstration of Parallax's in-browser segmentation and explainability. **Not for clinical use.**

## Model
A 2D U-Net (8-16-32-64 channels, ${(readFileSync(path.join(root, 'models/lesion-seg-2d/model.onnx')).length / 1024).toFixed(0)} KiB ONNX) giving a nodule logit per pixel at 128×128; sigmoid ≥ 0.5 is a nodule. SHA-256 \`${metrics.sha256['lesion-seg-2d']}\`.

${common}
## Held-out results (test studies)
| metric | value |
| --- | --- |
| Dice over all test voxels | ${num(metrics.segmentation.dice_overall)} |
| mean Dice over slices holding a nodule (${metrics.segmentation.positive_test_slices}) | ${num(metrics.segmentation.dice_mean_positive_slices)} |

## Explainability and its faithfulness
Per-pixel probability and entropy (uncertainty) maps; occlusion and RISE on the mean probability of the segmented region.

${faithfulnessTable('lesion-seg-2d')}
`)

const c = metrics.classification
writeFileSync(path.join(root, 'models/lesion-cls-2d/CARD.md'), `# Model card: lung nodule present (2D CNN, synthetic) — lesion-cls-2d 1.0.0

## Intended use
Demonstration of Parallax's in-browser classification, calibration and explainability. **Not for clinical use.**

## Model
Three convolution blocks (8-16-32 channels) to a 32×16×16 feature map, global average pooling and one linear unit (${(readFileSync(path.join(root, 'models/lesion-cls-2d/model.onnx')).length / 1024).toFixed(0)} KiB ONNX). The feature map is a second output, so CAM is exact. SHA-256 \`${metrics.sha256['lesion-cls-2d']}\`. A series' probability is that of its highest slice.

${common}
## Held-out results (test studies)
| metric | slice level | study level |
| --- | --- | --- |
| AUC | ${num(c.auc_slice)} | ${num(c.auc_study)} |
| sensitivity at the operating point | ${pct(c.sensitivity_slice)} | ${pct(c.sensitivity_study)} |
| specificity at the operating point | ${pct(c.specificity_slice)} | ${pct(c.specificity_study)} |

Operating point: calibrated probability ≥ ${num(c.threshold, 4)} on a series' highest slice, chosen on the validation studies: halfway, in logits, between the highest-scoring study without nodules and the lowest-scoring study with one (when they overlap: 95% specificity). The test set has only ${data.test_studies - data.test_positive_studies} studies without nodules, so the study-level specificity is a coarse estimate.

## Calibration
Temperature scaling fitted on the validation split: T = ${num(c.temperature)}. Expected calibration error (10 bins, test slices): **${num(c.ece_before)} before, ${num(c.ece_after)} after**. The app shows calibrated probabilities.

![Reliability diagram](reliability.png)

## Explainability and its faithfulness
CAM (feature map × linear weights), EigenCAM, occlusion sensitivity and RISE (on the positive logit: the calibrated probability saturates near 1 on a clear nodule). Hidden pixels become air; the perturbation methods' low pointing-game scores suggest the air-filled holes they cut into soft tissue are themselves unusual inputs for this model, so read their maps with care. CAM and EigenCAM remove the evidence fastest.

${faithfulnessTable('lesion-cls-2d')}
`)
console.log('wrote models/lesion-seg-2d/CARD.md and models/lesion-cls-2d/CARD.md')
