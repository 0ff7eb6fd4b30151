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

const interactive = JSON.parse(readFileSync(path.join(root, 'models/train/interactive-metrics.json'), 'utf8')) as {
  seed: number
  epochs: number
  data: { train_slices: number; test_slices: number; test_studies: number }
  clicks: Record<string, Record<'slices' | 'studies', { mean: number; sd: number; median: number; p10: number; p90: number }>>
  floor_after_3_clicks: number
  sha256: string
  bytes: number
}
const clickRows = ['1', '3', '5'].map((n) => {
  const { slices, studies } = interactive.clicks[n]!
  return `| ${n} | ${num(slices.mean)} ± ${num(slices.sd)} | ${num(slices.median)} (${num(slices.p10)}–${num(slices.p90)}) | ${num(studies.mean)} ± ${num(studies.sd)} |`
})
writeFileSync(path.join(root, 'models/nodule-click-2d/CARD.md'), `# Model card: lung nodule, click-guided (2D U-Net, synthetic) — nodule-click-2d 1.0.0

## Intended use
Demonstration of Parallax's AI-assisted correction in the browser: positive and negative clicks on a slice refine a nodule segment, in the manner of DeepGrow / DeepEdit, in the page's inference worker (WebGPU or WASM). **Not for clinical use.**

## Model
The lesion-seg-2d U-Net (8-16-32-64 channels, ${(interactive.bytes / 1024).toFixed(0)} KiB ONNX) with four input channels at 128×128: the CT slice (−1000…400 HU scaled to 0…1), positive clicks, negative clicks (each click a Gaussian disk, σ 2 model pixels, cut off at 6; the maximum where disks overlap) and the segment's previous mask on the slice (0/1). Output: a nodule logit per pixel, resized to the slice bilinearly; ≥ 0 (probability ≥ 0.5) is the segment. SHA-256 \`${interactive.sha256}\`. The app builds the input with \`lib/inference/interactive.ts\`, the same function in the browser worker and in Node.

## Training
Starts from lesion-seg-2d's weights (the click and mask channels' weights zero, so it starts as the automatic model), then ${interactive.epochs} epochs on the ${interactive.data.train_slices} training slices that hold a nodule (seed ${interactive.seed}). Clicks are simulated as DeepGrow does: the first at the centre (the point furthest from the boundary) of the largest region of the ground truth, each next one at the centre of the largest error region, positive in a missed part, negative in a false positive. Each batch first runs 0–4 such rounds without gradients, each prediction fed back as the previous mask (DeepEdit), so the model learns to correct its own output.

## Training data
The synthetic chest CT phantoms of the other models (\`lib/synthetic\`; ${data.studies} studies split by study), resized to 128×128 exactly as the app does.

## Reproduce
\`npm run models:train\` trains lesion-seg-2d first, then this model (\`models/train/train_interactive.py\`, Debian python3-torch on the CPU, about 10–20 minutes on two shared cores), evaluates it and rewrites this card; \`--evaluate-only\` re-evaluates the saved weights. Seeded, with PyTorch's deterministic algorithms; across machines or library versions expect the Dice figures within ±0.03.

## Held-out results: Dice against the number of clicks
The same simulated user on the ${interactive.data.test_slices} slices holding a nodule of the ${interactive.data.test_studies} test studies (split by study, never by slice), Dice against the exact phantom mask at 128×128, each click given with every earlier click and the previous prediction:

| clicks | Dice per slice: mean ± SD | median (10th–90th percentile) | per-study mean: mean ± SD |
| --- | --- | --- | --- |
${clickRows.join('\n')}

The tests (\`lib/inference/interactive-model.test.ts\`) run the ONNX file through the app's pipeline in onnxruntime-node on freshly generated held-out phantoms (three test studies, resized to 128×128 as for this evaluation) and check that the mean Dice after 3 clicks is at least **${num(interactive.floor_after_3_clicks, 2)}** (90% of the test studies reach it), and that a false positive of the previous mask is gone after a negative click on it (at the phantom's 256×256). At the phantom's own 256×256, with the mask resized back, Dice is lower than at 128×128: the edges are 128×128's.

## What it is not for
Not for patients or any clinical decision: trained and tested only on synthetic phantoms with spherical nodules. It segments nodules only (not vessels, masses or other organs), one axial slice at a time (no 3D propagation: each slice needs its own clicks), at 128×128, so edges are about 2.8 mm coarse and nodules under about 5 mm are at its resolution limit. The Dice above is for a simulated user who always clicks the centre of the largest error; real users click elsewhere. Its target in training was every nodule on the slice, and its starting point (lesion-seg-2d) makes few errors, so it saw few negative clicks: a negative click on a nodule-like structure (a second nodule the user does not want in the segment) changes little — erase it with the editing tools instead. Beyond two clicks the simulated user's figures hardly move: the errors left are a few edge pixels at 128×128.
`)
console.log('wrote models/nodule-click-2d/CARD.md')
