#!/usr/bin/python3
"""Trains Parallax's two demonstration models on the synthetic chest CTs, evaluates them on
the held-out studies, calibrates the classifier and writes everything the app and the cards
need: ONNX files, manifests, metrics.json and a reliability diagram.

    /usr/bin/python3 models/train/train.py --data .data/training --out models

Seeded and single-process, so a rerun gives the same numbers up to floating-point noise
(see the tolerance in the cards). Debian's python3-torch (CPU) is enough: a few minutes.
"""
import argparse
import hashlib
import json
import math
import os
import random

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

SIZE = 128
HU_LOW, HU_HIGH = -1000.0, 400.0


def set_seed(seed):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(2)


def preprocess(hu):
    # The manifest's pre-processing: clip to the lung window, scale to 0..1.
    return (np.clip(hu, HU_LOW, HU_HIGH) - HU_LOW) / (HU_HIGH - HU_LOW)


def block(cin, cout):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1), nn.BatchNorm2d(cout), nn.ReLU(inplace=True),
                         nn.Conv2d(cout, cout, 3, padding=1), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class UNet(nn.Module):
    """A small 2D U-Net (8-16-32-64 channels, so it trains on two CPU cores in minutes):
    logits for 'nodule' per pixel. `channels` inputs: 1 for lesion-seg-2d, 4 for the
    interactive model (train_interactive.py)."""

    def __init__(self, channels=1):
        super().__init__()
        self.e1, self.e2, self.e3, self.e4 = block(channels, 8), block(8, 16), block(16, 32), block(32, 64)
        self.u3, self.d3 = nn.ConvTranspose2d(64, 32, 2, stride=2), block(64, 32)
        self.u2, self.d2 = nn.ConvTranspose2d(32, 16, 2, stride=2), block(32, 16)
        self.u1, self.d1 = nn.ConvTranspose2d(16, 8, 2, stride=2), block(16, 8)
        self.head = nn.Conv2d(8, 1, 1)

    def forward(self, x):
        e1 = self.e1(x)
        e2 = self.e2(F.max_pool2d(e1, 2))
        e3 = self.e3(F.max_pool2d(e2, 2))
        e4 = self.e4(F.max_pool2d(e3, 2))
        d3 = self.d3(torch.cat([self.u3(e4), e3], 1))
        d2 = self.d2(torch.cat([self.u2(d3), e2], 1))
        d1 = self.d1(torch.cat([self.u1(d2), e1], 1))
        return self.head(d1)


class Classifier(nn.Module):
    """Conv blocks to a 32×16×16 feature map, global average pooling, one linear unit.
    The feature map is a second output, so CAM needs nothing but the linear weights."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(block(1, 8), nn.MaxPool2d(2), block(8, 16), nn.MaxPool2d(2), block(16, 32), nn.MaxPool2d(2))
        self.linear = nn.Linear(32, 1)

    def forward(self, x):
        features = self.features(x)
        logit = self.linear(features.mean(dim=(2, 3)))
        return logit, features


def dice_loss(logits, target):
    p = torch.sigmoid(logits)
    inter = (p * target).sum(dim=(1, 2, 3))
    return 1 - ((2 * inter + 1) / (p.sum(dim=(1, 2, 3)) + target.sum(dim=(1, 2, 3)) + 1)).mean()


def batches(n, size, rng):
    order = rng.permutation(n)
    for start in range(0, n, size):
        yield order[start:start + size]


def augment(x, y, rng):
    # Left-right flips only: the phantom's anatomy is symmetric enough, its AP axis is not.
    if rng.random() < 0.5:
        x, y = torch.flip(x, [3]), torch.flip(y, [3])
    return x, y


def train_segmenter(x, y, epochs, rng):
    model = UNet()
    optimiser = torch.optim.Adam(model.parameters(), lr=2e-3)
    positive_weight = torch.tensor(10.0)
    for epoch in range(epochs):
        model.train()
        total = 0.0
        for index in batches(len(x), 16, rng):
            xb, yb = augment(x[index], y[index], rng)
            logits = model(xb)
            loss = F.binary_cross_entropy_with_logits(logits, yb, pos_weight=positive_weight) + dice_loss(logits, yb)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            total += loss.item() * len(index)
        print(f'segmenter epoch {epoch + 1}/{epochs}: loss {total / len(x):.4f}', flush=True)
    return model.eval()


def train_classifier(x, labels, epochs, rng):
    model = Classifier()
    optimiser = torch.optim.Adam(model.parameters(), lr=2e-3)
    weight = torch.tensor((1 - labels.mean().item()) / max(labels.mean().item(), 1e-6))
    for epoch in range(epochs):
        model.train()
        total = 0.0
        for index in batches(len(x), 32, rng):
            xb, _ = augment(x[index], x[index], rng)
            logit, _ = model(xb)
            loss = F.binary_cross_entropy_with_logits(logit[:, 0], labels[index], pos_weight=weight)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            total += loss.item() * len(index)
        print(f'classifier epoch {epoch + 1}/{epochs}: loss {total / len(x):.4f}', flush=True)
    return model.eval()


@torch.no_grad()
def predict(model, x, batch=64):
    outputs = [model(x[start:start + batch]) for start in range(0, len(x), batch)]
    if isinstance(outputs[0], tuple):
        return torch.cat([o[0] for o in outputs])
    return torch.cat(outputs)


def roc_auc(scores, labels):
    order = np.argsort(scores)
    ranks = np.empty(len(scores))
    ranks[order] = np.arange(1, len(scores) + 1)
    # Average ranks of ties.
    for value in np.unique(scores):
        tied = scores == value
        ranks[tied] = ranks[tied].mean()
    positives = labels.sum()
    negatives = len(labels) - positives
    return float((ranks[labels == 1].sum() - positives * (positives + 1) / 2) / (positives * negatives))


def expected_calibration_error(probabilities, labels, bins=10):
    edges = np.linspace(0, 1, bins + 1)
    ece, table = 0.0, []
    for low, high in zip(edges[:-1], edges[1:]):
        inside = (probabilities >= low) & (probabilities < high if high < 1 else probabilities <= high)
        if inside.any():
            confidence, accuracy = probabilities[inside].mean(), labels[inside].mean()
            ece += inside.mean() * abs(confidence - accuracy)
            table.append((float(low), float(high), float(confidence), float(accuracy), int(inside.sum())))
    return float(ece), table


def fit_temperature(logits, labels):
    log_t = torch.zeros(1, requires_grad=True)
    optimiser = torch.optim.LBFGS([log_t], lr=0.1, max_iter=200)

    def closure():
        optimiser.zero_grad()
        loss = F.binary_cross_entropy_with_logits(logits / log_t.exp(), labels)
        loss.backward()
        return loss

    optimiser.step(closure)
    return float(log_t.exp().item())


def reliability_png(path, before, after):
    """A reliability diagram (accuracy against confidence per bin), before and after scaling."""
    from PIL import Image, ImageDraw
    w, h, m = 420, 420, 50
    image = Image.new('RGB', (w, h), 'white')
    draw = ImageDraw.Draw(image)
    to_xy = lambda c, a: (m + c * (w - 2 * m), h - m - a * (h - 2 * m))
    draw.rectangle([m, m, w - m, h - m], outline='black')
    draw.line([to_xy(0, 0), to_xy(1, 1)], fill=(150, 150, 150), width=1)
    for table, colour in ((before, (200, 60, 60)), (after, (40, 90, 200))):
        points = [to_xy(conf, acc) for _, _, conf, acc, _ in table]
        if len(points) > 1:
            draw.line(points, fill=colour, width=2)
        for x, y in points:
            draw.ellipse([x - 3, y - 3, x + 3, y + 3], fill=colour)
    draw.text((m, 15), 'Reliability: red before, blue after temperature scaling', fill='black')
    draw.text((w // 2 - 40, h - 30), 'confidence', fill='black')
    draw.text((5, h // 2), 'accuracy', fill='black')
    image.save(path)


def sha256(path):
    with open(path, 'rb') as handle:
        return hashlib.sha256(handle.read()).hexdigest()


def export_onnx(model, path, output_names):
    dummy = torch.zeros(1, 1, SIZE, SIZE)
    dynamic = {'image': {0: 'batch'}, **{name: {0: 'batch'} for name in output_names}}
    torch.onnx.export(model, dummy, path, input_names=['image'], output_names=output_names, dynamic_axes=dynamic, opset_version=13, do_constant_folding=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--data', required=True)
    parser.add_argument('--out', required=True)
    parser.add_argument('--seed', type=int, default=20261127)
    parser.add_argument('--epochs', type=int, default=15)
    parser.add_argument('--evaluate-only', action='store_true', help='skip training; evaluate the weights saved by the last run')
    args = parser.parse_args()
    set_seed(args.seed)
    rng = np.random.default_rng(args.seed)

    meta = json.load(open(os.path.join(args.data, 'meta.json')))
    images = torch.from_numpy(preprocess(np.load(os.path.join(args.data, 'slices.npy')))).float()[:, None]
    masks = torch.from_numpy(np.load(os.path.join(args.data, 'masks.npy')).astype(np.float32))[:, None]
    split = np.array([entry['split'] for entry in meta['slices']])
    study = np.array([entry['study'] for entry in meta['slices']])
    positive = np.array([entry['positive'] for entry in meta['slices']], dtype=np.float32)
    train, validation, test = (split == 'train'), (split == 'validation'), (split == 'test')
    print(f'slices: train {train.sum()}, validation {validation.sum()}, test {test.sum()}', flush=True)

    weights = os.path.join(args.data, 'weights')
    if args.evaluate_only:
        # Evaluation alone, on the weights the last training run saved.
        segmenter, classifier = UNet(), Classifier()
        segmenter.load_state_dict(torch.load(os.path.join(weights, 'segmenter.pt')))
        classifier.load_state_dict(torch.load(os.path.join(weights, 'classifier.pt')))
        segmenter.eval()
        classifier.eval()
    else:
        segmenter = train_segmenter(images[train], masks[train], args.epochs, rng)
        classifier = train_classifier(images[train], torch.from_numpy(positive[train]), args.epochs, rng)
        os.makedirs(weights, exist_ok=True)
        torch.save(segmenter.state_dict(), os.path.join(weights, 'segmenter.pt'))
        torch.save(classifier.state_dict(), os.path.join(weights, 'classifier.pt'))

    # Segmentation: Dice over the test slices that hold a nodule, and over all test voxels.
    seg_probability = torch.sigmoid(predict(segmenter, images[test]))
    predicted = (seg_probability >= 0.5).float()
    truth = masks[test]
    per_slice = [float((2 * (p * t).sum() / (p.sum() + t.sum())).item()) for p, t in zip(predicted, truth) if t.sum() > 0]
    overall_dice = float((2 * (predicted * truth).sum() / (predicted.sum() + truth.sum())).item())

    # Classification: temperature fitted on validation slices. The app calls a series
    # positive when its highest slice reaches the operating point, so the operating point is
    # chosen on validation studies: halfway (in logits) between the highest-scoring study
    # without nodules and the lowest-scoring study with one when they separate, else the
    # lowest threshold keeping 95% of the nodule-free studies negative.
    validation_logits = predict(classifier, images[validation])[:, 0]
    temperature = fit_temperature(validation_logits, torch.from_numpy(positive[validation]))
    validation_probability = torch.sigmoid(validation_logits / temperature).numpy()
    study_scores = {s: (validation_probability[study[validation] == s].max(), positive[validation][study[validation] == s].max()) for s in sorted(set(study[validation]))}
    negative_scores = np.sort([score for score, label in study_scores.values() if label == 0])
    positive_scores = np.sort([score for score, label in study_scores.values() if label == 1])
    logit = lambda p: math.log(max(p, 1e-9) / max(1 - p, 1e-9))
    if len(negative_scores) and len(positive_scores) and negative_scores[-1] < positive_scores[0]:
        threshold = 1 / (1 + math.exp(-(logit(negative_scores[-1]) + logit(positive_scores[0])) / 2))
    elif len(negative_scores):
        threshold = float(negative_scores[int(math.ceil(0.95 * len(negative_scores))) - 1]) + 1e-6
    else:
        threshold = 0.5

    test_logits = predict(classifier, images[test])[:, 0]
    raw_probability = torch.sigmoid(test_logits).numpy()
    calibrated = torch.sigmoid(test_logits / temperature).numpy()
    labels = positive[test]
    ece_before, table_before = expected_calibration_error(raw_probability, labels)
    ece_after, table_after = expected_calibration_error(calibrated, labels)
    decided = calibrated >= threshold
    sensitivity = float((decided & (labels == 1)).sum() / max((labels == 1).sum(), 1))
    specificity = float((~decided & (labels == 0)).sum() / max((labels == 0).sum(), 1))
    # Study level: a study is positive when any slice is; its score is its highest slice.
    test_studies = sorted(set(study[test]))
    study_score = np.array([calibrated[study[test] == s].max() for s in test_studies])
    study_label = np.array([labels[study[test] == s].max() for s in test_studies])
    study_decided = study_score >= threshold

    seg_dir = os.path.join(args.out, 'lesion-seg-2d')
    cls_dir = os.path.join(args.out, 'lesion-cls-2d')
    os.makedirs(seg_dir, exist_ok=True)
    os.makedirs(cls_dir, exist_ok=True)
    export_onnx(segmenter, os.path.join(seg_dir, 'model.onnx'), ['logits'])
    export_onnx(classifier, os.path.join(cls_dir, 'model.onnx'), ['logit', 'features'])
    reliability_png(os.path.join(cls_dir, 'reliability.png'), table_before, table_after)

    metrics = {
        'seed': args.seed,
        'epochs': args.epochs,
        'data': {'studies': len(meta['studies']), 'slices': {'train': int(train.sum()), 'validation': int(validation.sum()), 'test': int(test.sum())},
                 'test_studies': len(test_studies), 'test_positive_studies': int(study_label.sum())},
        'segmentation': {'dice_overall': overall_dice, 'dice_mean_positive_slices': float(np.mean(per_slice)), 'positive_test_slices': len(per_slice)},
        'classification': {
            'auc_slice': roc_auc(calibrated, labels),
            'auc_study': roc_auc(study_score, study_label),
            'temperature': temperature,
            'threshold': threshold,
            'sensitivity_slice': sensitivity,
            'specificity_slice': specificity,
            'sensitivity_study': float((study_decided & (study_label == 1)).sum() / max(study_label.sum(), 1)),
            'specificity_study': float((~study_decided & (study_label == 0)).sum() / max((study_label == 0).sum(), 1)),
            'ece_before': ece_before,
            'ece_after': ece_after,
            'reliability_before': table_before,
            'reliability_after': table_after,
        },
        'sha256': {'lesion-seg-2d': sha256(os.path.join(seg_dir, 'model.onnx')), 'lesion-cls-2d': sha256(os.path.join(cls_dir, 'model.onnx'))},
    }
    json.dump(metrics, open(os.path.join(args.out, 'train', 'metrics.json'), 'w'), indent=2)
    for directory, extra in ((seg_dir, {}), (cls_dir, {'temperature': temperature, 'decisionThreshold': threshold})):
        manifest_path = os.path.join(directory, 'manifest.json')
        manifest = json.load(open(manifest_path))
        model_path = os.path.join(directory, 'model.onnx')
        manifest['parallax']['file'].update({'sha256': sha256(model_path), 'bytes': os.path.getsize(model_path)})
        manifest['parallax']['postprocessing'].update(extra)
        json.dump(manifest, open(manifest_path, 'w'), indent=2)
        open(manifest_path, 'a').write('\n')
    print(json.dumps({k: v for k, v in metrics.items() if k != 'classification'}, indent=2))
    print(json.dumps({k: v for k, v in metrics['classification'].items() if not k.startswith('reliability')}, indent=2))


if __name__ == '__main__':
    main()
