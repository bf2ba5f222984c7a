#!/usr/bin/env python3
"""Stops this SageMaker notebook instance once Jupyter has been idle for a while (MimicInfra).

Idleness is read from Jupyter's own record of kernel activity (/api/sessions), not from CPU: a
researcher reading a long result is idle to the CPU but not to us until the kernel goes quiet,
and a busy kernel (a long query) is never stopped. With no sessions at all, the clock starts
when the instance started.

Runs from a systemd timer every 5 minutes, as an unprivileged transient user, with the system
interpreter in isolated mode (python3 -I), so nothing the researcher can write is ever run by it. For tests: --sessions-json, --now, --started and --dry-run.
"""
import argparse
import datetime
import json
import os
import ssl
import subprocess
import sys
import urllib.request

STARTED_MARK = "/usr/local/mimic-infra/started"


def parse_time(text):
    """Jupyter writes times as 2026-11-22T14:03:05.123456Z (UTC)."""
    return datetime.datetime.strptime(text.rstrip("Zz").split(".")[0], "%Y-%m-%dT%H:%M:%S").replace(
        tzinfo=datetime.timezone.utc)


def last_activity(sessions, started):
    """The latest moment Jupyter was used, or None while any kernel is busy."""
    latest = started
    for session in sessions:
        kernel = session.get("kernel") or {}
        if kernel.get("execution_state") == "busy":
            return None
        if kernel.get("last_activity"):
            latest = max(latest, parse_time(kernel["last_activity"]))
    return latest


def is_idle(sessions, started, now, idle_minutes):
    last = last_activity(sessions, started)
    return last is not None and (now - last).total_seconds() >= idle_minutes * 60


def fetch_sessions():
    # Jupyter on a notebook instance serves HTTPS on localhost with a self-signed certificate.
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with urllib.request.urlopen("https://localhost:8443/api/sessions", context=context, timeout=30) as response:
        return json.load(response)


def stop(instance, region):
    # The region is passed explicitly: the service has no AWS config file or AWS_REGION to find it from.
    try:
        import boto3
        boto3.client("sagemaker", region_name=region).stop_notebook_instance(NotebookInstanceName=instance)
    except ImportError:
        subprocess.run(["aws", "sagemaker", "stop-notebook-instance", "--region", region,
                        "--notebook-instance-name", instance], check=True)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--idle-minutes", type=int, required=True)
    parser.add_argument("--instance", required=True)
    parser.add_argument("--region", required=True, help="the notebook's AWS region, e.g. us-east-1")
    parser.add_argument("--sessions-json", help="read sessions from this file instead of Jupyter")
    parser.add_argument("--now", help="the current time, ISO 8601 (default: now)")
    parser.add_argument("--started", help="when the instance started, ISO 8601 (default: the start mark)")
    parser.add_argument("--dry-run", action="store_true", help="decide, but do not stop the instance")
    args = parser.parse_args(argv)

    now = parse_time(args.now) if args.now else datetime.datetime.now(datetime.timezone.utc)
    if args.started:
        started = parse_time(args.started)
    else:
        mtime = os.path.getmtime(STARTED_MARK) if os.path.exists(STARTED_MARK) else now.timestamp()
        started = datetime.datetime.fromtimestamp(mtime, datetime.timezone.utc)
    if args.sessions_json:
        with open(args.sessions_json) as f:
            sessions = json.load(f)
    else:
        sessions = fetch_sessions()

    if is_idle(sessions, started, now, args.idle_minutes):
        print(f"{now.isoformat()} idle for {args.idle_minutes}+ minutes: stopping {args.instance} in {args.region}")
        if not args.dry_run:
            stop(args.instance, args.region)
        return 0
    print(f"{now.isoformat()} active")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
