"""Lesson 01's ring of 8 trained with BCE, WGAN-GP and hinge + spectral norm: modes captured (of 8) and
high-quality share of 2,500 samples per seed, in lesson 01's failure setting (5 G steps per D step) and the
default one. Prints what it measured; nothing is asserted.

Usage: python benchmarks/ring_stabilisers.py [ROUNDS]   (default 2000, lesson 01's cpu-profile rounds)
"""

import sys
import time

from dcgan_lessons.toy.ring_comparison import compare_on_ring

rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
start = time.perf_counter()
for setting in ("collapse", "default"):
    for method, rows in compare_on_ring(rounds, seeds=(0, 1, 2), setting=setting).items():
        cells = ", ".join(f"seed {s}: {k} modes, {100 * h:.1f}% HQ" for s, k, h in rows)
        print(
            f"{setting:>8} {rounds} rounds {method:>9}: {cells}  [{time.perf_counter() - start:.0f} s]",
            flush=True,
        )
