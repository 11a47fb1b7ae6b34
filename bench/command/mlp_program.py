#!/usr/bin/env python3
"""The built-in `mlp` model's work as a user's program, for bench/command.

Same network, optimizer, loss and batching as src/train/mlp.cpp: 20 -> units -> units -> 1
logit with ReLU, PyTorch's default Linear initialisation, Adam with L2 as (coupled)
weight_decay, binary cross-entropy on logits, a fresh random order of the training set every
epoch in batches of batch_size (index_select), the epoch's training loss summed per batch, then
one evaluation pass over the validation split. The data set follows the recipe of
include/rung/train/synthetic_data.hpp with its defaults (5,000 samples, 20 features, 6
informative, 3 Gaussian clusters per class on hypercube vertices at +-2 with a random linear
mixing each, 2% labels flipped, columns permuted, 20% validation, standardized with the
training split's statistics), drawn with numpy: the same shapes and work, not the same bits.

It follows rung's command contract: continue from RUNG_CHECKPOINT_DIR/state.pt, train up to
RUNG_EPOCHS, after each epoch print its metrics line and then save the checkpoint atomically
(temporary file, os.replace). Hyperparameters arrive as --name value.

Timing lines for the benchmark (they match none of the job's metric regexes):
  startup import_s=... setup_s=...   once per start: `import numpy, torch`; then data set,
                                     model, optimizer and checkpoint load
and on every metrics line seconds=... (this epoch's training and evaluation, as the built-in
trainer's train_s + eval_s). Without RUNG_EPOCHS it trains --epochs epochs; without
RUNG_CHECKPOINT_DIR it saves nothing.
"""
import time

began = time.perf_counter()  # before the imports below: interpreter start is not in here

import argparse  # noqa: E402
import os  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402

imported = time.perf_counter()


def synthetic(samples=5000, features=20, informative=6, clusters_per_class=3,
              class_separation=2.0, label_noise=0.02, validation_fraction=0.2, seed=7):
    """rung's synthetic binary task (synthetic_data.hpp's recipe), float32, standardized."""
    rng = np.random.default_rng(seed)
    clusters = 2 * clusters_per_class
    vertices = set()
    while len(vertices) < clusters:  # distinct vertices of the hypercube [-1, 1]^k
        vertices.add(tuple(rng.choice([-1.0, 1.0], size=informative)))
    vertices = np.array(list(vertices))
    mixing = rng.uniform(-1.0, 1.0, size=(clusters, informative, informative))
    x = np.empty((samples, features))
    y = np.empty(samples, dtype=np.int64)
    counts = [samples // clusters + (c < samples % clusters) for c in range(clusters)]
    row = 0
    for c, count in enumerate(counts):  # clusters alternate between class 0 and class 1
        z = rng.normal(size=(count, informative))
        x[row:row + count, :informative] = z @ mixing[c] + class_separation * vertices[c]
        y[row:row + count] = c % 2
        row += count
    x[:, informative:] = rng.normal(size=(samples, features - informative))
    x = x[:, rng.permutation(features)]
    flip = rng.permutation(samples)[:round(label_noise * samples)]
    y[flip] = 1 - y[flip]
    order = rng.permutation(samples)
    x, y = x[order], y[order]
    n_train = samples - round(validation_fraction * samples)
    mean, scale = x[:n_train].mean(axis=0), x[:n_train].std(axis=0)
    scale[scale <= 0] = 1.0
    x = ((x - mean) / scale).astype(np.float32)
    y = y.astype(np.float32)
    return (torch.from_numpy(x[:n_train]), torch.from_numpy(y[:n_train]),
            torch.from_numpy(x[n_train:]), torch.from_numpy(y[n_train:]))


def as_int(text):  # integers may arrive as "64" or "64.0"
    return int(float(text))


p = argparse.ArgumentParser()
p.add_argument("--units", type=as_int, default=64)
p.add_argument("--batch_size", type=as_int, default=32)
p.add_argument("--learning_rate", type=float, default=0.01)
p.add_argument("--l2", type=float, default=1e-5)
p.add_argument("--epochs", type=as_int, default=9)  # only without RUNG_EPOCHS
args, _ = p.parse_known_args()  # other hyperparameters are not ours
torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "1")))
seed = int(os.environ.get("RUNG_SEED", "7"))
torch.manual_seed(seed)

x_train, y_train, x_val, y_val = synthetic()
model = nn.Sequential(nn.Linear(x_train.shape[1], args.units), nn.ReLU(),
                      nn.Linear(args.units, args.units), nn.ReLU(),
                      nn.Linear(args.units, 1))
optimizer = torch.optim.Adam(model.parameters(), lr=args.learning_rate, weight_decay=args.l2)
loss_fn = nn.BCEWithLogitsLoss()
shuffle = torch.Generator().manual_seed(seed)

ckpt_dir = os.environ.get("RUNG_CHECKPOINT_DIR")
ckpt = os.path.join(ckpt_dir, "state.pt") if ckpt_dir else None
last = int(os.environ.get("RUNG_EPOCHS", args.epochs))
start = 0
if ckpt and os.path.exists(ckpt):
    state = torch.load(ckpt)
    model.load_state_dict(state["model"])
    optimizer.load_state_dict(state["optimizer"])
    shuffle.set_state(state["shuffle"])
    start = state["epoch"]
print(f"startup import_s={imported - began:.4f} setup_s={time.perf_counter() - imported:.4f}",
      flush=True)

n = len(x_train)
for epoch in range(start + 1, last + 1):
    t0 = time.perf_counter()
    model.train()
    order = torch.randperm(n, generator=shuffle)
    loss_sum = torch.zeros((), dtype=torch.float64)
    for i in range(0, n, args.batch_size):
        index = order[i:i + args.batch_size]
        x, y = x_train.index_select(0, index), y_train.index_select(0, index)
        optimizer.zero_grad()
        loss = loss_fn(model(x).squeeze(-1), y)
        loss.backward()
        optimizer.step()
        loss_sum += loss.detach().double() * len(index)
    train_loss = loss_sum.item() / n
    model.eval()
    with torch.no_grad():
        logits = model(x_val).squeeze(-1)
        val_loss = nn.functional.binary_cross_entropy_with_logits(
            logits, y_val, reduction="sum").item() / len(y_val)
        accuracy = ((logits > 0) == (y_val > 0.5)).sum().item() / len(y_val)
    print(f"epoch={epoch} train_loss={train_loss:.5f} val_loss={val_loss:.5f} "
          f"val_accuracy={accuracy:.5f} seconds={time.perf_counter() - t0:.5f}", flush=True)
    if ckpt:
        torch.save({"epoch": epoch, "model": model.state_dict(),
                    "optimizer": optimizer.state_dict(), "shuffle": shuffle.get_state()},
                   ckpt + ".tmp")
        os.replace(ckpt + ".tmp", ckpt)
