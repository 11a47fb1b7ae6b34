#!/usr/bin/env python3
"""The built-in `mlp` model's work as a user's program, for bench/command: the same 3-layer
network (20 -> units -> units -> 1 logit, ReLU), Adam with L2 as weight decay, binary
cross-entropy on logits, batches of batch_size over 4,000 training and 1,000 validation
samples of a 20-feature task (Gaussian clusters, as rung's synthetic set; not bit-identical).
It follows rung's command contract: continue from RUNG_CHECKPOINT_DIR, train to RUNG_EPOCHS,
print each epoch's metrics, then save. Without RUNG_* variables it trains --epochs epochs
and prints how long each took (the standalone reference)."""
import argparse
import os
import time

import numpy as np
import torch
from torch import nn

p = argparse.ArgumentParser()
p.add_argument("--units", type=lambda s: int(float(s)), default=64)
p.add_argument("--batch_size", type=lambda s: int(float(s)), default=32)
p.add_argument("--learning_rate", type=float, default=0.01)
p.add_argument("--l2", type=float, default=1e-5)
p.add_argument("--epochs", type=lambda s: int(float(s)), default=9)
args, _ = p.parse_known_args()
torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "1")))
seed = int(os.environ.get("RUNG_SEED", "7"))
torch.manual_seed(seed)

rng = np.random.default_rng(7)
centres = rng.choice([-2.0, 2.0], size=(6, 6))
labels = rng.integers(0, 2, 5000)
cluster = rng.integers(0, 3, 5000) + 3 * labels
x = rng.normal(size=(5000, 20)).astype(np.float32)
x[:, :6] += centres[cluster]
x_train, y_train = torch.from_numpy(x[:4000]), torch.from_numpy(labels[:4000].astype(np.float32))
x_val, y_val = torch.from_numpy(x[4000:]), torch.from_numpy(labels[4000:].astype(np.float32))

model = nn.Sequential(nn.Linear(20, args.units), nn.ReLU(), nn.Linear(args.units, args.units),
                      nn.ReLU(), nn.Linear(args.units, 1))
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

for epoch in range(start + 1, last + 1):
    began = time.perf_counter()
    model.train()
    order = torch.randperm(len(x_train), generator=shuffle)
    for i in range(0, len(order), args.batch_size):
        batch = order[i:i + args.batch_size]
        optimizer.zero_grad()
        loss = loss_fn(model(x_train[batch]).squeeze(1), y_train[batch])
        loss.backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        logits = model(x_val).squeeze(1)
        val_loss = loss_fn(logits, y_val).item()
        accuracy = ((logits > 0).float() == y_val).float().mean().item()
    print(f"epoch={epoch} val_loss={val_loss:.5f} val_accuracy={accuracy:.5f} "
          f"seconds={time.perf_counter() - began:.4f}", flush=True)
    if ckpt:
        torch.save({"epoch": epoch, "model": model.state_dict(),
                    "optimizer": optimizer.state_dict(), "shuffle": shuffle.get_state()},
                   ckpt + ".tmp")
        os.replace(ckpt + ".tmp", ckpt)
