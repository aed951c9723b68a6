"""Every planners' notebook (notebooks/*.ipynb) runs top to bottom, and is kept without outputs.

Each notebook is executed with nbclient in a kernel of this very Python (ipykernel from the
project's venv: a kernel spec naming ``sys.executable`` is written for the run, so no
``python3`` found elsewhere on the machine is used), in ``notebooks/`` as its working folder,
with the ``SHUYUN_`` variables of the test run passed through, and a database (a new SQLite
file) and an output folder (``SHUYUN_DATA__OUT_DIR``) of its own. A cell that raises fails
the test with the cell's error; so does a cell that runs longer than
``SHUYUN_NOTEBOOK_CELL_TIMEOUT`` seconds (default 600).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

# jupyter_core warns (DeprecationWarning, an error under -W error) unless told which folders
# to use; the platform's standard ones are what it will use anyway.
os.environ.setdefault("JUPYTER_PLATFORM_DIRS", "1")

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
CELL_TIMEOUT = int(os.environ.get("SHUYUN_NOTEBOOK_CELL_TIMEOUT", "600"))
KERNEL = "python3"


def kernel_home(folder: Path) -> Path:
    """A Jupyter data folder whose ``python3`` kernel is this interpreter's ipykernel."""
    spec = folder / "kernels" / KERNEL
    spec.mkdir(parents=True, exist_ok=True)
    (spec / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                "display_name": "Python 3 (shuyun venv)",
                "language": "python",
            }
        ),
        encoding="utf-8",
    )
    return folder


def kernel_environment(tmp: Path, name: str) -> dict[str, str]:
    """The kernel's environment: this run's (``SHUYUN_`` variables included), the repository
    importable, the kernel spec above first, a new database and output folder."""
    env = dict(os.environ)
    for own in ("SHUYUN_DATABASE__URL", "SHUYUN_OUT_DIR"):
        env.pop(own, None)  # the notebook's own database and output folder win
    env.update(
        {
            "SHUYUN_DATABASE_URL": f"sqlite:///{tmp / (name + '.sqlite')}",
            "SHUYUN_DATA__OUT_DIR": str(tmp / "out"),
            "PYTHONPATH": os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(
                os.pathsep
            ),
            "JUPYTER_PATH": str(kernel_home(tmp / "jupyter")),
            "JUPYTER_PLATFORM_DIRS": "1",
            "PYDEVD_DISABLE_FILE_VALIDATION": "1",
        }
    )
    return env


def run_notebook(path: Path, env: dict[str, str]) -> nbformat.NotebookNode:
    """Execute ``path`` top to bottom in a kernel started with ``env``; the executed notebook
    (the file is not written)."""
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        kernel_name=KERNEL,
        timeout=CELL_TIMEOUT,
        resources={"metadata": {"path": str(path.parent)}},
    )
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)  # the kernel is started from this process's environment
    try:
        client.execute()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return notebook


def _stripped(notebook: nbformat.NotebookNode) -> list[str]:
    """What a notebook keeps that it should not: outputs and execution counts, by cell."""
    kept = []
    for n, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        if cell.get("outputs"):
            kept.append(f"cell {n}: outputs")
        if cell.get("execution_count") is not None:
            kept.append(f"cell {n}: execution_count")
    return kept


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs_top_to_bottom(path: Path, tmp_path: Path) -> None:
    executed = run_notebook(path, kernel_environment(tmp_path, path.stem))
    code = [c for c in executed.cells if c.cell_type == "code"]
    assert code and all(c.execution_count is not None for c in code), "every cell ran"
    errors = [o for c in code for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_is_kept_without_outputs(path: Path) -> None:
    """The file as it is and, once committed, as git holds it."""
    assert _stripped(nbformat.read(path, as_version=4)) == []
    relative = path.relative_to(ROOT).as_posix()
    shown = subprocess.run(
        ["git", "show", f"HEAD:{relative}"], cwd=ROOT, capture_output=True, text=True
    )
    if shown.returncode == 0:
        assert _stripped(nbformat.reads(shown.stdout, as_version=4)) == []


def test_there_are_notebooks() -> None:
    assert NOTEBOOKS, f"no notebooks in {NOTEBOOK_DIR}"


@pytest.mark.slow
def test_the_kernel_is_this_python_from_a_bare_environment(tmp_path: Path) -> None:
    """Started from an environment with nothing of the venv in it (no PATH to it, no
    VIRTUAL_ENV, an empty HOME), the runner's kernel is still this interpreter, and the
    repository's packages are the ones it imports."""
    notebook = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell(
                "import sys, catalog.kpis\nprint(sys.executable)\nprint(catalog.kpis.__file__)"
            )
        ]
    )
    path = tmp_path / "probe.ipynb"
    nbformat.write(notebook, path)
    script = (
        "import sys\n"
        f"sys.path.insert(0, {str(Path(__file__).parent)!r})\n"
        "from pathlib import Path\n"
        "import test_notebooks as t\n"
        f"tmp = Path({str(tmp_path)!r})\n"
        "env = t.kernel_environment(tmp, 'probe')\n"
        "done = t.run_notebook(tmp / 'probe.ipynb', env)\n"
        "print(done.cells[0].outputs[0]['text'], end='')\n"
    )
    bare = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "JUPYTER_PLATFORM_DIRS": "1"}
    ran = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        env={**bare, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ran.returncode == 0, ran.stderr[-3000:]
    executable, module = ran.stdout.split()
    assert executable == sys.executable
    assert Path(module) == ROOT / "catalog" / "kpis.py"
