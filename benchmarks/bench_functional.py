"""lrcore.functional vs the same formula in plain (vectorized) numpy.

    PYTHONPATH=python python benchmarks/bench_functional.py [--n 1000000] [--repeat 15] [--threads 0]

Times each function on n steps (0 .. n-1, int64; float64 epochs with fractions for warm
restarts), median of `repeat` trials, one group, and prints numpy_time / lrcore_time (> 1: lrcore
faster). --threads caps lrcore's threads (0: one per CPU, the default; numpy is single-threaded
for these). The numpy versions are the textbook formulas vectorized; they are not guaranteed to be
bit-identical to torch (numpy's SIMD pow/cos may round differently), lrcore's are.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from lrcore import functional as F


def median_time(fn, repeat):
    fn()  # warm up
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def numpy_cases(steps, epochs):
    base_lr = 0.1
    pi = np.pi

    def step_lr():
        return base_lr * 0.5 ** (steps // 30)

    milestones = np.array([30, 80, 80, 120])

    def multi_step_lr():
        return base_lr * 0.1 ** np.searchsorted(milestones, steps, side="right")

    def constant_lr():
        return base_lr * (1 / 3 + (steps >= 5) * (1 - 1 / 3))

    def linear_lr():
        return base_lr * (0.25 + (1.0 - 0.25) * np.minimum(1000, steps) / 1000)

    def exponential_lr():
        return base_lr * 0.99999 ** steps.astype(np.float64)

    def polynomial_lr():
        return base_lr * (1.0 - np.minimum(10**5, steps) / 10**5) ** 0.9

    def cosine_annealing_lr():
        return 0.001 + (base_lr - 0.001) * (1 + np.cos(pi * steps / 5000)) / 2

    def warm_restarts():
        T_0, T_mult = 10, 2
        n = np.floor(np.log(epochs / T_0 * (T_mult - 1) + 1) / np.log(T_mult))
        n = np.where(epochs >= T_0, n, 0)
        mult_n = float(T_mult) ** n
        T_cur = np.where(epochs >= T_0, epochs - T_0 * (mult_n - 1) / (T_mult - 1), epochs)
        T_i = np.where(epochs >= T_0, T_0 * mult_n, T_0)
        return 0.001 + (base_lr - 0.001) * (1 + np.cos(pi * T_cur / T_i)) / 2

    total_size, step_ratio = 4000.0, 0.5

    def cyclic_lr():
        position = steps / total_size
        cycle = np.floor(1 + position)
        x = 1.0 + position - cycle
        sf = np.where(x <= step_ratio, x / step_ratio, (x - 1) / (step_ratio - 1))
        scale = 1 / (2.0 ** (cycle - 1))
        return 0.01 + (1.0 - 0.01) * sf * scale

    def cyclic_momentum():
        position = steps / total_size
        cycle = np.floor(1 + position)
        x = 1.0 + position - cycle
        sf = np.where(x <= step_ratio, x / step_ratio, (x - 1) / (step_ratio - 1))
        return 0.9 - (0.9 - 0.8) * sf

    total = len(steps)
    end0 = 0.3 * total - 1
    end1 = total - 1.0
    initial = 1.0 / 25.0
    minimum = initial / 1e4

    def one_cycle_lr():
        s = steps.astype(np.float64)
        first = s <= end0
        pct = np.where(first, s / end0, (s - end0) / (end1 - end0))
        start = np.where(first, initial, 1.0)
        end = np.where(first, 1.0, minimum)
        return end + (start - end) / 2.0 * (np.cos(pi * pct) + 1)

    def one_cycle_momentum():
        s = steps.astype(np.float64)
        first = s <= end0
        pct = np.where(first, s / end0, (s - end0) / (end1 - end0))
        start = np.where(first, 0.95, 0.85)
        end = np.where(first, 0.85, 0.95)
        return end + (start - end) / 2.0 * (np.cos(pi * pct) + 1)

    lr = {
        "step_lr": (step_lr, lambda: F.step_lr(steps, base_lr, 30, 0.5)),
        "multi_step_lr": (multi_step_lr, lambda: F.multi_step_lr(steps, base_lr, [30, 80, 80, 120])),
        "constant_lr": (constant_lr, lambda: F.constant_lr(steps, base_lr)),
        "linear_lr": (linear_lr, lambda: F.linear_lr(steps, base_lr, 0.25, 1.0, 1000)),
        "exponential_lr": (exponential_lr, lambda: F.exponential_lr(steps, base_lr, 0.99999)),
        "polynomial_lr": (polynomial_lr, lambda: F.polynomial_lr(steps, base_lr, 10**5, 0.9)),
        "cosine_annealing_lr": (
            cosine_annealing_lr,
            lambda: F.cosine_annealing_lr(steps, base_lr, 5000, 0.001),
        ),
        "cosine_annealing_warm_restarts": (
            warm_restarts,
            lambda: F.cosine_annealing_warm_restarts(epochs, base_lr, 10, 2, 0.001),
        ),
        "cyclic_lr (triangular2)": (
            cyclic_lr,
            lambda: F.cyclic_lr(steps, 0.01, 1.0, 2000, mode="triangular2"),
        ),
        "cyclic_momentum": (cyclic_momentum, lambda: F.cyclic_momentum(steps, 0.8, 0.9, 2000)),
        "one_cycle_lr": (one_cycle_lr, lambda: F.one_cycle_lr(steps, 1.0, total)),
        "one_cycle_momentum": (one_cycle_momentum, lambda: F.one_cycle_momentum(steps, total)),
    }
    return lr


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10**6)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--threads", type=int, default=0)
    args = parser.parse_args(argv)
    F.set_max_threads(args.threads)
    steps = np.arange(args.n, dtype=np.int64)
    epochs = np.arange(args.n, dtype=np.float64) * 0.37
    print(
        f"{args.n} steps, median of {args.repeat} trials, numpy {np.__version__}, "
        f"lrcore threads <= {F.get_max_threads()}"
    )
    print(f"{'function':34s} {'numpy ms':>10s} {'lrcore ms':>10s} {'numpy/lrcore':>13s}")
    worst = float("inf")
    for name, (np_fn, lr_fn) in numpy_cases(steps, epochs).items():
        t_np = median_time(np_fn, args.repeat)
        t_lr = median_time(lr_fn, args.repeat)
        ratio = t_np / t_lr
        worst = min(worst, ratio)
        print(f"{name:34s} {t_np * 1e3:10.2f} {t_lr * 1e3:10.2f} {ratio:13.2f}")
    print(f"slowest ratio: {worst:.2f}")


if __name__ == "__main__":
    main()
