package pager

import "libpager.dev/pager/internal/capi"

// Formats DetectFormat reports (pager.h PAGER_FORMAT_*; TestFormatsMatchHeader checks them).
const (
	FormatUnknown       uint32 = 0
	FormatFile          uint32 = 1
	FormatWalMain       uint32 = 2
	FormatWalLog        uint32 = 3
	FormatWalsegSegment uint32 = 4
	FormatWalsegDir     uint32 = 5
	FormatSnapshot      uint32 = 6
)

// DetectFormat says which libpager format the file or directory at path holds, by its magic
// (FormatUnknown for anything else). It never writes.
func DetectFormat(path string) (uint32, error) {
	var v uint32
	err := capi.Pager_format_detect(path, &v)
	return v, err
}

// CheckReport is what a read-only check found (pager.h pager_check_report). Damaged is true
// when a checksum or invariant failed; DamageFile/DamageOffset/DamageRule/DamageDetail say
// where and which rule (DamageOffset is ^uint64(0) when no single byte can be named). With
// Damaged false and Interrupted true they describe the leftover of an interrupted write that
// recovery discards.
type CheckReport struct {
	Format, FormatVersion, PageSize                       uint32
	FileBytes, Generation, PageCount, FreePageCount       uint64
	ProtectedCount, FrameCount, RecordCount, SegmentCount uint64
	FirstLSN, LastLSN                                     uint64
	Interrupted, Damaged                                  bool
	DamageOffset                                          uint64
	DamageFile, DamageRule, DamageDetail                  string
}

func check(path string, fn func(string, capi.Pager_check_report) error) (CheckReport, error) {
	c := capi.NewPager_check_report()
	defer capi.DeletePager_check_report(c)
	if err := fn(path, c); err != nil {
		return CheckReport{}, err
	}
	return CheckReport{
		Format: c.GetFormat(), FormatVersion: c.GetFormat_version(), PageSize: c.GetPage_size(),
		FileBytes: c.GetFile_bytes(), Generation: c.GetGeneration(), PageCount: c.GetPage_count(),
		FreePageCount: c.GetFree_page_count(), ProtectedCount: c.GetProtected_count(),
		FrameCount: c.GetFrame_count(), RecordCount: c.GetRecord_count(),
		SegmentCount: c.GetSegment_count(), FirstLSN: c.GetFirst_lsn(), LastLSN: c.GetLast_lsn(),
		Interrupted: c.GetInterrupted() != 0, Damaged: c.GetDamage_code() != 0,
		DamageOffset: c.GetDamage_offset(), DamageFile: c.GetDamage_file(),
		DamageRule: c.GetDamage_rule(), DamageDetail: c.GetDamage_detail(),
	}, nil
}

// CheckFile verifies a page file read-only: every checksum and invariant its open checks.
// An error means the check could not tell (missing, locked, unknown version, another format).
func CheckFile(path string) (CheckReport, error) { return check(path, capi.Pager_file_check) }

// CheckWal verifies a WAL pager (main file and -wal sidecar; either path) read-only.
func CheckWal(path string) (CheckReport, error) { return check(path, capi.Pager_wal_check) }

// CheckWalseg verifies a WAL segment file or a directory of segments read-only.
func CheckWalseg(path string) (CheckReport, error) { return check(path, capi.Pager_walseg_check) }

// CheckSnapshot verifies a KV-cache snapshot (and its parents) read-only.
func CheckSnapshot(path string) (CheckReport, error) {
	return check(path, capi.Pager_snapshot_check)
}
