"""A 2-D GAN written in NumPy, fast enough to animate: a step costs well under a millisecond on a CPU.

Lesson 01's explorer steps it live (like GAN Lab) and its mode-collapse experiment trains it on many
seeds. The two networks are small MLPs with hand-written backpropagation, so a step is a handful of
matrix products: no graph tracing, no framework start-up. It learns the same game as `toy_gan.ToyGAN`
(the Keras version, which lesson 05's DCGAN generalises):

- D maximises log D(x) + log(1 - D(G(z))), written as the binary cross-entropy it minimises;
- G minimises either the *saturating* loss log(1 - D(G(z))) of the minimax game or the
  *non-saturating* loss -log D(G(z)) that Goodfellow et al. (2014) recommend in practice.

Both use Adam with beta_1 = 0.5, as in the DCGAN paper.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from functools import cache

import numpy as np

from ..course.validation import as_array, describe, require_choice, require_int, require_positive_float

LOSSES = ("non-saturating", "saturating")
# float32 halves the time of a step against float64; the tiny networks need no more precision.
_FLOAT = np.float32


@cache
def _blas_controller():
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:  # an optional speed-up: without it, NumPy keeps its own thread settings
        return None
    return ThreadpoolController()


def single_threaded():
    """A context in which NumPy's BLAS uses one thread.

    This GAN's matrices are tiny (128 x 64): splitting them over threads costs more than it saves, and on
    a busy laptop it made a step about 10x slower. Cheap to enter, so wrap each burst of steps in it.
    """
    controller = _blas_controller()
    return contextlib.nullcontext() if controller is None else controller.limit(limits=1, user_api="blas")


def sigmoid(a):
    """The logistic function, without overflow warnings for large |a|."""
    a = np.asarray(a, dtype=np.float64)
    e = np.exp(-np.abs(a))
    return np.where(a >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _softplus(a):
    """log(1 + e^a), stably: the BCE terms below are written with it."""
    return np.maximum(a, 0.0) + np.log1p(np.exp(-np.abs(a)))


def generator_pull(logits, logit_grads, loss: str = "non-saturating") -> np.ndarray:
    """The direction a G step pushes each generated sample: minus the gradient of G's per-sample loss.

    With D(x) = sigmoid(a(x)), the chain rule gives d/dx of the two losses:
        non-saturating  -log D(x):     -(1 - D(x)) * grad a(x)   ->  pull  (1 - D(x)) * grad a(x)
        saturating      log(1 - D(x)): -D(x) * grad a(x)         ->  pull  D(x) * grad a(x)
    Both pull uphill on D; the saturating one barely moves a sample D rejects (D(x) near 0).

    Args:
        logits: D's logits a(x) at n samples, shape (n,).
        logit_grads: the gradients of a(x) with respect to each sample x, shape (n, 2).
        loss: "non-saturating" or "saturating".
    Returns:
        (n, 2) float64, the explorer's arrows.
    """
    require_choice(loss, "loss", LOSSES)
    logits = np.asarray(logits, dtype=np.float64).reshape(-1)
    logit_grads = np.asarray(logit_grads, dtype=np.float64)
    d = sigmoid(logits)
    weight = 1.0 - d if loss == "non-saturating" else d
    return weight[:, None] * logit_grads


class _MLP:
    """A fully connected network with LeakyReLU hidden layers and a linear output, with backprop."""

    def __init__(self, sizes, rng: np.random.Generator, slope: float):
        # Glorot-uniform weights and zero biases, Keras's defaults for Dense layers.
        self.params = []
        for fan_in, fan_out in zip(sizes[:-1], sizes[1:], strict=True):
            limit = np.sqrt(6.0 / (fan_in + fan_out))
            self.params += [
                rng.uniform(-limit, limit, (fan_in, fan_out)).astype(_FLOAT),
                np.zeros(fan_out, _FLOAT),
            ]
        self.slope = _FLOAT(slope)

    def forward(self, x):
        """Output and the cache backward() needs: each layer's input and pre-activation."""
        cache = []
        h = x
        n_layers = len(self.params) // 2
        for i in range(n_layers):
            a = h @ self.params[2 * i] + self.params[2 * i + 1]
            cache.append((h, a))
            # LeakyReLU as a maximum (valid for 0 <= slope < 1); slope 0 is ReLU.
            h = np.maximum(a, self.slope * a) if i < n_layers - 1 else a
        return h, cache

    def backward(self, cache, grad_out, want_params: bool = True):
        """(gradients of the parameters or None, gradient of the input) for d(loss)/d(output) = grad_out."""
        n_layers = len(self.params) // 2
        grads = [None] * len(self.params)
        g = grad_out
        for i in reversed(range(n_layers)):
            h_in, a = cache[i]
            if i < n_layers - 1:  # through the activation: slope 1 where a > 0, else self.slope
                g = g * np.where(a > 0, _FLOAT(1.0), self.slope)
            if want_params:
                grads[2 * i] = h_in.T @ g
                grads[2 * i + 1] = g.sum(axis=0)
            g = g @ self.params[2 * i].T
        return (grads if want_params else None), g


class _Adam:
    """Adam (Kingma & Ba 2015) over a list of arrays, updated in place."""

    def __init__(self, params, lr: float, beta_1: float = 0.5, beta_2: float = 0.999, eps: float = 1e-8):
        self.lr, self.beta_1, self.beta_2, self.eps = lr, beta_1, beta_2, eps
        self.m = [np.zeros_like(p) for p in params]
        self.v = [np.zeros_like(p) for p in params]
        self.t = 0

    def update(self, params, grads):
        self.t += 1
        correction = np.sqrt(1 - self.beta_2**self.t) / (1 - self.beta_1**self.t)
        for p, g, m, v in zip(params, grads, self.m, self.v, strict=True):
            m *= self.beta_1
            m += (1 - self.beta_1) * g
            v *= self.beta_2
            v += (1 - self.beta_2) * g * g
            p -= self.lr * correction * m / (np.sqrt(v) + self.eps)


@dataclass(frozen=True)
class GAN2DConfig:
    """The settings of a `GAN2D`; the explorer's sliders change k, the rates and the loss live."""

    latent_dim: int = 8
    hidden: int = 64
    layers: int = 2
    d_hidden: int | None = None  # D's width when it differs from G's (a "tiny D" experiment)
    batch_size: int = 128
    d_lr: float = 2e-3  # D learns twice as fast as G: measured to cover the ring sooner on every seed
    g_lr: float = 1e-3
    k: int = 1  # D steps per round
    g_steps: int = 1  # G steps per round (Algorithm 1 takes 1)
    loss: str = "non-saturating"


class GAN2D:
    """A NumPy GAN on 2-D points: `d_step(real)`, `g_step()`, `round(sample_real)`, `sample`, `d_prob`.

    Args:
        config: a `GAN2DConfig` (or keyword overrides of the default one).
        seed: fixes the initial weights and the noise stream; `reset()` goes back to it.
    """

    def __init__(self, config: GAN2DConfig | None = None, *, seed: int = 0, **overrides):
        config = GAN2DConfig() if config is None else config
        if overrides:
            config = GAN2DConfig(**{**config.__dict__, **overrides})
        self.config = _checked(config)
        self.seed = require_int(seed, "seed", minimum=0)
        self.reset()

    def reset(self) -> None:
        """Back to the seed's initial weights, fresh optimisers, zero counters and the initial noise."""
        c = self.config
        rng = np.random.default_rng(self.seed)
        self.generator = _MLP([c.latent_dim] + [c.hidden] * c.layers + [2], rng, slope=0.0)  # ReLU
        self.discriminator = _MLP([2] + [c.d_hidden or c.hidden] * c.layers + [1], rng, slope=0.2)
        self._d_opt = _Adam(self.discriminator.params, c.d_lr)
        self._g_opt = _Adam(self.generator.params, c.g_lr)
        self.rng = np.random.default_rng(self.seed + 1)
        self.d_steps = self.g_steps = self.rounds = 0
        self.last_d_loss = self.last_g_loss = float("nan")

    # -- settings that take effect at once, without a reset --------------------------------------
    def configure(self, **changes) -> None:
        """Change k, g_steps, d_lr, g_lr or loss now; the weights and the counters stay."""
        allowed = {"k", "g_steps", "d_lr", "g_lr", "loss"}
        unknown = set(changes) - allowed
        if unknown:
            raise ValueError(f"configure() changes {sorted(allowed)}, got {sorted(unknown)}.")
        self.config = _checked(GAN2DConfig(**{**self.config.__dict__, **changes}))
        self._d_opt.lr, self._g_opt.lr = self.config.d_lr, self.config.g_lr

    # -- the networks ------------------------------------------------------------------------------
    def noise(self, n: int) -> np.ndarray:
        return self.rng.standard_normal((require_int(n, "n", minimum=1), self.config.latent_dim), _FLOAT)

    def generate(self, z) -> np.ndarray:
        """G(z) for latent vectors z, shape (n, latent_dim) -> (n, 2)."""
        return self.generator.forward(np.asarray(z, dtype=_FLOAT))[0]

    def sample(self, n: int) -> np.ndarray:
        """n fresh generated points, shape (n, 2)."""
        return self.generate(self.noise(n))

    def d_logits(self, x) -> np.ndarray:
        """D's logits a(x) at points (n, 2); D(x) = sigmoid(a(x)). Shape (n,)."""
        return self.discriminator.forward(_points(x))[0][:, 0]

    def d_prob(self, x) -> np.ndarray:
        """D(x), the probability that each point is real, shape (n,)."""
        return sigmoid(self.d_logits(x))

    def d_logit_grads(self, x) -> tuple[np.ndarray, np.ndarray]:
        """(a(x), d a / d x): D's logits at points (n, 2) and their gradients with respect to the points."""
        out, cache = self.discriminator.forward(_points(x))
        _, grad_x = self.discriminator.backward(cache, np.ones_like(out), want_params=False)
        return out[:, 0], grad_x

    def sample_pull(self, x) -> np.ndarray:
        """Where a G step pushes generated points x: minus the gradient of G's loss at each, (n, 2)."""
        logits, grads = self.d_logit_grads(x)
        return generator_pull(logits, grads, self.config.loss)

    # -- training --------------------------------------------------------------------------------
    def d_step(self, real) -> float:
        """One D update on a batch of real points and as many fresh fakes; returns D's BCE loss."""
        real = _points(real, "real")
        fake = self.sample(len(real))
        d = self.discriminator
        out, cache = d.forward(np.concatenate([real, fake]))
        logits = out[:, 0]
        n = len(real)
        # Loss = mean softplus(-a_real) + mean softplus(a_fake): BCE with targets 1 and 0, from logits.
        loss = float(_softplus(-logits[:n]).mean() + _softplus(logits[n:]).mean())
        grad = np.concatenate([-sigmoid(-logits[:n]), sigmoid(logits[n:])]) / n
        grads, _ = d.backward(cache, grad[:, None].astype(_FLOAT))
        self._d_opt.update(d.params, grads)
        self.d_steps += 1
        self.last_d_loss = loss
        return loss

    def g_step(self) -> float:
        """One G update on `batch_size` fresh noise vectors; returns G's loss (the configured kind)."""
        g, d = self.generator, self.discriminator
        fake, g_cache = g.forward(self.noise(self.config.batch_size))
        out, d_cache = d.forward(fake)
        logits = out[:, 0]
        n = len(logits)
        if self.config.loss == "non-saturating":  # -log D = softplus(-a); d/da = -(1 - D)
            loss, grad = _softplus(-logits).mean(), -sigmoid(-logits) / n
        else:  # log(1 - D) = -softplus(a); d/da = -D
            loss, grad = -_softplus(logits).mean(), -sigmoid(logits) / n
        _, grad_x = d.backward(d_cache, grad[:, None].astype(_FLOAT), want_params=False)
        grads, _ = g.backward(g_cache, grad_x)
        self._g_opt.update(g.params, grads)
        self.g_steps += 1
        self.last_g_loss = float(loss)
        return float(loss)

    def round(self, sample_real) -> tuple[float, float]:
        """k D steps then g_steps G steps (Algorithm 1 when g_steps = 1); returns the last losses.

        `sample_real(n, rng)` draws n real points with the GAN's own random generator.
        """
        with single_threaded():
            for _ in range(self.config.k):
                self.d_step(sample_real(self.config.batch_size, self.rng))
            for _ in range(self.config.g_steps):
                self.g_step()
        self.rounds += 1
        return self.last_d_loss, self.last_g_loss

    def train(self, sample_real, rounds: int) -> None:
        """`rounds` rounds in a row (one single-threaded burst)."""
        with single_threaded():
            for _ in range(require_int(rounds, "rounds", minimum=0)):
                self.round(sample_real)


def _points(x, name: str = "x") -> np.ndarray:
    array = as_array(x, name)
    if array.ndim != 2 or array.shape[1] != 2 or not np.issubdtype(array.dtype, np.number):
        raise ValueError(f"{name} must be 2-D points of shape (n, 2), got {describe(array)}.")
    return array.astype(_FLOAT)


def _checked(config: GAN2DConfig) -> GAN2DConfig:
    for name in ("latent_dim", "hidden", "layers", "batch_size", "k", "g_steps"):
        require_int(getattr(config, name), name, minimum=1)
    if config.d_hidden is not None:
        require_int(config.d_hidden, "d_hidden", minimum=1)
    require_positive_float(config.d_lr, "d_lr")
    require_positive_float(config.g_lr, "g_lr")
    require_choice(config.loss, "loss", LOSSES)
    return config
