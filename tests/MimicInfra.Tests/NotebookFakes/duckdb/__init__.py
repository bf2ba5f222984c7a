"""Stand-in for DuckDB's Python package in the local notebook's tests, where the package is not installed.

connect(path, read_only=True) opens the lab file (an absent file raises IOException as DuckDB does); execute(sql)
runs the SQL through the project's own `query --json` on that file and returns the connection, whose fetchone(),
fetchall() and df() read the result (df() with DuckDB's pandas dtypes: int64, float64, object, datetime64). DuckDB's
errors keep their class by the message's first words (Catalog Error -> CatalogException). The lab is opened
read-only only: a writable connection fails the test. `SET search_path` is recorded: `query` sets the same path
from the lab's metadata, and until the notebook sets it, unqualified tables other than main's are not found.
"""
import os

import fakelab


class Error(Exception):
    pass


class IOException(Error):
    pass


class CatalogException(Error):
    pass


class BinderException(Error):
    pass


class ParserException(Error):
    pass


_ERRORS = {"Catalog Error": CatalogException, "Binder Error": BinderException, "Parser Error": ParserException, "IO Error": IOException}


class DuckDBPyConnection:
    def __init__(self, path):
        self._path = path
        self._search_path = None
        self._result = None

    def execute(self, query, parameters=None):
        text = query.strip().rstrip(";")
        fakelab.log("duckdb.execute", query=text)
        if text.upper().startswith("SET SEARCH_PATH"):
            self._search_path = text.split("=", 1)[1].strip().strip("'")
            self._result = {"columns": [], "rows": []}
            return self
        if self._search_path is None:
            unqualified = [t for t in fakelab.tables_of(text) if "." not in t]
            if unqualified:
                raise CatalogException(f"Catalog Error: Table with name {unqualified[0]} does not exist!")
        try:
            self._result = fakelab.query(text, db=self._path)
        except fakelab.QueryFailed as e:
            message = str(e)
            raise _ERRORS.get(message.split(":", 1)[0], Error)(message) from None
        return self

    @property
    def description(self):
        return [(c["name"], c["type"], None, None, None, None, None) for c in self._result["columns"]] if self._result else None

    def fetchall(self):
        return [tuple(r) for r in self._result["rows"]]

    def fetchone(self):
        rows = self._result["rows"]
        return tuple(rows[0]) if rows else None

    def df(self):
        import pandas as pd
        dtypes = {"TINYINT": "int64", "SMALLINT": "int64", "INTEGER": "int64", "BIGINT": "int64", "DOUBLE": "float64", "FLOAT": "float64",
                  "DATE": "datetime64[ns]", "TIMESTAMP": "datetime64[ns]", "BOOLEAN": "bool"}
        columns = {}
        for i, c in enumerate(self._result["columns"]):
            values = pd.Series([r[i] for r in self._result["rows"]], dtype="object")
            kind = dtypes.get(c["type"])
            if kind and kind.startswith("int") and values.isna().any():
                kind = "float64"   # DuckDB's df() gives an integer column with NULLs as float64 (NaN)
            columns[i] = values.astype(kind) if kind else values
        frame = pd.DataFrame(columns)
        frame.columns = [c["name"] for c in self._result["columns"]]
        return frame

    fetchdf = df

    def close(self):
        pass


def connect(database=":memory:", read_only=False, config=None):
    fakelab.log("duckdb.connect", database=database, read_only=read_only)
    if not read_only:
        raise AssertionError("the local notebook must open the lab read-only (duckdb.connect(path, read_only=True))")
    if not os.path.exists(database):
        raise IOException(f"IO Error: Cannot open database \"{database}\" in read-only mode: database does not exist")
    return DuckDBPyConnection(database)
