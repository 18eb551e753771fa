package pager

import "libpager.dev/pager/internal/capi"

// WAL pager (pager_wal_*): pages staged in memory, committed atomically into a sidecar log
// `<path>-wal`, checkpointed into the main file. Page 0 is the library's; callers use pages
// 1 .. PageCount()-1.

// Access modes and durability levels of pager.h (SWIG exposes enums as variables).
// WalReadOnlyKeepFiles (PAGER_WAL_READ_ONLY_KEEP_FILES, since 0.3) is the read_only value of
// WalOptions.KeepFiles; a handle so opened reports WalReadOnly.
var (
	WalReadWrite         = capi.PAGER_WAL_READ_WRITE
	WalReadOnly          = capi.PAGER_WAL_READ_ONLY
	WalReadOnlyKeepFiles = capi.PAGER_WAL_READ_ONLY_KEEP_FILES
	WalFull              = uint32(capi.PAGER_WAL_FULL)
	WalNormal            = uint32(capi.PAGER_WAL_NORMAL)
)

// CheckpointMode selects what Checkpoint does (pager_wal_checkpoint_options.mode); the values
// are pager.h's PAGER_WAL_CHECKPOINT_* (checked by TestWalCheckpointModeValuesMatchTheHeader).
type CheckpointMode uint32

const (
	// CheckpointPassive copies what no reader needs and never waits (today, with no
	// concurrent readers, everything). Auto-checkpoints are passive.
	CheckpointPassive CheckpointMode = 0
	// CheckpointFull copies every frame, waiting for readers up to LockTimeoutMs (today
	// there is no reader to wait for).
	CheckpointFull CheckpointMode = 1
	// CheckpointTruncate is CheckpointFull and then cuts the `-wal` file to zero bytes.
	CheckpointTruncate CheckpointMode = 2
)

// WalAppHeaderSize is the size of the application header area.
const WalAppHeaderSize = capi.PAGER_WAL_APP_HEADER_SIZE

// WalOptions mirrors pager_wal_options. Start from DefaultWalOptions(); a nil *WalOptions
// passed to CreateWal/OpenWal means the library's defaults.
type WalOptions struct {
	PageSize             uint32 // 0: 4096 on create, the file's on open; else a power of two in [512, 65536]
	ReadOnly             bool   // open read-only (shared lock); CreateWal refuses it
	Durability           uint32 // WalFull or WalNormal
	CachePages           uint32 // pages cached when a file cannot be memory-mapped (mapped reads use no cache)
	AutoCheckpointFrames uint32 // 0 = off
	AutoCheckpointBytes  uint64 // 0 = off
	LockTimeoutMs        int64  // 0: ErrBusy at once; > 0: wait; -1: forever
	WalKeepBytes         uint64
	WalPrewriteBytes     uint64
	// BackgroundCheckpoint: a thread of the read-write handle runs the automatic checkpoints,
	// so commits only append frames (a commit waits for it only while the WAL holds twice the
	// threshold and it can shorten it). Started at open, joined by Close. Off by default.
	BackgroundCheckpoint bool
	// KeepFiles (since 0.3; PAGER_WAL_READ_ONLY_KEEP_FILES) opens read-only writing no file at
	// all, as a tool that inspects a database must: where a read-only open would rebuild a
	// stale shared index `-shm` (after a crash, no writer open), it leaves the index as found,
	// reads privately and keeps writers out (their open is ErrBusy) until it closes. It implies
	// ReadOnly (AccessMode reports WalReadOnly); CreateWal refuses it as it refuses ReadOnly.
	KeepFiles bool
}

// DefaultWalOptions returns the defaults pager_wal_options_init writes.
func DefaultWalOptions() WalOptions {
	c := capi.NewPager_wal_options() // runs pager_wal_options_init
	defer capi.DeletePager_wal_options(c)
	return WalOptions{
		PageSize:             c.GetPage_size(),
		ReadOnly:             c.GetRead_only() != 0,
		Durability:           c.GetDurability(),
		CachePages:           c.GetCache_pages(),
		AutoCheckpointFrames: c.GetAuto_checkpoint_frames(),
		AutoCheckpointBytes:  c.GetAuto_checkpoint_bytes(),
		LockTimeoutMs:        c.GetLock_timeout_ms(),
		WalKeepBytes:         c.GetWal_keep_bytes(),
		WalPrewriteBytes:     c.GetWal_prewrite_bytes(),
		BackgroundCheckpoint: c.GetBackground_checkpoint() != 0,
		KeepFiles:            c.GetRead_only() == uint32(WalReadOnlyKeepFiles),
	}
}

func (o *WalOptions) toC() capi.Pager_wal_options {
	c := capi.NewPager_wal_options()
	c.SetPage_size(o.PageSize)
	if o.KeepFiles {
		c.SetRead_only(uint32(WalReadOnlyKeepFiles))
	} else if o.ReadOnly {
		c.SetRead_only(uint32(WalReadOnly))
	}
	c.SetDurability(o.Durability)
	c.SetCache_pages(o.CachePages)
	c.SetAuto_checkpoint_frames(o.AutoCheckpointFrames)
	c.SetAuto_checkpoint_bytes(o.AutoCheckpointBytes)
	c.SetLock_timeout_ms(o.LockTimeoutMs)
	c.SetWal_keep_bytes(o.WalKeepBytes)
	c.SetWal_prewrite_bytes(o.WalPrewriteBytes)
	if o.BackgroundCheckpoint {
		c.SetBackground_checkpoint(1)
	}
	return c
}

// WalStats mirrors pager_wal_stats (counters since the handle was opened).
type WalStats struct {
	CacheHits, CacheMisses, Commits, FramesWritten, Checkpoints uint64
	PagesCheckpointed, Syncs, BytesSynced, WalFrames            uint64
	// FramesLeft: frames the last checkpoint left in the WAL because a read transaction
	// still needed the main file (0: none). ReadersActive: read transactions open now.
	FramesLeft, ReadersActive uint64
	// CheckpointWaits: commits that waited for the background checkpointer (backpressure, or
	// a call of the transaction met its final step), each counted once.
	// WalRestarts: WAL restarts (new generations) since open.
	CheckpointWaits, WalRestarts uint64
}

// Wal is an open WAL pager database. Its methods may be called from several goroutines
// (the library serializes them). Close may run concurrently with them: it waits for the
// calls in progress, and later calls return a *ClosedError (errors.Is(err, ErrClosed)).
type Wal struct{ h handle }

func openWal(path string, create bool, opts *WalOptions) (*Wal, error) {
	var c capi.Pager_wal_options
	if opts != nil {
		c = opts.toC()
		defer capi.DeletePager_wal_options(c)
	}
	var h uintptr
	var err error
	if create {
		err = capi.Pager_wal_create(path, c, &h)
	} else {
		err = capi.Pager_wal_open(path, c, &h)
	}
	if err != nil {
		return nil, err
	}
	w := &Wal{}
	return own(w, &w.h, h, "Wal", capi.Pager_wal_close), nil
}

// CreateWal creates a new database at path (and its `<path>-wal` sidecar). opts may be nil.
func CreateWal(path string, opts *WalOptions) (*Wal, error) { return openWal(path, true, opts) }

// OpenWal opens an existing database. opts may be nil (read-write, the file's page size).
// Read-write recovery checkpoints the committed WAL; opts.ReadOnly opens read-only (shared
// lock); opts.KeepFiles opens read-only writing no file (see WalOptions.KeepFiles).
func OpenWal(path string, opts *WalOptions) (*Wal, error) {
	return openWal(path, false, opts)
}

// Close releases the handle and its lock; staged changes are discarded. Idempotent; it waits
// for calls running on other goroutines.
func (w *Wal) Close() error {
	return w.h.release(func(p uintptr) error { capi.Pager_wal_close(p); return nil })
}

func (w *Wal) u32(get func(p uintptr, v *uint32) error) (uint32, error) {
	var v uint32
	err := w.h.do(func(p uintptr) error { return get(p, &v) })
	return v, err
}

// AccessMode is WalReadWrite or WalReadOnly (also for a handle opened with KeepFiles).
func (w *Wal) AccessMode() (int, error) {
	v, err := w.u32(capi.Pager_wal_access_mode)
	return int(v), err
}

// PageSize is the page size in bytes.
func (w *Wal) PageSize() (int, error) {
	v, err := w.u32(capi.Pager_wal_page_size)
	return int(v), err
}

// PageCount counts pages including page 0 and staged changes.
func (w *Wal) PageCount() (uint32, error) { return w.u32(capi.Pager_wal_page_count) }

// ReadPage returns a new slice with the page's content (staged, else committed).
func (w *Wal) ReadPage(page uint32) ([]byte, error) {
	var buf []byte
	err := w.h.do(func(p uintptr) error {
		var n uint32
		if err := capi.Pager_wal_page_size(p, &n); err != nil {
			return err
		}
		buf = make([]byte, n)
		return capi.Pager_wal_read_page(p, page, buf)
	})
	if err != nil {
		return nil, err
	}
	return buf, nil
}

// ReadPageInto reads the page into buf, whose length must be the page size (else ErrInvalid).
func (w *Wal) ReadPageInto(page uint32, buf []byte) error {
	return w.h.do(func(p uintptr) error { return capi.Pager_wal_read_page(p, page, buf) })
}

// StagePage stages data (exactly one page; copied) as the page's new content.
func (w *Wal) StagePage(page uint32, data []byte) error {
	return w.h.do(func(p uintptr) error { return capi.Pager_wal_stage_page(p, page, data) })
}

// ClearStaged discards every staged change (rollback).
func (w *Wal) ClearStaged() error { return w.h.do(capi.Pager_wal_clear_staged) }

// SetPageCount stages a new page count (>= 1, page 0 counted).
func (w *Wal) SetPageCount(n uint32) error {
	return w.h.do(func(p uintptr) error { return capi.Pager_wal_set_page_count(p, n) })
}

// ReadAppHeader returns the application header area (WalAppHeaderSize bytes).
func (w *Wal) ReadAppHeader() ([]byte, error) {
	buf := make([]byte, WalAppHeaderSize)
	if err := w.h.do(func(p uintptr) error { return capi.Pager_wal_read_app_header(p, buf) }); err != nil {
		return nil, err
	}
	return buf, nil
}

// StageAppHeader stages new application header bytes (exactly WalAppHeaderSize).
func (w *Wal) StageAppHeader(data []byte) error {
	return w.h.do(func(p uintptr) error { return capi.Pager_wal_stage_app_header(p, data) })
}

// Commit commits the staged changes as one transaction; returns the data frames written.
func (w *Wal) Commit() (uint32, error) { return w.u32(capi.Pager_wal_commit) }

// Checkpoint copies the WAL into the main file in the given mode; returns the data pages
// written.
func (w *Wal) Checkpoint(mode CheckpointMode) (uint32, error) {
	c := capi.NewPager_wal_checkpoint_options() // runs pager_wal_checkpoint_options_init
	defer capi.DeletePager_wal_checkpoint_options(c)
	c.SetMode(uint32(mode))
	return w.u32(func(p uintptr, pages *uint32) error { return capi.Pager_wal_checkpoint(p, c, pages) })
}

// Stats returns the handle's counters.
func (w *Wal) Stats() (WalStats, error) {
	c := capi.NewPager_wal_stats() // runs pager_wal_stats_init
	defer capi.DeletePager_wal_stats(c)
	if err := w.h.do(func(p uintptr) error { return capi.Pager_wal_get_stats(p, c) }); err != nil {
		return WalStats{}, err
	}
	return WalStats{
		CacheHits: c.GetCache_hits(), CacheMisses: c.GetCache_misses(), Commits: c.GetCommits(),
		FramesWritten: c.GetFrames_written(), Checkpoints: c.GetCheckpoints(),
		PagesCheckpointed: c.GetPages_checkpointed(), Syncs: c.GetSyncs(),
		BytesSynced: c.GetBytes_synced(), WalFrames: c.GetWal_frames(),
		FramesLeft: c.GetFrames_left(), ReadersActive: c.GetReaders_active(),
		CheckpointWaits: c.GetCheckpoint_waits(), WalRestarts: c.GetWal_restarts(),
	}, nil
}
