#!/usr/bin/env python3
"""A 2-hidden-layer MLP on Fashion-MNIST, written to be tuned by rung (rung.model: command).

rung starts it as  python3 train.py --learning_rate 0.01 --batch_size 64 ...  (every
hyperparameter as --name value, as SageMaker's script mode does) and sets RUNG_EPOCHS (train up
to this epoch, then exit 0) and RUNG_CHECKPOINT_DIR (this trial's directory, kept across pauses).
What the program does for rung, in a few lines:
  - at start, load RUNG_CHECKPOINT_DIR/state.pt if it is there and continue after its epoch;
  - after each epoch, print the epoch's metrics on one line (the job's MetricDefinitions
    regexes read it), then save the state atomically (a temporary file, then os.replace).
By hand:  python3 train.py --epochs 3      (no RUNG_* variables: no checkpoint, 3 epochs)
"""
import argparse
import gzip
import os

import numpy as np
import torch
from torch import nn


def read_idx(path, count, header):
    """The first `count` records of a gzipped IDX file (Fashion-MNIST's format) as uint8."""
    with gzip.open(path, "rb") as f:
        f.read(header)
        return np.frombuffer(f.read(count * (784 if header == 16 else 1)), dtype=np.uint8)


def load(data_dir, split, count):
    images = read_idx(os.path.join(data_dir, f"{split}-images-idx3-ubyte.gz"), count, 16)
    labels = read_idx(os.path.join(data_dir, f"{split}-labels-idx1-ubyte.gz"), count, 8)
    x = torch.from_numpy(images.reshape(-1, 784).astype(np.float32) / 255.0)
    return (x - 0.286) / 0.353, torch.from_numpy(labels.astype(np.int64))


def as_int(text):  # tuned integers arrive as text; accept "64" and "64.0"
    return int(float(text))


parser = argparse.ArgumentParser()
parser.add_argument("--learning_rate", type=float, default=1e-3)
parser.add_argument("--batch_size", type=as_int, default=64)
parser.add_argument("--units", type=as_int, default=128)
parser.add_argument("--weight_decay", type=float, default=0.0)
parser.add_argument("--train_subset", type=as_int, default=6000)
parser.add_argument("--test_subset", type=as_int, default=2000)
parser.add_argument("--epochs", type=as_int, default=5)  # used only without RUNG_EPOCHS
parser.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
args, _unknown = parser.parse_known_args()  # other hyperparameters are not ours: ignore them

last_epoch = int(os.environ.get("RUNG_EPOCHS", args.epochs))
seed = int(os.environ.get("RUNG_SEED", "0"))
torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "1")))
torch.manual_seed(seed)

x_train, y_train = load(args.data, "train", args.train_subset)
x_val, y_val = load(args.data, "t10k", args.test_subset)
model = nn.Sequential(nn.Linear(784, args.units), nn.ReLU(),
                      nn.Linear(args.units, args.units), nn.ReLU(),
                      nn.Linear(args.units, 10))
optimizer = torch.optim.Adam(model.parameters(), lr=args.learning_rate,
                             weight_decay=args.weight_decay)
shuffle = torch.Generator().manual_seed(seed)

# Resume: the checkpoint holds the last finished epoch; continue after it.
ckpt_dir = os.environ.get("RUNG_CHECKPOINT_DIR")
ckpt = os.path.join(ckpt_dir, "state.pt") if ckpt_dir else None
start = 0
if ckpt and os.path.exists(ckpt):
    state = torch.load(ckpt)
    model.load_state_dict(state["model"])
    optimizer.load_state_dict(state["optimizer"])
    shuffle.set_state(state["shuffle_rng"])
    start = state["epoch"]
    print(f"resumed from epoch {start} (checkpoint {ckpt})", flush=True)
else:
    print("starting from scratch", flush=True)

loss_fn = nn.CrossEntropyLoss()
for epoch in range(start + 1, last_epoch + 1):
    model.train()
    total = 0.0
    order = torch.randperm(len(x_train), generator=shuffle)
    for i in range(0, len(order), args.batch_size):
        batch = order[i:i + args.batch_size]
        optimizer.zero_grad()
        loss = loss_fn(model(x_train[batch]), y_train[batch])
        loss.backward()
        optimizer.step()
        total += loss.item() * len(batch)
    model.eval()
    with torch.no_grad():
        logits = model(x_val)
        val_loss = loss_fn(logits, y_val).item()
        val_accuracy = (logits.argmax(1) == y_val).float().mean().item()

    # Report first, then save: the checkpoint never holds an epoch rung has not seen.
    print(f"epoch={epoch} train_loss={total / len(x_train):.4f} val_loss={val_loss:.4f} "
          f"val_accuracy={val_accuracy:.4f}", flush=True)
    if ckpt:
        torch.save({"epoch": epoch, "model": model.state_dict(),
                    "optimizer": optimizer.state_dict(),
                    "shuffle_rng": shuffle.get_state()}, ckpt + ".tmp")
        os.replace(ckpt + ".tmp", ckpt)

if os.environ.get("SM_MODEL_DIR") and start < last_epoch:
    torch.save(model.state_dict(), os.path.join(os.environ["SM_MODEL_DIR"], "model.pt"))
