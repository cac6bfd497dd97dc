"""The example notebooks run headlessly, every cell, and draw their figures."""

import pathlib

import nbformat
import pytest
from nbclient import NotebookClient

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
