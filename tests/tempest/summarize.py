#!/usr/bin/python3
"""Turn a Tempest (stestr) subunit v2 stream into a per-test CSV and counts.

Run with Debian's /usr/bin/python3 (it needs python3-subunit and testtools,
which python3-tempest brings):

    stestr last --subunit | summarize.py --expected ids.txt --csv results.csv

Every test id in --expected gets exactly one row.  A test that never reported
(its class's setUpClass failed, or the worker died) counts as failed, with the
class fixture's error as its reason.  Class fixtures themselves
("setUpClass (tempest.api....Class)") are not counted as tests.  The last line
printed is the closing line "N passed, N failed, N skipped".
"""

import argparse
import csv
import re
import sys

import subunit
import testtools

PASS = {"success", "xfail"}
FAIL = {"fail", "uxsuccess"}
SKIP = {"skip"}

FIXTURE_RE = re.compile(r"^(setUpClass|tearDownClass) \((?P<cls>[^)]+)\)$")


def base_id(test_id):
    """Strip the [id-...,smoke] attribute suffix."""
    return test_id.split("[", 1)[0]


def reason_of(details, status):
    """One line saying why a test did not pass."""
    if not details:
        return ""
    if status in SKIP and "reason" in details:
        text = details["reason"].as_text()
        return " ".join(text.split())[:300]
    for key in ("traceback", "reason"):
        if key in details:
            text = details[key].as_text().strip()
            lines = [l for l in text.splitlines() if l.strip()]
            if not lines:
                continue
            # the last line of a traceback is the exception; keep it short
            last = lines[-1].strip()
            # tempest's HTTP errors put the useful bit on the "Details:" line
            for l in reversed(lines):
                if "Details:" in l:
                    if l.strip() != last:
                        last = last + " | " + l.strip()
                    break
            return " ".join(last.split())[:400]
    return ""


def read_stream(stream):
    tests = {}

    def on_test(test):
        tests[test["id"]] = test

    case = subunit.ByteStreamToStreamResult(stream, non_subunit_name="stdout")
    result = testtools.StreamToDict(on_test)
    result.startTestRun()
    try:
        case.run(result)
    finally:
        result.stopTestRun()
    return tests


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--expected", help="file of selected test ids, one a line")
    ap.add_argument("--csv", required=True, help="where to write test,status,reason")
    args = ap.parse_args()

    tests = read_stream(sys.stdin.buffer)

    fixtures = {}  # class -> reason
    results = {}  # full id -> (status, reason)
    for tid, t in tests.items():
        status = t["status"]
        m = FIXTURE_RE.match(tid)
        if m:
            if status in FAIL:
                fixtures[m.group("cls")] = reason_of(t["details"], status)
            continue
        results[tid] = (status, reason_of(t["details"], status))

    expected = []
    if args.expected:
        with open(args.expected) as f:
            expected = [l.strip() for l in f if l.strip() and not l.startswith("#")]

    rows = []
    seen = set()
    by_base = {base_id(k): k for k in results}
    for tid in expected:
        key = tid if tid in results else by_base.get(base_id(tid))
        if key is not None:
            status, reason = results[key]
            seen.add(key)
        else:
            cls = base_id(tid).rsplit(".", 1)[0]
            status = "fail"
            reason = "not run"
            if cls in fixtures:
                reason = "class setup failed: " + fixtures[cls]
        rows.append((tid, status, reason))
    for tid in sorted(results):
        if tid not in seen:
            status, reason = results[tid]
            rows.append((tid, status, reason))
    for cls, reason in sorted(fixtures.items()):
        rows.append(("setUpClass (%s)" % cls, "fixture-fail", reason))

    passed = sum(1 for r in rows if r[1] in PASS)
    failed = sum(1 for r in rows if r[1] in FAIL)
    skipped = sum(1 for r in rows if r[1] in SKIP)

    with open(args.csv, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["test", "status", "reason"])
        for r in rows:
            w.writerow(r)

    for tid, status, reason in rows:
        if status in FAIL or status == "fixture-fail":
            print("FAIL  %s  %s" % (tid, reason))
    for tid, status, reason in rows:
        if status in SKIP:
            print("SKIP  %s  %s" % (tid, reason))
    print("%d passed, %d failed, %d skipped" % (passed, failed, skipped))


if __name__ == "__main__":
    main()
