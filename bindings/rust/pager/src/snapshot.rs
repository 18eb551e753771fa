//! KV-cache snapshots (`pager_snapshot_*`) of the shipped reference engine
//! (`pager_refengine_*`): capture, restore, verify and inspect; and engines written in
//! Rust: implement [`Engine`] and call [`capture`] / [`restore`] (the trait is turned into a
//! `pager_cache_ops` table of trampolines; panics never cross the C boundary). The progress
//! callback is the `progress` argument of the `*_with_progress` calls; `capture_fd` writes to
//! an open descriptor.
//!
//! ```
//! # fn main() -> libpager::Result<()> {
//! # let dir = std::env::temp_dir().join(format!("libpager-doc-snapshot-{}", std::process::id()));
//! # let _ = std::fs::remove_dir_all(&dir);
//! # std::fs::create_dir_all(&dir).unwrap();
//! use libpager::snapshot::{CacheMeta, Dtype, RefEngine};
//! let meta = CacheMeta { tokens_per_page: 16, layers: 2, kv_heads: 2, head_dim: 64, dtype: Dtype::F16 };
//! let src = RefEngine::new(&meta, 64)?;
//! let slot = src.alloc_page()?;
//! src.set_seq(b"req-1", &[slot], 5)?;
//! src.capture(dir.join("kv.snap"), None)?;
//! let dst = RefEngine::new(&meta, 64)?;
//! dst.restore(dir.join("kv.snap"), None)?;
//! assert_eq!(src.fingerprint()?, dst.fingerprint()?);
//! # std::fs::remove_dir_all(&dir).unwrap();
//! # Ok(()) }
//! ```

use std::ffi::CString;
use std::path::{Path, PathBuf};
use std::ptr::NonNull;

use crate::wal::c_path;
use crate::{check, sys, Result};

/// Element type of the cache.
///
/// ```
/// use libpager::snapshot::{CacheMeta, Dtype};
/// let m = CacheMeta { tokens_per_page: 16, layers: 1, kv_heads: 1, head_dim: 64, dtype: Dtype::Bf16 };
/// assert_eq!(m.page_bytes()?, (16 * 64 * 2, 16 * 64 * 2)); // K and V bytes per page
/// # Ok::<(), libpager::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dtype {
    /// bfloat16.
    Bf16,
    /// IEEE half precision.
    F16,
    /// IEEE single precision.
    F32,
    /// 8-bit float, E4M3.
    Fp8E4m3,
    /// A value this binding does not name.
    Other(u32),
}

impl Dtype {
    fn to_c(self) -> u32 {
        match self {
            Dtype::Bf16 => sys::PAGER_DTYPE_BF16,
            Dtype::F16 => sys::PAGER_DTYPE_F16,
            Dtype::F32 => sys::PAGER_DTYPE_F32,
            Dtype::Fp8E4m3 => sys::PAGER_DTYPE_FP8_E4M3,
            Dtype::Other(v) => v,
        }
    }
    fn from_c(v: u32) -> Dtype {
        match v {
            sys::PAGER_DTYPE_BF16 => Dtype::Bf16,
            sys::PAGER_DTYPE_F16 => Dtype::F16,
            sys::PAGER_DTYPE_F32 => Dtype::F32,
            sys::PAGER_DTYPE_FP8_E4M3 => Dtype::Fp8E4m3,
            v => Dtype::Other(v),
        }
    }
}

/// The geometry of a paged KV cache.
///
/// ```
/// use libpager::snapshot::{CacheMeta, Dtype, RefEngine};
/// let m = CacheMeta { tokens_per_page: 8, layers: 2, kv_heads: 4, head_dim: 32, dtype: Dtype::F32 };
/// assert_eq!(RefEngine::new(&m, 1)?.meta()?, m);
/// # Ok::<(), libpager::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CacheMeta {
    /// Tokens per KV page.
    pub tokens_per_page: u32,
    /// Transformer layers.
    pub layers: u32,
    /// KV heads per layer.
    pub kv_heads: u32,
    /// Elements per head.
    pub head_dim: u32,
    /// Element type.
    pub dtype: Dtype,
}

impl CacheMeta {
    fn to_c(self) -> sys::pager_cache_meta {
        // SAFETY: all-zero is valid; init sets struct_size.
        let mut c: sys::pager_cache_meta = unsafe { std::mem::zeroed() };
        // SAFETY: c is a valid out-struct.
        unsafe { sys::pager_cache_meta_init(&mut c) };
        c.tokens_per_page = self.tokens_per_page;
        c.layers = self.layers;
        c.kv_heads = self.kv_heads;
        c.head_dim = self.head_dim;
        c.dtype = self.dtype.to_c();
        c
    }
    fn from_c(c: &sys::pager_cache_meta) -> CacheMeta {
        CacheMeta {
            tokens_per_page: c.tokens_per_page,
            layers: c.layers,
            kv_heads: c.kv_heads,
            head_dim: c.head_dim,
            dtype: Dtype::from_c(c.dtype),
        }
    }
    /// (bytes of one K page, bytes of one V page).
    pub fn page_bytes(&self) -> Result<(u64, u64)> {
        let c = self.to_c();
        let (mut k, mut v) = (0, 0);
        // SAFETY: valid struct and out-parameters.
        check(unsafe { sys::pager_cache_meta_page_bytes(&c, &mut k, &mut v) })?;
        Ok((k, v))
    }
}

/// How a capture stores page bytes (`PAGER_SNAPSHOT_COMPRESS_*`); see [`SnapshotOptions`].
///
/// ```
/// use libpager::snapshot::{Compression, SnapshotOptions};
/// let o = SnapshotOptions { compression: Compression::Zstd, zstd_level: 9, ..Default::default() };
/// assert_eq!(SnapshotOptions::default().compression, Compression::None);
/// # let _ = o;
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
#[non_exhaustive]
pub enum Compression {
    /// As they are (the default).
    #[default]
    None,
    /// zstd at `SnapshotOptions::zstd_level`.
    Zstd,
}

impl Compression {
    fn to_c(self) -> u32 {
        match self {
            Compression::None => sys::PAGER_SNAPSHOT_COMPRESS_NONE,
            Compression::Zstd => sys::PAGER_SNAPSHOT_COMPRESS_ZSTD,
        }
    }
}

/// Capture/restore options (the progress callback is the `progress` argument of the
/// `*_with_progress` calls).
///
/// ```
/// # let dir = std::env::temp_dir().join(format!("libpager-doc-snapopts-{}", std::process::id()));
/// # let _ = std::fs::remove_dir_all(&dir);
/// # std::fs::create_dir_all(&dir).unwrap();
/// use libpager::snapshot::{CacheMeta, Compression, Dtype, RefEngine, SnapshotOptions};
/// let m = CacheMeta { tokens_per_page: 8, layers: 1, kv_heads: 1, head_dim: 32, dtype: Dtype::F16 };
/// let e = RefEngine::new(&m, 4)?;
/// let s = e.alloc_page()?;
/// e.set_seq(b"a", &[s], 8)?;
/// e.capture(dir.join("full.snap"), None)?;
/// let incr = SnapshotOptions { parent_path: Some(dir.join("full.snap")), compression: Compression::Zstd, ..Default::default() };
/// e.capture(dir.join("incr.snap"), Some(&incr))?;
/// let info = libpager::snapshot::inspect(dir.join("incr.snap"))?;
/// assert_eq!((info.page_count, info.stored_page_count), (1, 0)); // the page is in the parent
/// assert_ne!(info.parent_snapshot_id, 0);
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # Ok::<(), libpager::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SnapshotOptions {
    /// Capture: how page bytes are stored (default [`Compression::None`]).
    pub compression: Compression,
    /// 0: the default level.
    pub zstd_level: i32,
    /// 0: up to 4 worker threads.
    pub threads: u32,
    /// Restore into an engine that already holds pages.
    pub allow_nonempty: bool,
    /// Capture incrementally against this parent snapshot.
    pub parent_path: Option<PathBuf>,
    /// Capture: when every occupied page fits in this many bytes, pages are copied out while
    /// the engine is paused, the engine is resumed, and only then is the file written.
    /// 0 (the default): the engine stays paused while the pages are written.
    pub copy_out_budget_bytes: u64,
    /// [`RefEngine::capture_fd`] / [`capture_fd`]: fsync the descriptor at the end.
    pub sync_fd: bool,
}

/// A progress callback for the `*_with_progress` calls: called with (bytes done, bytes
/// total), one call at a time; return `false` to cancel (the call then fails with
/// [`crate::ErrorCode::Cancelled`]). A panic in it cancels the call and is resumed after it.
///
/// ```
/// let mut calls = 0;
/// let progress: libpager::snapshot::Progress<'_> = &mut |done, total| { calls += 1; done < total / 2 };
/// assert!(progress(1, 10)); // keep going
/// assert!(!progress(6, 10)); // cancel
/// assert_eq!(calls, 2);
/// ```
pub type Progress<'a> = &'a mut (dyn FnMut(u64, u64) -> bool + Send);

struct ProgressCtx<'a, 'b> {
    f: &'b mut Progress<'a>,
    panic: Option<Box<dyn std::any::Any + Send>>,
}

unsafe extern "C" fn tr_progress(ctx: *mut std::ffi::c_void, done: u64, total: u64) -> std::os::raw::c_int {
    // SAFETY: ctx is the ProgressCtx of the running call (with_opts), used by one call at a time.
    let ctx = unsafe { &mut *(ctx as *mut ProgressCtx<'_, '_>) };
    if ctx.panic.is_some() {
        return 1;
    }
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| (ctx.f)(done, total))) {
        Ok(true) => 0,
        Ok(false) => 1,
        Err(payload) => {
            ctx.panic = Some(payload);
            1
        }
    }
}

/// Runs `f` with the C options (NULL for `None` without progress); the parent path and the
/// progress context live through the call. A panic of the progress callback is resumed.
fn with_opts<T>(opts: Option<&SnapshotOptions>, mut progress: Option<Progress<'_>>,
                f: impl FnOnce(*const sys::pager_snapshot_options) -> T) -> Result<T> {
    if opts.is_none() && progress.is_none() {
        return Ok(f(std::ptr::null()));
    }
    let default = SnapshotOptions::default();
    let o = opts.unwrap_or(&default);
    // SAFETY: all-zero is valid; init fills it.
    let mut c: sys::pager_snapshot_options = unsafe { std::mem::zeroed() };
    // SAFETY: c is a valid out-struct.
    unsafe { sys::pager_snapshot_options_init(&mut c) };
    c.compression = o.compression.to_c();
    if o.zstd_level != 0 {
        c.zstd_level = o.zstd_level;
    }
    c.threads = o.threads;
    c.allow_nonempty = o.allow_nonempty as u32;
    c.sync_fd = o.sync_fd as u32;
    c.copy_out_budget_bytes = o.copy_out_budget_bytes;
    let parent: Option<CString> = o.parent_path.as_deref().map(c_path).transpose()?;
    if let Some(p) = &parent {
        c.parent_path = p.as_ptr();
    }
    let mut ctx = progress.as_mut().map(|f| ProgressCtx { f, panic: None });
    if let Some(ctx) = ctx.as_mut() {
        c.progress = Some(tr_progress);
        c.progress_ctx = ctx as *mut ProgressCtx<'_, '_> as *mut std::ffi::c_void;
    }
    let r = f(&c);
    if let Some(p) = ctx.and_then(|c| c.panic) {
        std::panic::resume_unwind(p);
    }
    Ok(r)
}

/// The library's in-memory reference KV-cache engine. Calls are serialized by the library.
///
/// ```
/// use libpager::snapshot::{CacheMeta, Dtype, RefEngine};
/// let m = CacheMeta { tokens_per_page: 4, layers: 1, kv_heads: 1, head_dim: 8, dtype: Dtype::F16 };
/// let e = RefEngine::new(&m, 2)?;
/// let (kb, vb) = m.page_bytes()?;
/// let slot = e.alloc_page()?;
/// e.write_page(slot, &vec![1; kb as usize], &vec![2; vb as usize])?;
/// let (mut k, mut v) = (vec![0; kb as usize], vec![0; vb as usize]);
/// e.read_page(slot, &mut k, &mut v)?;
/// assert_eq!((k[0], v[0]), (1, 2));
/// e.set_seq(b"s", &[slot], 4)?;
/// assert_eq!(e.seq(b"s")?, (vec![slot], 4));
/// e.remove_seq(b"s")?;
/// e.free_page(slot)?;
/// assert_eq!((e.capacity_pages()?, e.stats()?.occupied_pages), (2, 0));
/// e.fail_callback("read_page", 0, -5)?; // fault injection for tests
/// # Ok::<(), libpager::Error>(())
/// ```
pub struct RefEngine(NonNull<sys::pager_refengine>);
// pager.h: "A handle may be used from several threads (calls are serialized)."
unsafe impl Send for RefEngine {}
unsafe impl Sync for RefEngine {}

impl RefEngine {
    /// An engine of `capacity_pages` free, zeroed slots.
    pub fn new(meta: &CacheMeta, capacity_pages: u32) -> Result<RefEngine> {
        let c = meta.to_c();
        let mut out = std::ptr::null_mut();
        // SAFETY: c lives through the call; out receives an owned engine.
        check(unsafe { sys::pager_refengine_create(&c, capacity_pages, &mut out) })?;
        Ok(RefEngine(NonNull::new(out).expect("refengine_create returned OK and NULL")))
    }
    fn raw(&self) -> *mut sys::pager_refengine {
        self.0.as_ptr()
    }
    /// Occupies the lowest free slot.
    pub fn alloc_page(&self) -> Result<u32> {
        let mut slot = 0;
        // SAFETY: valid out-parameter.
        check(unsafe { sys::pager_refengine_alloc_page(self.raw(), &mut slot) })?;
        Ok(slot)
    }
    /// Frees an occupied slot.
    pub fn free_page(&self, slot: u32) -> Result<()> {
        // SAFETY: a live engine.
        check(unsafe { sys::pager_refengine_free_page(self.raw(), slot) })
    }
    /// Stores a page (each of k and v exactly the meta's page bytes).
    pub fn write_page(&self, slot: u32, k: &[u8], v: &[u8]) -> Result<()> {
        // SAFETY: k and v are only read during the call.
        check(unsafe {
            sys::pager_refengine_write_page(self.raw(), slot, k.as_ptr().cast(), k.len() as u64,
                                            v.as_ptr().cast(), v.len() as u64)
        })
    }
    /// Copies a page's K and V bytes out (each exactly the meta's page bytes).
    pub fn read_page(&self, slot: u32, k: &mut [u8], v: &mut [u8]) -> Result<()> {
        // SAFETY: k and v are valid for their lengths of writes.
        check(unsafe {
            sys::pager_refengine_read_page(self.raw(), slot, k.as_mut_ptr().cast(), k.len() as u64,
                                           v.as_mut_ptr().cast(), v.len() as u64)
        })
    }
    /// Adds or replaces sequence `id` with the given occupied pages.
    pub fn set_seq(&self, id: &[u8], pages: &[u32], fill_last_page: u32) -> Result<()> {
        // SAFETY: id and pages are only read during the call.
        check(unsafe {
            sys::pager_refengine_set_seq(self.raw(), id.as_ptr().cast(), id.len() as u64,
                                         pages.as_ptr(), pages.len() as u64, fill_last_page)
        })
    }
    /// Removes sequence `id` (its pages stay occupied).
    pub fn remove_seq(&self, id: &[u8]) -> Result<()> {
        // SAFETY: id only read during the call.
        check(unsafe { sys::pager_refengine_remove_seq(self.raw(), id.as_ptr().cast(), id.len() as u64) })
    }
    /// (the pages of sequence `id`, the fill of its last page).
    pub fn seq(&self, id: &[u8]) -> Result<(Vec<u32>, u32)> {
        let (mut n, mut fill) = (0u64, 0u32);
        // SAFETY: capacity 0 with NULL pages asks for the length.
        check(unsafe {
            sys::pager_refengine_get_seq(self.raw(), id.as_ptr().cast(), id.len() as u64,
                                         std::ptr::null_mut(), 0, &mut n, &mut fill)
        })?;
        let mut pages = vec![0u32; n as usize];
        // SAFETY: pages holds n writable slots.
        check(unsafe {
            sys::pager_refengine_get_seq(self.raw(), id.as_ptr().cast(), id.len() as u64,
                                         pages.as_mut_ptr(), pages.len() as u64, &mut n, &mut fill)
        })?;
        pages.truncate(n as usize);
        Ok((pages, fill))
    }
    /// Occupied slots, sequences, and whether the engine is paused.
    pub fn stats(&self) -> Result<RefEngineStats> {
        // SAFETY: all-zero is valid; init sets struct_size.
        let mut c: sys::pager_refengine_stats = unsafe { std::mem::zeroed() };
        // SAFETY: c is a valid result struct.
        unsafe { sys::pager_refengine_stats_init(&mut c) };
        // SAFETY: as above.
        check(unsafe { sys::pager_refengine_get_stats(self.raw(), &mut c) })?;
        Ok(RefEngineStats { occupied_pages: c.occupied_pages, seq_count: c.seq_count, paused: c.paused != 0 })
    }
    /// The engine's cache geometry.
    pub fn meta(&self) -> Result<CacheMeta> {
        let mut c = CacheMeta { tokens_per_page: 0, layers: 0, kv_heads: 0, head_dim: 0, dtype: Dtype::F16 }.to_c();
        // SAFETY: c is a valid result struct (struct_size set by init).
        check(unsafe { sys::pager_refengine_meta(self.raw(), &mut c) })?;
        Ok(CacheMeta::from_c(&c))
    }
    /// The number of slots the engine was created with.
    pub fn capacity_pages(&self) -> Result<u32> {
        let mut n = 0;
        // SAFETY: valid out-parameter.
        check(unsafe { sys::pager_refengine_capacity_pages(self.raw(), &mut n) })?;
        Ok(n)
    }
    /// XXH3-64 over the logical content, independent of slot placement.
    pub fn fingerprint(&self) -> Result<u64> {
        let mut f = 0;
        // SAFETY: valid out-parameter.
        check(unsafe { sys::pager_refengine_fingerprint(self.raw(), &mut f) })?;
        Ok(f)
    }
    /// Fault injection: the next call of callback `name` after `skip` successful ones
    /// returns `adapter_code`.
    pub fn fail_callback(&self, name: &str, skip: u32, adapter_code: i32) -> Result<()> {
        let n = CString::new(name).map_err(|_| crate::Error {
            code: crate::ErrorCode::Invalid,
            message: "callback name contains a NUL byte".into(),
        })?;
        // SAFETY: n only read during the call.
        check(unsafe { sys::pager_refengine_fail_callback(self.raw(), n.as_ptr(), skip, adapter_code) })
    }
    fn ops(&self) -> Result<sys::pager_cache_ops> {
        // SAFETY: all-zero is a valid ops table (struct_size and callbacks are filled in).
        let mut ops: sys::pager_cache_ops = unsafe { std::mem::zeroed() };
        // SAFETY: valid out-struct.
        check(unsafe { sys::pager_refengine_ops(self.raw(), &mut ops) })?;
        Ok(ops)
    }
    /// Writes a snapshot of this engine to `path` (atomically replaced).
    pub fn capture(&self, path: impl AsRef<Path>, opts: Option<&SnapshotOptions>) -> Result<()> {
        self.capture_impl(path.as_ref(), opts, None)
    }
    /// [`RefEngine::capture`] reporting progress (bytes = page bytes read from the engine);
    /// `progress` returning `false` cancels it (`Cancelled`; `path` untouched).
    ///
    /// ```
    /// use libpager::snapshot::{CacheMeta, Dtype, RefEngine};
    /// # let path = std::env::temp_dir().join(format!("pager-doc-progress-{}.snap", std::process::id()));
    /// let meta = CacheMeta { tokens_per_page: 16, layers: 2, kv_heads: 2, head_dim: 64, dtype: Dtype::F16 };
    /// let e = RefEngine::new(&meta, 8)?;
    /// let slot = e.alloc_page()?;
    /// e.set_seq(b"s", &[slot], 1)?;
    /// let mut last = (0, 0);
    /// e.capture_with_progress(&path, None, &mut |done, total| { last = (done, total); true })?;
    /// assert_eq!(last.0, last.1);
    /// let err = e.capture_with_progress(&path, None, &mut |_, _| false).unwrap_err();
    /// assert_eq!(err.code, libpager::ErrorCode::Cancelled);
    /// # std::fs::remove_file(&path).unwrap();
    /// # Ok::<(), libpager::Error>(())
    /// ```
    ///
    /// Closing (dropping) the engine from inside its own progress callback -- a deadlock in
    /// Go before 0.3, an `IllegalStateException` in Java -- does not compile: the call
    /// borrows the engine for its whole duration, so the callback cannot move it out
    /// (E0505, E0502).
    ///
    /// ```compile_fail
    /// use libpager::snapshot::{CacheMeta, Dtype, RefEngine};
    /// let meta = CacheMeta { tokens_per_page: 16, layers: 1, kv_heads: 1, head_dim: 64, dtype: Dtype::F16 };
    /// let e = RefEngine::new(&meta, 8)?;
    /// e.capture_with_progress("x.snap", None, &mut |_, _| { drop(e); true })?;
    /// # Ok::<(), libpager::Error>(())
    /// ```
    ///
    /// ```compile_fail
    /// use libpager::snapshot::{CacheMeta, Dtype, RefEngine};
    /// let meta = CacheMeta { tokens_per_page: 16, layers: 1, kv_heads: 1, head_dim: 64, dtype: Dtype::F16 };
    /// let mut slot = Some(RefEngine::new(&meta, 8)?);
    /// let e = slot.as_ref().unwrap();
    /// e.capture_with_progress("x.snap", None, &mut |_, _| { slot = None; true })?; // drops it
    /// # Ok::<(), libpager::Error>(())
    /// ```
    pub fn capture_with_progress(&self, path: impl AsRef<Path>, opts: Option<&SnapshotOptions>,
                                 progress: Progress<'_>) -> Result<()> {
        self.capture_impl(path.as_ref(), opts, Some(progress))
    }
    fn capture_impl(&self, path: &Path, opts: Option<&SnapshotOptions>, progress: Option<Progress<'_>>) -> Result<()> {
        let p = c_path(path)?;
        let ops = self.ops()?;
        // SAFETY: the ops point at this engine, alive through the call.
        check(with_opts(opts, progress, |o| unsafe { sys::pager_snapshot_capture(&ops, p.as_ptr(), o) })?)
    }
    /// Writes the snapshot sequentially to an open descriptor (a pipe, a socket, or a regular
    /// file from offset 0): no temporary file, no rename; the descriptor stays the caller's
    /// (fsynced only with `opts.sync_fd`).
    ///
    /// ```
    /// use libpager::snapshot::{CacheMeta, Dtype, RefEngine};
    /// # let path = std::env::temp_dir().join(format!("pager-doc-fd-{}.snap", std::process::id()));
    /// let meta = CacheMeta { tokens_per_page: 16, layers: 1, kv_heads: 1, head_dim: 64, dtype: Dtype::F32 };
    /// let e = RefEngine::new(&meta, 4)?;
    /// let file = std::fs::File::create(&path).unwrap();
    /// e.capture_fd(&file, None)?;
    /// drop(file);
    /// libpager::snapshot::verify(&path)?;
    /// # std::fs::remove_file(&path).unwrap();
    /// # Ok::<(), libpager::Error>(())
    /// ```
    pub fn capture_fd(&self, fd: impl std::os::fd::AsFd, opts: Option<&SnapshotOptions>) -> Result<()> {
        use std::os::fd::AsRawFd;
        let fd = fd.as_fd();
        let ops = self.ops()?;
        // SAFETY: the ops point at this engine; fd stays open (borrowed) through the call.
        check(with_opts(opts, None, |o| unsafe { sys::pager_snapshot_capture_fd(&ops, fd.as_raw_fd(), o) })?)
    }
    /// Verifies the snapshot at `path` and restores it into this engine.
    pub fn restore(&self, path: impl AsRef<Path>, opts: Option<&SnapshotOptions>) -> Result<()> {
        self.restore_impl(path.as_ref(), opts, None)
    }
    /// [`RefEngine::restore`] reporting progress (bytes = stored bytes verified plus page bytes
    /// written); `false` cancels while verifying (`Cancelled`; the engine untouched).
    pub fn restore_with_progress(&self, path: impl AsRef<Path>, opts: Option<&SnapshotOptions>,
                                 progress: Progress<'_>) -> Result<()> {
        self.restore_impl(path.as_ref(), opts, Some(progress))
    }
    fn restore_impl(&self, path: &Path, opts: Option<&SnapshotOptions>, progress: Option<Progress<'_>>) -> Result<()> {
        let p = c_path(path)?;
        let ops = self.ops()?;
        // SAFETY: as capture.
        check(with_opts(opts, progress, |o| unsafe { sys::pager_snapshot_restore(&ops, p.as_ptr(), o) })?)
    }
}

/// What [`RefEngine::stats`] reports (`pager_refengine_stats`).
///
/// ```
/// use libpager::snapshot::{CacheMeta, Dtype, RefEngine};
/// let m = CacheMeta { tokens_per_page: 4, layers: 1, kv_heads: 1, head_dim: 8, dtype: Dtype::F16 };
/// let e = RefEngine::new(&m, 2)?;
/// e.alloc_page()?;
/// let s = e.stats()?;
/// assert_eq!((s.occupied_pages, s.seq_count, s.paused), (1, 0, false));
/// # Ok::<(), libpager::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RefEngineStats {
    /// Slots occupied.
    pub occupied_pages: u64,
    /// Sequences held.
    pub seq_count: u64,
    /// Whether a capture paused the engine and has not resumed it.
    pub paused: bool,
}

impl std::fmt::Debug for RefEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut d = f.debug_struct("RefEngine");
        if let (Ok(cap), Ok(stats)) = (self.capacity_pages(), self.stats()) {
            d.field("capacity_pages", &cap).field("stats", &stats);
        }
        d.finish_non_exhaustive()
    }
}

impl Drop for RefEngine {
    fn drop(&mut self) {
        // SAFETY: owned; capture/restore borrow self, so none is running.
        unsafe { sys::pager_refengine_free(self.raw()) }
    }
}

/// Checks every checksum of the snapshot at `path` and of its parent chain.
///
/// ```
/// # let dir = std::env::temp_dir().join(format!("libpager-doc-verify-{}", std::process::id()));
/// # let _ = std::fs::remove_dir_all(&dir);
/// # std::fs::create_dir_all(&dir).unwrap();
/// std::fs::write(dir.join("junk.snap"), b"not a snapshot").unwrap();
/// assert_eq!(libpager::snapshot::verify(dir.join("junk.snap")).unwrap_err().code, libpager::ErrorCode::Corrupt);
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # Ok::<(), libpager::Error>(())
/// ```
pub fn verify(path: impl AsRef<Path>) -> Result<()> {
    let p = c_path(path.as_ref())?;
    // SAFETY: p only read during the call; NULL options are the defaults.
    check(unsafe { sys::pager_snapshot_verify(p.as_ptr(), std::ptr::null()) })
}

/// What [`inspect`] reports.
///
/// ```
/// # let dir = std::env::temp_dir().join(format!("libpager-doc-info-{}", std::process::id()));
/// # let _ = std::fs::remove_dir_all(&dir);
/// # std::fs::create_dir_all(&dir).unwrap();
/// use libpager::snapshot::{CacheMeta, Dtype, RefEngine};
/// let m = CacheMeta { tokens_per_page: 4, layers: 1, kv_heads: 1, head_dim: 8, dtype: Dtype::F16 };
/// let e = RefEngine::new(&m, 2)?;
/// e.capture(dir.join("s.snap"), None)?;
/// let info = libpager::snapshot::inspect(dir.join("s.snap"))?;
/// assert_eq!((info.meta, info.page_count, info.seq_count), (m, 0, 0));
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # Ok::<(), libpager::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SnapshotInfo {
    /// The file's format version.
    pub format_version: u32,
    /// The cache geometry.
    pub meta: CacheMeta,
    /// Bytes of one K page.
    pub k_page_bytes: u64,
    /// Bytes of one V page.
    pub v_page_bytes: u64,
    /// Pages in the snapshot (stored here or in a parent).
    pub page_count: u64,
    /// Pages stored in this file.
    pub stored_page_count: u64,
    /// Sequences.
    pub seq_count: u64,
    /// File length in bytes.
    pub file_bytes: u64,
    /// This snapshot's id.
    pub snapshot_id: u64,
    /// The parent's id (0: a full snapshot).
    pub parent_snapshot_id: u64,
}

/// Geometry, counts and ids of the snapshot at `path` (page bytes are not verified).
///
/// ```
/// # let dir = std::env::temp_dir().join(format!("libpager-doc-inspect-{}", std::process::id()));
/// # let _ = std::fs::remove_dir_all(&dir);
/// # std::fs::create_dir_all(&dir).unwrap();
/// use libpager::snapshot::{CacheMeta, Dtype, RefEngine};
/// let m = CacheMeta { tokens_per_page: 4, layers: 1, kv_heads: 1, head_dim: 8, dtype: Dtype::F16 };
/// let e = RefEngine::new(&m, 2)?;
/// let s = e.alloc_page()?;
/// e.set_seq(b"q", &[s], 2)?;
/// e.capture(dir.join("s.snap"), None)?;
/// let info = libpager::snapshot::inspect(dir.join("s.snap"))?;
/// assert_eq!((info.page_count, info.seq_count, info.parent_snapshot_id), (1, 1, 0));
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # Ok::<(), libpager::Error>(())
/// ```
pub fn inspect(path: impl AsRef<Path>) -> Result<SnapshotInfo> {
    let p = c_path(path.as_ref())?;
    // SAFETY: all-zero is valid; init sets struct_size.
    let mut i: sys::pager_snapshot_info = unsafe { std::mem::zeroed() };
    // SAFETY: valid out-structs.
    unsafe { sys::pager_snapshot_info_init(&mut i) };
    check(unsafe { sys::pager_snapshot_inspect(p.as_ptr(), &mut i) })?;
    Ok(SnapshotInfo {
        format_version: i.format_version,
        meta: CacheMeta::from_c(&i.meta),
        k_page_bytes: i.k_page_bytes,
        v_page_bytes: i.v_page_bytes,
        page_count: i.page_count,
        stored_page_count: i.stored_page_count,
        seq_count: i.seq_count,
        file_bytes: i.file_bytes,
        snapshot_id: i.snapshot_id,
        parent_snapshot_id: i.parent_snapshot_id,
    })
}

/// One entry of a snapshot's page table, as [`list`] reports it (`pager_snapshot_page`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SnapshotPage {
    /// Position in the page table (what sequences refer to).
    pub index: u64,
    /// The slot the page had in the captured engine (informative).
    pub engine_page: u32,
    /// The stored bytes are one zstd frame of K || V (`PAGER_SNAPSHOT_PAGE_COMPRESSED`).
    pub compressed: bool,
    /// No bytes in this file: the parent chain holds the content (`PAGER_SNAPSHOT_PAGE_IN_PARENT`).
    pub in_parent: bool,
    /// File offset of the stored bytes (0 when in a parent).
    pub offset_bytes: u64,
    /// Length of the stored bytes (0 when in a parent).
    pub stored_bytes: u64,
    /// XXH3-64 of the stored bytes (0 when in a parent).
    pub stored_checksum: u64,
    /// XXH3-128 of the uncompressed K page || V page, low and high halves: equal hashes mean
    /// equal content, across snapshots too.
    pub content_hash: (u64, u64),
}

/// One sequence of a snapshot, as [`list`] reports it (`pager_snapshot_seq`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotSeq {
    /// The sequence id.
    pub id: Vec<u8>,
    /// Page-table positions of its pages, in order.
    pub pages: Vec<u32>,
    /// Tokens in its last page.
    pub fill_last_page: u32,
}

/// The page table and sequence table of a snapshot ([`list`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SnapshotListing {
    /// Every page-table entry, in order.
    pub pages: Vec<SnapshotPage>,
    /// Every sequence, in order.
    pub seqs: Vec<SnapshotSeq>,
}

/// Reads the field at `$f` of a C8 result struct only if `struct_size` covers it.
macro_rules! c8_field {
    ($s:expr, $f:ident, $ty:ty) => {{
        let end = std::mem::offset_of!($ty, $f) + std::mem::size_of_val(&$s.$f);
        if ($s.struct_size as usize) >= end { $s.$f } else { Default::default() }
    }};
}

unsafe extern "C" fn tr_list_page(ctx: *mut std::ffi::c_void, page: *const sys::pager_snapshot_page) -> std::os::raw::c_int {
    // SAFETY: ctx is the SnapshotListing of the running list call; page is valid during the call.
    let out = unsafe { &mut *(ctx as *mut SnapshotListing) };
    let p = unsafe { &*page };
    let flags: u32 = c8_field!(p, flags, sys::pager_snapshot_page);
    out.pages.push(SnapshotPage {
        index: c8_field!(p, index, sys::pager_snapshot_page),
        engine_page: c8_field!(p, engine_page, sys::pager_snapshot_page),
        compressed: flags & sys::PAGER_SNAPSHOT_PAGE_COMPRESSED != 0,
        in_parent: flags & sys::PAGER_SNAPSHOT_PAGE_IN_PARENT != 0,
        offset_bytes: c8_field!(p, offset_bytes, sys::pager_snapshot_page),
        stored_bytes: c8_field!(p, stored_bytes, sys::pager_snapshot_page),
        stored_checksum: c8_field!(p, stored_checksum, sys::pager_snapshot_page),
        content_hash: (c8_field!(p, content_hash_lo, sys::pager_snapshot_page),
                       c8_field!(p, content_hash_hi, sys::pager_snapshot_page)),
    });
    0
}

unsafe extern "C" fn tr_list_seq(ctx: *mut std::ffi::c_void, seq: *const sys::pager_snapshot_seq) -> std::os::raw::c_int {
    // SAFETY: ctx is the SnapshotListing of the running list call; seq and the arrays it
    // points to are valid during the call.
    let out = unsafe { &mut *(ctx as *mut SnapshotListing) };
    let s = unsafe { &*seq };
    let id = if s.id_bytes == 0 || s.id.is_null() {
        Vec::new()
    } else {
        unsafe { std::slice::from_raw_parts(s.id.cast::<u8>(), s.id_bytes as usize) }.to_vec()
    };
    let pages = if s.page_count == 0 || s.pages.is_null() {
        Vec::new()
    } else {
        unsafe { std::slice::from_raw_parts(s.pages, s.page_count as usize) }.to_vec()
    };
    out.seqs.push(SnapshotSeq { id, pages, fill_last_page: s.fill_last_page });
    0
}

/// The page table and the sequence table of the snapshot at `path`
/// (`pager_snapshot_list`), after the checks [`inspect`] makes (not the page bytes).
/// Read-only; the parent chain is not opened (an entry stored in a parent has `in_parent`).
/// A missing file is `NOT_FOUND`.
///
/// ```
/// # let dir = std::env::temp_dir().join(format!("libpager-doc-list-{}", std::process::id()));
/// # let _ = std::fs::remove_dir_all(&dir);
/// # std::fs::create_dir_all(&dir).unwrap();
/// use libpager::snapshot::{CacheMeta, Dtype, RefEngine};
/// let m = CacheMeta { tokens_per_page: 4, layers: 1, kv_heads: 1, head_dim: 8, dtype: Dtype::F16 };
/// let e = RefEngine::new(&m, 4)?;
/// let (a, b) = (e.alloc_page()?, e.alloc_page()?);
/// e.set_seq(b"q", &[a, b], 3)?;
/// e.capture(dir.join("s.snap"), None)?;
/// let l = libpager::snapshot::list(dir.join("s.snap"))?;
/// assert_eq!(l.pages.len(), 2);
/// assert_eq!((l.seqs[0].id.as_slice(), l.seqs[0].pages.len(), l.seqs[0].fill_last_page), (&b"q"[..], 2, 3));
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # Ok::<(), libpager::Error>(())
/// ```
pub fn list(path: impl AsRef<Path>) -> Result<SnapshotListing> {
    let p = c_path(path.as_ref())?;
    let mut out = SnapshotListing::default();
    // SAFETY: p is only read during the call; ctx is `out`, used only by the callbacks during it.
    check(unsafe {
        sys::pager_snapshot_list(p.as_ptr(), Some(tr_list_page), Some(tr_list_seq),
                                 (&mut out as *mut SnapshotListing).cast())
    })?;
    Ok(out)
}

// ---- engines written in Rust (snapshot/engine.rs) ------------------------------------------

mod engine;
pub use engine::{capture, capture_fd, capture_with_progress, restore, restore_with_progress, Engine,
                 LogicalSeq, PageSink, SeqSink, PANIC_CODE};
