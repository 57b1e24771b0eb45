"""Settings for every test run, the notebook runs (nbval) included.

nbval starts each notebook's kernel as a child process, which inherits this environment: so the
notebooks run in the `quick` profile on the TensorFlow backend, and matplotlib draws off-screen.
A value already set by the caller wins, so `DCGAN_LESSONS_PROFILE=cpu python -m pytest` runs the
notebooks at learner size.
"""

import os

os.environ.setdefault("DCGAN_LESSONS_PROFILE", "quick")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # TensorFlow's start-up chatter hides real failures
