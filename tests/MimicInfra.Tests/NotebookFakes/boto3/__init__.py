"""Stand-in for boto3 in the example notebook's tests: Athena, Glue and S3 answering as the real APIs do.

Athena: StartQueryExecution returns an id; GetQueryExecution reports QUEUED, then RUNNING, then SUCCEEDED,
FAILED (StateChangeReason as Trino words it, e.g. TABLE_NOT_FOUND) or CANCELLED (the workgroup's per-query
scan cap); GetQueryResults answers pages of at most MaxResults rows (1000 at most; FAKE_ATHENA_PAGE_ROWS makes
them smaller), the first page's first row the column names, every value {"VarCharValue": text} and NULL {},
ResultSetMetadata.ColumnInfo with Athena's type names, and NextToken while rows remain. The SQL runs on the
local lab (fakelab). Calls with expired credentials raise botocore's ClientError with the service's code.
"""
import io
import json
import os
import uuid

import fakelab
from botocore.exceptions import ClientError

# DuckDB's type (query --json) -> the type Athena reports in ColumnInfo.
ATHENA_TYPES = {
    "TINYINT": "tinyint", "SMALLINT": "smallint", "INTEGER": "integer", "BIGINT": "bigint", "HUGEINT": "decimal",
    "FLOAT": "float", "DOUBLE": "double", "DECIMAL": "decimal", "VARCHAR": "varchar", "DATE": "date",
    "TIMESTAMP": "timestamp", "BOOLEAN": "boolean",
}


def _error(code, message, operation):
    return ClientError({"Error": {"Code": code, "Message": message}, "ResponseMetadata": {"HTTPStatusCode": 400}}, operation)


def _check_credentials(service, operation):
    if fakelab.fault() == "expired-credentials":
        if service == "s3":
            raise _error("ExpiredToken", "The provided token has expired.", operation)
        raise _error("ExpiredTokenException", "The security token included in the request is expired", operation)


def _text(value, kind):
    """A typed value as Athena writes it in VarCharValue."""
    if kind == "BOOLEAN":
        return "true" if value else "false"
    if kind == "TIMESTAMP":
        day, _, clock = str(value).partition("T")
        whole, _, fraction = clock.partition(".")
        return f"{day} {whole or '00:00:00'}.{(fraction + '000')[:3]}"
    if kind == "DATE":
        return str(value)[:10]
    return str(value)


class _Athena:
    def __init__(self, region):
        self.region = region
        self.lab = fakelab.state().get("aws", {})
        self.queries = {}

    def start_query_execution(self, QueryString, WorkGroup=None, QueryExecutionContext=None, **kwargs):
        _check_credentials("athena", "StartQueryExecution")
        database = (QueryExecutionContext or {}).get("Database", "default")
        fakelab.log("athena.StartQueryExecution", WorkGroup=WorkGroup, Database=database, QueryString=QueryString, region=self.region)
        if WorkGroup != self.lab["workgroup"]:
            raise _error("InvalidRequestException", f"WorkGroup {WorkGroup} is not found.", "StartQueryExecution")
        qid = str(uuid.uuid4())
        self.queries[qid] = {"sql": QueryString, "database": database, "polls": 0, "outcome": self._run(QueryString, database)}
        return {"QueryExecutionId": qid}

    def _run(self, sql, database):
        """The finished query: (state, reason, result or None, bytes scanned)."""
        if database not in (self.lab["database"], self.lab.get("derivedDatabase")):
            return ("FAILED", f"SCHEMA_NOT_FOUND: Schema '{database}' does not exist", None, 0)
        gone = fakelab.missing_table()
        if gone and gone in fakelab.tables_of(sql):
            line, column = fakelab.position_of(sql, gone)
            return ("FAILED", f"TABLE_NOT_FOUND: line {line}:{column}: Table 'awsdatacatalog.{database}.{gone}' does not exist", None, 0)
        if fakelab.fault() == "scan-cap":
            cap = self.lab["scanCapBytes"]
            return ("CANCELLED", "Query cancelled! : Bytes scanned limit was exceeded", None, cap)
        try:
            result = fakelab.query(sql)
        except fakelab.QueryFailed as e:
            return ("FAILED", str(e).splitlines()[0], None, 0)
        record = self.lab.get("importRecord")
        not_imported = set(t.split(".")[-1] for t in record["missing"]) if record else None
        if record is None or set(fakelab.tables_of(sql)) & not_imported:
            # A Glue table whose S3 folder holds no files yet: Athena reads no rows (here: a GROUP BY query's none).
            result = {"columns": result["columns"], "rows": []}
        return ("SUCCEEDED", None, result, 1000 * len(result["rows"]) + 10_485_760)

    def get_query_execution(self, QueryExecutionId):
        _check_credentials("athena", "GetQueryExecution")
        q = self.queries.get(QueryExecutionId)
        if q is None:
            raise _error("InvalidRequestException", f"QueryExecution {QueryExecutionId} was not found", "GetQueryExecution")
        q["polls"] += 1
        state, reason, _, scanned = q["outcome"]
        if q["polls"] < 3:
            state = ("QUEUED", "RUNNING")[q["polls"] - 1]
        status = {"State": state, "SubmissionDateTime": "2026-01-01T00:00:00Z"}
        if reason and state == q["outcome"][0]:
            status["StateChangeReason"] = reason
        return {"QueryExecution": {
            "QueryExecutionId": QueryExecutionId, "Query": q["sql"], "StatementType": "DML",
            "QueryExecutionContext": {"Database": q["database"]}, "WorkGroup": self.lab["workgroup"],
            "ResultConfiguration": {"OutputLocation": f"{self.lab['outputLocation']}{QueryExecutionId}.csv"},
            "Status": status,
            "Statistics": {"EngineExecutionTimeInMillis": 800, "DataScannedInBytes": scanned if state in ("SUCCEEDED", "CANCELLED") else 0},
        }}

    def get_query_results(self, QueryExecutionId, NextToken=None, MaxResults=1000):
        _check_credentials("athena", "GetQueryResults")
        if not 1 <= MaxResults <= 1000:
            raise _error("InvalidRequestException", "1 validation error detected: Value at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000", "GetQueryResults")
        q = self.queries[QueryExecutionId]
        state, reason, result, _ = q["outcome"]
        if q["polls"] < 3 or state != "SUCCEEDED":
            raise _error("InvalidRequestException", f"Query has not yet finished. Current state: {state if q['polls'] >= 3 else 'RUNNING'}", "GetQueryResults")
        fakelab.log("athena.GetQueryResults", NextToken=NextToken, MaxResults=MaxResults)
        size = min(MaxResults, int(os.environ.get("FAKE_ATHENA_PAGE_ROWS", "1000")))
        kinds = [c["type"] for c in result["columns"]]
        header = [{"Data": [{"VarCharValue": c["name"]} for c in result["columns"]]}]
        rows = header + [{"Data": [{} if v is None else {"VarCharValue": _text(v, k)} for v, k in zip(r, kinds)]} for r in result["rows"]]
        start = int(NextToken) if NextToken else 0
        page = {"ResultSet": {
            "Rows": rows[start:start + size],
            "ResultSetMetadata": {"ColumnInfo": [
                {"CatalogName": "hive", "SchemaName": "", "TableName": "", "Name": c["name"], "Label": c["name"],
                 "Type": ATHENA_TYPES.get(c["type"], "varchar"), "Precision": 0, "Scale": 0, "Nullable": "UNKNOWN", "CaseSensitive": c["type"] == "VARCHAR"}
                for c in result["columns"]]},
        }, "UpdateCount": 0}
        if start + size < len(rows):
            page["NextToken"] = str(start + size)
        return page

    def get_work_group(self, WorkGroup):
        _check_credentials("athena", "GetWorkGroup")
        if WorkGroup != self.lab["workgroup"]:
            raise _error("InvalidRequestException", f"WorkGroup {WorkGroup} is not found.", "GetWorkGroup")
        return {"WorkGroup": {"Name": WorkGroup, "State": "ENABLED", "Configuration": {
            "ResultConfiguration": {"OutputLocation": self.lab["outputLocation"]},
            "EnforceWorkGroupConfiguration": True, "BytesScannedCutoffPerQuery": self.lab["scanCapBytes"],
            "EngineVersion": {"SelectedEngineVersion": "Athena engine version 3", "EffectiveEngineVersion": "Athena engine version 3"}}}}

    def get_paginator(self, operation):
        raise NotImplementedError("the stand-in answers get_query_results page by page (NextToken)")


class _Glue:
    def __init__(self, region):
        self.lab = fakelab.state().get("aws", {})

    def get_database(self, Name, **kwargs):
        _check_credentials("glue", "GetDatabase")
        fakelab.log("glue.GetDatabase", Name=Name)
        if Name not in (self.lab["database"], self.lab.get("derivedDatabase")):
            raise _error("EntityNotFoundException", f"Database {Name} not found.", "GetDatabase")
        return {"Database": {"Name": Name, "Parameters": {"mimic_lab_data_bucket": self.lab["dataBucket"]}}}


class _S3:
    def __init__(self, region):
        self.lab = fakelab.state().get("aws", {})

    def get_object(self, Bucket, Key, **kwargs):
        _check_credentials("s3", "GetObject")
        fakelab.log("s3.GetObject", Bucket=Bucket, Key=Key)
        record = self.lab.get("importRecord")
        if Bucket != self.lab["dataBucket"]:
            raise _error("AccessDenied", "Access Denied", "GetObject")
        if Key != self.lab["importRecordKey"] or record is None:
            raise _error("NoSuchKey", "The specified key does not exist.", "GetObject")
        return {"Body": io.BytesIO(json.dumps(record).encode()), "ContentType": "application/json"}


def client(service_name, region_name=None, **kwargs):
    fakelab.log("boto3.client", service=service_name, region=region_name)
    services = {"athena": _Athena, "glue": _Glue, "s3": _S3}
    if service_name not in services:
        raise NotImplementedError(f"the stand-in has no {service_name} client")
    return services[service_name](region_name)
