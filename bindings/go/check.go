package pager

import (
	"strconv"

	"libpager.dev/pager/internal/capi"
)

// Format is a libpager on-disk format as DetectFormat reports it (pager.h PAGER_FORMAT_*;
// TestFormatsMatchHeader checks the values).
type Format uint32

// Formats DetectFormat reports.
const (
	FormatUnknown       Format = 0
	FormatFile          Format = 1
	FormatWalMain       Format = 2
	FormatWalLog        Format = 3
	FormatWalsegSegment Format = 4
	FormatWalsegDir     Format = 5
	FormatSnapshot      Format = 6
	FormatWalShm        Format = 7 // a WAL pager's -shm shared index (checked with its database)
	FormatFileJournal   Format = 8 // a page file's -journal (format 2; checked with its page file)
)

var formatNames = [...]string{"unknown", "page file", "WAL main file", "WAL log",
	"walseg segment", "walseg directory", "snapshot", "WAL shared index", "page file journal"}

// WalIndexState is what a check found of a WAL pager's -shm shared index (pager.h
// PAGER_WAL_INDEX_*). A stale index is never damage: the next open rebuilds it.
type WalIndexState uint32

// States of the shared index.
const (
	WalIndexNone    WalIndexState = 0 // no -shm file
	WalIndexCurrent WalIndexState = 1 // describes the WAL as scanned
	WalIndexStale   WalIndexState = 2 // garbled, of another generation or behind the WAL
)

// String names the format ("page file", "snapshot"...; "Format(n)" for a newer one).
func (f Format) String() string {
	if int(f) < len(formatNames) {
		return formatNames[f]
	}
	return "Format(" + strconv.FormatUint(uint64(f), 10) + ")"
}

// DetectFormat says which libpager format the file or directory at path holds, by its magic
// (FormatUnknown for anything else). It never writes.
func DetectFormat(path string) (Format, error) {
	var v uint32
	err := capi.Pager_format_detect(path, &v)
	return Format(v), err
}

// CheckReport is what a read-only check found (pager.h pager_check_report). Damaged is true
// when a checksum or invariant failed; DamageFile/DamageOffset/DamageRule/DamageDetail say
// where and which rule (DamageOffset is ^uint64(0) when no single byte can be named). With
// Damaged false and Interrupted true they describe the leftover of an interrupted write that
// recovery discards.
type CheckReport struct {
	Format                                                Format
	FormatVersion, PageSize                               uint32
	FileBytes, Generation, PageCount, FreePageCount       uint64
	ProtectedCount, FrameCount, RecordCount, SegmentCount uint64
	FirstLSN, LastLSN                                     uint64
	IndexState                                            WalIndexState // WAL pager only
	IndexReaders                                          uint32        // live read marks in the index
	// Page file of format version 2: its -journal's size, and the committed batches (page
	// images) not yet applied to the file (the next read-write open applies them).
	JournalBytes, JournalBatches, JournalPages uint64
	Interrupted, Damaged                       bool
	DamageOffset                               uint64
	DamageFile, DamageRule, DamageDetail       string
}

func check(path string, fn func(string, capi.Pager_check_report) error) (CheckReport, error) {
	c := capi.NewPager_check_report()
	defer capi.DeletePager_check_report(c)
	if err := fn(path, c); err != nil {
		return CheckReport{}, err
	}
	return CheckReport{
		Format: Format(c.GetFormat()), FormatVersion: c.GetFormat_version(), PageSize: c.GetPage_size(),
		FileBytes: c.GetFile_bytes(), Generation: c.GetGeneration(), PageCount: c.GetPage_count(),
		FreePageCount: c.GetFree_page_count(), ProtectedCount: c.GetProtected_count(),
		FrameCount: c.GetFrame_count(), RecordCount: c.GetRecord_count(),
		SegmentCount: c.GetSegment_count(), FirstLSN: c.GetFirst_lsn(), LastLSN: c.GetLast_lsn(),
		IndexState: WalIndexState(c.GetIndex_state()), IndexReaders: c.GetIndex_readers(),
		JournalBytes: c.GetJournal_bytes(), JournalBatches: c.GetJournal_batches(),
		JournalPages: c.GetJournal_pages(),
		Interrupted:  c.GetInterrupted() != 0, Damaged: c.GetDamage_code() != 0,
		DamageOffset: c.GetDamage_offset(), DamageFile: c.GetDamage_file(),
		DamageRule: c.GetDamage_rule(), DamageDetail: c.GetDamage_detail(),
	}, nil
}

// CheckFile verifies a page file read-only: every checksum and invariant its open checks.
// An error means the check could not tell (missing, locked, unknown version, another format).
func CheckFile(path string) (CheckReport, error) { return check(path, capi.Pager_file_check) }

// CheckWal verifies a WAL pager (main file and -wal sidecar; the path of either, or of its
// -shm index) read-only, and reports the shared index (IndexState, IndexReaders).
func CheckWal(path string) (CheckReport, error) { return check(path, capi.Pager_wal_check) }

// CheckWalseg verifies a WAL segment file or a directory of segments read-only.
func CheckWalseg(path string) (CheckReport, error) { return check(path, capi.Pager_walseg_check) }

// CheckSnapshot verifies a KV-cache snapshot (and its parents) read-only.
func CheckSnapshot(path string) (CheckReport, error) {
	return check(path, capi.Pager_snapshot_check)
}
