#!/usr/bin/env python3
"""PyTorch eager baseline for rung's ResNet-20 epoch: the same network (He et al. 2016, CIFAR
variant, option-A shortcuts, 0.27 M parameters), the same data path (the whole uint8 training
set on the device; pad 4 + random crop, horizontal flip and per-channel normalisation on the
device, offsets and flips drawn on the CPU), the same optimiser (SGD, momentum 0.9, weight decay
5e-4, Nesterov off, per-step cosine learning rate over MaxResource epochs) and batch size.

    python3 eager_epoch.py --data DIR [--device cuda] [--batch 128] [--epochs 2]
                           [--train-subset N] [--test-subset N] [--channels-last] [--bf16]

Prints one JSON object: per-epoch train and eval seconds, losses and accuracy.
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def load_cifar(directory, train_subset, test_subset):
    def read(names, limit):
        records = []
        for name in names:
            path = os.path.join(directory, name)
            raw = np.fromfile(path, dtype=np.uint8)
            if raw.size == 0 or raw.size % 3073:
                sys.exit(f"{path}: {raw.size} bytes is not a whole number of CIFAR-10 records")
            records.append(raw.reshape(-1, 3073))
        data = np.concatenate(records)
        if limit:
            data = data[:limit]
        return data[:, 1:].reshape(-1, 3, 32, 32).copy(), data[:, 0].astype(np.int64)

    train = read([f"data_batch_{i}.bin" for i in range(1, 6)], train_subset)
    test = read(["test_batch.bin"], test_subset)
    return train, test


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.stride = stride
        self.pad = (cout - cin) // 2

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        shortcut = x
        if self.stride != 1 or self.pad:
            shortcut = F.pad(x[:, :, ::self.stride, ::self.stride],
                             (0, 0, 0, 0, self.pad, self.pad))
        return F.relu(out + shortcut)


class ResNet20(nn.Module):
    def __init__(self, in_channels=3, classes=10):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, 16, 3, 1, 1, bias=False)
        self.bn = nn.BatchNorm2d(16)
        blocks, cin = [], 16
        for width in (16, 32, 64):
            for b in range(3):
                blocks.append(BasicBlock(cin, width, 2 if b == 0 and width != 16 else 1))
                cin = width
        self.stages = nn.Sequential(*blocks)
        self.fc = nn.Linear(64, classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_in", nonlinearity="relu")

    def forward(self, x):
        h = F.relu(self.bn(self.conv(x)))
        h = self.stages(h)
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(h, 1), 1))


def crop_and_flip(images, offsets, flips):
    n, c, h, w = images.shape
    padded = F.pad(images, (4, 4, 4, 4))
    steps_h = torch.arange(h, device=images.device)
    steps_w = torch.arange(w, device=images.device)
    rows = offsets[:, 0:1] + steps_h
    cols = offsets[:, 1:2] + torch.where(flips[:, None] == 1, (w - 1) - steps_w, steps_w)
    flat = (rows[:, :, None] * (w + 8) + cols[:, None, :]).view(n, 1, h * w)
    return padded.flatten(2).gather(2, flat.expand(n, c, h * w)).view(n, c, h, w)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", required=True)
    p.add_argument("--device", default="cuda")
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--max-epochs", type=int, default=40)
    p.add_argument("--lr", type=float, default=0.1)
    p.add_argument("--train-subset", type=int, default=0)
    p.add_argument("--test-subset", type=int, default=0)
    p.add_argument("--threads", type=int, default=0)
    p.add_argument("--channels-last", action="store_true")
    p.add_argument("--bf16", action="store_true")
    a = p.parse_args()
    if a.threads:
        torch.set_num_threads(a.threads)
    device = torch.device(a.device)
    (xtr, ytr), (xte, yte) = load_cifar(a.data, a.train_subset, a.test_subset)
    mean = torch.tensor(xtr.reshape(len(xtr), 3, -1).transpose(1, 0, 2).reshape(3, -1).mean(1)
                        / 255.0, dtype=torch.float32, device=device).view(1, 3, 1, 1)
    std = torch.tensor((xtr.reshape(len(xtr), 3, -1).transpose(1, 0, 2).reshape(3, -1) / 255.0)
                       .std(1), dtype=torch.float32, device=device).view(1, 3, 1, 1)
    xtr, ytr = torch.from_numpy(xtr).to(device), torch.from_numpy(ytr).to(device)
    xte, yte = torch.from_numpy(xte).to(device), torch.from_numpy(yte).to(device)
    memory = torch.channels_last if a.channels_last else torch.contiguous_format

    def normalise(x):
        return ((x.float() / 255.0 - mean) / std).contiguous(memory_format=memory)

    gen = torch.Generator().manual_seed(11)
    model = ResNet20().to(device).to(memory_format=memory)
    opt = torch.optim.SGD(model.parameters(), lr=a.lr, momentum=0.9, weight_decay=5e-4,
                          nesterov=False)
    n = len(xtr)
    steps = (n + a.batch - 1) // a.batch
    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)
    result = {"device": str(device), "torch": torch.__version__, "batch": a.batch,
              "train_images": n, "test_images": len(xte), "channels_last": a.channels_last,
              "bf16": a.bf16,
              "parameters": sum(t.numel() for t in model.parameters()), "epochs": []}
    for epoch in range(a.epochs):
        sync()
        start = time.perf_counter()
        model.train()
        order = torch.randperm(n, generator=gen).to(device)
        offsets = torch.randint(0, 9, (n, 2), generator=gen).to(device)
        flips = torch.randint(0, 2, (n,), generator=gen).to(device)
        loss_sum = torch.zeros((), dtype=torch.float64, device=device)
        for step in range(steps):
            idx = order[step * a.batch:(step + 1) * a.batch]
            if len(idx) < 2:
                break
            x = normalise(crop_and_flip(xtr[idx], offsets[idx], flips[idx]))
            y = ytr[idx]
            progress = epoch + step / steps
            for group in opt.param_groups:
                group["lr"] = a.lr * 0.5 * (1 + math.cos(math.pi * min(progress / a.max_epochs, 1)))
            opt.zero_grad(set_to_none=True)
            with torch.autocast(device.type, dtype=torch.bfloat16, enabled=a.bf16):
                loss = F.cross_entropy(model(x).float(), y)
            loss.backward()
            opt.step()
            loss_sum += loss.detach().double() * len(idx)
        sync()
        train_s = time.perf_counter() - start
        start = time.perf_counter()
        model.eval()
        correct = torch.zeros((), dtype=torch.int64, device=device)
        eval_loss = torch.zeros((), dtype=torch.float64, device=device)
        with torch.no_grad(), torch.autocast(device.type, dtype=torch.bfloat16, enabled=a.bf16):
            for s in range(0, len(xte), 1000):
                logits = model(normalise(xte[s:s + 1000])).float()
                eval_loss += F.cross_entropy(logits, yte[s:s + 1000], reduction="sum").double()
                correct += (logits.argmax(1) == yte[s:s + 1000]).sum()
        sync()
        result["epochs"].append({"epoch": epoch + 1, "train_s": train_s,
                                 "eval_s": time.perf_counter() - start,
                                 "train_loss": loss_sum.item() / n,
                                 "validation_loss": eval_loss.item() / len(xte),
                                 "validation_accuracy": correct.item() / len(xte)})
    if device.type == "cuda":
        result["max_memory_allocated_mib"] = torch.cuda.max_memory_allocated() / 2**20
    print(json.dumps(result))


if __name__ == "__main__":
    main()
