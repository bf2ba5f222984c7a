"""Stand-in for google-cloud-bigquery in the example notebook's tests.

Client.query(sql, job_config=QueryJobConfig(default_dataset=..., maximum_bytes_billed=...)) returns a job whose
.result() is a row iterator (Row values by position, key or attribute; .schema; .total_rows; .to_dataframe() with
the library's dtypes: Int64 for INTEGER, float64 for FLOAT, boolean, datetime64 for DATETIME). QueryJobConfig,
like the library's, refuses a property it does not have. Unqualified tables resolve in the default dataset, a lab
dataset of views named in FAKE_CLOUD_STATE; the SQL runs on the local lab (fakelab). A job's error becomes the
exception the library maps its reason to (google.cloud.bigquery.job.base._ERROR_REASON_TO_EXCEPTION): notFound 404,
accessDenied 403, invalidQuery 400, and any reason it does not list (bytesBilledLimitExceeded) 500.
"""
import datetime
import decimal
import http.client

import fakelab
from google.api_core import exceptions
from google.auth.exceptions import RefreshError

_REASON_STATUS = {"accessDenied": http.client.FORBIDDEN, "invalidQuery": http.client.BAD_REQUEST, "notFound": http.client.NOT_FOUND}

# DuckDB's type (query --json) -> BigQuery's legacy type name in a result schema.
_BQ_TYPES = {
    "TINYINT": "INTEGER", "SMALLINT": "INTEGER", "INTEGER": "INTEGER", "BIGINT": "INTEGER", "HUGEINT": "NUMERIC",
    "FLOAT": "FLOAT", "DOUBLE": "FLOAT", "DECIMAL": "NUMERIC", "VARCHAR": "STRING", "DATE": "DATE",
    "TIMESTAMP": "DATETIME", "BOOLEAN": "BOOLEAN",
}


class DatasetReference:
    def __init__(self, project, dataset_id):
        self.project, self.dataset_id = project, dataset_id

    @classmethod
    def from_string(cls, dataset_id, default_project=None):
        project, _, dataset = dataset_id.rpartition(".")
        if not (project or default_project):
            raise ValueError(f"When default_project is not set, dataset_id must be a fully-qualified dataset ID in standard SQL format, e.g., \"project.dataset_id\" got {dataset_id}")
        return cls(project or default_project, dataset)

    def __repr__(self):
        return f"DatasetReference('{self.project}', '{self.dataset_id}')"


class QueryJobConfig:
    _PROPERTIES = {"default_dataset", "maximum_bytes_billed", "use_query_cache", "dry_run", "labels", "use_legacy_sql",
                   "query_parameters", "priority", "job_timeout_ms", "destination", "write_disposition"}

    def __init__(self, **kwargs):
        self._properties = {}
        for name, value in kwargs.items():
            setattr(self, name, value)

    def __setattr__(self, name, value):
        if not name.startswith("_") and name not in self._PROPERTIES:
            raise AttributeError(f"Property {name} is unknown for {type(self)}.")
        if name == "default_dataset" and isinstance(value, str):
            value = DatasetReference.from_string(value)
        if name == "maximum_bytes_billed" and value is not None:
            value = int(value)
        object.__setattr__(self, name, value)

    def __getattr__(self, name):
        if name in self._PROPERTIES:
            return None
        raise AttributeError(name)


class SchemaField:
    def __init__(self, name, field_type, mode="NULLABLE"):
        self.name, self.field_type, self.mode = name, field_type, mode

    def __repr__(self):
        return f"SchemaField('{self.name}', '{self.field_type}', '{self.mode}')"


class Row(tuple):
    def __new__(cls, values, names):
        row = super().__new__(cls, values)
        row._names = {n: i for i, n in enumerate(names)}
        return row

    def __getitem__(self, key):
        return super().__getitem__(self._names[key] if isinstance(key, str) else key)

    def __getattr__(self, name):
        if name.startswith("_") or name not in self._names:
            raise AttributeError(name)
        return self[name]

    def keys(self):
        return self._names.keys()

    def values(self):
        return tuple(self)

    def items(self):
        return [(n, self[n]) for n in self._names]

    def get(self, key, default=None):
        return self[key] if key in self._names else default


def _value(value, field_type):
    if value is None:
        return None
    if field_type == "DATETIME":
        return datetime.datetime.fromisoformat(value)
    if field_type == "DATE":
        return datetime.date.fromisoformat(value[:10])
    if field_type == "NUMERIC":
        return decimal.Decimal(str(value))
    if field_type == "FLOAT":
        return float(value)
    return value


class RowIterator:
    def __init__(self, result):
        self.schema = [SchemaField(c["name"], _BQ_TYPES.get(c["type"], "STRING")) for c in result["columns"]]
        names = [f.name for f in self.schema]
        self._rows = [Row([_value(v, f.field_type) for v, f in zip(r, self.schema)], names) for r in result["rows"]]
        self.total_rows = len(self._rows)

    def __iter__(self):
        return iter(self._rows)

    def to_dataframe(self, **kwargs):
        import pandas as pd
        dtypes = {"INTEGER": "Int64", "FLOAT": "float64", "BOOLEAN": "boolean", "DATETIME": "datetime64[ns]"}
        columns = {}
        for i, f in enumerate(self.schema):
            values = pd.Series([r[i] for r in self._rows], dtype="object")
            columns[i] = values.astype(dtypes[f.field_type]) if f.field_type in dtypes else values
        frame = pd.DataFrame(columns)
        frame.columns = [f.name for f in self.schema]
        return frame


class QueryJob:
    def __init__(self, client, sql, config):
        self.query, self._client, self._config = sql, client, config
        self.job_id = f"job_{abs(hash(sql)) % 10**12}"
        self.total_bytes_processed = None
        self.total_bytes_billed = None
        self.error_result = None

    def _fail(self, reason, message):
        self.error_result = {"reason": reason, "message": message}
        status = _REASON_STATUS.get(reason, http.client.INTERNAL_SERVER_ERROR)
        raise exceptions.from_http_status(status, message, errors=[self.error_result])

    def result(self, timeout=None, **kwargs):
        lab = fakelab.state().get("gcp", {})
        dataset = self._config.default_dataset
        project = self._client.project
        if dataset is None or dataset.project != project or dataset.dataset_id not in lab["datasets"]:
            self._fail("notFound", f"Not found: Dataset {dataset.project if dataset else project}:{dataset.dataset_id if dataset else ''} was not found in location US")
        module = lab["datasets"][dataset.dataset_id]
        views = fakelab.query(f"SELECT table_name FROM information_schema.tables WHERE table_schema = '{module}'")
        views = {r[0] for r in views["rows"]}
        gone = fakelab.missing_table()
        for table in fakelab.tables_of(self.query):
            if "." not in table and (table not in views or table == gone):
                self._fail("notFound", f"Not found: Table {project}:{dataset.dataset_id}.{table} was not found in location US")
        if fakelab.fault() == "no-access":
            table = fakelab.tables_of(self.query)[0]
            source = lab["sourceDatasets"][module]
            self._fail("accessDenied", f"Access Denied: Table physionet-data:{source}.{table}: User does not have permission to query table "
                                       f"physionet-data:{source}.{table}, or perhaps it does not exist.")
        processed = 10_485_760 if fakelab.fault() != "scan-cap" else (self._config.maximum_bytes_billed or 0) + 1
        cap = self._config.maximum_bytes_billed
        if cap is not None and processed > cap:
            self._fail("bytesBilledLimitExceeded", f"Query exceeded limit for bytes billed: {cap}. {-(-processed // 10_485_760) * 10_485_760} or higher required.")
        try:
            result = fakelab.query(self.query)
        except fakelab.QueryFailed as e:
            self._fail("invalidQuery", str(e).splitlines()[0])
        self.total_bytes_processed = self.total_bytes_billed = processed
        return RowIterator(result)


class Client:
    def __init__(self, project=None, credentials=None, location=None, **kwargs):
        self.project = project
        self.location = location
        fakelab.log("bigquery.Client", project=project)

    def query(self, query, job_config=None, job_id=None, location=None, project=None, **kwargs):
        if job_config is not None and not isinstance(job_config, QueryJobConfig):
            raise TypeError(f"Expected an instance of QueryJobConfig class for the job_config parameter, but received job_config = {job_config}")
        config = job_config or QueryJobConfig()
        fakelab.log("bigquery.query", query=query, project=self.project,
                    default_dataset=f"{config.default_dataset.project}.{config.default_dataset.dataset_id}" if config.default_dataset else None,
                    maximum_bytes_billed=config.maximum_bytes_billed)
        if fakelab.fault() == "expired-credentials":
            raise RefreshError("('invalid_grant: Token has been expired or revoked.', {'error': 'invalid_grant', 'error_description': 'Token has been expired or revoked.'})")
        return QueryJob(self, query, config)
