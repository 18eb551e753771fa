//! Format detection and read-only checks (pager.h section "check"): what `pagerctl info` and
//! `pagerctl verify` print, for Rust callers.

use std::ffi::CStr;
use std::os::raw::c_char;
use std::path::Path;

use crate::wal::c_path;
use crate::{check, sys, Result};

/// The format [`detect`] found (pager.h `PAGER_FORMAT_*`).
///
/// ```
/// # let dir = std::env::temp_dir().join(format!("libpager-doc-format-{}", std::process::id()));
/// # let _ = std::fs::remove_dir_all(&dir);
/// # std::fs::create_dir_all(&dir).unwrap();
/// use libpager::check::{detect, Format};
/// drop(libpager::wal::Wal::create(dir.join("db"), None)?);
/// assert_eq!(detect(dir.join("db"))?, Format::WalMain);
/// std::fs::write(dir.join("other"), b"hello").unwrap();
/// assert_eq!(detect(dir.join("other"))?, Format::Unknown);
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # Ok::<(), libpager::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Not a libpager format.
    Unknown,
    /// A page file (`pager_file_*`).
    File,
    /// A WAL pager's main file.
    WalMain,
    /// A WAL pager's `-wal` file.
    WalLog,
    /// One WAL segment file.
    WalsegSegment,
    /// A directory of WAL segments.
    WalsegDir,
    /// A KV-cache snapshot.
    Snapshot,
    /// A WAL pager's `-shm` shared index (checked with its database).
    WalShm,
    /// A page file's `-journal` (format version 2; checked with its page file).
    FileJournal,
}

/// A WAL pager's `-shm` shared index as a check found it (pager.h `PAGER_WAL_INDEX_*`). A
/// stale index is never damage: the next open rebuilds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WalIndex {
    /// No `-shm` file (or not a WAL pager).
    None,
    /// Its header is intact and describes the WAL as scanned.
    Current,
    /// Garbled, of another file or version, or behind the WAL.
    Stale,
}

impl WalIndex {
    fn from_c(v: u32) -> WalIndex {
        match v {
            sys::PAGER_WAL_INDEX_CURRENT => WalIndex::Current,
            sys::PAGER_WAL_INDEX_STALE => WalIndex::Stale,
            _ => WalIndex::None,
        }
    }
}

impl Format {
    fn from_c(v: u32) -> Format {
        match v {
            sys::PAGER_FORMAT_FILE => Format::File,
            sys::PAGER_FORMAT_WAL_MAIN => Format::WalMain,
            sys::PAGER_FORMAT_WAL_LOG => Format::WalLog,
            sys::PAGER_FORMAT_WALSEG_SEGMENT => Format::WalsegSegment,
            sys::PAGER_FORMAT_WALSEG_DIR => Format::WalsegDir,
            sys::PAGER_FORMAT_SNAPSHOT => Format::Snapshot,
            sys::PAGER_FORMAT_WAL_SHM => Format::WalShm,
            sys::PAGER_FORMAT_FILE_JOURNAL => Format::FileJournal,
            _ => Format::Unknown,
        }
    }
}

/// Which libpager format the file or directory at `path` holds, by its magic. Never writes.
///
/// ```
/// # let dir = std::env::temp_dir().join(format!("libpager-doc-detect-{}", std::process::id()));
/// # let _ = std::fs::remove_dir_all(&dir);
/// # std::fs::create_dir_all(&dir).unwrap();
/// drop(libpager::file::PageFile::<4096>::create(dir.join("pages"), None)?);
/// assert_eq!(libpager::check::detect(dir.join("pages"))?, libpager::check::Format::File);
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # Ok::<(), libpager::Error>(())
/// ```
pub fn detect(path: impl AsRef<Path>) -> Result<Format> {
    let p = c_path(path.as_ref())?;
    let mut v = 0u32;
    // SAFETY: a valid C string and out-pointer.
    check(unsafe { sys::pager_format_detect(p.as_ptr(), &mut v) })?;
    Ok(Format::from_c(v))
}

/// Where a check found damage (or, with `damaged == false`, the leftover of an interrupted
/// write that recovery discards).
///
/// ```
/// # let dir = std::env::temp_dir().join(format!("libpager-doc-finding-{}", std::process::id()));
/// # let _ = std::fs::remove_dir_all(&dir);
/// # std::fs::create_dir_all(&dir).unwrap();
/// use libpager::check::check_walseg;
/// let w = libpager::walseg::Writer::open(&dir, None)?;
/// w.append(1, b"abc")?;
/// w.close()?;
/// let seg = dir.join("0000000000000001.wal");
/// let mut bytes = std::fs::read(&seg).unwrap();
/// let n = bytes.len();
/// bytes[n - 1] ^= 0xff; // damage the payload
/// std::fs::write(&seg, bytes).unwrap();
/// let r = check_walseg(&seg)?;
/// let finding = r.finding.expect("damage or a torn tail is reported");
/// assert!(finding.file.ends_with("0000000000000001.wal"), "{finding:?}");
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # Ok::<(), libpager::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The file the damage is in.
    pub file: String,
    /// Byte offset in `file`; `None` when the check cannot name one byte.
    pub offset: Option<u64>,
    /// The format rule that failed.
    pub rule: String,
    /// What was found, in words.
    pub detail: String,
}

/// What a read-only check found (pager.h `pager_check_report`).
///
/// ```
/// # let dir = std::env::temp_dir().join(format!("libpager-doc-report-{}", std::process::id()));
/// # let _ = std::fs::remove_dir_all(&dir);
/// # std::fs::create_dir_all(&dir).unwrap();
/// use libpager::check::{check_file, Format};
/// let mut f = libpager::file::PageFile::<4096>::create(dir.join("pages"), None)?;
/// f.alloc()?;
/// drop(f);
/// let r = check_file(dir.join("pages"))?;
/// assert_eq!((r.format, r.page_size, r.damaged, r.finding), (Format::File, 4096, false, None));
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # Ok::<(), libpager::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckReport {
    /// The format found.
    pub format: Format,
    /// Its format version.
    pub format_version: u32,
    /// Bytes per page (page formats).
    pub page_size: u32,
    /// File length in bytes.
    pub file_bytes: u64,
    /// Commit generation (page file).
    pub generation: u64,
    /// Pages.
    pub page_count: u64,
    /// Free pages (page file).
    pub free_page_count: u64,
    /// Protected pages (page file).
    pub protected_count: u64,
    /// WAL frames.
    pub frame_count: u64,
    /// Records (WAL segments).
    pub record_count: u64,
    /// Segments (WAL segment directory).
    pub segment_count: u64,
    /// First LSN (WAL segments).
    pub first_lsn: u64,
    /// Last LSN (WAL segments).
    pub last_lsn: u64,
    /// The shared index (WAL pager).
    pub index: WalIndex,
    /// Read marks in the shared index held by live handles (WAL pager).
    pub index_readers: u32,
    /// Size of the `-journal` (page file of format version 2; 0: none).
    pub journal_bytes: u64,
    /// Committed batches of the journal not yet applied to the file (the next read-write
    /// open applies them).
    pub journal_batches: u64,
    /// Page images in those batches.
    pub journal_pages: u64,
    /// An interrupted write was found (recovery discards it; not damage).
    pub interrupted: bool,
    /// Damage was found (see `finding`).
    pub damaged: bool,
    /// Where, when `damaged` or `interrupted`.
    pub finding: Option<Finding>,
}

fn text(chars: &[c_char]) -> String {
    // SAFETY: the library NUL-terminates every text field within its array.
    unsafe { CStr::from_ptr(chars.as_ptr()) }.to_string_lossy().into_owned()
}

type CheckFn = unsafe extern "C" fn(*const c_char, *mut sys::pager_check_report) -> i32;

fn run(path: &Path, f: CheckFn) -> Result<CheckReport> {
    let p = c_path(path)?;
    // SAFETY: all-zero is valid; init sets struct_size.
    let mut r: sys::pager_check_report = unsafe { std::mem::zeroed() };
    // SAFETY: valid C string and out-struct.
    unsafe { sys::pager_check_report_init(&mut r) };
    check(unsafe { f(p.as_ptr(), &mut r) })?;
    let file = text(&r.damage_file);
    let finding = (!file.is_empty()).then(|| Finding {
        file,
        offset: (r.damage_offset != u64::MAX).then_some(r.damage_offset),
        rule: text(&r.damage_rule),
        detail: text(&r.damage_detail),
    });
    Ok(CheckReport {
        format: Format::from_c(r.format),
        format_version: r.format_version,
        page_size: r.page_size,
        file_bytes: r.file_bytes,
        generation: r.generation,
        page_count: r.page_count,
        free_page_count: r.free_page_count,
        protected_count: r.protected_count,
        frame_count: r.frame_count,
        record_count: r.record_count,
        segment_count: r.segment_count,
        first_lsn: r.first_lsn,
        last_lsn: r.last_lsn,
        index: WalIndex::from_c(r.index_state),
        index_readers: r.index_readers,
        journal_bytes: r.journal_bytes,
        journal_batches: r.journal_batches,
        journal_pages: r.journal_pages,
        interrupted: r.interrupted != 0,
        damaged: r.damage_code != 0,
        finding,
    })
}

/// Verifies a page file read-only. `Err` means the check could not tell (missing, locked by
/// a writer, unknown version, another format).
///
/// ```
/// # let dir = std::env::temp_dir().join(format!("libpager-doc-checkfile-{}", std::process::id()));
/// # let _ = std::fs::remove_dir_all(&dir);
/// # std::fs::create_dir_all(&dir).unwrap();
/// drop(libpager::file::PageFile::<4096>::create(dir.join("pages"), None)?);
/// assert!(!libpager::check::check_file(dir.join("pages"))?.damaged);
/// assert_eq!(libpager::check::check_file(dir.join("missing")).unwrap_err().code, libpager::ErrorCode::NotFound);
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # Ok::<(), libpager::Error>(())
/// ```
pub fn check_file(path: impl AsRef<Path>) -> Result<CheckReport> {
    run(path.as_ref(), sys::pager_file_check)
}

/// Verifies a WAL pager (main file and `-wal` sidecar; either path) read-only.
///
/// ```
/// # let dir = std::env::temp_dir().join(format!("libpager-doc-checkwal-{}", std::process::id()));
/// # let _ = std::fs::remove_dir_all(&dir);
/// # std::fs::create_dir_all(&dir).unwrap();
/// let w = libpager::wal::Wal::create(dir.join("db"), None)?;
/// w.stage_page(1, &[1u8; 4096])?;
/// w.commit()?;
/// drop(w);
/// let r = libpager::check::check_wal(dir.join("db"))?;
/// assert_eq!((r.page_count, r.damaged), (2, false));
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # Ok::<(), libpager::Error>(())
/// ```
pub fn check_wal(path: impl AsRef<Path>) -> Result<CheckReport> {
    run(path.as_ref(), sys::pager_wal_check)
}

/// Verifies a WAL segment file or a directory of segments read-only.
///
/// ```
/// # let dir = std::env::temp_dir().join(format!("libpager-doc-checkwalseg-{}", std::process::id()));
/// # let _ = std::fs::remove_dir_all(&dir);
/// # std::fs::create_dir_all(&dir).unwrap();
/// let w = libpager::walseg::Writer::open(&dir, None)?;
/// w.append(1, b"r")?;
/// w.close()?;
/// let r = libpager::check::check_walseg(&dir)?;
/// assert_eq!((r.record_count, r.last_lsn, r.damaged), (1, 1, false));
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # Ok::<(), libpager::Error>(())
/// ```
pub fn check_walseg(path: impl AsRef<Path>) -> Result<CheckReport> {
    run(path.as_ref(), sys::pager_walseg_check)
}

/// Verifies a KV-cache snapshot (and its parent chain) read-only.
///
/// ```
/// # let dir = std::env::temp_dir().join(format!("libpager-doc-checksnap-{}", std::process::id()));
/// # let _ = std::fs::remove_dir_all(&dir);
/// # std::fs::create_dir_all(&dir).unwrap();
/// use libpager::snapshot::{CacheMeta, Dtype, RefEngine};
/// let m = CacheMeta { tokens_per_page: 4, layers: 1, kv_heads: 1, head_dim: 8, dtype: Dtype::F16 };
/// RefEngine::new(&m, 1)?.capture(dir.join("s.snap"), None)?;
/// assert!(!libpager::check::check_snapshot(dir.join("s.snap"))?.damaged);
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # Ok::<(), libpager::Error>(())
/// ```
pub fn check_snapshot(path: impl AsRef<Path>) -> Result<CheckReport> {
    run(path.as_ref(), sys::pager_snapshot_check)
}
