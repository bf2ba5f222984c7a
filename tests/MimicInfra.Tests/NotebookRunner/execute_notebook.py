"""Executes a notebook top to bottom with nbclient, as Jupyter's "Run All" does, and writes it executed.

usage: execute_notebook.py IN.ipynb OUT.ipynb RESULTS.json [--allow-errors] [NAME ...]

The kernel is this interpreter's own ipykernel (a kernel spec written to a temporary JUPYTER_PATH entry), so the
packages the test checked are the ones the notebook gets. A cell that raises stops the run (exit 1, the executed
notebook still written) unless --allow-errors. After the last cell, the DataFrames the notebook left in the
variables NAME... are written to RESULTS.json (columns, dtypes, rows as JSON values) by an extra cell that is
removed again before the notebook is written.
"""
import json
import os
import sys
import tempfile

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

DUMP = """
import json as _json
_frames = {}
for _name in %r:
    _frame = globals()[_name]
    _frames[_name] = {"columns": [str(c) for c in _frame.columns], "dtypes": [str(t) for t in _frame.dtypes],
                      "rows": _json.loads(_frame.to_json(orient="values", date_format="iso"))}
print(_json.dumps(_frames))
"""


def main(argv):
    source, target, results = argv[:3]
    allow_errors = "--allow-errors" in argv[3:]
    names = [a for a in argv[3:] if not a.startswith("--")]
    specs = tempfile.mkdtemp(prefix="kernels-")
    os.makedirs(os.path.join(specs, "kernels", "mimic-test"))
    with open(os.path.join(specs, "kernels", "mimic-test", "kernel.json"), "w") as f:
        json.dump({"argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"], "display_name": "test", "language": "python"}, f)
    os.environ["JUPYTER_PATH"] = specs + os.pathsep + os.environ.get("JUPYTER_PATH", "")

    nb = nbformat.read(source, as_version=4)
    client = NotebookClient(nb, kernel_name="mimic-test", timeout=300, allow_errors=allow_errors,
                            resources={"metadata": {"path": os.path.dirname(os.path.abspath(target))}})
    status = 0
    with client.setup_kernel():
        try:
            for index, cell in enumerate(nb.cells):
                client.execute_cell(cell, index, execution_count=client.code_cells_executed + 1)
            if names:
                dump = nbformat.v4.new_code_cell(DUMP % (names,))
                nb.cells.append(dump)
                try:
                    client.execute_cell(dump, len(nb.cells) - 1)
                finally:
                    nb.cells.pop()
                text = "".join(o.get("text", "") for o in dump.outputs if o.get("output_type") == "stream" and o.get("name") == "stdout")
                with open(results, "w") as f:
                    f.write(text)
        except CellExecutionError as e:
            print(str(e), file=sys.stderr)
            status = 1
    nb.metadata.pop("widgets", None)
    nbformat.write(nb, target)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
