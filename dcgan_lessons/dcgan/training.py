"""Training a DCGAN into a run folder, resumably: what lesson 05 and `python -m dcgan_lessons train` use.

What a run folder holds, the checks made before one is written, kept checkpoints and roll-back are in
runs/run_folder.py.

When the folder already holds a checkpoint, training continues at the next epoch with the same weights,
optimizer state, noise stream, data order and history, so an interrupted run (a Colab disconnect) ends
where an uninterrupted one would have. `from_epoch=K` rolls the run back to a kept epoch first; training
on from there is the same computation, so it reaches the same weights again.

Every file is written to a temporary name and renamed, checkpoint before history, so a killed run or a
full disk leaves complete files, no temporary ones, and a history that never claims an epoch the
checkpoint lacks. The settings and the folder are checked before anything is written.

An epoch whose losses or sample images are NaN or infinite stops the run (TrainingDiverged): its record
is added to history.json (so `diagnose` can name it) but its weights are not saved, so checkpoint.npz
keeps the last finite epoch, the one a resume or a roll-back starts from.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import keras
import numpy as np

from ..course.compile_cache import enable_compilation_cache
from ..course.data import load_dataset
from ..course.environment import set_seed
from ..course.images import image_grid
from ..course.validation import require_int
from ..runs.checkpoint import atomic_write, checkpoint_arrays, load_checkpoint, write_checkpoint
from ..runs.run_folder import (
    CHECKPOINT,
    KEEP_EVERY,
    ROLL_BACK_MAY_CHANGE,
    check_roll_back,
    check_run_folder,
    check_settings,
    keep_checkpoint,
    kept_path,
    remove_stale_temporaries,
    roll_back,
    write_failed,
    write_gif,
    write_history,
)
from .architecture import build_discriminator, build_generator
from .batches import epoch_order, training_batches
from .config import RunConfig, dtype_policy, validate_config
from .devices import Placement, resolve_devices
from .model import DCGAN
from .sampling import fixed_noise, generate


@dataclass
class TrainedRun:
    """What `train_dcgan` returns: the model, its per-epoch history and where its files are."""

    gan: DCGAN
    history: list[dict]
    run_dir: Path
    config: RunConfig
    resumed_from: int = 0
    branch: Path | None = None  # where a roll-back set the later epochs aside

    def images_per_second(self) -> float:
        """Median training speed over the epochs run in this session, leaving out the first (it compiles).

        When this session trained nothing (the folder already held every epoch), the run's whole history.
        """
        speeds = [h["images_per_s"] for h in self.history[self.resumed_from :]] or [
            h["images_per_s"] for h in self.history
        ]
        speeds = speeds[1:] or speeds
        return float(np.median(speeds)) if speeds else float("nan")


class TrainingDiverged(RuntimeError):
    """An epoch's losses or sample images became NaN or infinite: training stopped after it.

    `epoch`: the epoch that diverged; `kept`: the last epoch whose checkpoint the folder holds (0: none).
    """

    def __init__(self, run_dir: Path, epoch: int, record: dict):
        self.run_dir, self.epoch, self.kept = Path(run_dir), epoch, epoch - 1
        losses = ", ".join(f"{k} {record[k]:.3g}" for k in ("d_loss", "g_loss") if k in record)
        kept = (
            f"its checkpoint of epoch {self.kept}"
            if self.kept
            else "no checkpoint (the first epoch diverged)"
        )
        super().__init__(
            f"training diverged at epoch {epoch} ({losses}; NaN or infinite values): stopped. "
            f"{self.run_dir} keeps {kept} and the history up to epoch {epoch}. "
            f"`python -m dcgan_lessons diagnose {self.run_dir}` names the epoch to roll back to; "
            "a smaller learning rate in a new run folder avoids the blow-up."
        )


def _finite_epoch(record: dict, images: np.ndarray) -> bool:
    losses = [record[k] for k in ("d_loss", "g_loss", "d_real", "d_fake") if k in record]
    return bool(np.isfinite(losses).all() and np.isfinite(images).all())


class BackgroundWrites:
    """One job at a time on a background thread: an epoch's files are written while the next one trains.

    `start` first waits for the previous job, so the files are written in epoch order and at most one
    epoch's copies wait in memory; `wait` re-raises, on the calling thread, what the job raised.
    """

    def __init__(self):
        self._thread, self._error = None, None

    def start(self, job) -> None:
        self.wait()

        def run():
            try:
                job()
            except BaseException as error:  # noqa: BLE001 - handed to the training thread by wait()
                self._error = error

        self._thread = threading.Thread(target=run, name="dcgan-epoch-files")
        self._thread.start()

    def wait(self) -> None:
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        error, self._error = self._error, None
        if error is not None:
            raise error


# Frames of the GIF kept in memory (bytes of grid pixels), so the GIF needs not read the PNGs back.
GIF_FRAMES_IN_MEMORY = 64 * 2**20


class EpochRecorder(keras.callbacks.Callback):
    """After each epoch: time it, write the sample grid, the checkpoint, the history, a kept checkpoint.

    The grid comes first (a resumed run redraws it identically), the checkpoint before the history (so
    the history never claims an epoch the checkpoint lacks). The weights and the grid's images are
    copied at the epoch's end; the files are written on a background thread while the next epoch
    trains (`finish()` waits for the last ones). A failed write (a full disk) stops the run, at the
    next epoch's end or at `finish()`, with a RunFolderError saying which epoch the folder keeps.
    """

    def __init__(
        self,
        run_dir: Path,
        noise: np.ndarray,
        history: list[dict],
        images_per_epoch: int,
        config: RunConfig | None = None,
        keep_every: int = 0,
    ):
        super().__init__()
        self.run_dir, self.noise, self.history, self.images_per_epoch = (
            run_dir,
            noise,
            history,
            images_per_epoch,
        )
        self.config, self.keep_every = config, keep_every
        self.frames: dict[int, np.ndarray] = {}  # epoch -> grid pixels, for the GIF
        self.diverged: TrainingDiverged | None = None
        self.writes = BackgroundWrites()
        (run_dir / "samples").mkdir(parents=True, exist_ok=True)

    def on_epoch_begin(self, epoch, logs=None):
        self.started = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        # Measuring (lesson 06's EpochMeasures, which runs before this) is not training time.
        seconds = time.perf_counter() - self.started - float((logs or {}).get("measure_seconds", 0.0))
        record = {"epoch": epoch + 1, **{k: float(v) for k, v in (logs or {}).items()}}
        record.update(seconds=seconds, images_per_s=self.images_per_epoch / seconds)
        settings = asdict(self.config) if self.config is not None else None
        self.writes.wait()  # the previous epoch's files; raises its RunFolderError
        images = generate(self.model.sampler, self.noise)  # the averaged G when there is one
        if not _finite_epoch(record, images):
            # NaN weights are not worth a checkpoint: keep the last finite one, record what happened.
            self.history.append(record)
            self.diverged = TrainingDiverged(self.run_dir, epoch + 1, record)
            self.model.stop_training = True
            self.writes.start(lambda: self._write_history(epoch + 1, list(self.history)))
            return
        arrays = checkpoint_arrays(self.model, epoch + 1, [*self.history, record], settings)
        self.history.append(record)
        history = list(self.history)
        self.writes.start(lambda: self._write(epoch + 1, images, arrays, history))

    def finish(self) -> None:
        """Wait until the last epoch's files are written; RunFolderError when a write failed."""
        self.writes.wait()

    def _write_history(self, epoch: int, history: list[dict]) -> None:
        try:
            write_history(self.run_dir, history)
        except OSError as error:
            raise write_failed(self.run_dir, error, kept=epoch - 1) from None

    def _write(self, epoch: int, images: np.ndarray, arrays: dict, history: list[dict]) -> None:
        try:
            pixels = save_grid_pixels(images, self.run_dir / "samples" / f"epoch_{epoch:03d}.png")
            write_checkpoint(self.run_dir / CHECKPOINT, arrays)
        except OSError as error:
            raise write_failed(self.run_dir, error, kept=epoch - 1) from None
        if sum(frame.nbytes for frame in self.frames.values()) + pixels.nbytes <= GIF_FRAMES_IN_MEMORY:
            self.frames[epoch] = pixels
        try:
            write_history(self.run_dir, history)
            if self.keep_every and epoch % self.keep_every == 0:
                keep_checkpoint(self.run_dir, epoch)
        except OSError as error:
            raise write_failed(self.run_dir, error, kept=epoch) from None


def save_grid_pixels(images: np.ndarray, path: Path) -> np.ndarray:
    """Write the grid of `images` (in [-1, 1]) to the PNG `path`; return its pixels (uint8)."""
    from PIL import Image

    pixels = (np.clip(image_grid(images), 0, 1) * 255).round().astype(np.uint8)
    picture = Image.fromarray(pixels[..., 0] if pixels.shape[-1] == 1 else pixels)
    atomic_write(path, lambda temporary: picture.save(temporary, format="PNG"))
    return pixels


def save_sample_grid(generator, noise, path: Path) -> Path:
    save_grid_pixels(generate(generator, noise), path)
    return Path(path)


def make_gan(
    config: RunConfig,
    image_shape,
    step_function=None,
    steps_per_execution: int = 1,
    networks=None,
) -> DCGAN:
    """Build and compile the course's DCGAN for images of `image_shape`, seeded by `config.seed`.

    `config.precision`: "float32"; "mixed_bfloat16" (layers compute in bfloat16, weights and losses stay
    float32: about twice the speed on recent GPUs and on CPUs with AVX512-BF16); or "mixed_float16"
    (the same in float16, with dynamic loss scaling so small gradients do not underflow).
    `steps_per_execution` runs that many training steps per compiled call of `fit()`: the same result.
    `networks`: a function () -> (generator, discriminator) to train other networks (the benchmarks use
    the TF tutorial's); the course's `build_generator`/`build_discriminator` when None.
    """
    validate_config(config)
    if config.loss != "bce" or config.spectral_norm or config.n_critic not in (None, 1):
        from .stable_gan import make_stable_gan  # lesson 07: WGAN-GP, hinge, spectral norm

        return make_stable_gan(config, image_shape, steps_per_execution, networks)
    set_seed(config.seed)
    with dtype_policy(config.precision):
        if networks is None:
            generator, discriminator = (
                build_generator(config.latent_dim, image_shape),
                build_discriminator(image_shape),
            )
        else:
            generator, discriminator = networks()
    gan = DCGAN(generator, discriminator, seed=config.seed, step_function=step_function, ema=config.ema)
    rates = (config.d_learning_rate or config.learning_rate, config.learning_rate)  # D's, G's
    optimizers = [keras.optimizers.Adam(rate, beta_1=config.beta_1, beta_2=config.beta_2) for rate in rates]
    if config.precision == "mixed_float16":
        optimizers = [keras.optimizers.LossScaleOptimizer(optimizer) for optimizer in optimizers]
    gan.compile(
        d_optimizer=optimizers[0],
        g_optimizer=optimizers[1],
        real_target=config.real_target,
        steps_per_execution=require_int(steps_per_execution, "steps_per_execution", minimum=1),
    )
    return gan


def _jax_accelerator() -> bool:
    if keras.backend.backend() != "jax":
        return False
    import jax

    return jax.default_backend() != "cpu"


def fit_epochs(gan, images, config: RunConfig, first_epoch, epochs, callbacks, verbose, loop="auto"):
    """Run epochs `first_epoch`..`epochs` of `gan` on `images` with the fastest loop for the backend.

    `loop`: "resident" (JAX: the data on the device, many steps per compiled call, see resident.py),
    "fit" (Keras's `fit()` on tf.data or a PyDataset), or "auto": resident on JAX with a GPU or TPU, fit
    otherwise (on a CPU the two ran at the same speed, see benchmarks/throughput.py). Both loops see the
    same batches in the same order and train the same weights (tests/test_fast_training.py).
    """
    if loop not in ("auto", "fit", "resident"):
        raise ValueError(f"loop: expected 'auto', 'fit' or 'resident', got {loop!r}.")
    if loop == "auto":
        loop = "resident" if _jax_accelerator() else "fit"
    if loop == "resident":
        from .resident import fit_resident

        return fit_resident(
            gan,
            images,
            batch_size=config.batch_size,
            seed=config.seed,
            first_epoch=first_epoch,
            epochs=epochs,
            callbacks=callbacks,
            verbose=verbose,
        )
    batches, steps = training_batches(images, config.batch_size, config.seed, first_epoch, epochs)
    from .devices import process_share  # several hosts (JAX): each feeds its share of every batch

    batches = process_share(batches)
    return gan.fit(
        batches,
        epochs=epochs,
        initial_epoch=first_epoch,
        steps_per_epoch=steps,
        callbacks=list(callbacks),
        shuffle=False,  # epoch_order already shuffles, reproducibly
        verbose=verbose,
    )


def _settle(recorder: EpochRecorder) -> None:
    """Wait for the files being written; the error that stopped training is the one to report."""
    try:
        recorder.finish()
    except Exception:  # noqa: BLE001, S110 - reported by the error already on its way
        pass


def train_dcgan(
    run_dir,
    *,
    epochs: int,
    config: RunConfig | None = None,
    images: np.ndarray | None = None,
    grid_images: int = 36,
    live: bool = False,
    step_function=None,
    steps_per_execution: int = 1,
    callbacks=(),
    verbose: int | str = "auto",
    loop: str = "auto",
    measures=None,
    measure_samples: int = 360,
    keep_every: int = KEEP_EVERY,
    from_epoch: int | None = None,
    devices: int | str = 1,
) -> TrainedRun:
    """Train (or resume) a DCGAN into `run_dir` until `epochs` epochs are done.

    Args:
        run_dir: the run folder (created when missing); a checkpoint in it is resumed.
        epochs: the total number of epochs the run should have when this call returns.
        config: the run's settings (default `RunConfig()`: the bundled digits, batch 64).
        images: training images in [-1, 1]; loaded from `config.dataset` when None.
        grid_images: images in each sample grid.
        live: redraw the sample grid and loss curves in place after each epoch (in a notebook).
        step_function: the TensorFlow training step to use (lesson 05 passes the learner's).
        steps_per_execution: training steps per compiled call (a speed setting; results do not change).
        callbacks: more Keras callbacks, e.g. a live plot in a notebook.
        verbose: passed to `fit()` (1: a progress bar, 2: one line per epoch).
        loop: "auto", "fit" or "resident" (see `fit_epochs`).
        measures: a `measures.Evaluator` (lesson 06): its measures of `measure_samples` images from a
            fixed batch of noise are added to every epoch's record.
        keep_every: also keep the checkpoint of every `keep_every`-th epoch in checkpoints/ (0: only
            the last), so the run can be rolled back.
        from_epoch: first roll the run back to this kept epoch (see `roll_back`), then train on.
        devices: how many devices share each batch (an int, or "all"); see devices.py. The batches, the
            noise and the checkpoints are those of one device, so a run resumes on any device count.

    Raises:
        RunFolderError: the folder is not usable, holds a run with other settings, or filled up.
        CheckpointError: the folder's checkpoint is damaged.
        ValueError, TypeError: a setting is out of range.
    Nothing is written before the settings, the folder, the data and the checkpoint have been checked.
    """
    config = validate_config(config or RunConfig())
    epochs = require_int(epochs, "epochs", minimum=1)
    keep_every = require_int(keep_every, "keep_every", minimum=0)
    if from_epoch is not None:
        from_epoch = require_int(from_epoch, "from_epoch", minimum=0)
    count = resolve_devices(devices, config.batch_size, step_function=step_function, loop=loop)
    run_dir = Path(run_dir)
    check_run_folder(run_dir)
    changed = {}
    if from_epoch is None:
        check_settings(run_dir, asdict(config), asdict(RunConfig()))
    else:
        # A roll-back may rescue a run whose checkpoint.npz is damaged: the kept epoch's settings count.
        if from_epoch > epochs:
            raise ValueError(
                f"--from-epoch {from_epoch} is past --epochs {epochs}; expected at most {epochs}."
            )
        done, _ = check_roll_back(run_dir, from_epoch)
        kept = kept_path(run_dir, from_epoch) if from_epoch != done else None
        changed = check_settings(run_dir, asdict(config), asdict(RunConfig()), kept, ROLL_BACK_MAY_CHANGE)
    if images is None:
        data = load_dataset(config.dataset, split="train", limit=config.limit, image_size=config.image_size)
        images = data.images
    images = np.asarray(images, dtype="float32")
    steps = len(epoch_order(len(images), config.batch_size, config.seed, 0))  # batch_size <= images
    enable_compilation_cache()  # JAX: a second run loads what this one compiles (course/compile_cache.py)
    placement = Placement(count)
    with placement.scope():  # the variables are created on every device (a no-op on one)
        gan = placement.prepare(make_gan(config, images.shape[1:], step_function, steps_per_execution))

    # Everything is checked: from here on the folder is written.
    run_dir.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(run_dir)
    branch = roll_back(run_dir, from_epoch) if from_epoch is not None else None
    history: list[dict] = []
    done = 0
    if (run_dir / CHECKPOINT).exists():
        # Adam keeps its rate as a variable, which the checkpoint restores: set the asked-for rates back
        # (the same as the stored ones on a plain resume; a roll-back may change them).
        rates = [float(np.asarray(o.learning_rate)) for o in (gan.d_optimizer, gan.g_optimizer)]
        done, history = load_checkpoint(run_dir / CHECKPOINT, gan)
        for optimizer, rate in zip((gan.d_optimizer, gan.g_optimizer), rates, strict=True):
            optimizer.learning_rate = rate
    atomic_write(run_dir / "config.json", lambda t: Path(t).write_text(json.dumps(asdict(config), indent=1)))
    if done:
        # A run killed between its checkpoint and its history or kept copy catches up here.
        write_history(run_dir, history)
        if keep_every and done % keep_every == 0 and not kept_path(run_dir, done).exists():
            keep_checkpoint(run_dir, done)
    run = TrainedRun(gan, history, run_dir, config, resumed_from=done, branch=branch)
    if branch is not None:
        print(f"Rolled {run_dir} back to epoch {done}; the later epochs are kept in {branch}.")
    if changed:
        listed = ", ".join(f"{k} {new} (was {old})" for k, (old, new) in changed.items())
        print(f"Training on with {listed}.")
    if done >= epochs:
        gif = run_dir / "progress.gif"
        if not gif.exists() or gif.stat().st_size == 0:
            write_gif(run_dir)
        print(f"{run_dir} already holds {done} epochs (asked for {epochs}): nothing to train.")
        return run
    if done:
        print(f"Resuming {run_dir} after epoch {done} of {epochs}.")

    noise = fixed_noise(grid_images, config.latent_dim, config.seed)
    recorder = EpochRecorder(run_dir, noise, history, steps * config.batch_size, config, keep_every)
    if measures is not None:
        from .epoch_measures import EpochMeasures

        measure_noise = fixed_noise(measure_samples, config.latent_dim, config.seed + 1)
        run_callbacks = [EpochMeasures(measures, measure_noise), recorder]
    else:
        run_callbacks = [recorder]
    if live:
        from .live import LiveProgress

        callbacks = [LiveProgress(noise, history), *callbacks]
    if count > 1:
        print(f"Training on {placement.describe()}, {config.batch_size // count} images each per step.")
        loop = "fit"  # the resident loop runs on one device (resolve_devices refused it explicitly)
    try:
        with placement.scope():
            fit_epochs(gan, images, config, done, epochs, [*run_callbacks, *callbacks], verbose, loop)
    except BaseException as error:
        _settle(recorder)  # an interrupted run still keeps its last finished epoch
        if recorder.diverged is not None and isinstance(error, Exception):
            raise recorder.diverged from error  # a later callback (the live view) tripped over the NaN
        raise
    recorder.finish()
    kept = recorder.diverged.kept if recorder.diverged else epochs
    try:
        write_gif(run_dir, frames=recorder.frames)
    except OSError as error:
        raise write_failed(run_dir, error, kept=kept) from None
    if recorder.diverged:
        raise recorder.diverged
    return run
