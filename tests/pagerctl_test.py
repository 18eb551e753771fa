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
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time

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


# ---- help and bad input ---------------------------------------------------------------------

COMMANDS = (["info"], ["verify"], ["dump"], ["replay"], ["checkpoint"], ["recover"], ["copy"],
            ["snapshot"], ["snapshot", "inspect"], ["snapshot", "verify"], ["snapshot", "diff"],
            ["cold"], ["cold", "reap"])


@test
def HelpOnEveryCommand():
    for args in [[]] + [list(c) for c in COMMANDS]:
        p = run(args + ["--help"])
        check(p.returncode == 0 and "Usage" in p.stdout, f"{args}: {p.returncode} {p.stdout[:80]}")
        check("Exit" in p.stdout or args in ([], ["snapshot"], ["cold"]),
              f"{args} --help gives the exit codes")
    top = run(["--help"]).stdout
    for c in ("dump", "replay", "checkpoint", "recover", "copy", "snapshot", "cold"):
        check(c in top, f"--help names {c}")
    check("Exit 0 clean, 1 damaged, 2 cannot tell" in run(["verify", "--help"]).stdout,
          "verify --help gives the exit codes")


@test
def VersionFlag():
    p = run(["--version"])
    check(p.returncode == 0 and "libpager" in p.stdout, p.stdout)


@test
def BadInputIsExit2WithAMessage():
    for args in ([], ["frobnicate", "x"], ["verify"], ["info"], ["verify", "--bogus", "x"],
                 ["dump"], ["replay"], ["copy", "x"], ["checkpoint"], ["recover"], ["snapshot"],
                 ["snapshot", "diff", "x"], ["cold"], ["cold", "reap"],
                 ["checkpoint", "x", "--mode", "sideways"], ["dump", "x", "--page", "abc"]):
        p = run(args)
        check(p.returncode == 2, f"{args}: exit {p.returncode}")
        check(p.stderr.strip() != "", f"{args}: no message")


# ---- healthy files of every component -------------------------------------------------------

@test
def InfoOnEveryFormat():
    titles = {"page-file": "page file", "wal-main": "WAL pager", "wal-log": "WAL pager",
              "wal-shm": "WAL pager (-shm shared index",
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
    shm = files["db-shm"]
    check(shm["format"] == "wal-shm" and shm["page_count"] == 9 and shm["frame_count"] == 3,
          str(shm))
    check(db["index"] == {"state": "current", "readers": 0} and shm["index"] == db["index"],
          str(db))
    check("index" not in pf, "only a WAL pager has an index")
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
    j = expect_damaged(path, "state", offset=off)
    check("content" in j["damage"]["detail"], j["damage"]["detail"])
    check(f"at byte offset {off}" in j["damage"]["detail"], j["damage"]["detail"])
    check(f"byte offset {off}" in run(["verify", path]).stdout, "the text names the offset")


@test
def PageFileTruncated():
    # Inside the page space, inside meta B, after the superblock, inside the superblock.
    for size, rule in ((100000, "state"), (10000, "meta"), (100, "meta"), (40, "superblock")):
        path = copy_of(HEALTHY["page-file"], f"trunc{size}.pages")
        os.truncate(path, size)
        # Cut inside the page space: the damage is where the file ends.
        expect_damaged(path, rule, offset=size if rule == "state" else "any")


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
def SnapshotFlippedBlobByteNamesTheBlobsOffset():
    path = copy_of(HEALTHY["snapshot"], "blob.kvs")
    flip(path, 1000)  # inside page entry 0, stored at 128 .. 1152
    expect_damaged(path, "blob", offset=128, file_suffix="blob.kvs")


@test
def DamagedBlobInTheParentIsReportedInTheParentFile():
    d = copy_of(H, "parentblob")
    flip(os.path.join(d, "full.kvs"), 1200)  # page entry 1 (1152 .. 2176), used by incr.kvs
    expect_damaged(os.path.join(d, "incr.kvs"), "blob", offset=1152, file_suffix="full.kvs")


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
def AGarbledIndexIsStaleNeverDamageAndALostOneIsNone():
    d = copy_of(H, "shm")
    with open(os.path.join(d, "db-shm"), "r+b") as f:  # what a crash can leave (never synced)
        f.write(bytes(range(256)) * 4)
    for path in (os.path.join(d, "db"), os.path.join(d, "db-shm")):
        p = run(["verify", path])
        check(p.returncode == 0 and ": OK (" in p.stdout, p.stdout + p.stderr)
        j = only(run(["info", "--json", path]))
        check(j["status"] == "clean" and j["index"]["state"] == "stale", str(j))
    check("-shm stale" in run(["info", os.path.join(d, "db")]).stdout, "stale in words")
    os.remove(os.path.join(d, "db-shm"))
    j = only(run(["info", "--json", os.path.join(d, "db")]))
    check(j["index"]["state"] == "none", str(j))
    check(not os.path.exists(os.path.join(d, "db-shm")), "a -shm index was created")


@test
def NoSidecarIsCreated():
    d = copy_of(H, "nosidecar")
    os.remove(os.path.join(d, "db-wal"))
    # Frames not checkpointed are lost with the sidecar, so only check that nothing appears.
    run(["verify", os.path.join(d, "db")])
    run(["info", os.path.join(d, "db")])
    check(not os.path.exists(os.path.join(d, "db-wal")), "a -wal sidecar was created")


# ---- dump ----------------------------------------------------------------------------------

def validate_line(obj, definition):
    sub = {"$ref": f"#/definitions/{definition}", "definitions": SCHEMA["definitions"]}
    errors = list(jsonschema.Draft7Validator(sub).iter_errors(obj))
    check(not errors, f"{definition}: {errors[:1]}")


def first_used_page(path):
    """A page the page file hands out: the fixture allocated 40 and freed the first 10."""
    for page in range(3, 64):
        p = run(["dump", "--json", path, "--page", str(page)])
        if p.returncode == 0:
            return page, p.json
    raise Fail("no allocated page found")


@test
def DumpPageOfAPageFileGivesItsBytesAndOffset():
    page, j = first_used_page(HEALTHY["page-file"])
    check(j["kind"] == "page" and j["page_size"] == 4096 and j["offset"] == page * 4096, str(j)[:200])
    raw = open(HEALTHY["page-file"], "rb").read()[page * 4096:(page + 1) * 4096]
    check(bytes.fromhex(j["data_hex"]) == raw, "dump --json bytes differ from the file's")
    t = run(["dump", HEALTHY["page-file"], "--page", str(page)])
    check(t.returncode == 0 and f"{page * 4096:08x}:" in t.stdout, t.stdout[:200])


@test
def DumpOfAPageNotAllocatedOrReservedIsExit2():
    for page in ("1", "100000"):
        p = run(["dump", HEALTHY["page-file"], "--page", page])
        check(p.returncode == 2 and "cannot tell" in p.stderr, f"{page}: {p.stderr}")
    p = run(["dump", "--json", HEALTHY["page-file"]])
    check(p.returncode == 2 and "--page" in p.json["error"]["message"], str(p.json))


@test
def DumpWalPageIsTheLatestCommittedContent():
    # Page 2 was committed three times after the checkpoint: 100, 101, 102 (in the -wal).
    for path in (HEALTHY["wal-main"], HEALTHY["wal-log"]):
        j = run(["dump", "--json", path, "--page", "2"]).json
        check(j["offset"] is None and bytes.fromhex(j["data_hex"]) == bytes([102]) * 4096,
              j["data_hex"][:16])
    j = run(["dump", "--json", HEALTHY["wal-main"], "--page", "5"]).json
    check(bytes.fromhex(j["data_hex"]) == bytes([5]) * 4096, "page 5 from the main file")
    check(run(["dump", HEALTHY["wal-main"], "--page", "0"]).returncode == 2, "page 0 refused")


def wal_txn(name):
    """A WAL pager (page size 1024) whose -wal holds frame 0 (page 1, a commit) and a
    two-frame transaction: frame 1 (page 2) and its commit frame 2 (page 3)."""
    d = os.path.join(ROOT, "damaged", name)
    os.makedirs(d, exist_ok=True)
    subprocess.run([FIXTURES, "wal-txn", os.path.join(d, "t")], check=True)
    return os.path.join(d, "t")


FRAME_BYTES = 32 + 1024


@test
def DumpFramesListsEveryWrittenFrameAndCountsTheZeroTail():
    for path in (HEALTHY["wal-log"],):
        j = run(["dump", "--json", path]).json
        check(j["kind"] == "frames" and j["wal"]["has_header"], str(j)[:200])
        frames = j["frames"]
        committed = [f for f in frames if f["state"] == "committed"]
        check(len(committed) == 3 == j["wal"]["committed_frames"], str(committed))
        check([f["page"] for f in committed] == [2, 2, 2], str(committed))
        check(all(f["offset"] == 64 + f["index"] * (32 + 4096) for f in frames), "offsets")
        # The generation before the checkpoint left its frames: foreign salts, never trusted.
        old = frames[3:]
        check(old and all(f["state"] == "beyond" and not f["salts_match"] for f in old), str(old[:1]))
        check(j["zero_tail_frames"] == j["wal"]["frame_slots"] - len(frames), "zero tail counted")
    j2 = run(["dump", "--json", HEALTHY["wal-main"], "--frames"]).json
    check(j2["frames"] == j["frames"], "--frames on the main file lists its sidecar")
    t = run(["dump", HEALTHY["wal-log"]])
    check(t.returncode == 0 and "3 committed" in t.stdout and "zero-filled slots" in t.stdout,
          t.stdout[:400])


@test
def DumpOneFrameGivesItsHeaderStateChecksumAndPage():
    j = run(["dump", "--json", HEALTHY["wal-main"], "--frame", "2"]).json
    f = j["frame"]
    check(f["index"] == 2 and f["page"] == 2 and f["commit_page_count"] == 9, str(f)[:300])
    check(f["state"] == "committed" and f["checksum_valid"] and f["salts_match"], str(f)[:300])
    check(f["checksum"] == f["computed_checksum"], "checksums")
    check(bytes.fromhex(f["data_hex"]) == bytes([102]) * 4096, "page bytes of the third commit")
    raw = open(HEALTHY["wal-log"], "rb").read()
    check(raw[f["offset"] + 32:f["offset"] + 32 + 4096] == bytes.fromhex(f["data_hex"]),
          "the bytes at the frame's offset")
    t = run(["dump", HEALTHY["wal-log"], "--frame", "2"])
    check("state        committed" in t.stdout and ": valid" in t.stdout, t.stdout[:400])


@test
def DumpFramePastTheSidecarIsExit2():
    p = run(["dump", HEALTHY["wal-log"], "--frame", "100000"])
    check(p.returncode == 2 and "no frame 100000" in p.stderr, p.stderr)
    j = run(["dump", "--json", HEALTHY["wal-log"], "--frame", "100000"]).json
    check(j["exit_status"] == 2 and "error" in j, str(j))


@test
def DumpFramesOfATornCommitShowsTheUncommittedFrameAndTheBrokenCommit():
    path = wal_txn("torncommit")
    j = run(["dump", "--json", path + "-wal"]).json
    check([f["state"] for f in j["frames"]] == ["committed"] * 3, str(j["frames"]))
    flip(path + "-wal", 64 + 2 * FRAME_BYTES + 32 + 10)  # a byte of the commit frame's page
    j = run(["dump", "--json", path + "-wal"]).json
    states = [f["state"] for f in j["frames"]]
    check(states == ["committed", "uncommitted", "beyond"], str(states))
    check(j["wal"]["committed_frames"] == 1 and j["wal"]["chain_frames"] == 2, str(j["wal"]))
    bad = j["frames"][2]
    check(not bad["checksum_valid"] and bad["salts_match"] and bad["commit_page_count"] == 4,
          str(bad))
    f = run(["dump", "--json", path, "--frame", "1"]).json["frame"]
    check(f["state"] == "uncommitted" and bytes.fromhex(f["data_hex"]) == b"B" * 1024, str(f)[:200])
    t = run(["dump", path + "-wal", "--frame", "2"])
    check("state        beyond" in t.stdout and "MISMATCH" in t.stdout, t.stdout[:500])
    # What an open keeps agrees: page 2 never became 'B'.
    p = run(["dump", "--json", path, "--page", "2"]).json
    check(bytes.fromhex(p["data_hex"]) == bytes(1024), "page 2 reads as zeros")


@test
def DumpFramesOfASidecarWithADamagedHeaderIsExit2NamingOffset0():
    path = wal_txn("framehdr")
    flip(path + "-wal", 20)
    p = run(["dump", path + "-wal"])
    check(p.returncode == 2 and "byte offset 0" in p.stderr, p.stderr)


@test
def DumpRecordRangeOfASegmentDirectoryAndOfOneSegment():
    j = run(["dump", "--json", HEALTHY["walseg-dir"], "--from", "10", "--count", "5"]).json
    check([r["lsn"] for r in j["records"]] == [10, 11, 12, 13, 14], str([r["lsn"] for r in j["records"]]))
    check(all(bytes.fromhex(r["data_hex"]) == b"r" * 200 for r in j["records"]), "payloads")
    j = run(["dump", "--json", HEALTHY["walseg-segment"]]).json
    check(j["records"][0]["lsn"] == 1 and j["stop"]["reason"] == "clean-end", str(j["stop"]))
    t = run(["dump", HEALTHY["walseg-dir"], "--from", "60"])
    check("LSN 60" in t.stdout and "1 records; stop: clean-end" in t.stdout, t.stdout[-200:])


@test
def DumpRecordsOfADamagedSegmentShowsTheStop():
    d = copy_of(HEALTHY["walseg-dir"], "dumpsegs")
    flip(os.path.join(d, "0000000000000001.wal"), 20)
    j = run(["dump", "--json", os.path.join(d, "0000000000000001.wal")]).json
    check(j["records"] == [] and j["stop"]["reason"] == "corrupt", str(j["stop"]))


@test
def DumpSnapshotTablesOfAFullAndAnIncrementalSnapshot():
    full = run(["dump", "--json", HEALTHY["snapshot"]]).json
    check(len(full["pages"]) == 4 and len(full["sequences"]) == 1, str(full)[:200])
    check(full["sequences"][0]["id"] == "seq-a" and full["sequences"][0]["pages"] == [0, 1, 2, 3],
          str(full["sequences"]))
    check(not any(p["in_parent"] for p in full["pages"]), "a full snapshot stores every page")
    incr = run(["dump", "--json", HEALTHY["snapshot-incremental"]]).json
    check([p["in_parent"] for p in incr["pages"]] == [False, True, True, True],
          str([p["in_parent"] for p in incr["pages"]]))
    check(incr["pages"][1]["content_hash"] == full["pages"][1]["content_hash"], "same content")
    check(incr["pages"][0]["content_hash"] != full["pages"][0]["content_hash"], "page 0 changed")


@test
def DumpOfAFileLockedByAWriterIsExit2WithTheHolder():
    path = copy_of(HEALTHY["page-file"], "dumplocked.pages")
    holder = subprocess.Popen([FIXTURES, "hold", path], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        check(holder.stdout.readline().strip() == "ready", "the holder opened the file")
        p = run(["dump", path, "--page", "5"])
        check(p.returncode == 2 and "locked" in p.stderr, p.stderr)
        check(f"pid {holder.pid}" in p.stderr, f"the holder's pid is named: {p.stderr}")
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)


# ---- replay --------------------------------------------------------------------------------

@test
def ReplayPrintsEveryRecordFromAnLsn():
    p = run(["replay", "--json", HEALTHY["walseg-dir"], "--from", "55"])
    lines = [json.loads(line) for line in p.stdout.splitlines()]
    check(p.returncode == 0 and [r["lsn"] for r in lines[:-1]] == [55, 56, 57, 58, 59, 60],
          p.stdout[:200])
    for r in lines[:-1]:
        validate_line(r, "replay_record")
    validate_line(lines[-1], "replay_stop")
    t = run(["replay", HEALTHY["walseg-dir"]])
    check(t.stdout.count("\n") == 60 and t.stdout.startswith("LSN 1 type 1 len 200 7272"),
          t.stdout[:80])


@test
def ReplayOfADamagedDirectoryIsExit1AndOfAFileExit2():
    d = copy_of(HEALTHY["walseg-dir"], "replaybad")
    flip(os.path.join(d, "0000000000000001.wal"), 20)
    p = run(["replay", d])
    check(p.returncode == 1 and "corrupt" in p.stderr, p.stderr)
    check(run(["replay", HEALTHY["page-file"]]).returncode == 2, "a page file is not replayed")


@test
def ReplayFollowSeesALiveWriterAndEndsOnSigint():
    d = copy_of(HEALTHY["walseg-dir"], "follow")
    follower = subprocess.Popen([PAGERCTL, "replay", "--json", "--follow", "--poll-ms", "50",
                                 d, "--from", "59"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    writer = subprocess.Popen([FIXTURES, "append", d, "20", "20"])
    seen = []
    try:
        check(writer.wait(timeout=60) == 0, "the writer appended")
        deadline, pending, rec = time.time() + 60, b"", None
        fd = follower.stdout.fileno()
        while not seen or seen[-1] != 80:  # LSN 59, 60, then 61..80 from the live writer
            if b"\n" not in pending:
                ready, _, _ = select.select([fd], [], [], max(0, deadline - time.time()))
                check(ready, f"no record within 60 s after LSN {seen[-1:]}; "
                             f"segments {sorted(os.listdir(d))}")
                chunk = os.read(fd, 65536)
                if chunk == b"":  # (the message is built only then: reading stderr blocks)
                    raise Fail(f"the follower ended early: {follower.stderr.read()}")
                pending += chunk
                continue
            line, pending = pending.split(b"\n", 1)
            rec = json.loads(line)
            validate_line(rec, "replay_record")
            seen.append(rec["lsn"])
        check(seen == list(range(59, 81)), f"LSNs {seen}")
        check(bytes.fromhex(rec["data_hex"]) == b"live-80", rec["data_hex"])
        follower.send_signal(signal.SIGINT)
        check(follower.wait(timeout=30) == 0, f"exit {follower.returncode} on SIGINT")
    finally:
        if follower.poll() is None:
            follower.kill()
            follower.wait()


@test
def ReplayFollowEndsCleanlyWhenThePipeCloses():
    # All 60 records fit in the pipe, so the follower is idle when head leaves: it must notice.
    follower = subprocess.Popen([PAGERCTL, "replay", "--follow", HEALTHY["walseg-dir"]],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    head = subprocess.Popen(["head", "-n", "1"], stdin=follower.stdout, stdout=subprocess.PIPE)
    follower.stdout.close()
    try:
        out = head.communicate(timeout=60)[0]
        check(out.startswith(b"LSN 1 "), out[:40])
        check(follower.wait(timeout=30) == 0, f"exit {follower.returncode}")
        check(follower.stderr.read() == b"", "nothing on stderr")
    finally:
        if follower.poll() is None:
            follower.kill()
            follower.wait()


# ---- checkpoint, recover, copy ---------------------------------------------------------------

@test
def CheckpointTruncateEmptiesTheWal():
    d = copy_of(H, "ckpt")
    db = os.path.join(d, "db")
    p = run(["checkpoint", "--json", db, "--mode", "truncate"], writes=True)
    check(p.returncode == 0 and p.json["wal_bytes"] == 0 and p.json["mode"] == "truncate",
          str(p.json))
    j = only(run(["info", "--json", db]))
    check(j["frame_count"] == 0 and j["status"] == "clean", str(j))
    check(bytes.fromhex(run(["dump", "--json", db, "--page", "2"]).json["data_hex"])
          == bytes([102]) * 4096, "the latest content survives the checkpoint")


@test
def CheckpointPassiveAndFullKeepTheData():
    for mode in ("passive", "full"):
        d = copy_of(H, "ckpt-" + mode)
        p = run(["checkpoint", os.path.join(d, "db"), "--mode", mode], writes=True)
        check(p.returncode == 0 and f"checkpoint ({mode})" in p.stdout, p.stdout + p.stderr)
        check(only(run(["info", "--json", os.path.join(d, "db")]))["frame_count"] == 0, mode)


@test
def CheckpointOfALockedDatabaseIsBusyExit2():
    d = copy_of(H, "ckptbusy")
    holder = subprocess.Popen([FIXTURES, "hold-wal", os.path.join(d, "db")],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        check(holder.stdout.readline().strip() == "ready", "the holder opened the database")
        p = run(["checkpoint", os.path.join(d, "db")], writes=True)
        check(p.returncode == 2 and "locked" in p.stderr and f"pid {holder.pid}" in p.stderr,
              p.stderr)
        check(run(["checkpoint", HEALTHY["page-file"]], writes=True).returncode == 2,
              "a page file has no checkpoint")
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)


@test
def RecoverShowsTheTornTailItWouldDropAndApplyCutsIt():
    d = copy_of(HEALTHY["walseg-dir"], "recover-torn")
    last = sorted(n for n in os.listdir(d) if n.endswith(".wal"))[-1]
    size = os.path.getsize(os.path.join(d, last))
    with open(os.path.join(d, last), "r+b") as f:
        f.seek(size - 16)
        f.write(b"\x01" * 16)
    p = run(["recover", "--json", d])  # read-only: run() checks nothing changed
    check(p.returncode == 0 and p.json["drop"]["rule"] == "torn-tail", str(p.json))
    check(p.json["keep"].startswith("60 records") or "records" in p.json["keep"], p.json["keep"])
    check(not p.json["applied"] and p.json["backup"] is None, str(p.json))
    a = run(["recover", "--json", "--apply", d], writes=True)
    check(a.returncode == 0 and a.json["applied"] and os.path.isdir(a.json["backup"]), str(a.json))
    check(os.path.getsize(os.path.join(a.json["backup"], last)) == size, "the backup is intact")
    after = only(run(["verify", "--json", d]))
    check(after["status"] == "clean" and not after["interrupted"], str(after))


@test
def RecoverOfAnInterruptedPageFileCommitApplies():
    path = copy_of(HEALTHY["page-file"], "recover.pages")
    gen = only(run(["info", "--json", path]))["generation"]
    for page in (1, 2):  # the newer meta: a leftover of an interrupted commit
        probe = copy_of(path, f"recover-probe{page}.pages")
        flip(probe, page * 4096 + 120)
        if only(run(["verify", "--json", probe]))["interrupted"]:
            p = run(["recover", probe])
            check(p.returncode == 0 and "and drops" in p.stdout and
                  f"generation {gen - 1}" in p.stdout, p.stdout)
            a = run(["recover", "--apply", probe], writes=True)
            check(a.returncode == 0 and "backup" in a.stdout, a.stdout + a.stderr)
            check(only(run(["verify", "--json", probe]))["status"] == "clean", "clean after")
            return
    raise Fail("no interrupted commit made")


@test
def RecoverOfDamageAppliesNothing():
    path = copy_of(HEALTHY["page-file"], "recover-sb.pages")
    flip(path, 56)
    p = run(["recover", "--apply", path], writes=True)
    check(p.returncode == 1 and "nothing applied" in p.stdout, p.stdout + p.stderr)
    check(not any(n.startswith("recover-sb.pages.pagerctl-backup")
                  for n in os.listdir(os.path.dirname(path))),
          "no backup for a refused recovery")


@test
def CopyOfAPageFileWalPagerSnapshotAndSegmentsVerifies():
    out = os.path.join(ROOT, "copies")
    os.makedirs(out, exist_ok=True)
    for kind in ("page-file", "wal-main", "snapshot", "walseg-dir"):
        dst = os.path.join(out, kind)
        p = run(["copy", "--json", HEALTHY[kind], dst], writes=True)
        check(p.returncode == 0 and p.json["verified"], f"{kind}: {p.stdout}{p.stderr}")
    src = run(["dump", "--json", HEALTHY["wal-main"], "--page", "2"]).json["data_hex"]
    check(run(["dump", "--json", os.path.join(out, "wal-main"), "--page", "2"]).json["data_hex"]
          == src, "the WAL copy has the latest committed content")
    check(open(os.path.join(out, "page-file"), "rb").read() ==
          open(HEALTHY["page-file"], "rb").read(), "the page file copy is byte for byte")
    p = run(["copy", HEALTHY["page-file"], os.path.join(out, "page-file")], writes=True)
    check(p.returncode == 2 and "exists" in p.stderr, "copy never overwrites")


@test
def CopyOfAWalPagerBesideACommittingWriterIsExactlyOneCommit():
    """A writer process commits all 255 pages at once, over and over, with checkpoints; each
    copy reads as a reader through one read transaction, so every page of the copy comes from
    the same commit (page-by-page reads of the latest commit would mix commits)."""
    d = os.path.join(ROOT, "churn")
    os.makedirs(d, exist_ok=True)
    src = os.path.join(d, "db")
    churner = subprocess.Popen([FIXTURES, "churn-wal", src], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, text=True)
    seen = set()
    try:
        check(churner.stdout.readline().strip() == "ready", "the writer committed")
        for i in range(4):
            dst = os.path.join(d, f"copy{i}")
            p = run(["copy", "--json", src, dst], writes=True)
            check(p.returncode == 0 and p.json["verified"], f"copy {i}: {p.stdout}{p.stderr}")
            u = subprocess.run([FIXTURES, "uniform-wal", dst], capture_output=True, text=True)
            check(u.returncode == 0, f"copy {i} is one commit: {u.stdout}{u.stderr}")
            seen.add(u.stdout.strip())
    finally:
        churner.stdin.close()
        last = churner.stdout.read().strip()
        check(churner.wait(timeout=60) == 0, "the writer kept committing beside the copies")
    check(len(seen) > 1, f"the writer moved on between copies: {sorted(seen)}, {last}")


@test
def CopyOfALockedPageFileIsBusyUnlessWait():
    path = copy_of(HEALTHY["page-file"], "copylocked.pages")
    dst = os.path.join(ROOT, "copylocked-dst.pages")
    holder = subprocess.Popen([FIXTURES, "hold", path], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        check(holder.stdout.readline().strip() == "ready", "the holder opened the file")
        p = run(["copy", "--json", path, dst], writes=True)
        check(p.returncode == 2 and p.json["error"]["code"] == "PAGER_ERR_BUSY", str(p.json))
        check(f"pid {holder.pid}" in p.json["error"]["message"], p.json["error"]["message"])
        check(not os.path.exists(dst), "no partial copy")
        p = run(["copy", path, dst, "--wait=1"], writes=True)
        check(p.returncode == 2 and "locked" in p.stderr, "--wait=1 gives up after a second")
        waiter = subprocess.Popen([PAGERCTL, "copy", path, dst, "--wait"],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(0.5)
        check(waiter.poll() is None, "--wait waits for the writer")
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    check(waiter.wait(timeout=30) == 0, f"--wait copies once the writer is gone: {waiter.stderr}")
    check(only(run(["verify", "--json", dst]))["status"] == "clean", "the copy verifies")


# ---- snapshot inspect|verify|diff -----------------------------------------------------------

@test
def SnapshotInspectVerifyAndDiff():
    i = run(["snapshot", "inspect", "--json", HEALTHY["snapshot-incremental"]]).json["snapshot"]
    f = run(["snapshot", "inspect", "--json", HEALTHY["snapshot"]]).json["snapshot"]
    check(i["parent_snapshot_id"] == f["snapshot_id"] and i["page_count"] == 4, str(i))
    v = run(["snapshot", "verify", "--json", HEALTHY["snapshot-incremental"]])
    check(v.returncode == 0 and v.json["status"] == "clean", str(v.json))
    d = run(["snapshot", "diff", "--json", HEALTHY["snapshot"], HEALTHY["snapshot-incremental"]]).json
    check(d["relation"] == "b-is-child-of-a", d["relation"])
    ch = d["sequences"]["changed"]
    check(len(ch) == 1 and ch[0]["id"] == "seq-a" and ch[0]["changed_positions"] == [0], str(ch))
    check(d["pages"]["new_in_b"] == [0] and d["pages"]["gone_from_a"] == [0], str(d["pages"]))
    same = run(["snapshot", "diff", "--json", HEALTHY["snapshot"], HEALTHY["snapshot"]]).json
    check(same["sequences"]["changed"] == [] and same["sequences"]["unchanged"] == 1, str(same))
    t = run(["snapshot", "diff", HEALTHY["snapshot"], HEALTHY["snapshot-incremental"]])
    check("seq-a: 4 pages -> 4, positions changed [0]" in t.stdout, t.stdout)


@test
def SnapshotVerifyOfADamagedBlobIsExit1():
    path = copy_of(HEALTHY["snapshot"], "snapverify.kvs")
    flip(path, 1000)
    p = run(["snapshot", "verify", "--json", path])
    check(p.returncode == 1 and p.json["status"] == "damaged", str(p.json))
    check(run(["snapshot", "inspect", HEALTHY["page-file"]]).returncode == 2, "not a snapshot")


# ---- cold reap ------------------------------------------------------------------------------

@test
def ColdReapListsLiveAndStaleAndRemovesOnlyTheStale():
    root = os.path.join(ROOT, "scratch")
    os.mkdir(root)
    live = subprocess.Popen([FIXTURES, "scratch", root], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    try:
        check(live.stdout.readline().strip() == "ready", "the live pager is up")
        # After the live one: a new pager removes the stale directories it finds.
        subprocess.run([FIXTURES, "scratch-die", root], check=True)
        p = run(["cold", "reap", "--json", root])  # the dry run (default) changes nothing
        states = sorted(e["state"] for e in p.json["scratch"])
        check(p.returncode == 0 and states == ["live", "stale"] and not p.json["removing"],
              str(p.json))
        owner = [e["owner"] for e in p.json["scratch"] if e["state"] == "live"][0]
        check(owner is not None and f"pid {live.pid}" in owner, str(owner))
        r = run(["cold", "reap", "--json", "--remove", root], writes=True)
        check(sorted(e["state"] for e in r.json["scratch"]) == ["live", "removed"], str(r.json))
        dirs = [n for n in os.listdir(root) if n.endswith(".d")]
        check(len(dirs) == 1, f"the live directory stays, the stale one goes: {dirs}")
    finally:
        live.stdin.close()
        live.wait(timeout=30)
    check(run(["cold", "reap", os.path.join(ROOT, "no-such-root")]).returncode == 2, "missing")


# ---- progress bar ---------------------------------------------------------------------------

@test
def NoProgressBarWhenStderrIsPipedAndOutputIsUnchanged():
    big = os.path.join(ROOT, "big.pages")
    subprocess.run([FIXTURES, "big", big], check=True)
    check(os.path.getsize(big) >= 64 << 20, "a file above the progress threshold")
    p = run(["verify", big])
    check(p.returncode == 0 and p.stderr == "", f"stderr when piped: {p.stderr!r}")
    check(p.stdout == f"{big}: OK (page file)\n", p.stdout)
    c = run(["copy", big, big + ".copy"], writes=True)
    check(c.returncode == 0 and c.stderr == "", f"copy stderr when piped: {c.stderr!r}")
    os.remove(big + ".copy")


shutil.rmtree(ROOT, ignore_errors=True)
print(f"#result {results['passed']} {results['failed']}")
sys.exit(1 if results["failed"] else 0)
