"""pagerctl replay, checkpoint, recover, copy, snapshot inspect|verify|diff, cold reap, and
the progress bar. Each @test runs on import."""

import json
import os
import select
import signal
import subprocess
import time

from pagerctl.common import (
    FIXTURES, H, HEALTHY, PAGERCTL, ROOT, check, copy_of, Fail, flip, only, run, test,
    validate_line)


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
