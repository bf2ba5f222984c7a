"""
A fake AWS for testing the lab's import script: S3, Athena, Glue and STS in memory, kept in a JSON file
between runs (FAKE_AWS_STATE) so a re-run sees what the last run left. Faults come from FAKE_AWS_FAULTS
(JSON). The fake "runs" only the SQL shapes the import sends: UNLOAD (...) TO 's3://...' and
SELECT count(*) FROM "db"."table", counting rows that objects carry as metadata.
"""
import atexit
import fnmatch
import gzip
import json
import os
import re
import threading

from botocore.exceptions import ClientError

_lock = threading.RLock()
_path = os.environ["FAKE_AWS_STATE"]
with open(_path) as f:
    STATE = json.load(f)
FAULTS = json.loads(os.environ.get("FAKE_AWS_FAULTS", "{}"))
STATE.setdefault("log", [])
STATE.setdefault("queries", {})
STATE.setdefault("maxActive", 0)
_active = {"n": 0}


def _save():
    with _lock:
        with open(_path, "w") as f:
            json.dump(STATE, f, indent=1, sort_keys=True)


atexit.register(_save)


def _bucket(name):
    return STATE["s3"].setdefault(name, {})


class _Body:
    def __init__(self, data):
        self._data = data

    def read(self):
        return self._data.encode()


class _FileBody:
    """A streaming body over a real file (a source the import re-encodes): read(n) as botocore's StreamingBody."""

    def __init__(self, path):
        self._f = open(path, "rb")
        STATE.setdefault("streamed", []).append(path)

    def read(self, n=-1):
        data = self._f.read(n if n is not None and n >= 0 else -1)
        if FAULTS.get("streamLimit") is not None:
            STATE["streamedBytes"] = STATE.get("streamedBytes", 0) + len(data)
            if STATE["streamedBytes"] > FAULTS["streamLimit"]:
                raise ConnectionError("the session ended (a closed CloudShell tab)")
        return data


def _blob_dir():
    d = os.path.join(os.path.dirname(_path), "blobs")
    os.makedirs(d, exist_ok=True)
    return d


def _owned(bucket, owner, operation):
    """Buckets with a recorded owner (the lab's) take calls only with ExpectedBucketOwner, as the import must send it."""
    expected = STATE.get("owners", {}).get(bucket)
    if expected is None:
        return
    if owner is None:
        STATE.setdefault("ownerless", []).append([operation, bucket])
        raise ClientError("InvalidRequest", f"{operation} on the lab's bucket without ExpectedBucketOwner", operation)
    if owner != expected:
        raise ClientError("AccessDenied", "Access Denied", operation)


class S3:
    def __init__(self, region):
        self.region = region

    def head_bucket(self, Bucket, ExpectedBucketOwner=None):
        with _lock:
            if Bucket not in STATE["s3"] and Bucket not in STATE.get("owners", {}):
                raise ClientError("404", "Not Found", "HeadBucket")
            _owned(Bucket, ExpectedBucketOwner, "HeadBucket")
            STATE["s3"].setdefault(Bucket, {})
            return {}

    def _denied(self, bucket, key):
        for pattern in FAULTS.get("denySource", []):
            if fnmatch.fnmatch(f"{bucket}/{key}", pattern):
                raise ClientError("AccessDenied", "Access Denied", "CopyObject")

    def head_object(self, Bucket, Key):
        with _lock:
            self._denied(Bucket, Key)
            o = _bucket(Bucket).get(Key)
            if o is None:
                raise ClientError("404", "Not Found", "HeadObject")
            return {"ContentLength": o["size"], "ETag": o.get("etag", '"e1"')}

    def get_object(self, Bucket, Key, ExpectedBucketOwner=None):
        with _lock:
            _owned(Bucket, ExpectedBucketOwner, "GetObject")
            o = _bucket(Bucket).get(Key)
            if o is None:
                raise ClientError("NoSuchKey", "The specified key does not exist.", "GetObject")
            if "file" in o:
                return {"Body": _FileBody(o["file"])}
            return {"Body": _Body(o.get("body", ""))}

    def put_object(self, Bucket, Key, Body, ContentType=None, ExpectedBucketOwner=None):
        with _lock:
            _owned(Bucket, ExpectedBucketOwner, "PutObject")
            STATE["log"].append(["put", Bucket, Key])
            if Key.endswith(".gz"):
                # A re-encoded part: kept as a real file; its rows are its lines, as Athena's JSON reader counts them.
                path = os.path.join(_blob_dir(), Key.replace("/", "_"))
                with open(path, "wb") as f:
                    f.write(Body)
                rows = gzip.decompress(Body).count(b"\n") - (1 if Key.endswith(".csv.gz") else 0)  # a CSV part has a header line
                _bucket(Bucket)[Key] = {"size": len(Body), "file": path, "rows": rows}
            else:
                _bucket(Bucket)[Key] = {"size": len(Body), "body": Body.decode()}

    def list_objects_v2(self, Bucket, Prefix="", ContinuationToken=None, ExpectedBucketOwner=None):
        with _lock:
            _owned(Bucket, ExpectedBucketOwner, "ListObjectsV2")
            for pattern in FAULTS.get("denySource", []):
                if fnmatch.fnmatch(f"{Bucket}/{Prefix}", pattern):
                    raise ClientError("AccessDenied", "Access Denied", "ListObjectsV2")
            keys = sorted(k for k in _bucket(Bucket) if k.startswith(Prefix))
            start = int(ContinuationToken or 0)
            page = keys[start:start + 2]  # tiny pages, so paging is exercised
            more = start + 2 < len(keys)
            return {"Contents": [{"Key": k, "Size": _bucket(Bucket)[k]["size"]} for k in page], "IsTruncated": more,
                    **({"NextContinuationToken": str(start + 2)} if more else {})}

    def delete_objects(self, Bucket, Delete, ExpectedBucketOwner=None):
        with _lock:
            _owned(Bucket, ExpectedBucketOwner, "DeleteObjects")
            for o in Delete["Objects"]:
                _bucket(Bucket).pop(o["Key"], None)
                STATE["log"].append(["delete", Bucket, o["Key"]])

    def copy_object(self, CopySource, Bucket, Key, TaggingDirective=None, ExpectedBucketOwner=None):
        with _lock:
            _owned(Bucket, ExpectedBucketOwner, "CopyObject")
            self._denied(CopySource["Bucket"], CopySource["Key"])
            o = _bucket(CopySource["Bucket"]).get(CopySource["Key"])
            if o is None:
                raise ClientError("NoSuchKey", "The specified key does not exist.", "CopyObject")
            STATE["log"].append(["copy", CopySource["Bucket"], CopySource["Key"], Bucket, Key, {"TaggingDirective": TaggingDirective}])
            _bucket(Bucket)[Key] = dict(o)
            return {}


def _rows_under(bucket, prefix):
    return sum(o.get("rows", 0) for k, o in _bucket(bucket).items() if k.startswith(prefix))


def _table_of(db, name):
    """(module, table) of a relation: the import database names raw tables <module>_<table>."""
    if db == STATE["plan"]["importDatabase"]:
        return tuple(STATE["plan"]["raw"][name])
    if db.endswith("_derived"):
        return "derived", name
    return STATE["plan"]["modules"][name], name


def _folder_of(module, table, area):
    """The data bucket and folder ('staging/' or 'tables/') of a table."""
    return STATE["plan"]["dataBucket"], f"{area}{module}/{table}/"


class Athena:
    def __init__(self, region):
        self.region = region

    def start_query_execution(self, QueryString, WorkGroup, QueryExecutionContext):
        with _lock:
            if WorkGroup != STATE["plan"]["importWorkgroup"]:
                raise ClientError("InvalidRequestException", f"workgroup {WorkGroup} is not the import workgroup")
            if FAULTS.get("throttle", 0) > STATE.get("throttled", 0):
                STATE["throttled"] = STATE.get("throttled", 0) + 1
                raise ClientError("TooManyRequestsException", "CONCURRENT_QUERY_LIMIT_EXCEEDED", "StartQueryExecution")
            qid = f"q{len(STATE['queries']) + 1:04d}"
            q = {"sql": QueryString, "state": "QUEUED", "polls": 0, "scanned": 0}
            STATE["queries"][qid] = q
            STATE["log"].append(["query", qid, QueryString])
            _active["n"] += 1
            STATE["maxActive"] = max(STATE["maxActive"], _active["n"])
            return {"QueryExecutionId": qid}

    def _finish(self, qid, q):
        sql = q["sql"]
        unload = re.match(r"(?s)UNLOAD \(\n(.*)\n\)\nTO 's3://([^/]+)/(.*)'\nWITH \(format = 'PARQUET', compression = 'ZSTD'\)$", sql)
        if unload:
            select, bucket, prefix = unload.groups()
            db, raw = re.search(r'FROM "([^"]+)"\."([^"]+)"', select).groups()
            module, table = _table_of(db, raw)
            sb, staging = _folder_of(module, table, "staging/")
            if any(k.startswith(prefix) for k in _bucket(bucket)):
                return "FAILED", f"HIVE_PATH_ALREADY_EXISTS: Target directory already exists: s3://{bucket}/{prefix}"
            rows = _rows_under(sb, staging)
            q["scanned"] = sum(o["size"] for k, o in _bucket(sb).items() if k.startswith(staging))
            q["inputRows"] = rows
            fails = FAULTS.get("failUnload", {})
            name = module + "." + table
            if fails.get(name, 0) > STATE.setdefault("failed", {}).get(name, 0):
                STATE["failed"][name] = STATE["failed"].get(name, 0) + 1
                _bucket(bucket)[prefix + "orphan-part-00000.parquet"] = {"size": 7, "rows": rows // 2}  # Athena leaves what it wrote
                return "FAILED", "HIVE_CURSOR_ERROR: something broke halfway"
            if name in FAULTS.get("timeout", []):
                return "FAILED", "Query exhausted resources at this scale factor / Query timeout"
            written = rows - FAULTS.get("dropRows", {}).get(name, 0)
            _bucket(bucket)[prefix + f"{qid}-part-00000.parquet"] = {"size": max(1, q["scanned"] // 3), "rows": written}
            return "SUCCEEDED", None
        count = re.match(r'^SELECT count\(\*\) FROM "([^"]+)"\."([^"]+)"$', sql)
        if count:
            db, name = count.groups()
            module, table = _table_of(db, name)
            area = "staging/" if db == STATE["plan"]["importDatabase"] else "tables/"
            bucket, prefix = _folder_of(module, table, area)
            q["result"] = _rows_under(bucket, prefix)
            q["scanned"] = 1024
            return "SUCCEEDED", None
        return "FAILED", f"the fake cannot run: {sql[:80]}"

    def get_query_execution(self, QueryExecutionId):
        with _lock:
            q = STATE["queries"][QueryExecutionId]
            if q["state"] in ("QUEUED", "RUNNING"):
                q["polls"] += 1
                if q["polls"] >= FAULTS.get("pollsToFinish", 2) and not q.get("hold"):
                    q["state"], q["reason"] = self._finish(QueryExecutionId, q)
                    _active["n"] = max(0, _active["n"] - 1)
                else:
                    q["state"] = "RUNNING"
            status = {"State": q["state"]}
            if q.get("reason"):
                status["StateChangeReason"] = q["reason"]
            return {"QueryExecution": {"QueryExecutionId": QueryExecutionId, "Status": status,
                                       "Statistics": {"DataScannedInBytes": q["scanned"], "TotalExecutionTimeInMillis": 60000 * q["polls"]}}}

    def get_query_results(self, QueryExecutionId):
        with _lock:
            n = STATE["queries"][QueryExecutionId]["result"]
            return {"ResultSet": {"Rows": [{"Data": [{"VarCharValue": "_col0"}]}, {"Data": [{"VarCharValue": str(n)}]}]}}

    def get_query_runtime_statistics(self, QueryExecutionId):
        with _lock:
            q = STATE["queries"][QueryExecutionId]
            if FAULTS.get("noRuntimeRows") or "inputRows" not in q:
                return {"QueryRuntimeStatistics": {"Timeline": {}}}
            return {"QueryRuntimeStatistics": {"Rows": {"InputRows": q["inputRows"] + FAULTS.get("inputRowsOffBy", 0)}}}


class Glue:
    def __init__(self, region):
        self.region = region

    def get_database(self, Name):
        with _lock:
            if Name not in STATE["glue"]:
                raise ClientError("EntityNotFoundException", f"Database {Name} not found.", "GetDatabase")
            return {"Database": STATE["glue"][Name]}

    def get_table(self, DatabaseName, Name):
        with _lock:
            location = STATE.get("glueTables", {}).get(f"{DatabaseName}.{Name}")
            if location is None:
                raise ClientError("EntityNotFoundException", f"Table {Name} not found.", "GetTable")
            return {"Table": {"Name": Name, "DatabaseName": DatabaseName, "StorageDescriptor": {"Location": location}}}


class ServiceQuotas:
    """Athena's DML query timeout: STATE['dmlTimeout'] minutes (240 unless a test says), 'unset' (never raised:
    the default applies) or 'denied' (the caller may not read Service Quotas)."""

    def __init__(self, region):
        self.region = region

    def get_service_quota(self, ServiceCode, QuotaCode):
        value = STATE.get("dmlTimeout", 240)
        STATE["log"].append(["quota", ServiceCode, QuotaCode])
        if value == "denied":
            raise ClientError("AccessDeniedException", "not authorized to perform servicequotas:GetServiceQuota", "GetServiceQuota")
        if value == "unset":
            raise ClientError("NoSuchResourceException", "no applied value", "GetServiceQuota")
        return {"Quota": {"ServiceCode": ServiceCode, "QuotaCode": QuotaCode, "Value": float(value)}}

    def get_aws_default_service_quota(self, ServiceCode, QuotaCode):
        return {"Quota": {"ServiceCode": ServiceCode, "QuotaCode": QuotaCode, "Value": 30.0}}


class Sts:
    def __init__(self, region):
        self.region = region

    def get_caller_identity(self):
        arn = STATE.get("identity", "arn:aws:iam::111122223333:user/jdoe")
        return {"Arn": arn, "Account": arn.split(":")[4]}


class _Session:
    def client(self, name, region_name=None, config=None):
        return {"s3": S3, "athena": Athena, "glue": Glue, "sts": Sts, "service-quotas": ServiceQuotas}[name](region_name)


class session:  # boto3.session.Session()
    Session = _Session
