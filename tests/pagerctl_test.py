#!/usr/bin/env python3
"""pagerctl_test.py PAGERCTL FIXTURES SCHEMA -- the `pagerctl` suite of `make test`.

Runs pagerctl info/verify on files every component made (tests/pagerctl_fixtures.c, public C
API), healthy and damaged (a flipped checksum byte, a truncation, a wrong magic, a missing
file, a future format version, a file locked by a writer), and checks the output, the exit
status (0 clean, 1 damaged, 2 cannot tell) and that every --json output validates against
the committed schema (python3-jsonschema). Every run also proves the command is read-only:
the SHA-256 of every file and the list of names in the fixture directory are the same after
it. Prints one line per test and "#result <passed> <failed>" last (tests/run_cmd.sh).
"""
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


def run(args, cwd=None):
    """Runs pagerctl; asserts it changed nothing under ROOT and that --json output validates."""
    before = tree_state(ROOT)
    p = subprocess.run([PAGERCTL] + args, capture_output=True, text=True, cwd=cwd, timeout=60)
    after = tree_state(ROOT)
    check(before == after, f"pagerctl {' '.join(args)} changed files: "
                           f"{sorted(set(before.items()) ^ set(after.items()))[:4]}")
    check(p.returncode in (0, 1, 2), f"exit status {p.returncode} (a crash?): {p.stderr}")
    if "--json" in args and "--help" not in args and p.returncode in (0, 1, 2) and p.stdout:
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


# ---- help and bad input ---------------------------------------------------------------------

@test
def HelpOnEveryCommand():
    for args in (["--help"], ["info", "--help"], ["verify", "--help"]):
        p = run(args)
        check(p.returncode == 0 and "Usage" in p.stdout, f"{args}: {p.returncode} {p.stdout[:80]}")
    check("Not yet" in run(["--help"]).stdout, "--help names the later steps")
    check("Exit 0 clean, 1 damaged, 2 cannot tell" in run(["verify", "--help"]).stdout,
          "verify --help gives the exit codes")


@test
def VersionFlag():
    p = run(["--version"])
    check(p.returncode == 0 and "libpager" in p.stdout, p.stdout)


@test
def BadInputIsExit2WithAMessage():
    for args in ([], ["frobnicate", "x"], ["verify"], ["info"], ["verify", "--bogus", "x"]):
        p = run(args)
        check(p.returncode == 2, f"{args}: exit {p.returncode}")
        check(p.stderr.strip() != "", f"{args}: no message")


# ---- healthy files of every component -------------------------------------------------------

@test
def InfoOnEveryFormat():
    titles = {"page-file": "page file", "wal-main": "WAL pager", "wal-log": "WAL pager",
              "walseg-dir": "WAL segment directory", "walseg-segment": "WAL segment",
              "snapshot": "KV-cache snapshot", "snapshot-incremental": "KV-cache snapshot"}
    for kind, path in HEALTHY.items():
        p = run(["info", path])
        check(p.returncode == 0, f"{kind}: exit {p.returncode} {p.stderr}")
        check(titles[kind] in p.stdout and "state             clean" in p.stdout,
              f"{kind}: {p.stdout}")


@test
def VerifyOnEveryFormatIsClean():
    p = run(["verify"] + list(HEALTHY.values()))
    check(p.returncode == 0, f"exit {p.returncode}: {p.stdout}{p.stderr}")
    check(p.stdout.count(": OK (") == len(HEALTHY), p.stdout)


@test
def InfoJsonCarriesTheHeaderAndCounts():
    p = run(["info", "--json"] + list(HEALTHY.values()))
    files = {os.path.relpath(f["path"], H): f for f in p.json["files"]}
    pf = files["file.pages"]
    check(pf["format"] == "page-file" and pf["page_size"] == 4096, str(pf))
    check(pf["protected_count"] == 3 and pf["page_count"] == 64, str(pf))
    check(pf["free_bytes"] == pf["free_page_count"] * 4096 and pf["generation"] > 1, str(pf))
    db = files["db"]
    check(db["format"] == "wal-main" and db["page_count"] == 9 and db["frame_count"] == 3, str(db))
    check(files["db-wal"]["format"] == "wal-log", str(files["db-wal"]))
    log = files["log"]
    check(log["format"] == "walseg-dir" and log["record_count"] == 60, str(log))
    check(log["first_lsn"] == 1 and log["last_lsn"] == 60 and log["segment_count"] >= 2, str(log))
    seg = files[os.path.join("log", "0000000000000001.wal")]
    check(seg["format"] == "walseg-segment" and seg["first_lsn"] == 1, str(seg))
    snap = files["full.kvs"]
    check(snap["format"] == "snapshot" and snap["page_count"] == 4 and snap["record_count"] == 1,
          str(snap))
    check(all(f["status"] == "clean" and f["damage"] is None for f in files.values()), "clean")


@test
def RelativePathsWork():
    p = run(["verify", "file.pages", "db", "log", "full.kvs"], cwd=H)
    check(p.returncode == 0, p.stdout + p.stderr)


# ---- cannot tell: exit 2 ----------------------------------------------------------------------

@test
def MissingFileIsExit2():
    p = run(["verify", os.path.join(ROOT, "no-such-file")])
    check(p.returncode == 2 and "missing" in p.stderr, p.stderr)
    j = only(run(["verify", "--json", os.path.join(ROOT, "no-such-file")]))
    check(j["status"] == "error" and j["error"]["code"] == "PAGER_ERR_NOT_FOUND", str(j))


@test
def WrongMagicIsNotALibpagerFile():
    for kind in ("page-file", "wal-main", "snapshot", "walseg-segment"):
        path = copy_of(HEALTHY[kind], "magic-" + kind)
        with open(path, "r+b") as f:
            f.seek(0 if kind != "walseg-segment" else 8)
            f.write(b"NOTMAGIC"[: 8 if kind != "walseg-segment" else 4])
        if kind == "wal-main":  # the second header copy carries the magic too
            with open(path, "r+b") as f:
                f.seek(256)
                f.write(b"NOTMAGIC")
        p = run(["verify", path])
        check(p.returncode == 2 and "not a libpager file" in p.stderr, f"{kind}: {p.stderr}")


@test
def EmptyAndForeignFilesAreExit2():
    empty = os.path.join(ROOT, "empty")
    open(empty, "w").close()
    text = os.path.join(ROOT, "text")
    with open(text, "w") as f:
        f.write("hello\n")
    for path in (empty, text, ROOT):
        check(run(["info", path]).returncode == 2, path)


@test
def FutureFormatVersionIsExit2():
    path = copy_of(HEALTHY["page-file"], "future.pages")
    subprocess.run([FIXTURES, "future-version", path], check=True)
    p = run(["verify", path])
    check(p.returncode == 2 and "version" in p.stderr, p.stderr)
    j = only(run(["verify", "--json", path]))
    check(j["error"]["code"] == "PAGER_ERR_VERSION", str(j))


@test
def FileLockedByAWriterIsExit2():
    path = copy_of(HEALTHY["page-file"], "locked.pages")
    holder = subprocess.Popen([FIXTURES, "hold", path], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        check(holder.stdout.readline().strip() == "ready", "the holder opened the file")
        p = run(["verify", path])
        check(p.returncode == 2 and "locked" in p.stderr, p.stderr)
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    check(run(["verify", path]).returncode == 0, "clean once the writer closed it")


@test
def WorstStatusWinsOverManyFiles():
    p = run(["verify", HEALTHY["page-file"], os.path.join(ROOT, "no-such-file")])
    check(p.returncode == 2, str(p.returncode))
    check(": OK (" in p.stdout, "the healthy file is still reported")


# ---- damaged: exit 1, what and where ---------------------------------------------------------

@test
def PageFileFlippedSuperblockChecksum():
    path = copy_of(HEALTHY["page-file"], "sb.pages")
    flip(path, 56)
    expect_damaged(path, "superblock", offset=0)


@test
def PageFileFlippedChecksumOfTheOlderMeta():
    gen = only(run(["info", "--json", HEALTHY["page-file"]]))["generation"]
    # The two metas hold generations gen and gen-1; the older one is in the other slot. Flip
    # the checksum byte (offset 120) of each in turn: the older one is damage at its page.
    hits = 0
    for slot, page in ((0, 1), (1, 2)):
        path = copy_of(HEALTHY["page-file"], f"meta{slot}.pages")
        flip(path, page * 4096 + 120)
        j = only(run(["verify", "--json", path]))
        if j["status"] == "damaged":
            check(j["damage"]["rule"] == "meta" and j["damage"]["offset"] == page * 4096, str(j))
            hits += 1
        else:  # the newer one: recovery falls back; a leftover of an interrupted commit
            check(j["interrupted"] and j["leftover"]["offset"] == page * 4096, str(j))
            check(j["generation"] == gen - 1, str(j))
    check(hits == 1, f"{hits} metas reported as damage")


@test
def PageFileFlippedProtectedContent():
    # Some protected page's active content: find a data byte 'a'*4096 and flip it.
    path = copy_of(HEALTHY["page-file"], "content.pages")
    data = open(path, "rb").read()
    off = data.find(b"a" * 4096)
    check(off > 0, "protected page content found")
    flip(path, off + 100)
    j = expect_damaged(path, "state")
    check("content" in j["damage"]["detail"], j["damage"]["detail"])


@test
def PageFileTruncated():
    # Inside the page space, inside meta B, after the superblock, inside the superblock.
    for size, rule in ((100000, "state"), (10000, "meta"), (100, "meta"), (40, "superblock")):
        path = copy_of(HEALTHY["page-file"], f"trunc{size}.pages")
        os.truncate(path, size)
        expect_damaged(path, rule)


@test
def WalFlippedSidecarHeaderChecksum():
    d = copy_of(H, "walhdr")
    flip(os.path.join(d, "db-wal"), 56)
    expect_damaged(os.path.join(d, "db"), "wal-header", offset=0, file_suffix="db-wal")
    expect_damaged(os.path.join(d, "db-wal"), "wal-header", offset=0, file_suffix="db-wal")


@test
def WalMainFileTruncated():
    d = copy_of(H, "waltrunc")
    os.truncate(os.path.join(d, "db"), 4096)
    j = expect_damaged(os.path.join(d, "db"), "main-file")
    check("truncated" in j["damage"]["detail"], j["damage"]["detail"])


@test
def WalBothHeaderCopiesDamaged():
    d = copy_of(H, "walboth")
    flip(os.path.join(d, "db"), 56)
    flip(os.path.join(d, "db"), 256 + 56)
    expect_damaged(os.path.join(d, "db"), "main-header", offset=0)


@test
def WalseqFlippedByteInASealedSegment():
    d = copy_of(HEALTHY["walseg-dir"], "segs")
    seg = os.path.join(d, "0000000000000001.wal")
    flip(seg, 20)  # inside the first record's LSN: checksum fails, records follow
    expect_damaged(d, "record", offset=0, file_suffix="0000000000000001.wal")
    expect_damaged(seg, "record", offset=0)


@test
def WalsegTornTailIsNotDamage():
    d = copy_of(HEALTHY["walseg-dir"], "torn")
    last = sorted(n for n in os.listdir(d) if n.endswith(".wal"))[-1]
    size = os.path.getsize(os.path.join(d, last))
    with open(os.path.join(d, last), "r+b") as f:
        f.seek(size - 16)
        f.write(b"\x01" * 16)  # garbage after the last record, never synced
    p = run(["verify", "--json", d])
    j = only(p)
    check(p.returncode == 0 and j["interrupted"] and j["leftover"]["rule"] == "torn-tail", str(j))


@test
def SnapshotFlippedBlobByte():
    path = copy_of(HEALTHY["snapshot"], "blob.kvs")
    flip(path, 1000)
    expect_damaged(path, "blob")


@test
def SnapshotTruncatedAndHeaderChecksum():
    path = copy_of(HEALTHY["snapshot"], "trunc.kvs")
    os.truncate(path, os.path.getsize(path) - 10)
    expect_damaged(path, "structure")
    path = copy_of(HEALTHY["snapshot"], "hdr.kvs")
    flip(path, 20)
    expect_damaged(path, "structure")


@test
def IncrementalSnapshotWithAMissingParentCannotTell():
    d = copy_of(H, "orphan")
    os.remove(os.path.join(d, "full.kvs"))
    p = run(["verify", os.path.join(d, "incr.kvs")])
    check(p.returncode == 2, f"{p.returncode}: {p.stdout}{p.stderr}")


@test
def NoSidecarIsCreated():
    d = copy_of(H, "nosidecar")
    os.remove(os.path.join(d, "db-wal"))
    # Frames not checkpointed are lost with the sidecar, so only check that nothing appears.
    run(["verify", os.path.join(d, "db")])
    run(["info", os.path.join(d, "db")])
    check(not os.path.exists(os.path.join(d, "db-wal")), "a -wal sidecar was created")


shutil.rmtree(ROOT, ignore_errors=True)
print(f"#result {results['passed']} {results['failed']}")
sys.exit(1 if results["failed"] else 0)
