//! Cold pager (`pager_cold_*`): byte ranges paged out of RAM and read back by range.
//! A [`ColdPager`] holds a default backend, a scratch directory and counters; pagers are
//! independent of each other. Its [`ColdHandle`]s do not borrow it: they keep working after
//! the pager is dropped, until they are taken or dropped themselves.
//! [`ColdPager::pageout_owned`] hands `Vec`s over without a copy (swap backend) and
//! [`ColdHandle::take_buffer`] hands the bytes back, for a one-buffer swap handle the very
//! same allocation.
//!
//! ```
//! # fn main() -> libpager::Result<()> {
//! # let dir = std::env::temp_dir().join(format!("libpager-doc-cold-{}", std::process::id()));
//! # let _ = std::fs::remove_dir_all(&dir);
//! # std::fs::create_dir_all(&dir).unwrap();
//! use libpager::cold::{Backend, ColdOptions, ColdPager};
//! let pager = ColdPager::open(&ColdOptions { scratch_root: Some(dir.clone()), ..Default::default() })?;
//! let h = pager.pageout_with(Backend::File, &[b"hello ", b"world"], None)?;
//! let mut buf = [0u8; 5];
//! h.read_at(6, &mut buf)?;
//! assert_eq!(&buf, b"world");
//! assert_eq!(h.take().map_err(|(e, _handle)| e)?, b"hello world");
//! # std::fs::remove_dir_all(&dir).unwrap();
//! # Ok(()) }
//! ```

use std::ffi::CString;
use std::path::{Path, PathBuf};
use std::ptr::NonNull;

use crate::{check, sys, Error, Result};

/// Where paged-out bytes live.
///
/// ```
/// # let dir = std::env::temp_dir().join(format!("libpager-doc-backend-{}", std::process::id()));
/// # let _ = std::fs::remove_dir_all(&dir);
/// # std::fs::create_dir_all(&dir).unwrap();
/// use libpager::cold::{Backend, ColdOptions, ColdPager};
/// let pager = ColdPager::open(&ColdOptions::default())?;
/// assert_eq!(pager.backend()?, Backend::Swap);
/// pager.set_scratch_dir(&dir)?;
/// pager.set_backend(Backend::File)?;
/// let h = pager.pageout(&[b"to disk"])?;
/// assert_eq!(h.backend(), Backend::File);
/// assert!(std::path::Path::new(&pager.scratch_dir()?).starts_with(&dir));
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # Ok::<(), libpager::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// The pager's default (a per-call choice only).
    Default,
    /// In process memory, advised cold (goes to swap first).
    Swap,
    /// In scratch files under [`ColdPager::set_scratch_dir`].
    File,
}

impl Backend {
    fn to_c(self) -> u32 {
        match self {
            Backend::Default => sys::PAGER_COLD_BACKEND_DEFAULT,
            Backend::Swap => sys::PAGER_COLD_BACKEND_SWAP,
            Backend::File => sys::PAGER_COLD_BACKEND_FILE,
        }
    }
    fn from_c(v: u32) -> Backend {
        match v {
            sys::PAGER_COLD_BACKEND_SWAP => Backend::Swap,
            sys::PAGER_COLD_BACKEND_FILE => Backend::File,
            _ => Backend::Default,
        }
    }
}

/// Settings of [`ColdPager::open`] (`pager_cold_options`).
///
/// ```
/// # let dir = std::env::temp_dir().join(format!("libpager-doc-coldopts-{}", std::process::id()));
/// # let _ = std::fs::remove_dir_all(&dir);
/// # std::fs::create_dir_all(&dir).unwrap();
/// use libpager::cold::{Backend, ColdOptions, ColdPager};
/// let pager = ColdPager::open(&ColdOptions { backend: Backend::File, scratch_root: Some(dir.clone()) })?;
/// assert_eq!(pager.backend()?, Backend::File);
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # Ok::<(), libpager::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColdOptions {
    /// The pager's default backend: `Swap` (the default; `Default` means `Swap` too) or `File`.
    pub backend: Backend,
    /// The scratch root (the file backend needs one; see [`ColdPager::set_scratch_dir`]).
    pub scratch_root: Option<PathBuf>,
}

impl Default for ColdOptions {
    fn default() -> Self {
        ColdOptions { backend: Backend::Swap, scratch_root: None }
    }
}

/// A cold pager (`pager_cold`): closed on drop. Calls on one pager may run concurrently.
///
/// ```
/// use libpager::cold::{ColdOptions, ColdPager};
/// let pager = ColdPager::open(&ColdOptions::default())?;
/// let h = pager.pageout(&[b"abc", b"def"])?;
/// drop(pager); // handles outlive their pager
/// let mut buf = [0u8; 2];
/// h.read_at(2, &mut buf)?;
/// assert_eq!(&buf, b"cd");
/// # Ok::<(), libpager::Error>(())
/// ```
pub struct ColdPager(NonNull<sys::pager_cold>);
// pager.h: every function on a pager may run from any thread; close needs ownership here.
unsafe impl Send for ColdPager {}
unsafe impl Sync for ColdPager {}

impl ColdPager {
    /// Opens a pager (with `scratch_root`, its private scratch directory is created now).
    pub fn open(opts: &ColdOptions) -> Result<ColdPager> {
        let root = match &opts.scratch_root {
            Some(p) => Some(crate::wal::c_path(p)?),
            None => None,
        };
        // SAFETY: all-zero is valid; init fills it.
        let mut o: sys::pager_cold_options = unsafe { std::mem::zeroed() };
        // SAFETY: o is a valid out-struct.
        unsafe { sys::pager_cold_options_init(&mut o) };
        o.backend = opts.backend.to_c();
        o.scratch_root = root.as_ref().map_or(std::ptr::null(), |r| r.as_ptr());
        let mut out = std::ptr::null_mut();
        // SAFETY: o and the root string are only read during the call.
        check(unsafe { sys::pager_cold_open(&o, &mut out) })?;
        Ok(ColdPager(NonNull::new(out).expect("open returned OK and NULL")))
    }

    /// Configures the file backend's scratch root (once per pager; another root later is
    /// `EXISTS`). Two pagers may share a root: each gets its own private directory.
    pub fn set_scratch_dir(&self, root: impl AsRef<Path>) -> Result<()> {
        let p = crate::wal::c_path(root.as_ref())?;
        // SAFETY: p is only read during the call.
        check(unsafe { sys::pager_cold_set_scratch_dir(self.0.as_ptr(), p.as_ptr()) })
    }

    /// This pager's private scratch directory (empty before one was set).
    pub fn scratch_dir(&self) -> Result<String> {
        let mut buf = vec![0u8; 256];
        loop {
            let mut len = 0u64;
            // SAFETY: buf holds buf.len() writable bytes; len is a valid out-parameter.
            check(unsafe {
                sys::pager_cold_scratch_dir(self.0.as_ptr(), buf.as_mut_ptr().cast(), buf.len() as u64, &mut len)
            })?;
            if (len as usize) < buf.len() {
                buf.truncate(len as usize);
                return Ok(CString::new(buf).map(|c| c.to_string_lossy().into_owned()).unwrap_or_default());
            }
            buf = vec![0u8; len as usize + 1]; // truncated: again with the full length
        }
    }

    /// Sets the pager's default backend (`Swap` or `File`).
    pub fn set_backend(&self, backend: Backend) -> Result<()> {
        // SAFETY: a live pager.
        check(unsafe { sys::pager_cold_set_backend(self.0.as_ptr(), backend.to_c()) })
    }

    /// The pager's default backend.
    pub fn backend(&self) -> Result<Backend> {
        let mut b = 0u32;
        // SAFETY: a live pager; b is a valid out-parameter.
        check(unsafe { sys::pager_cold_backend(self.0.as_ptr(), &mut b) })?;
        Ok(Backend::from_c(b))
    }

    /// Copies the concatenation of `chunks` out to the pager's default backend.
    pub fn pageout(&self, chunks: &[&[u8]]) -> Result<ColdHandle> {
        let c: Vec<sys::pager_cold_chunk> = chunks
            .iter()
            .map(|s| sys::pager_cold_chunk { data: s.as_ptr().cast(), len: s.len() as u64 })
            .collect();
        let mut out = std::ptr::null_mut();
        // SAFETY: the chunk array and the bytes it points to are only read during the call.
        check(unsafe { sys::pager_cold_pageout(self.0.as_ptr(), c.as_ptr(), c.len() as u64, &mut out) })?;
        Ok(ColdHandle(NonNull::new(out).expect("pageout returned OK and NULL")))
    }

    /// Pages out `buffers` (their concatenation) taking ownership of them: the swap backend
    /// keeps them without a copy (and [`ColdHandle::take_buffer`] of a one-buffer handle
    /// hands the same allocation back); the file backend writes them to scratch storage and
    /// drops them before returning. On failure the buffers are dropped.
    ///
    /// ```
    /// use libpager::cold::{Backend, ColdOptions, ColdPager};
    /// let pager = ColdPager::open(&ColdOptions::default())?;
    /// let big = vec![7u8; 1 << 20];
    /// let ptr = big.as_ptr();
    /// let h = pager.pageout_owned(Backend::Swap, vec![big], None)?; // no copy
    /// let back = h.take_buffer().map_err(|(e, _)| e)?;
    /// assert_eq!(back.as_ptr(), ptr); // the very same allocation
    /// assert_eq!(back.len(), 1 << 20);
    /// # Ok::<(), libpager::Error>(())
    /// ```
    pub fn pageout_owned(&self, backend: Backend, buffers: Vec<Vec<u8>>, opts: Option<&PageoutOptions>)
                         -> Result<ColdHandle> {
        unsafe extern "C" fn free_vec(ctx: *mut std::ffi::c_void, _data: *mut std::ffi::c_void, _len: u64) {
            // SAFETY: ctx is the Box<Vec<u8>> leaked below, passed back exactly once.
            drop(unsafe { Box::from_raw(ctx as *mut Vec<u8>) });
        }
        let boxes: Vec<*mut Vec<u8>> = buffers.into_iter().map(|v| Box::into_raw(Box::new(v))).collect();
        let chunks: Vec<sys::pager_cold_owned_chunk> = boxes
            .iter()
            .map(|&b| {
                // SAFETY: b is a live box owned by this function until the call succeeds.
                let v = unsafe { &mut *b };
                sys::pager_cold_owned_chunk {
                    data: v.as_mut_ptr().cast(),
                    len: v.len() as u64,
                    free_fn: Some(free_vec),
                    free_ctx: b.cast(),
                }
            })
            .collect();
        let o = pageout_options_c(opts);
        let mut out = std::ptr::null_mut();
        // SAFETY: on success the library owns every box and frees it through free_vec once;
        // the chunk array is only read during the call.
        let rc = unsafe {
            sys::pager_cold_pageout_owned(self.0.as_ptr(), backend.to_c(), chunks.as_ptr(),
                                          chunks.len() as u64, &o, &mut out)
        };
        if rc != crate::code::OK {
            let err = Error::last(rc);
            for b in boxes {
                // SAFETY: on failure no free_fn ran: the boxes are still ours.
                drop(unsafe { Box::from_raw(b) });
            }
            return Err(err);
        }
        Ok(ColdHandle(NonNull::new(out).expect("pageout_owned returned OK and NULL")))
    }

    /// Copies the concatenation of `chunks` out to `backend`.
    pub fn pageout_with(&self, backend: Backend, chunks: &[&[u8]], opts: Option<&PageoutOptions>) -> Result<ColdHandle> {
        let c: Vec<sys::pager_cold_chunk> = chunks
            .iter()
            .map(|s| sys::pager_cold_chunk { data: s.as_ptr().cast(), len: s.len() as u64 })
            .collect();
        let o = pageout_options_c(opts);
        let mut out = std::ptr::null_mut();
        // SAFETY: the chunk array and the bytes it points to are only read during the call.
        check(unsafe {
            sys::pager_cold_pageout_with(self.0.as_ptr(), backend.to_c(), c.as_ptr(), c.len() as u64, &o, &mut out)
        })?;
        Ok(ColdHandle(NonNull::new(out).expect("pageout returned OK and NULL")))
    }

    /// This pager's counters (`pager_cold_stats`).
    pub fn stats(&self) -> Result<ColdStats> {
        // SAFETY: all-zero is a valid struct; init sets the struct sizes.
        let mut s: sys::pager_cold_stats = unsafe { std::mem::zeroed() };
        // SAFETY: a valid struct.
        unsafe { sys::pager_cold_stats_init(&mut s) };
        // SAFETY: a live pager and a valid out-struct.
        check(unsafe { sys::pager_cold_get_stats(self.0.as_ptr(), &mut s) })?;
        Ok(ColdStats::from_c(&s))
    }
}

impl std::fmt::Debug for ColdPager {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ColdPager({:?})", self.scratch_dir().unwrap_or_default())
    }
}

impl Drop for ColdPager {
    fn drop(&mut self) {
        // SAFETY: owned; handles keep the pager's state alive on their own.
        unsafe { sys::pager_cold_close(self.0.as_ptr()) }
    }
}

fn pageout_options_c(opts: Option<&PageoutOptions>) -> sys::pager_cold_pageout_options {
    // SAFETY: all-zero is valid; init fills it.
    let mut o: sys::pager_cold_pageout_options = unsafe { std::mem::zeroed() };
    // SAFETY: o is a valid out-struct.
    unsafe { sys::pager_cold_pageout_options_init(&mut o) };
    if let Some(opts) = opts {
        o.checksums = opts.checksums as u32;
        o.fallback_to_memory = opts.fallback_to_memory as u32;
    }
    o
}

/// Pageout options (`pager_cold_pageout_options`).
///
/// ```
/// # let dir = std::env::temp_dir().join(format!("libpager-doc-pageoutopts-{}", std::process::id()));
/// # let _ = std::fs::remove_dir_all(&dir);
/// # std::fs::create_dir_all(&dir).unwrap();
/// use libpager::cold::{Backend, ColdOptions, ColdPager, PageoutOptions};
/// let pager = ColdPager::open(&ColdOptions { scratch_root: Some(dir.clone()), ..Default::default() })?;
/// let o = PageoutOptions { checksums: true, fallback_to_memory: true };
/// let h = pager.pageout_with(Backend::File, &[b"checked"], Some(&o))?;
/// assert_eq!(h.len(), 7);
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # Ok::<(), libpager::Error>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PageoutOptions {
    /// File backend: checksum every chunk, verify each chunk a read touches.
    pub checksums: bool,
    /// Keep the bytes in memory if writing to scratch storage fails.
    pub fallback_to_memory: bool,
}

/// Paged-out bytes. Reads may run concurrently (`Sync`); `take` and drop consume it. It does
/// not borrow its [`ColdPager`]: it keeps working after the pager is dropped.
///
/// ```
/// use libpager::cold::{ColdOptions, ColdPager};
/// let pager = ColdPager::open(&ColdOptions::default())?;
/// let h = pager.pageout(&[b"0123456789"])?;
/// assert!(!h.is_empty());
/// let mut dst = [0u8; 4];
/// h.read_at_many(&[(8, 2), (0, 2)], &mut dst)?;
/// assert_eq!(&dst, b"8901");
/// assert_eq!(h.read_at(9, &mut [0u8; 2]).unwrap_err().code, libpager::ErrorCode::Range);
/// let all = h.take().map_err(|(e, _handle)| e)?;
/// assert_eq!(all, b"0123456789");
/// # Ok::<(), libpager::Error>(())
/// ```
pub struct ColdHandle(NonNull<sys::pager_cold_handle>);
// pager.h: reads of one handle may run concurrently; take/free need ownership here.
unsafe impl Send for ColdHandle {}
unsafe impl Sync for ColdHandle {}

impl ColdHandle {
    /// Length in bytes.
    pub fn len(&self) -> u64 {
        // SAFETY: a live handle.
        unsafe { sys::pager_cold_len(self.0.as_ptr()) }
    }

    /// Whether the handle holds zero bytes.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// `Swap` or `File` (a file pageout that fell back to memory is `Swap`).
    pub fn backend(&self) -> Backend {
        // SAFETY: a live handle.
        Backend::from_c(unsafe { sys::pager_cold_backend_of(self.0.as_ptr()) })
    }

    /// Copies `[offset, offset + dst.len())` into `dst`.
    pub fn read_at(&self, offset: u64, dst: &mut [u8]) -> Result<()> {
        // SAFETY: dst is valid for dst.len() bytes of writes.
        check(unsafe { sys::pager_cold_read_at(self.0.as_ptr(), offset, dst.as_mut_ptr().cast(), dst.len() as u64) })
    }

    /// Copies each `(offset, len)` range into `dst`, one after the other in request order.
    pub fn read_at_many(&self, ranges: &[(u64, u64)], dst: &mut [u8]) -> Result<()> {
        let r: Vec<sys::pager_cold_range> =
            ranges.iter().map(|&(offset, len)| sys::pager_cold_range { offset, len }).collect();
        // SAFETY: r is read and dst written only during the call, within their lengths.
        check(unsafe {
            sys::pager_cold_read_at_many(self.0.as_ptr(), r.as_ptr(), r.len() as u64,
                                         dst.as_mut_ptr().cast(), dst.len() as u64)
        })
    }

    /// The whole content; frees the handle. On failure the handle comes back in the error
    /// tuple, unchanged.
    pub fn take(self) -> std::result::Result<Vec<u8>, (Error, ColdHandle)> {
        let mut buf = vec![0u8; self.len() as usize];
        // SAFETY: buf holds len bytes; on success the library freed the handle.
        let rc = unsafe { sys::pager_cold_take(self.0.as_ptr(), buf.as_mut_ptr().cast(), buf.len() as u64) };
        if rc != crate::code::OK {
            return Err((Error::last(rc), self));
        }
        std::mem::forget(self);
        Ok(buf)
    }
}

impl ColdHandle {
    /// The whole content as a [`ColdBuffer`]; frees the handle. A swap handle holding one
    /// buffer hands it over without a copy (for [`ColdPager::pageout_owned`], the caller's
    /// own `Vec` allocation). On failure the handle comes back in the error tuple.
    ///
    /// ```
    /// use libpager::cold::{ColdOptions, ColdPager};
    /// let pager = ColdPager::open(&ColdOptions::default())?;
    /// let h = pager.pageout(&[b"cold ", b"bytes"])?;
    /// let buf = h.take_buffer().map_err(|(e, _)| e)?;
    /// assert_eq!(&buf[..], b"cold bytes");
    /// # Ok::<(), libpager::Error>(())
    /// ```
    pub fn take_buffer(self) -> std::result::Result<ColdBuffer, (Error, ColdHandle)> {
        let mut out = std::ptr::null_mut();
        // SAFETY: on success the library freed the handle and *out is ours.
        let rc = unsafe { sys::pager_cold_take_buffer(self.0.as_ptr(), &mut out) };
        if rc != crate::code::OK {
            return Err((Error::last(rc), self));
        }
        std::mem::forget(self);
        Ok(ColdBuffer(NonNull::new(out).expect("take_buffer returned OK and NULL")))
    }
}

/// Bytes taken out of a [`ColdHandle`] ([`ColdHandle::take_buffer`]); dereferences to
/// `[u8]` and is released on drop (an owned `Vec` given to
/// [`ColdPager::pageout_owned`] is dropped then).
///
/// ```
/// use libpager::cold::{ColdOptions, ColdPager};
/// let pager = ColdPager::open(&ColdOptions::default())?;
/// let buf = pager.pageout(&[b"xyz"])?.take_buffer().map_err(|(e, _)| e)?;
/// assert_eq!(&*buf, b"xyz");
/// # Ok::<(), libpager::Error>(())
/// ```
pub struct ColdBuffer(NonNull<sys::pager_cold_buffer>);
// The buffer is owned and released by pager_cold_buffer_free from any thread (pager.h).
unsafe impl Send for ColdBuffer {}
unsafe impl Sync for ColdBuffer {}

impl std::ops::Deref for ColdBuffer {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        // SAFETY: data/len of a live buffer, valid until pager_cold_buffer_free (drop).
        unsafe {
            let len = sys::pager_cold_buffer_len(self.0.as_ptr()) as usize;
            let data = sys::pager_cold_buffer_data(self.0.as_ptr());
            if len == 0 || data.is_null() { &[] } else { std::slice::from_raw_parts(data as *const u8, len) }
        }
    }
}

impl std::ops::DerefMut for ColdBuffer {
    fn deref_mut(&mut self) -> &mut [u8] {
        // SAFETY: as deref; &mut self makes this the only view of the owned bytes.
        unsafe {
            let len = sys::pager_cold_buffer_len(self.0.as_ptr()) as usize;
            let data = sys::pager_cold_buffer_data(self.0.as_ptr());
            if len == 0 || data.is_null() { &mut [] } else { std::slice::from_raw_parts_mut(data as *mut u8, len) }
        }
    }
}

impl std::fmt::Debug for ColdBuffer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ColdBuffer({} bytes)", self.len())
    }
}

impl Drop for ColdBuffer {
    fn drop(&mut self) {
        // SAFETY: owned; no view outlives the borrow of self.
        unsafe { sys::pager_cold_buffer_free(self.0.as_ptr()) }
    }
}

impl std::fmt::Debug for ColdHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ColdHandle({} bytes, {:?})", self.len(), self.backend())
    }
}

impl Drop for ColdHandle {
    fn drop(&mut self) {
        // SAFETY: owned.
        unsafe { sys::pager_cold_free(self.0.as_ptr()) }
    }
}

/// One backend's counters (`pager_cold_backend_stats`), part of [`ColdStats`].
///
/// ```
/// use libpager::cold::{ColdOptions, ColdPager};
/// let pager = ColdPager::open(&ColdOptions::default())?;
/// let h = pager.pageout(&[b"abcd"])?;
/// h.read_at(0, &mut [0u8; 2])?;
/// let swap = pager.stats()?.swap;
/// assert_eq!((swap.pageout_count, swap.paged_out_bytes, swap.paged_in_bytes), (1, 4, 2));
/// # Ok::<(), libpager::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct BackendStats {
    /// Handles not yet freed or taken.
    pub live_handle_count: u64,
    /// Their total length.
    pub live_bytes: u64,
    /// Handles ever created.
    pub pageout_count: u64,
    /// Bytes ever paged out.
    pub paged_out_bytes: u64,
    /// Bytes ever returned by reads and takes.
    pub paged_in_bytes: u64,
    /// Storage reads: one per coalesced scratch read (file), one per contiguous copy (swap).
    pub read_count: u64,
}

impl BackendStats {
    fn from_c(c: &sys::pager_cold_backend_stats) -> BackendStats {
        BackendStats {
            live_handle_count: c.live_handle_count,
            live_bytes: c.live_bytes,
            pageout_count: c.pageout_count,
            paged_out_bytes: c.paged_out_bytes,
            paged_in_bytes: c.paged_in_bytes,
            read_count: c.read_count,
        }
    }
}

/// A cold pager's counters (`pager_cold_stats`), from [`ColdPager::stats`].
///
/// ```
/// use libpager::cold::{ColdOptions, ColdPager};
/// let pager = ColdPager::open(&ColdOptions::default())?; // swap backend
/// let h = pager.pageout(&[b"abc"])?;
/// let stats = pager.stats()?;
/// assert_eq!((stats.swap.live_handle_count, stats.swap.live_bytes), (1, 3));
/// println!("{stats:#?}");
/// # drop(h);
/// # Ok::<(), libpager::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct ColdStats {
    /// The swap (memory) backend.
    pub swap: BackendStats,
    /// The file backend.
    pub file: BackendStats,
    /// Scratch extents in use by handles (4 KiB granules).
    pub scratch_allocated_bytes: u64,
    /// Lengths of the scratch files (holes included).
    pub scratch_file_bytes: u64,
    /// Scratch files open.
    pub scratch_file_count: u64,
    /// Extents whose blocks were punched out.
    pub punch_count: u64,
    /// Frees that shortened a scratch file instead.
    pub truncate_count: u64,
    /// File pageouts kept in memory after a write failed.
    pub fallback_count: u64,
    /// Failed scratch writes.
    pub write_error_count: u64,
    /// Failed punches/truncates (space is reused anyway).
    pub release_error_count: u64,
    /// Chunks that failed verification.
    pub checksum_failure_count: u64,
    /// Scratch directories of dead processes removed.
    pub stale_dir_removed_count: u64,
    /// Freed extents kept for reuse, not yet punched.
    pub scratch_retained_bytes: u64,
    /// Frees that went to that reuse pool.
    pub retained_extent_count: u64,
}

impl ColdStats {
    fn from_c(c: &sys::pager_cold_stats) -> ColdStats {
        ColdStats {
            swap: BackendStats::from_c(&c.swap),
            file: BackendStats::from_c(&c.file),
            scratch_allocated_bytes: c.scratch_allocated_bytes,
            scratch_file_bytes: c.scratch_file_bytes,
            scratch_file_count: c.scratch_file_count,
            punch_count: c.punch_count,
            truncate_count: c.truncate_count,
            fallback_count: c.fallback_count,
            write_error_count: c.write_error_count,
            release_error_count: c.release_error_count,
            checksum_failure_count: c.checksum_failure_count,
            stale_dir_removed_count: c.stale_dir_removed_count,
            scratch_retained_bytes: c.scratch_retained_bytes,
            retained_extent_count: c.retained_extent_count,
        }
    }
}

// ---- reaping scratch directories (pager_cold_reap) ---------------------------------------

/// What [`reap`] found for one scratch directory (`PAGER_COLD_SCRATCH_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScratchState {
    /// Its owner process is alive (it holds the lock): kept.
    Live,
    /// Its owner is gone; left in place (`remove` was false).
    Stale,
    /// Its owner was gone; directory and lock file removed.
    Removed,
    /// Its owner was gone, but it could not be removed.
    Failed,
}

/// One scratch directory as [`reap`] reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColdScratch {
    /// The lock file `<root>/libpager-cold-<random>` (the directory is this path plus `.d`).
    pub lock_path: PathBuf,
    /// What was found (and done).
    pub state: ScratchState,
}

unsafe extern "C" fn tr_scratch(ctx: *mut std::ffi::c_void, lock_path: *const std::os::raw::c_char,
                                state: u32) -> std::os::raw::c_int {
    use std::os::unix::ffi::OsStrExt;
    // SAFETY: ctx is the Vec of the running reap call; lock_path is a valid C string during the call.
    let out = unsafe { &mut *(ctx as *mut Vec<ColdScratch>) };
    let bytes = unsafe { std::ffi::CStr::from_ptr(lock_path) }.to_bytes();
    let state = match state {
        sys::PAGER_COLD_SCRATCH_LIVE => ScratchState::Live,
        sys::PAGER_COLD_SCRATCH_STALE => ScratchState::Stale,
        sys::PAGER_COLD_SCRATCH_REMOVED => ScratchState::Removed,
        _ => ScratchState::Failed,
    };
    out.push(ColdScratch { lock_path: PathBuf::from(std::ffi::OsStr::from_bytes(bytes)), state });
    0
}

/// Lists the private scratch directories file-backend cold pagers made under `root`, with
/// the state of each (`pager_cold_reap`): an owner holds a lock on its lock file for the life
/// of the directory, so a directory whose owner process died is [`ScratchState::Stale`]; with
/// `remove` those are removed ([`ScratchState::Removed`]). A live owner is never touched.
/// Entries come in name order. A missing `root` is `NOT_FOUND`.
///
/// ```
/// # let dir = std::env::temp_dir().join(format!("libpager-doc-reap-{}", std::process::id()));
/// # let _ = std::fs::remove_dir_all(&dir);
/// # std::fs::create_dir_all(&dir).unwrap();
/// use libpager::cold::{self, ColdOptions, ColdPager, ScratchState};
/// let pager = ColdPager::open(&ColdOptions { scratch_root: Some(dir.clone()), ..Default::default() })?;
/// let found = cold::reap(&dir, true)?;
/// assert_eq!(found.len(), 1);
/// assert_eq!(found[0].state, ScratchState::Live); // this process owns it: kept
/// drop(pager);
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # Ok::<(), libpager::Error>(())
/// ```
pub fn reap(root: impl AsRef<Path>, remove: bool) -> Result<Vec<ColdScratch>> {
    let p = crate::wal::c_path(root.as_ref())?;
    let mut out: Vec<ColdScratch> = Vec::new();
    // SAFETY: p is only read during the call; ctx is `out`, used only by tr_scratch during it.
    check(unsafe {
        sys::pager_cold_reap(p.as_ptr(), remove as u32, Some(tr_scratch), (&mut out as *mut Vec<ColdScratch>).cast())
    })?;
    Ok(out)
}
