"""Benchmark: a small measured search for the DCGAN recipe on the offline digits (`cpu` profile sizes).

    python benchmarks/recipe_search.py [--settings today smooth ...] [--seeds 0 1 2] [--confirm-seeds 3 4 5]
    python benchmarks/recipe_search.py --seeds --confirm-settings lr4e-4-b32 b32-beta2 --confirm-seeds 3 4 5

Each *setting* is a training recipe (learning rate, batch size, real_target); each is trained with
`train_dcgan` for `--epochs` epochs (50, the `cpu` profile's) on every seed. During the run a callback
keeps moving averages of the generator's weights for several decays (`--decays`, the formula of
`dcgan_lessons/dcgan/ema.py`; the raw generator trains exactly as without them), so one run measures the raw
generator and each average. Lesson 06's measures (360 generated images, the course's classifier) are
taken every epoch up to epoch 15 and every 5th after: FD, classes covered, the IS analogue and the
confident share. "seconds" are training seconds up to that epoch (the averaging and measuring left out);
"cpu_s" the process's CPU seconds over the same span (all threads): on a machine other jobs share, wall
seconds grow with their load and CPU seconds much less, so compare settings by CPU seconds or by ratios.
Third-round switches, benchmark-only too: `augment` (DiffAugment of D's inputs, a step of its own),
`lr_decay` (both rates fall linearly to 0 over the run), and `--truncation T` (each sampler also measured
on noise whose components beyond |z| > T are redrawn: it trades diversity for fidelity, so it is shown
beside the classes covered and is never the search's winner). A setting may also change G's and D's
width (`width`: base_filters, 64 in the course), a benchmark-only switch: `RunConfig` has no width field,
so the search builds the networks with it for that run. `--seeds` with no seeds skips the search and
confirms `--confirm-settings` alone (each confirmation can then run in a process of its own).

Never tuned on the held-out split: the search ranks by the FD against the *training* images' features
(and the classifier was trained on the training split only). The test split is read only in the
confirmation, on seeds the search never saw (`--confirm-seeds`): today's recipe against the best one
found, measured against the held-out test images' features, next to the level held-out real digits
reach. It prints the machine, the load average before and after, a table per phase, and writes JSON.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# name -> RunConfig fields that differ from today's recipe (the paper's Adam(2e-4, 0.5), batch 64, no
# smoothing). Few on purpose: the 2-core machine runs one 50-epoch digits run in about a minute.
SETTINGS = {
    "today": {},
    "smooth": {"real_target": 0.9},
    "lr1e-4": {"learning_rate": 1e-4},
    "lr4e-4": {"learning_rate": 4e-4},
    "batch32": {"batch_size": 32},
    # Second round (issue 24): the two better settings combined, smoothing on top, and half-width networks
    # (about a quarter of the convolutions' work per step, so more steps in the same seconds).
    "lr4e-4-b32": {"learning_rate": 4e-4, "batch_size": 32},
    "lr4e-4-smooth": {"learning_rate": 4e-4, "real_target": 0.9},
    "narrow-b32": {"learning_rate": 4e-4, "batch_size": 32, "width": 32},
    # Third round (issue 24): levers the first two did not touch, on the round-2 best (4e-4, batch 32).
    # `augment` (benchmark-only): DiffAugment of D's inputs (Zhao et al. 2020), see `augment_step`;
    # `lr_decay` (benchmark-only): both rates fall linearly to 0 over the run, see `LinearDecay`.
    "b32-aug-tc": {"learning_rate": 4e-4, "batch_size": 32, "augment": "translation,cutout"},
    "b32-aug-t": {"learning_rate": 4e-4, "batch_size": 32, "augment": "translation"},
    "b32-decay": {"learning_rate": 4e-4, "batch_size": 32, "lr_decay": True},
    "b32-ttur-d": {"learning_rate": 2e-4, "d_learning_rate": 8e-4, "batch_size": 32},
    "b32-ttur-g": {"learning_rate": 8e-4, "d_learning_rate": 2e-4, "batch_size": 32},
    "b32-beta2": {"learning_rate": 4e-4, "batch_size": 32, "beta_2": 0.99},
    "b32-z32": {"learning_rate": 4e-4, "batch_size": 32, "latent_dim": 32},
    # Cheaper steps or more of them: the round-2 curves still fell steeply from epoch 30 to 50.
    "b16": {"learning_rate": 4e-4, "batch_size": 16},
    "narrow-b16": {"learning_rate": 4e-4, "batch_size": 16, "width": 32},
}
REPORT_EPOCHS = (10, 20, 30, 50, 75, 100, 150)


def parse(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--settings", nargs="+", default=list(SETTINGS), choices=list(SETTINGS))
    parser.add_argument("--decays", nargs="+", type=float, default=[0.99, 0.995, 0.999])
    parser.add_argument("--seeds", nargs="*", type=int, default=[0, 1, 2], help="none: no search")
    parser.add_argument(
        "--confirm-settings",
        nargs="+",
        choices=list(SETTINGS),
        help="the settings to confirm (default: today's and the search's best)",
    )
    parser.add_argument("--confirm-seeds", nargs="*", type=int, default=[3, 4, 5])
    parser.add_argument("--epochs", type=int, default=50)
    parser.add_argument("--limit", type=int, help="train on the first LIMIT training digits (tests)")
    parser.add_argument("--samples", type=int, default=360, help="generated images per measure")
    parser.add_argument("--out", default="recipe_search.json", help="where to write every measure (JSON)")
    parser.add_argument("--cache-dir", help="the classifier's cache (default: $DCGAN_LESSONS_CACHE)")
    parser.add_argument("--grids", help="folder for PNG grids of seed 0's last epoch (raw and each average)")
    parser.add_argument(
        "--truncation",
        nargs="*",
        type=float,
        default=[],
        help="also measure each sampler on truncated noise (components with |z| > T redrawn), per T",
    )
    args = parser.parse_args(argv)
    if not args.seeds and not (args.confirm_settings and args.confirm_seeds):
        parser.error("without --seeds (no search) give --confirm-settings and --confirm-seeds")
    return args


def measured_epochs(epochs: int) -> set[int]:
    return {e for e in range(1, epochs + 1) if e <= 15 or e % 5 == 0 or e == epochs}


def make_averager(decays, measure, epochs):
    """A Keras callback: raw G and one moving average per decay, measured at `measured_epochs`.

    `overhead[epoch]` is the time its per-step averaging added to that epoch (left out of "seconds").
    """
    import keras
    import numpy as np

    class Averages(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.sums, self.steps, self.overhead, self.cpu, self.rows = None, 0, {}, {}, []
            self.copy = keras.models.clone_model(self.model.generator)

        def on_epoch_begin(self, epoch, logs=None):
            self.overhead[epoch + 1] = 0.0
            self.cpu_overhead = 0.0
            self.cpu_started = time.process_time()

        def on_train_batch_end(self, batch, logs=None):
            started, cpu = time.perf_counter(), time.process_time()
            weights = [np.asarray(v.numpy(), dtype=np.float64) for v in self.model.generator.variables]
            self.steps += 1
            if self.sums is None:
                self.sums = {d: [w.copy() for w in weights] for d in decays}
            else:
                for d in decays:
                    rate = (1 - d) / (1 - d**self.steps)  # ema.py's bias-corrected average
                    for average, w in zip(self.sums[d], weights, strict=True):
                        average += rate * (w - average)
            self.overhead[max(self.overhead)] += time.perf_counter() - started
            self.cpu_overhead += time.process_time() - cpu

        def on_epoch_end(self, epoch, logs=None):
            # Runs after EpochRecorder has timed the epoch: measuring is never training time.
            self.cpu[epoch + 1] = time.process_time() - self.cpu_started - self.cpu_overhead
            if epoch + 1 in measured_epochs(epochs):
                row = {"epoch": epoch + 1, "raw": measure(self.model.generator)}
                for d in decays:
                    self.copy.set_weights([w.astype("float32") for w in self.sums[d]])
                    row[f"ema{d:g}"] = measure(self.copy)
                self.rows.append(row)

        def on_train_end(self, logs=None):
            self.last = {"raw": self.model.generator.get_weights()}
            for d in decays:
                self.last[f"ema{d:g}"] = [w.astype("float32") for w in self.sums[d]]

    return Averages()


def translate(images, shifts_y, shifts_x):
    """Move each image by whole pixels (per image), zero fill: differentiable (a product with 0/1 shift
    matrices: output row i takes input row i - shift)."""
    from keras import ops

    side_y, side_x = images.shape[1], images.shape[2]

    def shift_matrix(side, shifts):
        out, into = ops.arange(side)[None, :, None], ops.arange(side)[None, None, :]
        return ops.cast(ops.equal(into, out - ops.cast(shifts, "int32")[:, None, None]), images.dtype)

    images = ops.einsum("bij,bjwc->biwc", shift_matrix(side_y, shifts_y), images)
    return ops.einsum("bkw,bhwc->bhkc", shift_matrix(side_x, shifts_x), images)


def diff_augment(images, policy, seed_generator, translation=0.125, cutout=0.5):
    """DiffAugment (Zhao et al. 2020) of a batch in [-1, 1]: per image, a random translation by up to
    `translation` of the side (zero fill) and/or one zeroed square of `cutout` of the side at a random
    centre (clipped at the border), as in the paper's code. Differentiable in `images`."""
    import keras
    from keras import ops

    batch, side = ops.shape(images)[0], images.shape[1]
    ops_ = policy.split(",")
    if "translation" in ops_:
        reach = int(side * translation + 0.5)
        shifts = keras.random.randint((2, batch), -reach, reach + 1, seed=seed_generator)
        images = translate(images, shifts[0], shifts[1])
    if "cutout" in ops_:
        size = int(side * cutout + 0.5)
        centres = keras.random.randint((2, batch), 0, side + (1 - size % 2), seed=seed_generator)
        grid = ops.arange(side)[None, :]
        low = centres - size // 2
        inside_y = ops.logical_and(grid >= low[0][:, None], grid < low[0][:, None] + size)
        inside_x = ops.logical_and(grid >= low[1][:, None], grid < low[1][:, None] + size)
        hole = ops.logical_and(inside_y[:, :, None], inside_x[:, None, :])
        images = images * ops.cast(ops.logical_not(hole), images.dtype)[..., None]
    return images


def augment_step(policy, seed):
    """`gan_step.fast_train_step` with DiffAugment: the same random op family on real and fake images in
    D's step and on the fakes in G's step, inside G's tape so G's gradient flows through it."""
    import keras
    import tensorflow as tf

    from dcgan_lessons.dcgan.gan_step import as_float32, gan_discriminator_loss
    from dcgan_lessons.losses.minimax import generator_loss

    seeds = keras.random.SeedGenerator(seed + 7_919)

    def step(generator, discriminator, d_optimizer, g_optimizer, real_images, noise, real_target=1.0):
        def aug(x):
            return diff_augment(x, policy, seeds)

        g_tape = tf.GradientTape()
        with g_tape:
            fake_images = generator(noise, training=True)
        with tf.GradientTape() as tape:
            real_logits = as_float32(discriminator(aug(real_images), training=True))
            fake_logits = as_float32(discriminator(aug(tf.stop_gradient(fake_images)), training=True))
            d_loss = gan_discriminator_loss(real_logits, fake_logits, real_target)
        grads = tape.gradient(d_loss, discriminator.trainable_variables)
        d_optimizer.apply_gradients(zip(grads, discriminator.trainable_variables, strict=True))
        with g_tape:
            g_loss = generator_loss(as_float32(discriminator(aug(fake_images), training=True)))
        grads = g_tape.gradient(g_loss, generator.trainable_variables)
        g_optimizer.apply_gradients(zip(grads, generator.trainable_variables, strict=True))
        return d_loss, g_loss, real_logits, fake_logits

    return step


def linear_decay():
    """A Keras callback: both Adam rates fall linearly from their start to 0 over the run's steps."""
    import keras

    class LinearDecay(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.total = self.params["epochs"] * self.params["steps"]
            self.step = 0
            self.start = [float(o.learning_rate.numpy()) for o in self.optimizers()]

        def optimizers(self):
            return (self.model.d_optimizer, self.model.g_optimizer)

        def on_train_batch_begin(self, batch, logs=None):
            left = 1 - self.step / self.total
            for optimizer, rate in zip(self.optimizers(), self.start, strict=True):
                optimizer.learning_rate.assign(rate * left)
            self.step += 1

    return LinearDecay()


def truncated(noise, threshold, seed):
    """`noise` with every component of |z| > threshold redrawn until none is left (truncation trick)."""
    import numpy as np

    rng, noise = np.random.default_rng([seed, 31_337]), noise.copy()
    while (far := np.abs(noise) > threshold).any():
        noise[far] = rng.standard_normal(int(far.sum())).astype(noise.dtype)
    return noise


@contextmanager
def width(base_filters):
    """Build the course's G and D with `base_filters` inside the block (None: unchanged)."""
    from dcgan_lessons.dcgan import training

    saved = training.build_generator, training.build_discriminator
    if base_filters is not None:
        training.build_generator = functools.partial(saved[0], base_filters=base_filters)
        training.build_discriminator = functools.partial(saved[1], base_filters=base_filters)
    try:
        yield
    finally:
        training.build_generator, training.build_discriminator = saved


def save_grids(averager, noise, folder, name):
    """PNG grids (36 images) of the raw generator and each average at the run's last epoch."""
    import matplotlib.pyplot as plt

    from dcgan_lessons.course.images import image_grid
    from dcgan_lessons.dcgan.training import generate

    Path(folder).mkdir(parents=True, exist_ok=True)
    for variant, weights in averager.last.items():
        averager.copy.set_weights(weights)
        grid = image_grid(generate(averager.copy, noise[:36]), ncols=6)
        plt.imsave(Path(folder) / f"{name}_{variant}.png", grid.squeeze(), cmap="gray", vmin=0, vmax=1)


def run_one(setting, seed, args, evaluator, held_out_features=None):
    import numpy as np

    from dcgan_lessons.dcgan.training import RunConfig, fixed_noise, generate, train_dcgan
    from dcgan_lessons.evaluate.quality import frechet_distance

    fields = dict(SETTINGS[setting])
    base_filters = fields.pop("width", None)
    policy, decay = fields.pop("augment", None), fields.pop("lr_decay", False)
    config = RunConfig(seed=seed, limit=args.limit, **fields)
    noise = fixed_noise(args.samples, config.latent_dim, seed + 1)
    truncations = {t: truncated(noise, t, seed) for t in args.truncation}

    def measure_on(generator, noise):
        images = generate(generator, noise)
        m = evaluator.measure(images)
        row = {k: float(m[k]) for k in ("fd", "classes_covered", "inception_score", "confident_share")}
        if held_out_features is not None:
            row["fd_held_out"] = float(
                frechet_distance(held_out_features, evaluator.classifier.features(images))
            )
        return row

    def measure(generator):
        row = measure_on(generator, noise)
        row["truncated"] = {f"{t:g}": measure_on(generator, z) for t, z in truncations.items()}
        return row

    averager = make_averager(args.decays, measure, args.epochs)
    extra = [linear_decay()] if decay else []
    step = augment_step(policy, seed) if policy else None
    with tempfile.TemporaryDirectory() as folder, width(base_filters):
        run = train_dcgan(
            folder,
            epochs=args.epochs,
            config=config,
            verbose=0,
            keep_every=0,
            callbacks=[*extra, averager],
            step_function=step,
        )
    for row in averager.rows:  # each truncated measure as a sampler of its own ("raw@t1.5")
        for variant in [k for k in row if k != "epoch"]:
            for t, got in row[variant].pop("truncated").items():
                row[f"{variant}@t{t}"] = got
    seconds = np.cumsum([h["seconds"] - averager.overhead[h["epoch"]] for h in run.history])
    cpu = np.cumsum([averager.cpu[h["epoch"]] for h in run.history])
    for row in averager.rows:
        row["seconds"] = float(seconds[row["epoch"] - 1])
        row["cpu_seconds"] = float(cpu[row["epoch"] - 1])
    if args.grids and seed == min(args.seeds + args.confirm_seeds):
        save_grids(averager, noise, args.grids, f"{setting}_seed{seed}_epoch{args.epochs}")
    return averager.rows


def summarise(results, epochs_shown, variants, key="fd"):
    """Lines of mean ± sd over seeds per (setting, variant, epoch)."""
    lines = [
        f"{'setting':<16} {'sampler':<12} {'epoch':>5} {key + ' (mean±sd)':>16} {'classes':>8} {'IS':>6} "
        f"{'confident':>9} {'seconds':>8} {'cpu_s':>7}"
    ]
    for setting, runs in results.items():
        for variant in variants:
            for epoch in epochs_shown:
                rows = [next(r for r in run if r["epoch"] == epoch) for run in runs]
                got = [r[variant] for r in rows]

                def mean(name, got=got):
                    return statistics.mean(g[name] for g in got)

                spread = statistics.stdev(g[key] for g in got) if len(got) > 1 else 0.0
                lines.append(
                    f"{setting:<16} {variant:<12} {epoch:>5} {mean(key):>9.2f} ± {spread:<5.2f} "
                    f"{mean('classes_covered'):>8.1f} {mean('inception_score'):>6.2f} "
                    f"{mean('confident_share'):>9.2f} {statistics.mean(r['seconds'] for r in rows):>8.1f} "
                    f"{statistics.mean(r['cpu_seconds'] for r in rows):>7.1f}"
                )
    return lines


def first_full_coverage(runs, variant):
    """Per seed, (epoch, training seconds, CPU seconds) of the first measured epoch with 10 of 10 classes."""
    found = []
    for run in runs:
        hit = next((r for r in run if r[variant]["classes_covered"] >= 10), None)
        found.append((hit["epoch"], round(hit["seconds"], 1), round(hit["cpu_seconds"], 1)) if hit else None)
    return found


def report_search(search, args, epochs_shown, variants):
    """Print the search's tables; return (setting, sampler) with the lowest mean FD at the last epoch."""
    print(f"\nSearch (seeds {args.seeds}; FD against the training images' features; lower is better):")
    print("\n".join(summarise(search, epochs_shown, variants)))
    print("\nFirst measured epoch with 10 of 10 classes per seed (epoch, training s, CPU s):")
    for setting, runs in search.items():
        for variant in ("raw", f"ema{args.decays[-1]:g}"):
            print(f"  {setting:<16} {variant:<12} {first_full_coverage(runs, variant)}")
    last = epochs_shown[-1]
    scores = {
        (setting, variant): statistics.mean(
            next(r for r in run if r["epoch"] == last)[variant]["fd"] for run in runs
        )
        for setting, runs in search.items()
        for variant in variants
        if "@" not in variant  # truncation trades diversity away: never the winner by FD alone
    }
    best = min(scores, key=scores.get)
    print(f"\nBest by mean FD at epoch {last}: {best[0]} with the {best[1]} sampler ({scores[best]:.2f}).")
    return best


def main(argv=None) -> int:
    args = parse(argv)
    import keras

    from dcgan_lessons.course.data import load_dataset
    from dcgan_lessons.evaluate.measures import make_evaluator
    from dcgan_lessons.evaluate.quality import frechet_distance

    print(
        f"recipe search on the digits: Keras {keras.__version__} ({keras.backend.backend()}), "
        f"{os.cpu_count()} CPUs, load average before {os.getloadavg()}"
    )
    evaluator = make_evaluator("digits", cache_dir=args.cache_dir)
    epochs_shown = [e for e in REPORT_EPOCHS if e <= args.epochs and e in measured_epochs(args.epochs)]
    epochs_shown = epochs_shown or [args.epochs]
    variants = ["raw", *(f"ema{d:g}" for d in args.decays)]
    variants += [f"{v}@t{t:g}" for v in variants for t in args.truncation]
    started = time.perf_counter()
    search, best = {}, None
    for setting in args.settings if args.seeds else []:
        search[setting] = [run_one(setting, seed, args, evaluator) for seed in args.seeds]
        print(f"  {setting}: done ({time.perf_counter() - started:.0f} s so far)", flush=True)
    if search:
        best = report_search(search, args, epochs_shown, variants)

    confirm = {}
    if args.confirm_seeds:
        test = load_dataset("digits", split="test").images
        held_out_features = evaluator.classifier.features(test)
        real = evaluator.measure(test[: args.samples])
        real_fd = frechet_distance(held_out_features, evaluator.classifier.features(evaluator.training))
        # FD is biased upwards by small samples: the fair real level for the generated images' FD against
        # the held-out features is that of as many *training* images as generated ones.
        same_size = evaluator.classifier.features(evaluator.training[: args.samples])
        real_fd_same = frechet_distance(held_out_features, same_size)
        for setting in args.confirm_settings or dict.fromkeys(["today", best[0]]):
            confirm[setting] = [
                run_one(setting, s, args, evaluator, held_out_features) for s in args.confirm_seeds
            ]
        print(
            f"\nConfirmation on unseen seeds {args.confirm_seeds}, FD against the held-out test digits' "
            f"features. Held-out real digits: FD (test vs training features) {real_fd:.2f}; "
            f"{args.samples} training digits vs the test features (the same sample sizes as the generated "
            f"images') {real_fd_same:.2f}."
        )
        plain = [v for v in variants if "@" not in v]
        shown = sorted({"raw", best[1]}, key=variants.index) if best and not args.confirm_settings else plain
        print("\n".join(summarise(confirm, epochs_shown, shown, key="fd_held_out")))
        print(
            f"\nThe same runs by lesson 06's measures (FD against the training features). The held-out "
            f"real digits ({args.samples}) score FD {real['fd']:.2f}, IS {real['inception_score']:.2f}, "
            f"{real['classes_covered']} classes, confident share {real['confident_share']:.2f}; "
            f"the target is FD at most {1.5 * real['fd']:.2f} (1.5x) and confident share at least 0.85."
        )
        print("\n".join(summarise(confirm, epochs_shown, shown)))
        for setting, runs in confirm.items():
            for variant in shown:
                print(f"  first 10/10: {setting:<16} {variant:<12} {first_full_coverage(runs, variant)}")
        confirm["real"] = {
            "fd_held_out": real_fd,
            "fd_held_out_same_size": real_fd_same,
            "fd": float(real["fd"]),
            **{k: float(real[k]) for k in ("inception_score", "classes_covered", "confident_share")},
        }
    Path(args.out).write_text(
        json.dumps({"search": search, "confirm": confirm, "best": list(best or [])}, indent=1)
    )
    print(
        f"\nload average after {os.getloadavg()}; {time.perf_counter() - started:.0f} s in all; "
        f"wrote {args.out}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
