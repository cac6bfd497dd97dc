"""The example notebooks run headlessly, every cell, and draw their figures."""

import os
import pathlib

import nbformat
import pytest
from nbclient import NotebookClient

from legacyint.experiment import find_python2

EXAMPLES = pathlib.Path(__file__).resolve().parent.parent / "examples"

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("name", ["leak_experiment.ipynb", "fragmentation.ipynb"])
def test_notebook_runs_and_plots(name, tmp_path):
    notebook = nbformat.read(EXAMPLES / name, as_version=4)
    NotebookClient(notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    code_cells = [c for c in notebook.cells if c.cell_type == "code"]
    assert all(c.execution_count for c in code_cells)
    outputs = [o for c in code_cells for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) >= 2, f"{name} drew {len(images)} figures"
    tables = [o for o in outputs if "pool_stats()" in o.get("data", {}).get("text/html", "")]
    assert tables, "pool_stats() did not show as an HTML table"
    if name == "leak_experiment.ipynb":
        text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
        if find_python2() is None:
            assert "No Python 2.7 found" in text
        else:
            assert "Python 2.7 found" in text and "Python 2.7 int RSS MiB" in text
            three_way = next(c for c in code_cells if "find_python2()" in c.source)
            assert [o for o in three_way.outputs if "image/png" in o.get("data", {})], "no three-way plot"


def test_leak_notebook_without_python2(tmp_path, monkeypatch):
    """No Python 2.7 anywhere: the three-way cell says so and draws nothing."""
    path = [d for d in os.environ["PATH"].split(os.pathsep) if not any(
        os.access(os.path.join(d, name), os.X_OK) for name in ("python2", "python2.7"))]
    monkeypatch.setenv("PATH", os.pathsep.join(path))
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path))
    assert find_python2() is None
    notebook = nbformat.read(EXAMPLES / "leak_experiment.ipynb", as_version=4)
    NotebookClient(notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert "No Python 2.7 found" in text and "skipping the three-way plot" in text
    assert "Python 2.7 int RSS MiB" not in text
