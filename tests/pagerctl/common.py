"""What every group of the pagerctl suite shares (tests/pagerctl_test.py runs them): the
command line, the scratch ROOT, run() (pagerctl with the read-only and JSON-schema checks),
the @test decorator (runs the test at once and counts it), the healthy fixtures and helpers."""

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile

import jsonschema


PAGERCTL, FIXTURES, SCHEMA_PATH = (os.path.abspath(a) for a in sys.argv[1:4])
SCHEMA = json.load(open(SCHEMA_PATH))
jsonschema.Draft7Validator.check_schema(SCHEMA)
VALIDATOR = jsonschema.Draft7Validator(SCHEMA)

results = {"passed": 0, "failed": 0}
ROOT = tempfile.mkdtemp(prefix="pagerctl-test.")


class Fail(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Fail(what)


def tree_state(root):
    """{relative path: sha256} of every file and directory under root."""
    state = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for d in dirnames:
            state[os.path.relpath(os.path.join(dirpath, d), root)] = "dir"
        for f in filenames:
            p = os.path.join(dirpath, f)
            with open(p, "rb") as fh:
                state[os.path.relpath(p, root)] = hashlib.sha256(fh.read()).hexdigest()
    return state


def run(args, cwd=None, writes=False):
    """Runs pagerctl; asserts it changed nothing under ROOT (unless the command writes) and
    that --json output validates."""
    before = None if writes else tree_state(ROOT)
    p = subprocess.run([PAGERCTL] + args, capture_output=True, text=True, cwd=cwd, timeout=60)
    after = None if writes else tree_state(ROOT)
    if before != after:
        raise Fail(f"pagerctl {' '.join(args)} changed files: "
                   f"{sorted(set(before.items()) ^ set(after.items()))[:4]}")
    check(p.returncode in (0, 1, 2), f"exit status {p.returncode} (a crash?): {p.stderr}")
    if ("--json" in args and "--help" not in args and "replay" not in args
            and p.returncode in (0, 1, 2) and p.stdout):
        doc = json.loads(p.stdout)
        errors = sorted(VALIDATOR.iter_errors(doc), key=str)
        check(not errors, f"JSON does not match the schema: {errors[:1]}")
        check(doc["exit_status"] == p.returncode, "exit_status field differs from the exit status")
        p.json = doc
    return p


def test(fn):
    try:
        fn()
        results["passed"] += 1
        print(f"[ OK ] {fn.__name__}")
    except Exception as e:  # noqa: BLE001 -- a test failure of any kind is one failure
        results["failed"] += 1
        print(f"[FAIL] {fn.__name__}: {e}")
    return fn


def fixture_dir(name):
    d = os.path.join(ROOT, name)
    os.mkdir(d)
    subprocess.run([FIXTURES, "make", d], check=True)
    return d


def copy_of(src, name):
    dst = os.path.join(ROOT, "damaged", name)
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    (shutil.copytree if os.path.isdir(src) else shutil.copyfile)(src, dst)
    return dst


def flip(path, offset):
    with open(path, "r+b") as f:
        f.seek(offset)
        b = f.read(1)
        f.seek(offset)
        f.write(bytes([b[0] ^ 0xFF]))


H = fixture_dir("healthy")
HEALTHY = {
    "page-file": os.path.join(H, "file.pages"),
    "wal-main": os.path.join(H, "db"),
    "wal-log": os.path.join(H, "db-wal"),
    "wal-shm": os.path.join(H, "db-shm"),
    "walseg-dir": os.path.join(H, "log"),
    "walseg-segment": os.path.join(H, "log", "0000000000000001.wal"),
    "snapshot": os.path.join(H, "full.kvs"),
    "snapshot-incremental": os.path.join(H, "incr.kvs"),
}


def only(p):
    check(len(p.json["files"]) == 1, "one file entry")
    return p.json["files"][0]


def expect_damaged(path, rule, offset="any", file_suffix=None):
    p = run(["verify", path])
    check(p.returncode == 1, f"verify exit {p.returncode}, want 1: {p.stdout}{p.stderr}")
    check("DAMAGED" in p.stdout, "text says DAMAGED")
    j = only(run(["verify", "--json", path]))
    check(j["status"] == "damaged" and j["damage"] is not None, "JSON damage")
    check(j["damage"]["rule"] == rule, f"rule {j['damage']['rule']}, want {rule}")
    if offset != "any":
        check(j["damage"]["offset"] == offset, f"offset {j['damage']['offset']}, want {offset}")
    if file_suffix:
        check(j["damage"]["file"].endswith(file_suffix), f"damage file {j['damage']['file']}")
    i = run(["info", path])
    check(i.returncode == 0 and "DAMAGED" in i.stdout, "info shows the damage and exits 0")
    return j


def validate_line(obj, definition):
    sub = {"$ref": f"#/definitions/{definition}", "definitions": SCHEMA["definitions"]}
    errors = list(jsonschema.Draft7Validator(sub).iter_errors(obj))
    check(not errors, f"{definition}: {errors[:1]}")
