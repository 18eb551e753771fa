"""pagerctl help and bad input; info and verify on healthy files of every component,
on files it cannot tell (exit 2) and on damaged ones (exit 1, what and where). Each @test runs on import."""

import os
import subprocess

from pagerctl.common import (
    FIXTURES, H, HEALTHY, ROOT, check, copy_of, expect_damaged, flip, only, run, test)


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
