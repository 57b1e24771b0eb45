"""Run profiles: chosen by the environment variable, defaulting on the accelerator, validated."""

import dataclasses

import pytest

from dcgan_lessons import PROFILES, get_profile
from dcgan_lessons.course.profiles import ENV_VAR, profile_name


@pytest.mark.parametrize("name", ["quick", "cpu", "gpu"])
def test_environment_variable_selects_the_profile(name):
    assert profile_name({ENV_VAR: name}, has_accelerator=False) == (name, f"set by {ENV_VAR}")


def test_default_depends_on_the_accelerator():
    assert profile_name({}, has_accelerator=True)[0] == "gpu"
    assert profile_name({}, has_accelerator=False)[0] == "cpu"
    assert profile_name({ENV_VAR: "  "}, has_accelerator=False)[0] == "cpu"


def test_unknown_profile_names_the_valid_ones():
    with pytest.raises(ValueError, match=r"Unknown profile.*'turbo'.*'quick', 'cpu', 'gpu'.*Unset"):
        profile_name({ENV_VAR: "turbo"})
    with pytest.raises(ValueError, match="expected one of"):
        get_profile("fast")


def test_get_profile_reads_the_environment(monkeypatch):
    monkeypatch.setenv(ENV_VAR, "cpu")
    assert get_profile() is PROFILES["cpu"]
    assert get_profile("gpu").name == "gpu"


def test_profiles_grow_from_quick_to_gpu():
    numeric = [f.name for f in dataclasses.fields(PROFILES["quick"]) if f.type in ("int", int)]
    assert numeric
    for field in numeric:
        sizes = [getattr(PROFILES[name], field) for name in ("quick", "cpu", "gpu")]
        assert sizes == sorted(sizes) and sizes[0] > 0, field
    for profile in PROFILES.values():
        assert int(profile.grid_images**0.5) ** 2 == profile.grid_images
