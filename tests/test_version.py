"""The version: one number, in Cargo.toml, reported by the package and both commands."""

import importlib.metadata
import pathlib
import re
import subprocess
import sys
import sysconfig

import legacyint

CARGO_TOML = pathlib.Path(__file__).resolve().parent.parent / "Cargo.toml"


def cargo_version():
    package = CARGO_TOML.read_text().split("[package]", 1)[1].split("\n[", 1)[0]
    return re.search(r'^version\s*=\s*"([^"]+)"', package, re.MULTILINE).group(1)


def test_version_is_the_installed_distributions_and_cargos():
    assert legacyint.__version__ == importlib.metadata.version("legacyint")
    assert legacyint.__version__ == cargo_version()


def test_python_m_legacyint_version():
    done = subprocess.run(
        [sys.executable, "-m", "legacyint", "--version"], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == f"legacyint {legacyint.__version__}"


def test_legacyint_command_version():
    command = pathlib.Path(sysconfig.get_path("scripts")) / "legacyint"
    assert command.exists(), f"no console script at {command}"
    done = subprocess.run([str(command), "--version"], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == f"legacyint {legacyint.__version__}"


def test_other_missing_attributes_still_raise():
    assert not hasattr(legacyint, "__no_such_attribute__")
    try:
        legacyint.no_such_attribute
    except AttributeError as error:
        assert "no_such_attribute" in str(error)
    else:
        raise AssertionError("legacyint.no_such_attribute did not raise AttributeError")
