"""A reading of one training run, computed from its history: who was ahead when, whether D saturated,
whether coverage fell. Lessons 05 and 06 print it after training, so every sentence is about *this* run.

The history is the list of per-epoch records `train_dcgan` writes (history.json): `d_loss`, `g_loss`,
`d_real` (mean D(x) over the epoch), `d_fake` (mean D(G(z))), and, with lesson 06's measures,
`classes_covered`. The thresholds are named below, so a reading can be checked against them.
"""

from __future__ import annotations

import math

EQUILIBRIUM_D_LOSS = 2 * math.log(2)  # D(x) = D(G(z)) = 1/2 everywhere: d_loss = 2 ln 2
EQUILIBRIUM_G_LOSS = math.log(2)  # g_loss = -ln D(G(z)) = ln 2 at D = 1/2
SATURATED_REAL, SATURATED_FAKE = 0.9, 0.1  # D(x) above and D(G(z)) below these: D tells every image apart
AHEAD_GAP = 0.5  # D(x) - D(G(z)) above this: D is clearly ahead
BALANCED_GAP = 0.2  # ... below this: neither player is far ahead


def _ranges(epochs: list[int]) -> str:
    """[2, 3, 4, 6] -> 'epochs 2–4 and 6'."""
    if not epochs:
        return "no epoch"
    spans, start, previous = [], epochs[0], epochs[0]
    for epoch in [*epochs[1:], None]:
        if epoch is not None and epoch == previous + 1:
            previous = epoch
            continue
        spans.append(f"{start}" if start == previous else f"{start}–{previous}")
        if epoch is not None:
            start = previous = epoch
    words = ", ".join(spans[:-1]) + (" and " if len(spans) > 1 else "") + spans[-1]
    return ("epoch " if len(epochs) == 1 else "epochs ") + words


def _phase(record: dict) -> str:
    gap = record["d_real"] - record["d_fake"]
    if record["d_real"] > SATURATED_REAL and record["d_fake"] < SATURATED_FAKE:
        return "saturated"
    if gap > AHEAD_GAP:
        return "ahead"
    if abs(gap) < BALANCED_GAP:
        return "balanced"
    return "between"


def read_run(history: list[dict]) -> list[str]:
    """Sentences about the run in `history`, each computed from its numbers."""
    needed = ("epoch", "d_loss", "g_loss", "d_real", "d_fake")
    if not history:
        return ["The run has no finished epoch yet: nothing to read."]
    missing = [name for name in needed if any(name not in record for record in history)]
    if missing:
        raise ValueError(f"history: expected records with {', '.join(needed)}; missing {', '.join(missing)}.")
    phases = {record["epoch"]: _phase(record) for record in history}

    def when(*kinds):
        return [epoch for epoch, phase in phases.items() if phase in kinds]

    first, last = history[0], history[-1]

    def state(r):
        return f"d_loss {r['d_loss']:.2f}, D(x) {r['d_real']:.2f}, D(G(z)) {r['d_fake']:.2f}"

    ends = (
        f"Epoch {first['epoch']}: {state(first)}"
        if len(history) == 1
        else f"{len(history)} epochs. Epoch {first['epoch']}: {state(first)}; "
        f"epoch {last['epoch']}: {state(last)}"
    )
    lines = [f"{ends} (at equilibrium: {EQUILIBRIUM_D_LOSS:.2f}, ½, ½)."]
    saturated = when("saturated")
    if saturated:
        lowest = min((r for r in history if r["epoch"] in saturated), key=lambda r: r["d_loss"])
        lines.append(
            f"D saturated in {_ranges(saturated)} (D(x) > {SATURATED_REAL}, D(G(z)) < {SATURATED_FAKE}): "
            f"it told every image apart; lowest d_loss {lowest['d_loss']:.3f} in epoch {lowest['epoch']}, "
            "where G's gradient is weakest."
        )
    else:
        lines.append(f"D never saturated (never D(x) > {SATURATED_REAL} with D(G(z)) < {SATURATED_FAKE}).")
    ahead, balanced = when("ahead", "saturated"), when("balanced")
    lines.append(
        f"D was clearly ahead (D(x) − D(G(z)) > {AHEAD_GAP}) in {_ranges(ahead)}; the two were close "
        f"(gap < {BALANCED_GAP}) in {_ranges(balanced)}."
    )
    peak = max(history, key=lambda r: r["g_loss"])
    lines.append(
        f"g_loss peaked at {peak['g_loss']:.2f} in epoch {peak['epoch']} (ln 2 = {EQUILIBRIUM_G_LOSS:.2f} at "
        f"equilibrium) and ended at {last['g_loss']:.2f}."
    )
    ending = phases[last["epoch"]]
    lines.append(
        {
            "saturated": "At the end D still wins outright: expect weak or collapsing samples.",
            "ahead": "At the end D is still ahead, without saturating: G keeps a gradient to learn from.",
            "balanced": "At the end the players are close: the game is near its balance.",
            "between": "At the end D is ahead, but not far.",
        }[ending]
    )
    covered = [(r["epoch"], r["classes_covered"]) for r in history if "classes_covered" in r]
    if covered:
        best = max(covered, key=lambda pair: pair[1])
        if covered[-1][1] < best[1]:
            lines.append(
                f"Coverage fell: {best[1]:g} classes in epoch {best[0]}, {covered[-1][1]:g} at the end "
                "(the generator dropped modes)."
            )
        else:
            lines.append(f"Coverage did not fall: {covered[-1][1]:g} classes at the end, its best.")
    else:
        lines.append("Coverage was not measured in this run (lesson 06's measures add it).")
    return lines


def print_run_reading(history: list[dict]) -> None:
    """Print `read_run(history)`, one sentence a line."""
    for line in read_run(history):
        print("-", line)
