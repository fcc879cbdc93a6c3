"""A makemore-style character MLP: learn to spell names from a list, then invent new ones.

Ordinary PyTorch in the style of a from-scratch notebook: raw parameter tensors drawn with a
seeded ``torch.Generator``, an embedding lookup by indexing, ``tanh`` hidden layer, cross-entropy,
a hand-written SGD update under ``torch.no_grad()`` with a learning-rate decay, and sampling
with ``torch.multinomial``. Reports train/dev loss.
"""

import argparse
import json
import time

import torch
import torch.nn.functional as F


def build_dataset(words, stoi, block_size):
    X, Y = [], []
    for w in words:
        context = [0] * block_size
        for ch in w + ".":
            ix = stoi[ch]
            X.append(context)
            Y.append(ix)
            context = context[1:] + [ix]
    return torch.tensor(X), torch.tensor(Y)


def main():
    parser = argparse.ArgumentParser(description="makemore-style MLP")
    parser.add_argument("names")
    parser.add_argument("--steps", type=int, default=20000)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--block-size", type=int, default=3)
    parser.add_argument("--n-embd", type=int, default=10)
    parser.add_argument("--n-hidden", type=int, default=200)
    parser.add_argument("--seed", type=int, default=2147483647)
    parser.add_argument("--samples", type=int, default=10)
    args = parser.parse_args()

    words = open(args.names, encoding="utf-8").read().splitlines()
    chars = sorted(set("".join(words)))
    stoi = {s: i + 1 for i, s in enumerate(chars)}
    stoi["."] = 0
    itos = {i: s for s, i in stoi.items()}
    vocab = len(itos)

    g = torch.Generator().manual_seed(args.seed)
    perm = torch.randperm(len(words), generator=g).tolist()
    words = [words[i] for i in perm]
    n1 = int(0.9 * len(words))
    Xtr, Ytr = build_dataset(words[:n1], stoi, args.block_size)
    Xdev, Ydev = build_dataset(words[n1:], stoi, args.block_size)

    C = torch.randn((vocab, args.n_embd), generator=g)
    W1 = torch.randn((args.n_embd * args.block_size, args.n_hidden), generator=g) * (5 / 3) / (args.n_embd * args.block_size) ** 0.5
    b1 = torch.randn(args.n_hidden, generator=g) * 0.01
    W2 = torch.randn((args.n_hidden, vocab), generator=g) * 0.01
    b2 = torch.randn(vocab, generator=g) * 0
    parameters = [C, W1, b1, W2, b2]
    for p in parameters:
        p.requires_grad = True
    print("parameters:", sum(p.nelement() for p in parameters))

    def forward(X):
        emb = C[X]  # (B, block_size, n_embd)
        h = torch.tanh(emb.view(emb.shape[0], -1) @ W1 + b1)
        return h @ W2 + b2

    start = time.perf_counter()
    for i in range(args.steps):
        ix = torch.randint(0, Xtr.shape[0], (args.batch_size,), generator=g)
        loss = F.cross_entropy(forward(Xtr[ix]), Ytr[ix])
        for p in parameters:
            p.grad = None
        loss.backward()
        lr = 0.1 if i < args.steps // 2 else 0.01
        with torch.no_grad():
            for p in parameters:
                p -= lr * p.grad
        if i % max(1, args.steps // 10) == 0:
            print(f"{i:7d}/{args.steps:7d}: {loss.item():.4f}")
    seconds = time.perf_counter() - start

    with torch.no_grad():
        train_loss = F.cross_entropy(forward(Xtr), Ytr).item()
        dev_loss = F.cross_entropy(forward(Xdev), Ydev).item()
    print(f"train {train_loss:.4f}  dev {dev_loss:.4f}")
    for _ in range(args.samples):
        out, context = [], [0] * args.block_size
        while True:
            with torch.no_grad():
                probs = F.softmax(forward(torch.tensor([context])), dim=1)
            ix = torch.multinomial(probs, num_samples=1, generator=g).item()
            context = context[1:] + [ix]
            if ix == 0 or len(out) > 20:
                break
            out.append(itos[ix])
        print("".join(out))
    print("RESULT " + json.dumps({"train_loss": train_loss, "dev_loss": dev_loss, "seconds": seconds}))


if __name__ == "__main__":
    main()
