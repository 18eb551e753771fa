"""pagerctl dump: pages, WAL frames, segment records, snapshot tables. Each @test runs on import."""

import os
import subprocess

from pagerctl.common import (
    FIXTURES, HEALTHY, ROOT, check, copy_of, Fail, flip, run, test)


# ---- dump ----------------------------------------------------------------------------------

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
