"""Baseline: a PyTorch eager DCGAN with the same layers as the course's benchmark models.

The loop is the one PyTorch's own DCGAN example teaches: the discriminator on real images and on
`fake.detach()`, then the generator through the updated discriminator, reusing the generated batch;
`BCEWithLogitsLoss`; Adam(2e-4, betas (0.5, 0.999)). The images sit on the device already (so the
baseline is not slowed by a data loader), and `bfloat16` runs the networks under `torch.autocast`.
Parameter counts equal the Keras models' (tests/test_benchmarks.py checks it when torch is installed).
"""

from __future__ import annotations

from bench_common import ModelSize, fake_images, timed


def torch_networks(model: ModelSize, latent_dim: int = 100):
    """(generator, discriminator) as `torch.nn.Module`s, layer for layer the Keras benchmark models."""
    from torch import nn

    class Generator(nn.Module):
        def __init__(self, project, side, channels, body):
            super().__init__()
            self.project, self.side, self.channels, self.body = project, side, channels, body

        def forward(self, noise):
            x = self.project(noise).view(-1, self.side, self.side, self.channels)  # Keras's Reshape order
            return self.body(x.permute(0, 3, 1, 2))

    if model.name == "28":  # TensorFlow's tutorial: 5x5 kernels, Keras's BatchNorm and LeakyReLU defaults
        bn1, bn2 = (
            (lambda n: nn.BatchNorm1d(n, eps=1e-3, momentum=0.01)),
            (lambda n: nn.BatchNorm2d(n, eps=1e-3, momentum=0.01)),
        )
        project = nn.Sequential(
            nn.Linear(latent_dim, 7 * 7 * 256, bias=False), bn1(7 * 7 * 256), nn.LeakyReLU(0.3)
        )
        body = nn.Sequential(
            nn.ConvTranspose2d(256, 128, 5, 1, 2, bias=False),
            bn2(128),
            nn.LeakyReLU(0.3),
            nn.ConvTranspose2d(128, 64, 5, 2, 2, output_padding=1, bias=False),
            bn2(64),
            nn.LeakyReLU(0.3),
            nn.ConvTranspose2d(64, 1, 5, 2, 2, output_padding=1, bias=False),
            nn.Tanh(),
        )
        generator = Generator(project, 7, 256, body)
        discriminator = nn.Sequential(
            nn.Conv2d(1, 64, 5, 2, 2),
            nn.LeakyReLU(0.3),
            nn.Dropout(0.3),
            nn.Conv2d(64, 128, 5, 2, 2),
            nn.LeakyReLU(0.3),
            nn.Dropout(0.3),
            nn.Flatten(),
            nn.Linear(128 * 7 * 7, 1),
        )
        return generator, discriminator

    # The DCGAN paper's 64x64 model as the course builds it: 4x4 kernels, stride 2, BatchNorm(0.9, 1e-5).
    channels = model.image_shape[-1]
    project = nn.Sequential(
        nn.Linear(latent_dim, 4 * 4 * 1024, bias=False), nn.BatchNorm1d(4 * 4 * 1024, momentum=0.1), nn.ReLU()
    )
    layers = []
    for filters_in in (1024, 512, 256):
        layers += [
            nn.ConvTranspose2d(filters_in, filters_in // 2, 4, 2, 1, bias=False),
            nn.BatchNorm2d(filters_in // 2, momentum=0.1),
            nn.ReLU(),
        ]
    layers += [nn.ConvTranspose2d(128, channels, 4, 2, 1), nn.Tanh()]
    generator = Generator(project, 4, 1024, nn.Sequential(*layers))
    layers = [nn.Conv2d(channels, 128, 4, 2, 1), nn.LeakyReLU(0.2)]
    for filters_in in (128, 256, 512):
        layers += [
            nn.Conv2d(filters_in, filters_in * 2, 4, 2, 1, bias=False),
            nn.BatchNorm2d(filters_in * 2, momentum=0.1),
            nn.LeakyReLU(0.2),
        ]
    layers += [nn.Flatten(), nn.Linear(4 * 4 * 1024, 1)]
    return generator, nn.Sequential(*layers)


class TorchEagerRunner:
    def __init__(self, model: ModelSize, steps: int, precision: str = "float32", latent_dim: int = 100):
        import torch

        torch.manual_seed(0)
        self.torch = torch
        self.device = "cuda" if torch.cuda.is_available() else "cpu"
        self.autocast = precision != "float32"
        self.name = f"PyTorch eager ({'bfloat16 autocast' if self.autocast else 'float32'})"
        self.generator, self.discriminator = (
            net.to(self.device) for net in torch_networks(model, latent_dim)
        )
        self.g_optimizer = torch.optim.Adam(self.generator.parameters(), 2e-4, betas=(0.5, 0.999))
        self.d_optimizer = torch.optim.Adam(self.discriminator.parameters(), 2e-4, betas=(0.5, 0.999))
        self.loss = torch.nn.BCEWithLogitsLoss()
        images = torch.from_numpy(fake_images(steps * model.batch_size, model.image_shape))
        self.images = images.permute(0, 3, 1, 2).contiguous().to(self.device)  # channels first
        self.batch, self.steps, self.latent_dim = model.batch_size, steps, latent_dim

    def _step(self, real):
        torch = self.torch
        ones = torch.ones(len(real), 1, device=self.device)
        zeros = torch.zeros(len(real), 1, device=self.device)
        with torch.autocast(self.device, dtype=torch.bfloat16, enabled=self.autocast):
            fake = self.generator(torch.randn(len(real), self.latent_dim, device=self.device))
            d_loss = self.loss(self.discriminator(real).float(), ones) + self.loss(
                self.discriminator(fake.detach()).float(), zeros
            )
        self.d_optimizer.zero_grad(set_to_none=True)
        d_loss.backward()
        self.d_optimizer.step()
        with torch.autocast(self.device, dtype=torch.bfloat16, enabled=self.autocast):
            g_loss = self.loss(self.discriminator(fake).float(), ones)
        self.g_optimizer.zero_grad(set_to_none=True)
        g_loss.backward()
        self.g_optimizer.step()

    def _epoch(self):
        order = self.torch.randperm(len(self.images), device=self.device)
        for step in range(self.steps):
            self._step(self.images[order[step * self.batch : (step + 1) * self.batch]])
        if self.device == "cuda":
            self.torch.cuda.synchronize()

    def warmup(self) -> float:
        return timed(self._epoch)

    def run(self) -> float:
        return timed(self._epoch)


def measure_in_subprocess(model: ModelSize, steps: int, rounds: int, precisions) -> list[dict]:
    """Run the PyTorch rows in a child process: torch and TensorFlow in one process crashed (segfault).

    The child warms up and times its own rounds; its results come back as JSON on the last line.
    """
    import json
    import subprocess
    import sys
    from pathlib import Path

    command = [
        sys.executable,
        str(Path(__file__)),
        model.name,
        str(model.batch_size),
        str(steps),
        str(rounds),
    ]
    done = subprocess.run([*command, *precisions], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"the PyTorch baseline failed (exit {done.returncode}):\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    import json
    import sys
    import warnings

    from bench_common import MODELS, measure

    warnings.filterwarnings("ignore", message="CUDA initialization")
    name, batch, steps, rounds, *precisions = sys.argv[1:]
    model = MODELS[name]
    model = type(model)(model.name, model.image_shape, int(batch), model.description)
    runners = [TorchEagerRunner(model, int(steps), precision) for precision in precisions]
    print(json.dumps(measure(runners, int(rounds), int(steps) * model.batch_size)))
