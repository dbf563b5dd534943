#!/usr/bin/python3
"""PyTorch CPU step time of the CNNs of src/model/models/ (benchmark only, never in the suite).

  /usr/bin/python3 scripts/bench-cnn-torch.py [steps]

For `cnn` (conv8 same, conv8 valid, maxpool 2, dense 128, 64, 10) and `cnn-authors` (conv32,
conv32, maxpool 2, dense 512, 256, 10) on 28×28×1 inputs, batch 64, SGD lr 0.01, softmax
cross-entropy: the median wall-clock ms of one training step (forward, backward, update) over
`steps` steps after 3 warm-up steps, with 1 thread and with torch's default thread count.
Inputs are seeded random pixels (the step time does not depend on their values).
"""
import sys
import time

import torch
from torch import nn


def network(filters: int, dense: tuple[int, int]) -> nn.Module:
    return nn.Sequential(
        nn.Conv2d(1, filters, 3, padding=1), nn.ReLU(),
        nn.Conv2d(filters, filters, 3, padding=0), nn.ReLU(),
        nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(13 * 13 * filters, dense[0]), nn.ReLU(),
        nn.Linear(dense[0], dense[1]), nn.ReLU(),
        nn.Linear(dense[1], 10),
    )


def median_step_ms(model: nn.Module, steps: int) -> float:
    gen = torch.Generator().manual_seed(1)
    x = torch.rand(64, 1, 28, 28, generator=gen)
    y = torch.randint(0, 10, (64,), generator=gen)
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    loss_fn = nn.CrossEntropyLoss()
    times = []
    for i in range(steps + 3):
        t0 = time.perf_counter()
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()
        if i >= 3:
            times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return times[len(times) // 2]


def main() -> None:
    steps = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    default_threads = torch.get_num_threads()
    torch.manual_seed(1)
    print(f"torch {torch.__version__}, default threads {default_threads}, {steps} steps, batch 64")
    for name, filters, dense in (("cnn", 8, (128, 64)), ("cnn-authors", 32, (512, 256))):
        for threads in sorted({1, default_threads}):
            torch.set_num_threads(threads)
            ms = median_step_ms(network(filters, dense), steps)
            print(f"{name}: {ms:.1f} ms/step ({threads} thread{'s' if threads > 1 else ''})")


if __name__ == "__main__":
    main()
