"""pagerctl on format-2 page files and their -journal (doc/format/page-journal.md): the format
version and the journal in info, a -journal given alone, a crashed file whose journal holds
commits. Each @test runs on import."""

import os
import subprocess

from pagerctl.common import FIXTURES, HEALTHY, check, copy_of, only, run, test
from pagerctl.dump import first_used_page

JOURNAL = HEALTHY["page-file"] + "-journal"


@test
def InfoShowsTheFormatVersionAndAnEmptyJournal():
    p = run(["info", HEALTHY["page-file"]])
    check(p.returncode == 0, p.stderr)
    check("page file, format version 2" in p.stdout, p.stdout)
    check("empty (every commit is in the file)" in p.stdout, p.stdout)
    j = only(run(["info", "--json", HEALTHY["page-file"]]))
    check(j["format_version"] == 2, str(j))
    check(j["journal"]["bytes"] == os.path.getsize(JOURNAL), str(j))
    check(j["journal"]["batches"] == 0 and j["journal"]["pages"] == 0, str(j))
    w = only(run(["info", "--json", HEALTHY["wal-main"]]))
    check("journal" not in w, "only a page file has a journal")


@test
def JournalGivenAloneIsCheckedWithItsPageFile():
    p = run(["info", JOURNAL])
    check(p.returncode == 0 and "page file (-journal; checked with its page file)" in p.stdout,
          f"{p.stdout}{p.stderr}")
    j = only(run(["info", "--json", JOURNAL]))
    m = only(run(["info", "--json", HEALTHY["page-file"]]))
    check(j["format"] == "page-file-journal" and j["status"] == "clean", str(j))
    for k in ("generation", "page_count", "protected_count", "journal"):
        check(j[k] == m[k], f"{k}: {j[k]} vs the page file's {m[k]}")
    check(run(["verify", JOURNAL]).returncode == 0, "verify of the -journal")
    page, b = first_used_page(HEALTHY["page-file"])
    a = run(["dump", "--json", JOURNAL, "--page", str(page)])
    check(a.returncode == 0 and a.json["data_hex"] == b["data_hex"],
          "dump of the -journal shows its page file's page")


@test
def JournalWithoutItsPageFileIsNotAPageFile():
    path = copy_of(JOURNAL, "orphan.pages-journal")  # a clean journal: zeros at its head
    p = run(["info", path])
    check(p.returncode == 2 and "not a libpager file" in p.stderr, f"{p.returncode} {p.stderr}")


@test
def CrashedFileShowsWhatItsJournalHolds():
    """A writer exits without closing: its commit is in the -journal only as far as a crash
    goes. The read-only commands read the file as a read-write open will leave it (through
    the journal's replayed view, writing nothing) and count the batches."""
    path = copy_of(HEALTHY["page-file"], "crashed.pages")
    subprocess.run([FIXTURES, "crash-journaled", path], check=True)
    with open(path, "rb") as f:
        main_before = f.read()
    p = run(["info", "--json", path])
    j = only(p)
    check(p.returncode == 0, str(j))
    check(j["journal"]["batches"] >= 1 and j["journal"]["pages"] >= 1, str(j))
    check(j["protected_count"] == 4, f"the journaled commit is counted: {j}")
    d = run(["dump", path, "--page", "10"])
    h = run(["dump", HEALTHY["page-file"], "--page", "10"])
    check(d.returncode == h.returncode and "permission" not in d.stderr, d.stderr)
    with open(path, "rb") as f:
        check(f.read() == main_before, "a read-only command wrote the main file")


@test
def ReadWriteOpenOfACrashedFileAppliesItsJournal():
    path = copy_of(HEALTHY["page-file"], "crashed2.pages")
    subprocess.run([FIXTURES, "crash-journaled", path], check=True)
    subprocess.run([FIXTURES, "hold", path], input="", text=True, check=True,
                   stdout=subprocess.DEVNULL)  # a read-write open and a clean close
    j = only(run(["info", "--json", path]))
    check(j["status"] == "clean" and j["protected_count"] == 4, str(j))
    check(j["journal"]["batches"] == 0, f"the journal was applied and emptied: {j}")


@test
def CopyOfACrashedFileKeepsWhatItsJournalHolds():
    """copy takes the -journal with the main file: the commit only the journal holds is in
    the copy (its first read-write open applies it; a read-only one reads through it)."""
    path = copy_of(HEALTHY["page-file"], "crashed3.pages")
    subprocess.run([FIXTURES, "crash-journaled", path], check=True)
    dst = path + ".copy"
    p = run(["copy", path, dst], writes=True)
    check(p.returncode == 0, p.stderr)
    check(os.path.exists(dst + "-journal"), "the copy has the -journal")
    j = only(run(["info", "--json", dst]))
    check(j["protected_count"] == 4, f"the copy holds the journaled commit: {j}")
