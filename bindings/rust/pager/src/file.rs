//! Mapped page file (`pager_file_*`): fixed-size pages mapped into memory with crash-safe
//! allocation. The page size is a const generic, checked when the file is opened:
//! `PageFile<4096>` opens only files of 4096-byte pages (`PAGE_SIZE` error otherwise).
//!
//! Page views borrow the file: [`PageFile::page`] borrows it shared and
//! [`PageFile::page_mut`] exclusively, while [`PageFile::alloc`] and [`PageFile::free`]
//! take `&mut self`, so no view survives an alloc or free (or the close):
//!
//! ```compile_fail
//! let mut f = libpager::file::PageFile::<4096>::create("/tmp/pages", None).unwrap();
//! let id = f.alloc().unwrap();
//! let view = f.page(id).unwrap();
//! f.free(id).unwrap(); // error: `f` is borrowed by `view`
//! println!("{}", view[0]);
//! ```
//!
//! ```
//! # fn main() -> libpager::Result<()> {
//! # let dir = std::env::temp_dir().join(format!("libpager-doc-file-{}", std::process::id()));
//! # let _ = std::fs::remove_dir_all(&dir);
//! # std::fs::create_dir_all(&dir).unwrap();
//! use libpager::file::PageFile;
//! let mut f = PageFile::<4096>::create(dir.join("pages"), None)?;
//! let id = f.alloc()?;
//! f.page_mut(id)?[..5].copy_from_slice(b"hello");
//! f.sync_pages(&[id])?;
//! assert_eq!(&f.page(id)?[..5], b"hello");
//! # std::fs::remove_dir_all(&dir).unwrap();
//! # Ok(()) }
//! ```

use std::marker::PhantomData;
use std::path::Path;
use std::ptr::NonNull;

use crate::wal::c_path;
use crate::{check, sys, Error, Result};

/// How the caller will touch mapped pages ([`PageFile::advise`]; `PAGER_FILE_ADVICE_*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum Advice {
    /// The kernel's default read-ahead.
    Normal = sys::PAGER_FILE_ADVICE_NORMAL,
    /// A fault reads its page only (no read-ahead).
    Random = sys::PAGER_FILE_ADVICE_RANDOM,
    /// Aggressive read-ahead.
    Sequential = sys::PAGER_FILE_ADVICE_SEQUENTIAL,
    /// Start reading the pages into the page cache now (one-shot).
    WillNeed = sys::PAGER_FILE_ADVICE_WILLNEED,
    /// Drop this process's page-table entries for the pages; no data is lost (one-shot).
    DontNeed = sys::PAGER_FILE_ADVICE_DONTNEED,
}

/// `pager_file_options` without the page size (that is the type's `PAGE_SIZE`).
///
/// ```
/// # let dir = std::env::temp_dir().join(format!("libpager-doc-fileopts-{}", std::process::id()));
/// # let _ = std::fs::remove_dir_all(&dir);
/// # std::fs::create_dir_all(&dir).unwrap();
/// use libpager::file::{FileOptions, PageFile};
/// let o = FileOptions { initial_page_count: 16, ..Default::default() };
/// let f = PageFile::<4096>::create(dir.join("pages"), Some(&o))?;
/// assert!(f.page_count()? >= 16);
/// drop(f);
/// let ro = PageFile::<4096>::open(dir.join("pages"), Some(&FileOptions { read_only: true, ..Default::default() }))?;
/// assert_eq!(ro.page_size()?, 4096);
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # Ok::<(), libpager::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileOptions {
    /// Address space reserved for the mapping, in [1, 2^46]; the file never grows past it
    /// (default 1 TiB).
    pub max_size_bytes: u64,
    /// How long an open waits for the file lock (0: fail at once with `Busy`; -1: wait forever).
    pub lock_timeout_ms: i64,
    /// Create: pages in the first page space (default 64).
    pub initial_page_count: u64,
    /// Open read-only (shared lock); [`PageFile::page_mut`] then fails with `ReadOnly`.
    pub read_only: bool,
    /// Create: 0 or 2 = the journaled format 2 (default), 1 = format 1 (commits in place, no
    /// `-journal` file). Open: the format expected (0 = any; another fails with `Version`).
    pub format_version: u32,
    /// Format 2: journal bytes between two checkpoints (0 = 64 MiB, else in [1 MiB, 2^40]);
    /// must be 0 with `format_version` 1. Not stored in the file: each open chooses.
    pub journal_lap_bytes: u64,
}

fn init_c() -> sys::pager_file_options {
    // SAFETY: all-zero is valid; init fills it.
    let mut c: sys::pager_file_options = unsafe { std::mem::zeroed() };
    // SAFETY: c is a valid out-struct.
    unsafe { sys::pager_file_options_init(&mut c) };
    c
}

impl Default for FileOptions {
    fn default() -> Self {
        let c = init_c();
        FileOptions {
            max_size_bytes: c.max_size_bytes,
            lock_timeout_ms: c.lock_timeout_ms,
            initial_page_count: c.initial_page_count,
            read_only: c.read_only != 0,
            format_version: c.format_version,
            journal_lap_bytes: c.journal_lap_bytes,
        }
    }
}

/// An open page file of `PAGE_SIZE`-byte pages. Closed on drop.
///
/// ```
/// # let dir = std::env::temp_dir().join(format!("libpager-doc-pagefile-{}", std::process::id()));
/// # let _ = std::fs::remove_dir_all(&dir);
/// # std::fs::create_dir_all(&dir).unwrap();
/// use libpager::file::PageFile;
/// let mut f = PageFile::<4096>::create(dir.join("pages"), None)?;
/// let ids = f.alloc_bulk(3)?;
/// f.free_bulk(&ids[1..])?;
/// f.grow(128)?;
/// assert!(f.page_count()? >= 128 && f.free_page_count()? > 0);
/// let p = f.protected_alloc()?;
/// assert_eq!(f.protected_read(p)?, vec![0u8; 4096]);
/// f.protected_free(p)?;
/// assert_eq!(f.iter_pages()?.collect::<libpager::Result<Vec<_>>>()?, [ids[0]]);
/// assert_eq!(f.iter_protected()?.count(), 0);
/// assert_eq!(f.protected_count()?, 0);
/// assert_eq!(PageFile::<8192>::open(dir.join("pages"), None).unwrap_err().code, libpager::ErrorCode::Busy);
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # Ok::<(), libpager::Error>(())
/// ```
pub struct PageFile<const PAGE_SIZE: usize> {
    h: NonNull<sys::pager_file>,
}

// pager.h: calls on one pager_file are serialized internally; page bytes are only reached
// through borrows of the PageFile (shared for reads, exclusive for writes).
unsafe impl<const N: usize> Send for PageFile<N> {}
unsafe impl<const N: usize> Sync for PageFile<N> {}

impl<const N: usize> PageFile<N> {
    fn open_impl(path: &Path, create: bool, opts: Option<&FileOptions>) -> Result<Self> {
        let p = c_path(path)?;
        let o = opts.copied().unwrap_or_default();
        let mut c = init_c();
        c.page_size = u32::try_from(N).map_err(|_| Error {
            code: crate::ErrorCode::Invalid,
            message: format!("PAGE_SIZE {N} does not fit a page size"),
        })?;
        c.max_size_bytes = o.max_size_bytes;
        c.lock_timeout_ms = o.lock_timeout_ms;
        c.initial_page_count = o.initial_page_count;
        c.read_only = o.read_only as u32;
        c.format_version = o.format_version;
        c.journal_lap_bytes = o.journal_lap_bytes;
        let mut out = std::ptr::null_mut();
        // SAFETY: p and c live through the call; out receives an owned handle.
        check(unsafe {
            if create {
                sys::pager_file_create(p.as_ptr(), &c, &mut out)
            } else {
                sys::pager_file_open(p.as_ptr(), &c, &mut out)
            }
        })?;
        let f = PageFile { h: NonNull::new(out).expect("pager_file open returned OK and NULL") };
        let actual = f.page_size()?;
        if actual != N {
            // The library checked opts.page_size; this guards the slices we hand out.
            return Err(Error {
                code: crate::ErrorCode::PageSize,
                message: format!("file has {actual}-byte pages, PageFile<{N}> expected"),
            });
        }
        Ok(f)
    }

    /// Creates a page file of `PAGE_SIZE`-byte pages (a power of two in [1024, 65536]).
    pub fn create(path: impl AsRef<Path>, opts: Option<&FileOptions>) -> Result<Self> {
        Self::open_impl(path.as_ref(), true, opts)
    }

    /// Opens a page file; `PAGE_SIZE` error unless its pages are `PAGE_SIZE` bytes.
    pub fn open(path: impl AsRef<Path>, opts: Option<&FileOptions>) -> Result<Self> {
        Self::open_impl(path.as_ref(), false, opts)
    }

    fn raw(&self) -> *mut sys::pager_file {
        self.h.as_ptr()
    }

    /// Bytes per page (always `PAGE_SIZE` for a `PageFile<PAGE_SIZE>`).
    pub fn page_size(&self) -> Result<usize> {
        let mut v = 0u32;
        // SAFETY: live handle, valid out-parameter.
        check(unsafe { sys::pager_file_page_size(self.raw(), &mut v) })?;
        Ok(v as usize)
    }

    fn u64_out(&self, f: unsafe extern "C" fn(*mut sys::pager_file, *mut u64) -> i32) -> Result<u64> {
        let mut v = 0u64;
        // SAFETY: live handle, valid out-parameter.
        check(unsafe { f(self.raw(), &mut v) })?;
        Ok(v)
    }

    /// Pages in the page space.
    pub fn page_count(&self) -> Result<u64> {
        self.u64_out(sys::pager_file_page_count)
    }
    /// Free pages in the page space.
    pub fn free_page_count(&self) -> Result<u64> {
        self.u64_out(sys::pager_file_free_page_count)
    }
    /// Protected pages in use.
    pub fn protected_count(&self) -> Result<u64> {
        self.u64_out(sys::pager_file_protected_count)
    }

    /// The handle's counters since it was opened (`pager_file_get_stats`): the format, the
    /// `fdatasync` calls made (one per commit and per `sync_pages`, plus the checkpoints'),
    /// and in format 2 the journal's checkpoints, position and lap.
    pub fn stats(&self) -> Result<FileStats> {
        // SAFETY: all-zero is a valid pager_file_stats; init sets struct_size.
        let mut s: sys::pager_file_stats = unsafe { std::mem::zeroed() };
        // SAFETY: s is a valid, writable struct.
        unsafe { sys::pager_file_stats_init(&mut s) };
        // SAFETY: live handle; s is a valid out-struct of struct_size bytes.
        check(unsafe { sys::pager_file_get_stats(self.raw(), &mut s) })?;
        Ok(FileStats {
            format_version: s.format_version,
            syncs: s.syncs,
            checkpoints: s.checkpoints,
            journal_bytes: s.journal_bytes,
            journal_lap_bytes: s.journal_lap_bytes,
        })
    }

    /// Allocates one page (one durable commit). `&mut self`: no page view is alive.
    pub fn alloc(&mut self) -> Result<u64> {
        self.u64_out(sys::pager_file_alloc)
    }

    /// Allocates `count` pages in one commit, all or nothing.
    pub fn alloc_bulk(&mut self, count: usize) -> Result<Vec<u64>> {
        let mut ids = vec![0u64; count];
        // SAFETY: ids holds count writable ids.
        check(unsafe { sys::pager_file_alloc_bulk(self.raw(), ids.as_mut_ptr(), count as u64) })?;
        Ok(ids)
    }

    /// Frees a page (one commit). `&mut self`: no view of it can outlive this.
    pub fn free(&mut self, id: u64) -> Result<()> {
        // SAFETY: live handle.
        check(unsafe { sys::pager_file_free(self.raw(), id) })
    }

    /// Frees pages in one commit, all or nothing.
    pub fn free_bulk(&mut self, ids: &[u64]) -> Result<()> {
        // SAFETY: ids is only read during the call.
        check(unsafe { sys::pager_file_free_bulk(self.raw(), ids.as_ptr(), ids.len() as u64) })
    }

    /// Grows the page space to at least `page_count` pages.
    pub fn grow(&mut self, page_count: u64) -> Result<()> {
        // SAFETY: live handle.
        check(unsafe { sys::pager_file_grow(self.raw(), page_count) })
    }

    /// Advises the kernel how the pages `pages` of the mapping will be touched
    /// (`pager_file_advise`): `0..0` is the whole file, and a file-wide `Normal`, `Random` or
    /// `Sequential` also covers the pages the file grows by later. Never changes a byte.
    /// `RANGE` past the page space; `IO` if the kernel refuses the advice.
    pub fn advise(&self, pages: std::ops::Range<u64>, advice: Advice) -> Result<()> {
        let count = pages.end.checked_sub(pages.start).ok_or_else(|| {
            Error::new(crate::ErrorCode::Invalid, "advise: the range's end is before its start")
        })?;
        // SAFETY: live handle.
        check(unsafe { sys::pager_file_advise(self.raw(), pages.start, count, advice as u32) })
    }

    /// The mapped bytes of an allocated page, borrowed from the file.
    pub fn page(&self, id: u64) -> Result<&[u8; N]> {
        let mut p = std::ptr::null();
        // SAFETY: valid out-parameter.
        check(unsafe { sys::pager_file_page_const(self.raw(), id, &mut p) })?;
        // SAFETY: p points at N mapped bytes (page size checked at open) that stay valid
        // until the page is freed or the file closed, both of which need `&mut self`.
        Ok(unsafe { &*(p as *const [u8; N]) })
    }

    /// The writable mapped bytes of an allocated page (`READONLY` on a read-only file).
    pub fn page_mut(&mut self, id: u64) -> Result<&mut [u8; N]> {
        let mut p = std::ptr::null_mut();
        // SAFETY: valid out-parameter.
        check(unsafe { sys::pager_file_page(self.raw(), id, &mut p) })?;
        // SAFETY: as page(); `&mut self` makes this the only view.
        Ok(unsafe { &mut *(p as *mut [u8; N]) })
    }

    /// Makes the listed pages' bytes durable (msync).
    pub fn sync_pages(&self, ids: &[u64]) -> Result<()> {
        // SAFETY: ids is only read during the call.
        check(unsafe { sys::pager_file_sync_pages(self.raw(), ids.as_ptr(), ids.len() as u64) })
    }

    /// Allocates a protected page (content: zeros).
    pub fn protected_alloc(&mut self) -> Result<u64> {
        self.u64_out(sys::pager_file_protected_alloc)
    }

    /// Allocates `count` protected pages in one commit, all or nothing.
    pub fn protected_alloc_bulk(&mut self, count: usize) -> Result<Vec<u64>> {
        let mut ids = vec![0u64; count];
        // SAFETY: ids holds count writable ids.
        check(unsafe { sys::pager_file_protected_alloc_bulk(self.raw(), ids.as_mut_ptr(), count as u64) })?;
        Ok(ids)
    }

    /// Frees protected pages in one commit, all or nothing.
    pub fn protected_free_bulk(&mut self, ids: &[u64]) -> Result<()> {
        // SAFETY: ids is only read during the call.
        check(unsafe { sys::pager_file_protected_free_bulk(self.raw(), ids.as_ptr(), ids.len() as u64) })
    }

    /// Frees a protected page (`BUSY` while a transaction on it is open).
    pub fn protected_free(&mut self, id: u64) -> Result<()> {
        // SAFETY: live handle.
        check(unsafe { sys::pager_file_protected_free(self.raw(), id) })
    }

    /// A copy of a protected page's committed content.
    pub fn protected_read(&self, id: u64) -> Result<Vec<u8>> {
        let mut buf = vec![0u8; N];
        // SAFETY: buf holds N writable bytes.
        check(unsafe {
            sys::pager_file_protected_read(self.raw(), id, buf.as_mut_ptr().cast(), buf.len() as u64)
        })?;
        Ok(buf)
    }

    /// Starts a write transaction over protected pages (add them with `Txn::add`).
    pub fn begin(&self) -> Result<Txn<'_, N>> {
        let mut out = std::ptr::null_mut();
        // SAFETY: valid out-parameter.
        check(unsafe { sys::pager_file_txn_begin(self.raw(), &mut out) })?;
        Ok(Txn { t: NonNull::new(out).expect("begin returned OK and NULL"), _file: PhantomData })
    }

    fn iter(&self, protected: bool) -> Result<Ids<'_>> {
        let mut out = std::ptr::null_mut();
        // SAFETY: valid out-parameter.
        check(unsafe {
            if protected {
                sys::pager_file_iter_protected(self.raw(), &mut out)
            } else {
                sys::pager_file_iter_pages(self.raw(), &mut out)
            }
        })?;
        Ok(Ids { it: NonNull::new(out).expect("iter returned OK and NULL"), done: false, _file: PhantomData })
    }

    /// The allocated regular page ids, in increasing order.
    pub fn iter_pages(&self) -> Result<Ids<'_>> {
        self.iter(false)
    }

    /// The allocated protected page ids, in increasing order.
    pub fn iter_protected(&self) -> Result<Ids<'_>> {
        self.iter(true)
    }

    /// A sub-page allocator (in-memory state) splitting pages into `sub_page_size` slots.
    /// It borrows the file exclusively: parent pages come and go with its allocations.
    pub fn subpages(&mut self, sub_page_size: u32) -> Result<Subpages<'_, N>> {
        let mut out = std::ptr::null_mut();
        // SAFETY: valid out-parameter.
        check(unsafe { sys::pager_file_subpages_create(self.raw(), sub_page_size, &mut out) })?;
        Ok(Subpages {
            s: NonNull::new(out).expect("subpages_create returned OK and NULL"),
            size: sub_page_size as usize,
            _file: PhantomData,
        })
    }
}

impl<const N: usize> std::fmt::Debug for PageFile<N> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut d = f.debug_struct("PageFile");
        d.field("page_size", &N);
        if let (Ok(pages), Ok(free)) = (self.page_count(), self.free_page_count()) {
            d.field("page_count", &pages).field("free_page_count", &free);
        }
        d.finish_non_exhaustive()
    }
}

impl<const N: usize> Drop for PageFile<N> {
    fn drop(&mut self) {
        // SAFETY: owned; every view, transaction, iterator and allocator borrows self.
        unsafe { sys::pager_file_close(self.raw()) }
    }
}

/// A page-file handle's counters since it was opened ([`PageFile::stats`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct FileStats {
    /// The file's format: 1 (commits in place) or 2 (page journal).
    pub format_version: u32,
    /// `fdatasync` calls made: one per commit and per `sync_pages`, plus the checkpoints'.
    pub syncs: u64,
    /// Format 2: main-file syncs that started the journal over (one per lap); 0 in format 1.
    pub checkpoints: u64,
    /// Format 2: bytes of journal since the last checkpoint; 0 in format 1.
    pub journal_bytes: u64,
    /// Format 2: this handle's journal lap; 0 in format 1.
    pub journal_lap_bytes: u64,
}

/// A write transaction over any number of protected pages; aborted on drop unless
/// committed. The commit is atomic: after a crash every page reads old or every page new.
///
/// ```
/// # let dir = std::env::temp_dir().join(format!("libpager-doc-txn-{}", std::process::id()));
/// # let _ = std::fs::remove_dir_all(&dir);
/// # std::fs::create_dir_all(&dir).unwrap();
/// use libpager::file::PageFile;
/// let mut f = PageFile::<4096>::create(dir.join("pages"), None)?;
/// let (a, b) = (f.protected_alloc()?, f.protected_alloc()?);
/// let mut t = f.begin()?;
/// t.add(a)?[0] = 1;
/// t.add(b)?[0] = 2;
/// t.data_mut(a)?[1] = 3;
/// assert_eq!((t.data(a)?[1], t.page_count()?), (3, 2));
/// t.commit()?; // both pages or neither, after a crash
/// assert_eq!((f.protected_read(a)?[..2].to_vec(), f.protected_read(b)?[0]), (vec![1, 3], 2));
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # Ok::<(), libpager::Error>(())
/// ```
pub struct Txn<'f, const N: usize> {
    t: NonNull<sys::pager_file_txn>,
    _file: PhantomData<&'f PageFile<N>>,
}

impl<'f, const N: usize> Txn<'f, N> {
    fn data_ptr(&self, id: u64) -> Result<*mut u8> {
        let mut p = std::ptr::null_mut();
        // SAFETY: live transaction, valid out-parameter.
        check(unsafe { sys::pager_file_txn_data(self.t.as_ptr(), id, &mut p) })?;
        Ok(p.cast())
    }
    /// Adds protected page `id` (`BUSY` if another open transaction holds it) and returns its
    /// private copy, which starts as the committed content (adding it again returns the copy).
    pub fn add(&mut self, id: u64) -> Result<&mut [u8; N]> {
        let mut p = std::ptr::null_mut();
        // SAFETY: live transaction, valid out-parameter.
        check(unsafe { sys::pager_file_txn_add(self.t.as_ptr(), id, &mut p) })?;
        // SAFETY: N bytes (the file's page size, checked at open) valid until txn_free
        // (drop); exclusive through &mut self.
        Ok(unsafe { &mut *(p as *mut [u8; N]) })
    }
    /// Sets page `id`'s copy to `page` without reading the committed content: a blind write,
    /// for a caller that replaces the whole page. Holds the page as [`add`](Self::add) does
    /// (`BUSY` if another open transaction holds it); a page already held has its copy
    /// replaced. The page's length is the type's: no length error is possible.
    pub fn write_page(&mut self, id: u64, page: &[u8; N]) -> Result<()> {
        // SAFETY: live transaction; page is N readable bytes (the file's page size).
        check(unsafe { sys::pager_file_txn_write(self.t.as_ptr(), id, page.as_ptr().cast(), N as u64) })
    }
    /// Allocates a new protected page inside the transaction: its id and its private copy
    /// (zeros), which the commit makes the page's content. Until the commit the page is
    /// invisible to everyone else; dropping the transaction uncommitted gives the id back.
    /// `FULL` if the directory, counting pages open transactions allocated, is full.
    pub fn alloc_page(&mut self) -> Result<(u64, &mut [u8; N])> {
        let mut id = 0u64;
        let mut p = std::ptr::null_mut();
        // SAFETY: live transaction, valid out-parameters.
        check(unsafe { sys::pager_file_txn_alloc_page(self.t.as_ptr(), &mut id, &mut p) })?;
        // SAFETY: N bytes valid until txn_free (drop); exclusive through &mut self.
        Ok((id, unsafe { &mut *(p as *mut [u8; N]) }))
    }
    /// Frees protected page `id` at the commit, in the same crash-safe commit as the rest.
    /// Until then the page stays allocated and held (`BUSY` for other transactions, never
    /// reused); a page this transaction allocated is given back at once. `DOUBLE_FREE` if it
    /// is not allocated or already freed here.
    pub fn free_page(&mut self, id: u64) -> Result<()> {
        // SAFETY: live transaction.
        check(unsafe { sys::pager_file_txn_free_page(self.t.as_ptr(), id) })
    }
    /// The private copy of page `id` (`NOT_FOUND` if it is not in the transaction).
    pub fn data(&self, id: u64) -> Result<&[u8; N]> {
        // SAFETY: N bytes valid until txn_free (drop), borrowed from self.
        Ok(unsafe { &*(self.data_ptr(id)? as *const [u8; N]) })
    }
    /// The private copy of page `id`, writable.
    pub fn data_mut(&mut self, id: u64) -> Result<&mut [u8; N]> {
        // SAFETY: as data(); exclusive through &mut self.
        Ok(unsafe { &mut *(self.data_ptr(id)? as *mut [u8; N]) })
    }
    /// Bytes per page (and per copy) of the transaction's file: always `N`.
    pub fn page_size(&self) -> Result<usize> {
        let mut v = 0u32;
        // SAFETY: live transaction, valid out-parameter.
        check(unsafe { sys::pager_file_txn_page_size(self.t.as_ptr(), &mut v) })?;
        Ok(v as usize)
    }
    /// The pages the transaction holds.
    pub fn page_count(&self) -> Result<u64> {
        let mut n = 0u64;
        // SAFETY: live transaction, valid out-parameter.
        check(unsafe { sys::pager_file_txn_page_count(self.t.as_ptr(), &mut n) })?;
        Ok(n)
    }
    /// Makes every copy its page's content in one commit (one fdatasync).
    pub fn commit(self) -> Result<()> {
        // SAFETY: live transaction; freed by drop afterwards.
        check(unsafe { sys::pager_file_txn_commit(self.t.as_ptr()) })
    }
}

impl<const N: usize> Drop for Txn<'_, N> {
    fn drop(&mut self) {
        // SAFETY: owned.
        unsafe { sys::pager_file_txn_free(self.t.as_ptr()) }
    }
}

/// Page ids in increasing order; yields `Err` once if the call fails.
///
/// ```
/// # let dir = std::env::temp_dir().join(format!("libpager-doc-ids-{}", std::process::id()));
/// # let _ = std::fs::remove_dir_all(&dir);
/// # std::fs::create_dir_all(&dir).unwrap();
/// use libpager::file::PageFile;
/// let mut f = PageFile::<4096>::create(dir.join("pages"), None)?;
/// let a = f.alloc()?;
/// let b = f.alloc()?;
/// let ids: Vec<u64> = f.iter_pages()?.collect::<libpager::Result<_>>()?;
/// assert_eq!(ids, [a, b]);
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # Ok::<(), libpager::Error>(())
/// ```
pub struct Ids<'f> {
    it: NonNull<sys::pager_file_iter>,
    done: bool,
    _file: PhantomData<&'f ()>,
}

impl Iterator for Ids<'_> {
    type Item = Result<u64>;
    fn next(&mut self) -> Option<Result<u64>> {
        if self.done {
            return None;
        }
        let (mut id, mut found) = (0u64, 0u32);
        // SAFETY: live iterator, valid out-parameters.
        match check(unsafe { sys::pager_file_iter_next(self.it.as_ptr(), &mut id, &mut found) }) {
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
            Ok(()) if found == 0 => {
                self.done = true;
                None
            }
            Ok(()) => Some(Ok(id)),
        }
    }
}

impl Drop for Ids<'_> {
    fn drop(&mut self) {
        // SAFETY: owned.
        unsafe { sys::pager_file_iter_free(self.it.as_ptr()) }
    }
}

/// Sub-page allocator of a file (ids are `parent_page * 64 + slot`).
///
/// ```
/// # let dir = std::env::temp_dir().join(format!("libpager-doc-subpages-{}", std::process::id()));
/// # let _ = std::fs::remove_dir_all(&dir);
/// # std::fs::create_dir_all(&dir).unwrap();
/// use libpager::file::PageFile;
/// let mut f = PageFile::<4096>::create(dir.join("pages"), None)?;
/// let mut sp = f.subpages(512)?;
/// assert_eq!((sp.sub_page_size()?, sp.slot_count()?), (512, 8));
/// let (id, other) = (sp.alloc()?, sp.alloc()?);
/// sp.get_mut(id)?[0] = 7;
/// assert_eq!((sp.get(id)?[0], sp.count()?), (7, 2));
/// sp.free(id)?;
/// sp.mark_used(&[id])?; // rebuild after a restart (the parent page holds `other`)
/// assert_eq!(sp.count()?, 2);
/// # let _ = other;
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # Ok::<(), libpager::Error>(())
/// ```
pub struct Subpages<'f, const N: usize> {
    s: NonNull<sys::pager_file_subpages>,
    size: usize,
    _file: PhantomData<&'f mut PageFile<N>>,
}

impl<const N: usize> Subpages<'_, N> {
    /// Allocates one sub-page; returns its id.
    pub fn alloc(&mut self) -> Result<u64> {
        let mut id = 0;
        // SAFETY: valid out-parameter.
        check(unsafe { sys::pager_file_subpage_alloc(self.s.as_ptr(), &mut id) })?;
        Ok(id)
    }
    /// Frees a sub-page (`DoubleFree` if it is not allocated).
    pub fn free(&mut self, id: u64) -> Result<()> {
        // SAFETY: live allocator.
        check(unsafe { sys::pager_file_subpage_free(self.s.as_ptr(), id) })
    }
    /// Allocates `count` sub-pages, all or nothing.
    pub fn alloc_bulk(&mut self, count: usize) -> Result<Vec<u64>> {
        let mut ids = vec![0u64; count];
        // SAFETY: ids holds count writable ids.
        check(unsafe { sys::pager_file_subpage_alloc_bulk(self.s.as_ptr(), ids.as_mut_ptr(), count as u64) })?;
        Ok(ids)
    }
    /// Frees sub-pages, all or nothing.
    pub fn free_bulk(&mut self, ids: &[u64]) -> Result<()> {
        // SAFETY: ids only read during the call.
        check(unsafe { sys::pager_file_subpage_free_bulk(self.s.as_ptr(), ids.as_ptr(), ids.len() as u64) })
    }
    /// Rebuild after a restart: marks sub-pages as allocated, all or nothing.
    pub fn mark_used(&mut self, ids: &[u64]) -> Result<()> {
        // SAFETY: ids only read during the call.
        check(unsafe {
            sys::pager_file_subpage_mark_used(self.s.as_ptr(), ids.as_ptr(), ids.len() as u64)
        })
    }
    /// Bytes per sub-page.
    pub fn sub_page_size(&self) -> Result<u32> {
        let mut v = 0u32;
        // SAFETY: valid out-parameter.
        check(unsafe { sys::pager_file_subpages_sub_page_size(self.s.as_ptr(), &mut v) })?;
        Ok(v)
    }
    /// Sub-pages per parent page.
    pub fn slot_count(&self) -> Result<u32> {
        let mut v = 0u32;
        // SAFETY: valid out-parameter.
        check(unsafe { sys::pager_file_subpages_slot_count(self.s.as_ptr(), &mut v) })?;
        Ok(v)
    }
    /// Sub-pages allocated.
    pub fn count(&self) -> Result<u64> {
        let mut n = 0;
        // SAFETY: valid out-parameter.
        check(unsafe { sys::pager_file_subpage_count(self.s.as_ptr(), &mut n) })?;
        Ok(n)
    }
    /// The sub-page's bytes (sub_page_size), borrowed: free needs `&mut self`.
    pub fn get(&self, id: u64) -> Result<&[u8]> {
        let mut p = std::ptr::null();
        // SAFETY: valid out-parameter.
        check(unsafe { sys::pager_file_subpage_const(self.s.as_ptr(), id, &mut p) })?;
        // SAFETY: sub_page_size mapped bytes valid until freed (needs &mut self).
        Ok(unsafe { std::slice::from_raw_parts(p as *const u8, self.size) })
    }
    /// The sub-page's bytes, writable (exclusive through `&mut self`).
    pub fn get_mut(&mut self, id: u64) -> Result<&mut [u8]> {
        let mut p = std::ptr::null_mut();
        // SAFETY: valid out-parameter.
        check(unsafe { sys::pager_file_subpage(self.s.as_ptr(), id, &mut p) })?;
        // SAFETY: as get(); exclusive through &mut self.
        Ok(unsafe { std::slice::from_raw_parts_mut(p as *mut u8, self.size) })
    }
}

impl<const N: usize> Drop for Subpages<'_, N> {
    fn drop(&mut self) {
        // SAFETY: owned.
        unsafe { sys::pager_file_subpages_free(self.s.as_ptr()) }
    }
}
