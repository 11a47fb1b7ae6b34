#!/usr/bin/python3
"""Makes the files of rung's TorchScript example: a scripted MLP classifier and its data.

    /usr/bin/python3 examples/torchscript/make_model.py --module model.pt --data data.h5

writes
  model.pt  an MLP (flatten, Linear -> [BatchNorm1d] -> ReLU -> [Dropout], twice, then Linear
            to the classes), scripted with torch.jit.script and saved with torch.jit.save;
            rung.model: torchscript trains it as saved (rung does not re-initialise weights).
  data.h5   an HDF5 data set for dataset.kind: hdf5, written with h5py: x_train, x_val
            (float32 [samples, features], standardised with the training split's mean and
            standard deviation) and y_train, y_val (int64 class ids).

--source fashion_mnist (the default) takes the first --train / --val images of Fashion-MNIST
(Debian: apt-get install dataset-fashion-mnist; --fashion-mnist DIR for another copy), 784
features and 10 classes. --source synthetic draws Gaussian clusters (--features, --classes).
Without --data only the module is written, for --inputs features and --classes classes.

Needs PyTorch (Debian: apt-get install python3-torch) and, for --data, h5py (python3-h5py).
Save with a PyTorch no newer than the LibTorch rung is built with (Debian's are both 1.13).
"""

import argparse
import gzip
import os
import sys

import numpy as np
import torch
from torch import nn


class Mlp(nn.Module):
    def __init__(self, inputs: int, hidden: int, classes: int, dropout: float, batchnorm: bool):
        super().__init__()
        layers = [nn.Flatten()]
        width = inputs
        for _ in range(2):
            layers.append(nn.Linear(width, hidden))
            if batchnorm:
                layers.append(nn.BatchNorm1d(hidden))
            layers.append(nn.ReLU())
            if dropout > 0:
                layers.append(nn.Dropout(dropout))
            width = hidden
        layers.append(nn.Linear(width, classes))
        self.layers = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layers(x)


def read_idx(path: str, header: int) -> np.ndarray:
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=header)


def idx_file(directory: str, name: str) -> str:
    for candidate in (os.path.join(directory, name), os.path.join(directory, name + ".gz")):
        if os.path.exists(candidate):
            return candidate
    sys.exit(f"make_model.py: no {name}[.gz] in {directory} "
             "(Debian: apt-get install dataset-fashion-mnist, or --source synthetic)")


def fashion_mnist(directory: str, train: int, val: int):
    x_train = read_idx(idx_file(directory, "train-images-idx3-ubyte"), 16).reshape(-1, 784)
    y_train = read_idx(idx_file(directory, "train-labels-idx1-ubyte"), 8)
    x_val = read_idx(idx_file(directory, "t10k-images-idx3-ubyte"), 16).reshape(-1, 784)
    y_val = read_idx(idx_file(directory, "t10k-labels-idx1-ubyte"), 8)
    return (x_train[:train].astype(np.float32) / 255.0, y_train[:train].astype(np.int64),
            x_val[:val].astype(np.float32) / 255.0, y_val[:val].astype(np.int64))


def synthetic(train: int, val: int, features: int, classes: int, seed: int):
    rng = np.random.default_rng(seed)
    centres = rng.normal(0.0, 1.0, size=(classes, features))

    def draw(n):
        y = rng.integers(0, classes, size=n)
        x = centres[y] + rng.normal(0.0, 1.0, size=(n, features))
        return x.astype(np.float32), y.astype(np.int64)

    x_train, y_train = draw(train)
    x_val, y_val = draw(val)
    return x_train, y_train, x_val, y_val


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--module", required=True, help="where to save the scripted module")
    parser.add_argument("--data", help="where to write the HDF5 data set (needs h5py)")
    parser.add_argument("--source", choices=["fashion_mnist", "synthetic"],
                        default="fashion_mnist", help="the data set (default fashion_mnist)")
    parser.add_argument("--fashion-mnist", default="/usr/share/datasets/fashion-mnist",
                        help="directory of the Fashion-MNIST IDX files")
    parser.add_argument("--train", type=int, default=10000, help="training samples")
    parser.add_argument("--val", type=int, default=2000, help="validation samples")
    parser.add_argument("--features", type=int, default=20, help="synthetic: features")
    parser.add_argument("--classes", type=int, default=None,
                        help="synthetic or --module alone: classes (outputs)")
    parser.add_argument("--inputs", type=int, default=None,
                        help="--module alone: input features")
    parser.add_argument("--hidden", type=int, default=128, help="width of both hidden layers")
    parser.add_argument("--dropout", type=float, default=0.1, help="dropout (0: none)")
    parser.add_argument("--no-batchnorm", action="store_true", help="leave out BatchNorm1d")
    parser.add_argument("--seed", type=int, default=0, help="initial weights and synthetic data")
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    if args.data:
        if args.source == "fashion_mnist":
            x_train, y_train, x_val, y_val = fashion_mnist(args.fashion_mnist, args.train, args.val)
            classes = 10
        else:
            classes = args.classes or 3
            x_train, y_train, x_val, y_val = synthetic(args.train, args.val, args.features,
                                                       classes, args.seed)
        mean = x_train.mean(axis=0)
        std = x_train.std(axis=0) + 1e-6
        x_train = ((x_train - mean) / std).astype(np.float32)
        x_val = ((x_val - mean) / std).astype(np.float32)
        inputs = x_train.shape[1]
        try:
            import h5py
        except ImportError:
            sys.exit("make_model.py: --data needs h5py (Debian: apt-get install python3-h5py)")
        with h5py.File(args.data, "w") as f:
            f["x_train"] = x_train
            f["y_train"] = y_train
            f["x_val"] = x_val
            f["y_val"] = y_val
            f.attrs["source"] = args.source
        print(f"{args.data}: x_train {x_train.shape}, x_val {x_val.shape}, {classes} classes")
    else:
        if args.inputs is None or args.classes is None:
            sys.exit("make_model.py: without --data, give --inputs and --classes")
        inputs, classes = args.inputs, args.classes

    model = Mlp(inputs, args.hidden, classes, args.dropout, not args.no_batchnorm)
    scripted = torch.jit.script(model)
    torch.jit.save(scripted, args.module)
    parameters = sum(p.numel() for p in model.parameters())
    print(f"{args.module}: {inputs} -> {args.hidden} -> {args.hidden} -> {classes}, "
          f"{parameters} parameters, torch {torch.__version__}")


if __name__ == "__main__":
    main()
