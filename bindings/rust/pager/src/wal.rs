//! WAL pager (`pager_wal_*`): pages staged in memory, committed atomically into a sidecar
//! log `<path>-wal` with one fdatasync, checkpointed into the main file.
//!
//! ```
//! # fn main() -> libpager::Result<()> {
//! # let dir = std::env::temp_dir().join(format!("libpager-doc-wal-{}", std::process::id()));
//! # let _ = std::fs::remove_dir_all(&dir);
//! # std::fs::create_dir_all(&dir).unwrap();
//! use libpager::wal::{CheckpointMode, Wal, WalOptions};
//! let mut opts = WalOptions::default(); // page_size 0: 4096 on create, the file's on open
//! opts.page_size = 4096;
//! let wal = Wal::create(dir.join("db"), Some(&opts))?;
//! wal.stage_page(1, &[7u8; 4096])?;
//! wal.commit()?;
//! assert_eq!(wal.read_page(1)?, vec![7u8; 4096]);
//! wal.checkpoint(CheckpointMode::Truncate)?; // the -wal file is now 0 bytes
//! drop(wal);
//! let reader = Wal::open(dir.join("db"), Some(&WalOptions { read_only: true, ..Default::default() }))?;
//! assert_eq!(reader.read_page(1)?, vec![7u8; 4096]);
//! # std::fs::remove_dir_all(&dir).unwrap();
//! # Ok(()) }
//! ```

use std::ffi::CString;
use std::path::Path;
use std::ptr::NonNull;

use crate::{check, sys, Error, Result};

mod read_txn;
pub use read_txn::ReadTxn;

/// Bytes of the application header area.
///
/// ```
/// assert_eq!(libpager::wal::APP_HEADER_SIZE, libpager::sys::PAGER_WAL_APP_HEADER_SIZE as usize);
/// ```
pub const APP_HEADER_SIZE: usize = sys::PAGER_WAL_APP_HEADER_SIZE as usize;

/// How a [`Wal`] was opened.
///
/// ```
/// # let dir = std::env::temp_dir().join(format!("libpager-doc-accessmode-{}", std::process::id()));
/// # let _ = std::fs::remove_dir_all(&dir);
/// # std::fs::create_dir_all(&dir).unwrap();
/// use libpager::wal::{AccessMode, Wal, WalOptions};
/// drop(Wal::create(dir.join("db"), None)?);
/// let ro = Wal::open(dir.join("db"), Some(&WalOptions { read_only: true, ..Default::default() }))?;
/// assert_eq!(ro.access_mode()?, AccessMode::ReadOnly);
/// assert_eq!(ro.commit().unwrap_err().code, libpager::ErrorCode::ReadOnly);
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # Ok::<(), libpager::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccessMode {
    /// Exclusive lock: reads and writes.
    ReadWrite,
    /// Shared lock: reads only.
    ReadOnly,
}

/// What [`Wal::checkpoint`] does (`pager_wal_checkpoint_options.mode`).
///
/// ```
/// # let dir = std::env::temp_dir().join(format!("libpager-doc-ckpt-{}", std::process::id()));
/// # let _ = std::fs::remove_dir_all(&dir);
/// # std::fs::create_dir_all(&dir).unwrap();
/// use libpager::wal::{CheckpointMode, Wal};
/// let w = Wal::create(dir.join("db"), None)?;
/// w.stage_page(1, &[3u8; 4096])?;
/// w.commit()?;
/// assert_eq!(w.checkpoint(CheckpointMode::Truncate)?, 1); // one data page copied
/// assert_eq!(std::fs::metadata(dir.join("db-wal")).unwrap().len(), 0);
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # Ok::<(), libpager::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CheckpointMode {
    /// Copies what no reader needs and never waits (today, with no concurrent readers,
    /// everything). Auto-checkpoints are passive.
    #[default]
    Passive,
    /// Copies every frame, waiting for readers up to `lock_timeout_ms` (today there is no
    /// reader to wait for).
    Full,
    /// As `Full`, then truncates the `-wal` file to zero bytes.
    Truncate,
}

impl CheckpointMode {
    fn to_c(self) -> u32 {
        match self {
            CheckpointMode::Passive => sys::PAGER_WAL_CHECKPOINT_PASSIVE,
            CheckpointMode::Full => sys::PAGER_WAL_CHECKPOINT_FULL,
            CheckpointMode::Truncate => sys::PAGER_WAL_CHECKPOINT_TRUNCATE,
        }
    }
}

/// What a commit that returned `Ok` survives (`PAGER_WAL_FULL` / `PAGER_WAL_NORMAL`).
///
/// ```
/// use libpager::wal::{Durability, WalOptions};
/// assert_eq!(WalOptions::default().durability, Durability::Full);
/// let fast = WalOptions { durability: Durability::Normal, ..Default::default() };
/// # let _ = fast;
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
#[non_exhaustive]
pub enum Durability {
    /// A power loss or OS crash (each commit is fdatasync'ed; the default).
    #[default]
    Full,
    /// A crash of the application process; the last commits may be lost on power loss.
    Normal,
}

impl Durability {
    fn to_c(self) -> u32 {
        match self {
            Durability::Full => sys::PAGER_WAL_FULL,
            Durability::Normal => sys::PAGER_WAL_NORMAL,
        }
    }
    fn from_c(v: u32) -> Durability {
        if v == sys::PAGER_WAL_NORMAL { Durability::Normal } else { Durability::Full }
    }
}

/// `pager_wal_options`; [`Default`] is what `pager_wal_options_init` writes.
///
/// ```
/// # let dir = std::env::temp_dir().join(format!("libpager-doc-walopts-{}", std::process::id()));
/// # let _ = std::fs::remove_dir_all(&dir);
/// # std::fs::create_dir_all(&dir).unwrap();
/// use libpager::wal::{Wal, WalOptions};
/// let opts = WalOptions { page_size: 8192, cache_pages: 64, ..Default::default() };
/// let w = Wal::create(dir.join("db"), Some(&opts))?;
/// assert_eq!(w.page_size()?, 8192);
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # Ok::<(), libpager::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WalOptions {
    /// 0: 4096 on create, the file's on open; else a power of two in [512, 65536].
    pub page_size: u32,
    /// Open read-only (shared lock); [`Wal::create`] refuses it.
    pub read_only: bool,
    /// What a returned commit survives (default [`Durability::Full`]).
    pub durability: Durability,
    /// Committed pages cached in memory when a file cannot be memory-mapped (mapped files
    /// are read straight from the mapping); default 1024; 0: none.
    pub cache_pages: u32,
    /// Checkpoint (passive) after a commit leaves at least this many frames in the WAL
    /// (default 8192; 0: off).
    pub auto_checkpoint_frames: u32,
    /// The same, by WAL size in bytes (default 0: off).
    pub auto_checkpoint_bytes: u64,
    /// How long an open waits for a conflicting lock (0: fail at once with `Busy`; -1: wait forever).
    pub lock_timeout_ms: i64,
    /// After a passive or full checkpoint the WAL is reused from its start and truncated only
    /// down to this size (default 32 MiB).
    pub wal_keep_bytes: u64,
    /// The WAL grows with zeros in steps of this size (default 1 MiB; 0: only as far as each
    /// commit needs).
    pub wal_prewrite_bytes: u64,
    /// A thread of the read-write handle runs the automatic checkpoints, so commits only
    /// append frames (a commit waits for it only while the WAL holds twice the threshold and
    /// it can shorten it). Started at open, joined when the handle closes. Default off.
    /// Since 0.3.
    pub background_checkpoint: bool,
    /// Open read-only writing no file at all (`PAGER_WAL_READ_ONLY_KEEP_FILES`), as a tool
    /// that inspects a database must: where a read-only open would rebuild a stale shared
    /// index `-shm` (after a crash, no writer open), it leaves the index as found, reads
    /// privately and keeps writers out (their open is `Busy`) until it closes. Implies
    /// `read_only` ([`Wal::access_mode`] is [`AccessMode::ReadOnly`]); [`Wal::create`] refuses
    /// it as it refuses `read_only`. Default off. Since 0.3.
    pub keep_files: bool,
}

fn init_c() -> sys::pager_wal_options {
    // SAFETY: a plain C struct; all-zero is a valid value, then init fills it.
    let mut c: sys::pager_wal_options = unsafe { std::mem::zeroed() };
    // SAFETY: c is a valid, writable struct.
    unsafe { sys::pager_wal_options_init(&mut c) };
    c
}

impl Default for WalOptions {
    fn default() -> Self {
        let c = init_c();
        WalOptions {
            page_size: c.page_size,
            read_only: c.read_only != 0,
            durability: Durability::from_c(c.durability),
            cache_pages: c.cache_pages,
            auto_checkpoint_frames: c.auto_checkpoint_frames,
            auto_checkpoint_bytes: c.auto_checkpoint_bytes,
            lock_timeout_ms: c.lock_timeout_ms,
            wal_keep_bytes: c.wal_keep_bytes,
            wal_prewrite_bytes: c.wal_prewrite_bytes,
            background_checkpoint: c.background_checkpoint != 0,
            keep_files: c.read_only == sys::PAGER_WAL_READ_ONLY_KEEP_FILES,
        }
    }
}

impl WalOptions {
    fn to_c(self) -> sys::pager_wal_options {
        let mut c = init_c();
        c.page_size = self.page_size;
        c.read_only = if self.keep_files {
            sys::PAGER_WAL_READ_ONLY_KEEP_FILES
        } else if self.read_only {
            sys::PAGER_WAL_READ_ONLY
        } else {
            sys::PAGER_WAL_READ_WRITE
        };
        c.durability = self.durability.to_c();
        c.cache_pages = self.cache_pages;
        c.auto_checkpoint_frames = self.auto_checkpoint_frames;
        c.auto_checkpoint_bytes = self.auto_checkpoint_bytes;
        c.lock_timeout_ms = self.lock_timeout_ms;
        c.wal_keep_bytes = self.wal_keep_bytes;
        c.wal_prewrite_bytes = self.wal_prewrite_bytes;
        c.background_checkpoint = u32::from(self.background_checkpoint);
        c
    }
}

/// Counters since the handle was opened (`pager_wal_stats`), from [`Wal::stats`].
///
/// ```
/// # let dir = std::env::temp_dir().join(format!("pager-doc-walstats-{}", std::process::id()));
/// # let _ = std::fs::remove_dir_all(&dir); std::fs::create_dir_all(&dir).unwrap();
/// let wal = libpager::wal::Wal::create(dir.join("db"), None)?;
/// wal.stage_page(1, &[1u8; 4096])?;
/// wal.commit()?;
/// let stats = wal.stats()?;
/// assert_eq!(stats.commits, 1);
/// assert_eq!(stats.last_checkpoint_error, None);
/// println!("{stats:?}");
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # Ok::<(), libpager::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct WalStats {
    /// The error of the last checkpoint that failed for lack of space or memory (`None`: none
    /// since open).
    pub last_checkpoint_error: Option<crate::ErrorCode>,
    /// Committed-page reads served from the page cache.
    pub cache_hits: u64,
    /// Committed-page reads that went to the WAL or main file.
    pub cache_misses: u64,
    /// Commits that wrote frames.
    pub commits: u64,
    /// WAL frames written, page-0 frames included.
    pub frames_written: u64,
    /// Checkpoints run (explicit, automatic, at open).
    pub checkpoints: u64,
    /// Data pages copied into the main file.
    pub pages_checkpointed: u64,
    /// fsync/fdatasync calls that succeeded.
    pub syncs: u64,
    /// Bytes written to either file and then made durable.
    pub bytes_synced: u64,
    /// Valid frames in the WAL now.
    pub wal_frames: u64,
    /// Checkpoints that failed for lack of space or memory and left the WAL as it was.
    pub checkpoint_failures: u64,
    /// Frames the last checkpoint left in the WAL because a read transaction still needed the
    /// main file (0: none). Since 0.3.
    pub frames_left: u64,
    /// Read transactions ([`ReadTxn`]) open on the handle now. Since 0.3.
    pub readers_active: u64,
    /// Commits that waited for the background checkpointer (backpressure, or a call of the
    /// transaction met its final step), each counted once. Since 0.3.
    pub checkpoint_waits: u64,
    /// WAL restarts (new generations) since open. Since 0.3.
    pub wal_restarts: u64,
}

impl WalStats {
    fn from_c(c: &sys::pager_wal_stats) -> WalStats {
        WalStats {
            last_checkpoint_error: (c.last_checkpoint_error != 0)
                .then(|| crate::ErrorCode::from_raw(c.last_checkpoint_error)),
            cache_hits: c.cache_hits,
            cache_misses: c.cache_misses,
            commits: c.commits,
            frames_written: c.frames_written,
            checkpoints: c.checkpoints,
            pages_checkpointed: c.pages_checkpointed,
            syncs: c.syncs,
            bytes_synced: c.bytes_synced,
            wal_frames: c.wal_frames,
            checkpoint_failures: c.checkpoint_failures,
            frames_left: c.frames_left,
            readers_active: c.readers_active,
            checkpoint_waits: c.checkpoint_waits,
            wal_restarts: c.wal_restarts,
        }
    }
}

/// A path as a C string; an interior NUL is `PAGER_ERR_INVALID`.
pub(crate) fn c_path(path: &Path) -> Result<CString> {
    use std::os::unix::ffi::OsStrExt;
    CString::new(path.as_os_str().as_bytes()).map_err(|_| Error {
        code: crate::ErrorCode::Invalid,
        message: format!("path {path:?} contains a NUL byte"),
    })
}

/// An open WAL pager database. Closed on drop (staged changes are discarded).
///
/// ```
/// # let dir = std::env::temp_dir().join(format!("libpager-doc-walhandle-{}", std::process::id()));
/// # let _ = std::fs::remove_dir_all(&dir);
/// # std::fs::create_dir_all(&dir).unwrap();
/// use libpager::wal::Wal;
/// let w = Wal::create(dir.join("db"), None)?; // 4096-byte pages
/// w.set_page_count(3)?;
/// w.stage_page(2, &[9u8; 4096])?;
/// let mut header = w.read_app_header()?;
/// header[0] = 1;
/// w.stage_app_header(&header)?;
/// assert_eq!(w.commit()?, 1);
/// assert_eq!((w.page_count()?, w.read_app_header()?[0]), (3, 1));
/// let mut buf = vec![0u8; 4096];
/// w.read_page_into(2, &mut buf)?;
/// assert_eq!(buf[0], 9);
/// w.stage_page(2, &[0u8; 4096])?;
/// w.clear_staged()?; // the staged change is gone
/// assert_eq!(w.read_page(2)?[0], 9);
/// assert_eq!(Wal::open(dir.join("db"), None).unwrap_err().code, libpager::ErrorCode::Busy); // locked
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # Ok::<(), libpager::Error>(())
/// ```
pub struct Wal(NonNull<sys::pager_wal>);

// pager.h: "every pager_wal_* call on one handle is serialized by the handle's mutex".
unsafe impl Send for Wal {}
unsafe impl Sync for Wal {}

impl Wal {
    fn open_impl(path: &Path, create: bool, opts: Option<&WalOptions>) -> Result<Wal> {
        let p = c_path(path)?;
        let c = opts.map(|o| o.to_c());
        let cp = c.as_ref().map_or(std::ptr::null(), |c| c as *const _);
        let mut out = std::ptr::null_mut();
        // SAFETY: p and cp are valid for the call; out receives an owned handle.
        check(unsafe {
            if create {
                sys::pager_wal_create(p.as_ptr(), cp, &mut out)
            } else {
                sys::pager_wal_open(p.as_ptr(), cp, &mut out)
            }
        })?;
        Ok(Wal(NonNull::new(out).expect("pager_wal open returned OK and NULL")))
    }

    /// Creates a new database at `path` (fails with `EXISTS` if it exists).
    pub fn create(path: impl AsRef<Path>, opts: Option<&WalOptions>) -> Result<Wal> {
        Self::open_impl(path.as_ref(), true, opts)
    }

    /// Opens an existing database: read-write (exclusive lock; recovers the WAL) unless
    /// `opts.read_only` (shared lock) or `opts.keep_files` (read-only writing no file; see
    /// [`WalOptions::keep_files`]). `None`: read-write, the file's page size.
    pub fn open(path: impl AsRef<Path>, opts: Option<&WalOptions>) -> Result<Wal> {
        Self::open_impl(path.as_ref(), false, opts)
    }

    fn u32_out(&self, f: unsafe extern "C" fn(*mut sys::pager_wal, *mut u32) -> i32) -> Result<u32> {
        let mut v = 0u32;
        // SAFETY: self.0 is a live handle; v is a valid out-parameter.
        check(unsafe { f(self.0.as_ptr(), &mut v) })?;
        Ok(v)
    }

    /// How the handle was opened.
    pub fn access_mode(&self) -> Result<AccessMode> {
        Ok(match self.u32_out(sys::pager_wal_access_mode)? {
            sys::PAGER_WAL_READ_ONLY => AccessMode::ReadOnly,
            _ => AccessMode::ReadWrite,
        })
    }

    /// Bytes per page.
    pub fn page_size(&self) -> Result<usize> {
        Ok(self.u32_out(sys::pager_wal_page_size)? as usize)
    }

    /// Pages including page 0 and staged changes.
    pub fn page_count(&self) -> Result<u32> {
        self.u32_out(sys::pager_wal_page_count)
    }

    /// Reads the page into `buf` (its length must be the page size, else `INVALID`).
    pub fn read_page_into(&self, page: u32, buf: &mut [u8]) -> Result<()> {
        // SAFETY: buf is valid for buf.len() bytes of writes during the call.
        check(unsafe {
            sys::pager_wal_read_page(self.0.as_ptr(), page, buf.as_mut_ptr().cast(), buf.len() as u64)
        })
    }

    /// The page's content (staged, else committed) in a new vector.
    pub fn read_page(&self, page: u32) -> Result<Vec<u8>> {
        let mut buf = vec![0u8; self.page_size()?];
        self.read_page_into(page, &mut buf)?;
        Ok(buf)
    }

    /// Stages `data` (exactly one page; copied) as the page's new content.
    pub fn stage_page(&self, page: u32, data: &[u8]) -> Result<()> {
        // SAFETY: data is only read during the call.
        check(unsafe {
            sys::pager_wal_stage_page(self.0.as_ptr(), page, data.as_ptr().cast(), data.len() as u64)
        })
    }

    /// Discards every staged change.
    pub fn clear_staged(&self) -> Result<()> {
        // SAFETY: a live handle.
        check(unsafe { sys::pager_wal_clear_staged(self.0.as_ptr()) })
    }

    /// Stages a new page count (>= 1, page 0 counted).
    pub fn set_page_count(&self, page_count: u32) -> Result<()> {
        // SAFETY: a live handle.
        check(unsafe { sys::pager_wal_set_page_count(self.0.as_ptr(), page_count) })
    }

    /// The application header area (staged if changed, else committed).
    pub fn read_app_header(&self) -> Result<[u8; APP_HEADER_SIZE]> {
        let mut buf = [0u8; APP_HEADER_SIZE];
        // SAFETY: buf holds APP_HEADER_SIZE writable bytes.
        check(unsafe {
            sys::pager_wal_read_app_header(self.0.as_ptr(), buf.as_mut_ptr().cast(), buf.len() as u64)
        })?;
        Ok(buf)
    }

    /// Stages new application header bytes, committed with the next commit.
    pub fn stage_app_header(&self, data: &[u8; APP_HEADER_SIZE]) -> Result<()> {
        // SAFETY: data is only read during the call.
        check(unsafe {
            sys::pager_wal_stage_app_header(self.0.as_ptr(), data.as_ptr().cast(), data.len() as u64)
        })
    }

    /// Commits the staged changes atomically; returns the data frames written.
    pub fn commit(&self) -> Result<u32> {
        self.u32_out(sys::pager_wal_commit)
    }

    /// Copies the WAL into the main file in the given mode; returns the data pages written.
    pub fn checkpoint(&self, mode: CheckpointMode) -> Result<u32> {
        // SAFETY: all-zero is a valid struct; init fills it.
        let mut o: sys::pager_wal_checkpoint_options = unsafe { std::mem::zeroed() };
        // SAFETY: o is a valid, writable struct.
        unsafe { sys::pager_wal_checkpoint_options_init(&mut o) };
        o.mode = mode.to_c();
        let mut pages = 0u32;
        // SAFETY: a live handle; o and pages are valid for the call.
        check(unsafe { sys::pager_wal_checkpoint(self.0.as_ptr(), &o, &mut pages) })?;
        Ok(pages)
    }

    /// The handle's counters (see [`WalStats`]).
    pub fn stats(&self) -> Result<WalStats> {
        // SAFETY: all-zero is a valid pager_wal_stats; init sets struct_size.
        let mut s: sys::pager_wal_stats = unsafe { std::mem::zeroed() };
        // SAFETY: s is a valid, writable struct.
        unsafe { sys::pager_wal_stats_init(&mut s) };
        // SAFETY: s is a valid out-struct of struct_size bytes.
        check(unsafe { sys::pager_wal_get_stats(self.0.as_ptr(), &mut s) })?;
        Ok(WalStats::from_c(&s))
    }
}

impl std::fmt::Debug for Wal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut d = f.debug_struct("Wal");
        if let (Ok(mode), Ok(size), Ok(count)) = (self.access_mode(), self.page_size(), self.page_count()) {
            d.field("access_mode", &mode).field("page_size", &size).field("page_count", &count);
        }
        d.finish_non_exhaustive()
    }
}

impl Drop for Wal {
    fn drop(&mut self) {
        // SAFETY: the handle is owned and not used after this.
        unsafe { sys::pager_wal_close(self.0.as_ptr()) }
    }
}
