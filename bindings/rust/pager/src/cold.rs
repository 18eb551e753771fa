//! Cold pager (`pager_cold_*`): byte ranges paged out of RAM and read back by range.
//! Not bound: `pager_cold_pageout_owned` (ownership transfer with a free callback) and the
//! taken-buffer API (`take` copies into a `Vec` instead).
//!
//! ```no_run
//! # fn main() -> pager::Result<()> {
//! use pager::cold::{Backend, ColdHandle};
//! pager::cold::set_scratch_dir("/tmp/scratch")?; // once per process (file backend)
//! let h = ColdHandle::pageout_with(Backend::File, &[b"hello ", b"world"], None)?;
//! let mut buf = [0u8; 5];
//! h.read_at(6, &mut buf)?;
//! assert_eq!(&buf, b"world");
//! assert_eq!(h.take().map_err(|(e, _handle)| e)?, b"hello world");
//! # Ok(()) }
//! ```

use std::ffi::CString;
use std::path::Path;
use std::ptr::NonNull;

use crate::{check, sys, Error, Result};

/// Where paged-out bytes live.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// The process default (a per-call choice only).
    Default,
    /// In process memory, advised cold (goes to swap first).
    Swap,
    /// In scratch files under [`set_scratch_dir`].
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

/// Configures the file backend's scratch root (once per process; another root later is
/// `EXISTS`).
pub fn set_scratch_dir(root: impl AsRef<Path>) -> Result<()> {
    let p = crate::wal::c_path(root.as_ref())?;
    // SAFETY: p is only read during the call.
    check(unsafe { sys::pager_cold_set_scratch_dir(p.as_ptr()) })
}

/// This process's private scratch directory (empty before [`set_scratch_dir`]).
pub fn scratch_dir() -> Result<String> {
    let mut len = 0usize;
    // SAFETY: dst NULL with cap 0 is allowed; len is a valid out-parameter.
    let rc = unsafe { sys::pager_cold_scratch_dir(std::ptr::null_mut(), 0, &mut len) };
    if rc != crate::code::OK && rc != crate::code::RANGE {
        return Err(Error::last(rc));
    }
    let mut buf = vec![0u8; len + 1];
    // SAFETY: buf holds len + 1 writable bytes.
    check(unsafe { sys::pager_cold_scratch_dir(buf.as_mut_ptr().cast(), buf.len(), &mut len) })?;
    buf.truncate(len);
    Ok(CString::new(buf).map(|c| c.to_string_lossy().into_owned()).unwrap_or_default())
}

/// Sets the process default backend (`Swap` or `File`).
pub fn set_backend(backend: Backend) -> Result<()> {
    // SAFETY: no pointers.
    check(unsafe { sys::pager_cold_set_backend(backend.to_c()) })
}

/// The process default backend.
pub fn backend() -> Backend {
    // SAFETY: no pointers.
    Backend::from_c(unsafe { sys::pager_cold_backend() })
}

/// Pageout options (`pager_cold_pageout_options`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PageoutOptions {
    /// File backend: checksum every chunk, verify each chunk a read touches.
    pub checksums: bool,
    /// Keep the bytes in memory if writing to scratch storage fails.
    pub fallback_to_memory: bool,
}

/// Paged-out bytes. Reads may run concurrently (`Sync`); `take` and drop consume it.
pub struct ColdHandle(NonNull<sys::pager_cold_handle>);
// pager.h: reads of one handle may run concurrently; take/free need ownership here.
unsafe impl Send for ColdHandle {}
unsafe impl Sync for ColdHandle {}

impl ColdHandle {
    /// Copies the concatenation of `chunks` out to the process default backend.
    pub fn pageout(chunks: &[&[u8]]) -> Result<ColdHandle> {
        Self::pageout_with(Backend::Default, chunks, None)
    }

    /// Copies the concatenation of `chunks` out to `backend`.
    pub fn pageout_with(backend: Backend, chunks: &[&[u8]], opts: Option<&PageoutOptions>) -> Result<ColdHandle> {
        let c: Vec<sys::pager_cold_chunk> = chunks
            .iter()
            .map(|s| sys::pager_cold_chunk { data: s.as_ptr().cast(), len: s.len() as u64 })
            .collect();
        // SAFETY: all-zero is valid; init fills it.
        let mut o: sys::pager_cold_pageout_options = unsafe { std::mem::zeroed() };
        // SAFETY: o is a valid out-struct.
        unsafe { sys::pager_cold_pageout_options_init(&mut o) };
        if let Some(opts) = opts {
            o.checksums = opts.checksums as u32;
            o.fallback_to_memory = opts.fallback_to_memory as u32;
        }
        let mut out = std::ptr::null_mut();
        // SAFETY: the chunk array and the bytes it points to are only read during the call.
        check(unsafe { sys::pager_cold_pageout_with(backend.to_c(), c.as_ptr(), c.len() as u64, &o, &mut out) })?;
        Ok(ColdHandle(NonNull::new(out).expect("pageout returned OK and NULL")))
    }

    /// Length in bytes.
    pub fn len(&self) -> u64 {
        // SAFETY: a live handle.
        unsafe { sys::pager_cold_len(self.0.as_ptr()) }
    }

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
        check(unsafe { sys::pager_cold_read_at(self.0.as_ptr(), offset, dst.len() as u64, dst.as_mut_ptr().cast()) })
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

/// Process-wide counters (`pager_cold_stats`).
pub type ColdStats = sys::pager_cold_stats;

pub fn stats() -> Result<ColdStats> {
    // SAFETY: all-zero is a valid struct.
    let mut s: ColdStats = unsafe { std::mem::zeroed() };
    s.struct_size = std::mem::size_of::<ColdStats>() as u32;
    // SAFETY: a valid out-struct of struct_size bytes.
    check(unsafe { sys::pager_cold_stats_get(&mut s) })?;
    Ok(s)
}
