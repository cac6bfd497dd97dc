"""Sphinx configuration for legacyint's documentation (built by scripts/docs).

The pages are MyST Markdown; those with code cells are executed at build
time by MyST-NB against the installed legacyint, so every figure and table
in them comes from a real run, and a cell that fails fails the build.
"""

import importlib.metadata
import pathlib
import shutil

# The example notebooks (examples/*.ipynb, committed without outputs) are
# pages too: copied here at each build and executed with the rest.
_here = pathlib.Path(__file__).resolve().parent
(_here / "examples").mkdir(exist_ok=True)
for _notebook in sorted((_here.parent / "examples").glob("*.ipynb")):
    shutil.copyfile(_notebook, _here / "examples" / _notebook.name)

project = "legacyint"
author = "the legacyint authors"
copyright = "2026, the legacyint authors"
release = importlib.metadata.version("legacyint")
version = release

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.doctest",
    "sphinx.ext.viewcode",
]

# Pages and notebooks: MyST Markdown (.md, text notebooks with {code-cell})
# and Jupyter notebooks (.ipynb, the examples).
source_suffix = {".md": "myst-nb", ".ipynb": "myst-nb"}
exclude_patterns = ["_build", "**.ipynb_checkpoints"]

# Every code cell runs at every build; an error in one fails the build.
nb_execution_mode = "force"
nb_execution_raise_on_error = True
nb_execution_timeout = 600
nb_execution_show_tb = True
nb_merge_streams = True

myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3
# Some pages go from their title straight to a third-level heading.
suppress_warnings = ["myst.header"]

autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options = {"members": True, "undoc-members": False}

html_theme = "furo"
html_title = f"legacyint {release}"
html_static_path = []
