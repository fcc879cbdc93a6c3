"""A variational autoencoder on MNIST: encoder to (mu, logvar), reparameterised sample, decoder.

Ordinary PyTorch: ``torch.randn_like`` for the reparameterisation trick, a summed binary
cross-entropy reconstruction term plus the closed-form KL divergence, Adam, and a held-out
evaluation under ``torch.no_grad()``. Reports the per-image loss (negative ELBO, in nats).
"""

import argparse
import gzip
import json
import os
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn, optim
from torch.utils.data import DataLoader, TensorDataset


def read_images(path, limit):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    images = np.frombuffer(raw, dtype=np.uint8, offset=16).reshape(-1, 784)[:limit]
    return torch.from_numpy(images.astype(np.float32) / 255.0)


class VAE(nn.Module):
    def __init__(self, hidden=256, latent=16):
        super().__init__()
        self.fc1 = nn.Linear(784, hidden)
        self.fc_mu = nn.Linear(hidden, latent)
        self.fc_logvar = nn.Linear(hidden, latent)
        self.fc3 = nn.Linear(latent, hidden)
        self.fc4 = nn.Linear(hidden, 784)

    def encode(self, x):
        h = F.relu(self.fc1(x))
        return self.fc_mu(h), self.fc_logvar(h)

    def reparameterize(self, mu, logvar):
        std = torch.exp(0.5 * logvar)
        eps = torch.randn_like(std)
        return mu + eps * std

    def decode(self, z):
        return torch.sigmoid(self.fc4(F.relu(self.fc3(z))))

    def forward(self, x):
        mu, logvar = self.encode(x.view(-1, 784))
        z = self.reparameterize(mu, logvar)
        return self.decode(z), mu, logvar


def loss_function(recon_x, x, mu, logvar):
    bce = F.binary_cross_entropy(recon_x, x.view(-1, 784), reduction="sum")
    kld = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    return bce + kld


def main():
    parser = argparse.ArgumentParser(description="VAE on MNIST")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--train-samples", type=int, default=60000)
    parser.add_argument("--test-samples", type=int, default=10000)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--data", default=os.path.join(os.environ.get("TINYTORCH_DATA_DIR", "data"), "mnist"))
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    train_x = read_images(os.path.join(args.data, "train-images-idx3-ubyte.gz"), args.train_samples)
    test_x = read_images(os.path.join(args.data, "t10k-images-idx3-ubyte.gz"), args.test_samples)
    train_loader = DataLoader(TensorDataset(train_x), batch_size=args.batch_size, shuffle=True)
    test_loader = DataLoader(TensorDataset(test_x), batch_size=args.batch_size)

    model = VAE().to(device)
    optimizer = optim.Adam(model.parameters(), lr=args.lr)
    start = time.perf_counter()
    for epoch in range(1, args.epochs + 1):
        model.train()
        train_loss = 0.0
        for (data,) in train_loader:
            data = data.to(device)
            optimizer.zero_grad()
            recon, mu, logvar = model(data)
            loss = loss_function(recon, data, mu, logvar)
            loss.backward()
            train_loss += loss.item()
            optimizer.step()
        model.eval()
        test_loss = 0.0
        with torch.no_grad():
            for (data,) in test_loader:
                recon, mu, logvar = model(data.to(device))
                test_loss += loss_function(recon, data, mu, logvar).item()
        train_loss /= len(train_loader.dataset)
        test_loss /= len(test_loader.dataset)
        print(f"====> Epoch: {epoch} train loss: {train_loss:.2f}  test loss: {test_loss:.2f}")
    with torch.no_grad():
        samples = model.decode(torch.randn(16, 16).to(device))
    print("sample pixel mean", round(samples.mean().item(), 4))
    print("RESULT " + json.dumps({"train_loss": train_loss, "test_loss": test_loss,
                                  "seconds": time.perf_counter() - start}))


if __name__ == "__main__":
    main()
