"""The local lab behind the notebooks' stand-in cloud clients.

Every stand-in runs its SQL on the local DuckDB lab through the project's own `query --json` (the command in
FAKE_MIMICINFRA, a JSON list such as ["dotnet", ".../MimicInfra.dll"]), and writes each call it receives to the
JSON-lines file FAKE_CLOUD_LOG, so a test can assert what the notebook sent. FAKE_CLOUD_STATE names a JSON file
describing the cloud lab (names, the import record); FAKE_CLOUD_FAULT makes the stand-ins answer as the real
service does in a first-run problem: expired-credentials, scan-cap, table-missing:<table>, no-access.
"""
import json
import os
import re
import subprocess


class QueryFailed(Exception):
    """DuckDB refused the SQL; the message is DuckDB's (e.g. "Catalog Error: Table with name x does not exist!")."""


def state():
    path = os.environ.get("FAKE_CLOUD_STATE")
    if not path:
        return {}
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def fault():
    return os.environ.get("FAKE_CLOUD_FAULT", "")


def missing_table():
    """The table a table-missing:<table> fault removes from the cloud lab, or None."""
    f = fault()
    return f.split(":", 1)[1] if f.startswith("table-missing:") else None


def log(api, **fields):
    path = os.environ.get("FAKE_CLOUD_LOG")
    if path:
        with open(path, "a", encoding="utf-8") as f:
            f.write(json.dumps({"api": api, **fields}, default=str) + "\n")


def tables_of(sql):
    """The table names a query reads (FROM/JOIN, not the FROM of EXTRACT(YEAR FROM x) and the like)."""
    return re.findall(r"\b(?:FROM|JOIN)\s+([A-Za-z_][A-Za-z0-9_.]*)", re.sub(r"\(\s*\w+\s+FROM\b", "(", sql, flags=re.I), flags=re.I)


def position_of(sql, name):
    """(line, column), 1-based, of a table name in the SQL, as engines report it."""
    m = re.search(r"\b(?:FROM|JOIN)\s+(" + re.escape(name) + r")\b(?!\s*\))", sql, flags=re.IGNORECASE)
    before = sql[: m.start(1)] if m else ""
    return before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1


def query(sql, db=None):
    """{"columns": [{"name", "type"}], "rows": [[typed values]]} from the local lab, or QueryFailed."""
    command = json.loads(os.environ["FAKE_MIMICINFRA"])
    db = db or os.environ["FAKE_LAB_DB"]
    done = subprocess.run([*command, "query", "--db", db, "--json", sql], capture_output=True, text=True)
    if done.returncode != 0:
        message = done.stderr.strip()
        message = re.sub(r"^error: (the query failed: )?", "", message)
        raise QueryFailed(message)
    return json.loads(done.stdout)
