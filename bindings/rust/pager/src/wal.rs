//! WAL pager (`pager_wal_*`): pages staged in memory, committed atomically into a sidecar
//! log `<path>-wal` with one fdatasync, checkpointed into the main file.
//!
//! ```no_run
//! # fn main() -> pager::Result<()> {
//! let mut opts = pager::wal::WalOptions::default();
//! opts.page_size = 4096;
//! let wal = pager::wal::Wal::create("/tmp/db", Some(&opts))?;
//! wal.stage_page(1, &[7u8; 4096])?;
//! wal.commit()?;
//! assert_eq!(wal.read_page(1)?, vec![7u8; 4096]);
//! # Ok(()) }
//! ```

use std::ffi::CString;
use std::path::Path;
use std::ptr::NonNull;

use crate::{check, sys, Error, Result};

/// Bytes of the application header area.
pub const APP_HEADER_SIZE: usize = sys::PAGER_WAL_APP_HEADER_SIZE as usize;

/// How a [`Wal`] was opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccessMode {
    ReadWrite,
    ReadOnly,
}

/// `pager_wal_options`; [`Default`] is what `pager_wal_options_init` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WalOptions {
    pub page_size: u32,
    /// `sys::PAGER_WAL_FULL` or `sys::PAGER_WAL_NORMAL`.
    pub durability: u32,
    pub cache_pages: u32,
    pub auto_checkpoint_frames: u32,
    pub auto_checkpoint_bytes: u64,
    pub lock_timeout_ms: i64,
    pub wal_keep_bytes: u64,
    pub wal_prewrite_bytes: u64,
}

fn init_c() -> sys::pager_wal_options {
    // SAFETY: a plain C struct; all-zero is a valid value, then init fills it.
    let mut c: sys::pager_wal_options = unsafe { std::mem::zeroed() };
    // SAFETY: c is a valid, writable struct.
    let rc = unsafe { sys::pager_wal_options_init(&mut c) };
    debug_assert_eq!(rc, 0);
    c
}

impl Default for WalOptions {
    fn default() -> Self {
        let c = init_c();
        WalOptions {
            page_size: c.page_size,
            durability: c.durability,
            cache_pages: c.cache_pages,
            auto_checkpoint_frames: c.auto_checkpoint_frames,
            auto_checkpoint_bytes: c.auto_checkpoint_bytes,
            lock_timeout_ms: c.lock_timeout_ms,
            wal_keep_bytes: c.wal_keep_bytes,
            wal_prewrite_bytes: c.wal_prewrite_bytes,
        }
    }
}

impl WalOptions {
    fn to_c(self) -> sys::pager_wal_options {
        let mut c = init_c();
        c.page_size = self.page_size;
        c.durability = self.durability;
        c.cache_pages = self.cache_pages;
        c.auto_checkpoint_frames = self.auto_checkpoint_frames;
        c.auto_checkpoint_bytes = self.auto_checkpoint_bytes;
        c.lock_timeout_ms = self.lock_timeout_ms;
        c.wal_keep_bytes = self.wal_keep_bytes;
        c.wal_prewrite_bytes = self.wal_prewrite_bytes;
        c
    }
}

/// Counters since the handle was opened (`pager_wal_stats`).
pub type WalStats = sys::pager_wal_stats;

/// A path as a C string; an interior NUL is `PAGER_ERR_INVALID`.
pub(crate) fn c_path(path: &Path) -> Result<CString> {
    use std::os::unix::ffi::OsStrExt;
    CString::new(path.as_os_str().as_bytes()).map_err(|_| Error {
        code: crate::code::INVALID,
        message: format!("path {path:?} contains a NUL byte"),
    })
}

/// An open WAL pager database. Closed on drop (staged changes are discarded).
pub struct Wal(NonNull<sys::pager_wal>);

// pager.h: "every pager_wal_* call on one handle is serialized by the handle's mutex".
unsafe impl Send for Wal {}
unsafe impl Sync for Wal {}

impl Wal {
    fn open_impl(path: &Path, create: bool, mode: u32, opts: Option<&WalOptions>) -> Result<Wal> {
        let p = c_path(path)?;
        let c = opts.map(|o| o.to_c());
        let cp = c.as_ref().map_or(std::ptr::null(), |c| c as *const _);
        let mut out = std::ptr::null_mut();
        // SAFETY: p and cp are valid for the call; out receives an owned handle.
        check(unsafe {
            if create {
                sys::pager_wal_create(p.as_ptr(), cp, &mut out)
            } else {
                sys::pager_wal_open_with_mode(p.as_ptr(), mode, cp, &mut out)
            }
        })?;
        Ok(Wal(NonNull::new(out).expect("pager_wal open returned OK and NULL")))
    }

    /// Creates a new database at `path` (fails with `EXISTS` if it exists).
    pub fn create(path: impl AsRef<Path>, opts: Option<&WalOptions>) -> Result<Wal> {
        Self::open_impl(path.as_ref(), true, 0, opts)
    }

    /// Opens an existing database read-write (exclusive lock; recovers the WAL).
    pub fn open(path: impl AsRef<Path>, opts: Option<&WalOptions>) -> Result<Wal> {
        Self::open_impl(path.as_ref(), false, sys::PAGER_WAL_READ_WRITE, opts)
    }

    /// Opens an existing database read-only (shared lock).
    pub fn open_read_only(path: impl AsRef<Path>, opts: Option<&WalOptions>) -> Result<Wal> {
        Self::open_impl(path.as_ref(), false, sys::PAGER_WAL_READ_ONLY, opts)
    }

    fn u32_out(&self, f: unsafe extern "C" fn(*mut sys::pager_wal, *mut u32) -> i32) -> Result<u32> {
        let mut v = 0u32;
        // SAFETY: self.0 is a live handle; v is a valid out-parameter.
        check(unsafe { f(self.0.as_ptr(), &mut v) })?;
        Ok(v)
    }

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

    /// Reads the page into `buf` (its length must be the page size, else `PAGE_SIZE`).
    pub fn read_page_into(&self, page: u32, buf: &mut [u8]) -> Result<()> {
        // SAFETY: buf is valid for buf.len() bytes of writes during the call.
        check(unsafe {
            sys::pager_wal_read_page(self.0.as_ptr(), page, buf.as_mut_ptr().cast(), buf.len())
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
            sys::pager_wal_stage_page(self.0.as_ptr(), page, data.as_ptr().cast(), data.len())
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
            sys::pager_wal_read_app_header(self.0.as_ptr(), buf.as_mut_ptr().cast(), buf.len())
        })?;
        Ok(buf)
    }

    /// Stages new application header bytes, committed with the next commit.
    pub fn stage_app_header(&self, data: &[u8; APP_HEADER_SIZE]) -> Result<()> {
        // SAFETY: data is only read during the call.
        check(unsafe {
            sys::pager_wal_stage_app_header(self.0.as_ptr(), data.as_ptr().cast(), data.len())
        })
    }

    /// Commits the staged changes atomically; returns the data frames written.
    pub fn commit(&self) -> Result<u32> {
        self.u32_out(sys::pager_wal_commit)
    }

    /// Copies the WAL into the main file; returns the data pages written.
    pub fn checkpoint(&self) -> Result<u32> {
        self.u32_out(sys::pager_wal_checkpoint)
    }

    pub fn stats(&self) -> Result<WalStats> {
        // SAFETY: all-zero is a valid pager_wal_stats.
        let mut s: WalStats = unsafe { std::mem::zeroed() };
        s.struct_size = std::mem::size_of::<WalStats>() as u32;
        // SAFETY: s is a valid out-struct of struct_size bytes.
        check(unsafe { sys::pager_wal_get_stats(self.0.as_ptr(), &mut s) })?;
        Ok(s)
    }
}

impl Drop for Wal {
    fn drop(&mut self) {
        // SAFETY: the handle is owned and not used after this.
        unsafe { sys::pager_wal_close(self.0.as_ptr()) }
    }
}
