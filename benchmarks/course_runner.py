"""The course's own trainer, as `train_dcgan` runs it: `make_gan` + `fit_epochs` (tf.data/`fit()` or the
data-resident JAX loop), for one model size, precision and loop."""

from __future__ import annotations

from bench_common import ModelSize, fake_images, keras_networks, timed


class CourseRunner:
    def __init__(
        self,
        model: ModelSize,
        steps: int,
        precision="float32",
        loop="auto",
        steps_per_execution=1,
        label=None,
        unroll=None,
    ):
        from dcgan_lessons.dcgan.training import RunConfig, make_gan

        self.images = fake_images(steps * model.batch_size, model.image_shape)
        self.config = RunConfig(batch_size=model.batch_size, precision=precision)
        self.gan = make_gan(
            self.config,
            model.image_shape,
            steps_per_execution=steps_per_execution,
            networks=keras_networks(model),
        )
        self.loop, self.epoch, self.unroll = loop, 0, unroll
        extras = [precision] + ([f"{steps_per_execution} steps/call"] if steps_per_execution > 1 else [])
        extras += [f"loop {loop}"] if loop != "auto" else []
        extras += [f"scan unroll {unroll}"] if unroll is not None else []
        self.name = label or f"course trainer ({', '.join(extras)})"

    def _epoch(self):
        from dcgan_lessons.dcgan.training import fit_epochs

        if self.unroll is not None:  # the resident loop with another unroll than its default
            from dcgan_lessons.dcgan.resident import fit_resident

            batch, seed = self.config.batch_size, self.config.seed
            fit_resident(
                self.gan,
                self.images,
                batch_size=batch,
                seed=seed,
                first_epoch=self.epoch,
                epochs=self.epoch + 1,
                verbose=0,
                unroll=self.unroll,
            )
        else:
            fit_epochs(self.gan, self.images, self.config, self.epoch, self.epoch + 1, [], 0, self.loop)
        self.epoch += 1

    def warmup(self) -> float:
        return timed(self._epoch)

    def run(self) -> float:
        return timed(self._epoch)
