"""A 1-D convolutional classifier of waveforms, trained with class weights on imbalanced data.

Ordinary PyTorch in the style of a signal-processing script: NumPy generates recordings of four
waveform kinds (sine, square, sawtooth, noise bursts) in unequal numbers, from two "sensors" (a
clean and a noisy one, joined with ``ConcatDataset``), resampled to a common length with
``F.interpolate``. A ``Conv1d`` network (``Tensor.relu()`` between layers, global average over
time) is trained with Adam and a class-weighted ``CrossEntropyLoss``, keeps an exponential moving
average of its weights through ``.data`` updates, and is scored by balanced accuracy (mean recall
per class, from ``F.one_hot``) and the class-weighted NLL of ``log_softmax``.
"""

import argparse
import json
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import ConcatDataset, DataLoader, TensorDataset

KINDS = ("sine", "square", "sawtooth", "bursts")
SHARES = np.array([0.5, 0.25, 0.15, 0.1])  # imbalanced on purpose


def recordings(n, length, noise, rng):
    """``n`` waveforms of ``length`` samples and their kinds, drawn with ``SHARES``."""
    kinds = rng.choice(len(KINDS), size=n, p=SHARES)
    t = np.arange(length) / length
    freq = rng.uniform(2.0, 6.0, size=(n, 1))
    phase = rng.uniform(0.0, 1.0, size=(n, 1))
    cycle = (freq * t + phase) % 1.0  # (n, length)
    waves = np.stack([np.sin(2 * np.pi * cycle), np.sign(cycle - 0.5), 2 * cycle - 1,
                      rng.standard_normal((n, length)) * (rng.random((n, length)) < 0.15) * 2])
    x = waves[kinds, np.arange(n)] + noise * rng.standard_normal((n, length))
    return x.astype(np.float32)[:, None, :], kinds.astype(np.int64)  # (n, 1, length), (n,)


def resample(x, length):
    return F.interpolate(torch.from_numpy(x), size=length, mode="linear", align_corners=False)


class Net(nn.Module):
    def __init__(self, n_classes):
        super().__init__()
        self.conv1 = nn.Conv1d(1, 16, kernel_size=7, padding=3)
        self.conv2 = nn.Conv1d(16, 32, kernel_size=5, stride=2, padding=2)
        self.conv3 = nn.Conv1d(32, 32, kernel_size=3, padding="same")
        self.fc = nn.Linear(32, n_classes)

    def forward(self, x):
        x = self.conv1(x).relu()
        x = self.conv2(x).relu()
        x = self.conv3(x).relu()
        return self.fc(x.mean(dim=2))  # global average over time


def balanced_accuracy(logits, y, n_classes):
    hits = (F.one_hot(logits.argmax(dim=1), n_classes) * F.one_hot(y, n_classes)).sum(dim=0)
    support = F.one_hot(y, n_classes).sum(dim=0)
    return (hits.float() / support.float()).mean().item()


def main():
    parser = argparse.ArgumentParser(description="1-D CNN waveform classifier")
    parser.add_argument("--train-samples", type=int, default=6000)
    parser.add_argument("--test-samples", type=int, default=2000)
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--ema", type=float, default=0.9, help="decay of the weight average")
    parser.add_argument("--length", type=int, default=128, help="samples per resampled recording")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    rng = np.random.default_rng(args.seed)
    half = args.train_samples // 2
    clean_x, clean_y = recordings(half, 96, 0.5, rng)  # two sensors, two sample rates
    noisy_x, noisy_y = recordings(args.train_samples - half, 160, 1.2, rng)
    test_x, test_y = recordings(args.test_samples, 160, 1.2, rng)
    train = ConcatDataset([TensorDataset(resample(clean_x, args.length), torch.from_numpy(clean_y)),
                           TensorDataset(resample(noisy_x, args.length), torch.from_numpy(noisy_y))])
    test_inputs, test_targets = resample(test_x, args.length).to(device), torch.from_numpy(test_y).to(device)
    assert test_inputs.shape == torch.Size([args.test_samples, 1, args.length])
    loader = DataLoader(train, batch_size=args.batch_size, shuffle=True)

    counts = np.bincount(np.concatenate([clean_y, noisy_y]), minlength=len(KINDS))
    weight = torch.tensor(counts.sum() / (len(KINDS) * counts), dtype=torch.float32, device=device)
    print(f"threads {torch.get_num_threads()}, train {len(train)} (class counts {counts.tolist()}), "
          f"class weights {[round(w, 2) for w in weight.tolist()]}")

    model = Net(len(KINDS)).to(device)
    criterion = nn.CrossEntropyLoss(weight=weight)
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    average = [p.detach().clone() for p in model.parameters()]

    start = time.perf_counter()
    for epoch in range(1, args.epochs + 1):
        model.train()
        total, batches = 0.0, 0
        for x, y in loader:
            x, y = x.to(device), y.to(device)
            optimizer.zero_grad()
            loss = criterion(model(x), y)
            loss.backward()
            optimizer.step()
            for a, p in zip(average, model.parameters()):
                a.data += (1 - args.ema) * (p.detach() - a)
            total, batches = total + loss.item(), batches + 1
        print(f"epoch {epoch}: train loss {total / batches:.4f}")
    seconds = time.perf_counter() - start

    with torch.no_grad():
        for p, a in zip(model.parameters(), average):
            p.copy_(a)
    model.eval()
    with torch.no_grad():
        logits = model(test_inputs)
        test_loss = F.nll_loss(logits.log_softmax(dim=1), test_targets, weight=weight).item()
        accuracy = balanced_accuracy(logits, test_targets, len(KINDS))
    print(f"test: weighted NLL {test_loss:.4f}, balanced accuracy {accuracy:.3f}")
    print("RESULT " + json.dumps({"balanced_accuracy": accuracy, "test_loss": test_loss, "seconds": seconds}))


if __name__ == "__main__":
    main()
