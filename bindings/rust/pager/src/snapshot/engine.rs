//! Engines written in Rust: the [`Engine`] trait, the sinks it fills, the `pager_cache_ops`
//! trampolines that drive it (panics never cross the C boundary), and the free functions
//! [`capture`], [`capture_fd`], [`restore`] and their `*_with_progress` forms. Re-exported
//! by [`crate::snapshot`]; moved out of snapshot.rs unchanged.

use super::*;

/// A sequence as the library hands it to [`Engine::install_logical_seqs`] (borrowed for the
/// duration of the callback).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogicalSeq<'a> {
    /// The sequence id.
    pub id: &'a [u8],
    /// Its pages, as the slots [`Engine::allocate_pages`] returned.
    pub pages: &'a [u32],
    /// Tokens used in its last page.
    pub fill_last_page: u32,
}

/// Where [`Engine::occupied_pages`] reports the occupied slots (valid during that callback).
pub struct PageSink<'a>(*mut sys::pager_cache_sink, std::marker::PhantomData<&'a mut ()>);

impl PageSink<'_> {
    /// Reports occupied slots (call as often as needed).
    pub fn add(&mut self, pages: &[u32]) -> Result<()> {
        // SAFETY: the sink is valid during the callback that lent it; pages read only now.
        check(unsafe { sys::pager_cache_sink_add_pages(self.0, pages.as_ptr(), pages.len() as u64) })
    }
}

/// Where [`Engine::logical_seqs`] reports the live sequences (valid during that callback).
pub struct SeqSink<'a>(*mut sys::pager_cache_sink, std::marker::PhantomData<&'a mut ()>);

impl SeqSink<'_> {
    /// Reports one sequence (the library copies everything).
    pub fn add(&mut self, id: &[u8], pages: &[u32], fill_last_page: u32) -> Result<()> {
        // SAFETY: as PageSink::add.
        check(unsafe {
            sys::pager_cache_sink_add_seq(self.0, id.as_ptr().cast(), id.len() as u64, pages.as_ptr(),
                                          pages.len() as u64, fill_last_page)
        })
    }
}

/// A KV-cache engine adapter written in Rust (the safe form of `pager_cache_ops`). Every
/// method returns `Err(code)` with the engine's own non-zero code to fail the operation
/// (`PAGER_ERR_CALLBACK`, the message names the callback and the code). A panic inside a
/// callback is caught at the C boundary, fails the operation, and is resumed once the
/// capture or restore has returned. Callbacks run on the calling thread, one at a time.
///
/// ```
/// # let dir = std::env::temp_dir().join(format!("libpager-doc-engine-{}", std::process::id()));
/// # let _ = std::fs::remove_dir_all(&dir);
/// # std::fs::create_dir_all(&dir).unwrap();
/// use libpager::snapshot::{self, CacheMeta, Dtype, Engine, LogicalSeq, PageSink, SeqSink};
/// /// A cache of one-byte pages kept in a Vec (slot = index).
/// struct Tiny { meta: CacheMeta, pages: Vec<Option<(Vec<u8>, Vec<u8>)>>, seqs: Vec<(Vec<u8>, Vec<u32>, u32)> }
/// impl Engine for Tiny {
///     fn meta(&mut self) -> Result<CacheMeta, i32> { Ok(self.meta) }
///     fn occupied_pages(&mut self, sink: &mut PageSink<'_>) -> Result<(), i32> {
///         let ids: Vec<u32> = (0..self.pages.len() as u32).filter(|&i| self.pages[i as usize].is_some()).collect();
///         sink.add(&ids).map_err(|e| -e.code.raw())
///     }
///     fn logical_seqs(&mut self, sink: &mut SeqSink<'_>) -> Result<(), i32> {
///         for (id, pages, fill) in &self.seqs { sink.add(id, pages, *fill).map_err(|e| -e.code.raw())?; }
///         Ok(())
///     }
///     fn read_page(&mut self, page: u32, k: &mut [u8], v: &mut [u8]) -> Result<(), i32> {
///         let (pk, pv) = self.pages[page as usize].as_ref().ok_or(-1)?;
///         k.copy_from_slice(pk);
///         v.copy_from_slice(pv);
///         Ok(())
///     }
///     fn allocate_pages(&mut self, slots: &mut [u32]) -> Result<(), i32> {
///         for s in slots.iter_mut() { *s = self.pages.len() as u32; self.pages.push(None); }
///         Ok(())
///     }
///     fn write_page(&mut self, page: u32, k: &[u8], v: &[u8]) -> Result<(), i32> {
///         self.pages[page as usize] = Some((k.to_vec(), v.to_vec()));
///         Ok(())
///     }
///     fn install_logical_seqs(&mut self, seqs: &[LogicalSeq<'_>]) -> Result<(), i32> {
///         self.seqs = seqs.iter().map(|s| (s.id.to_vec(), s.pages.to_vec(), s.fill_last_page)).collect();
///         Ok(())
///     }
/// }
/// let meta = CacheMeta { tokens_per_page: 1, layers: 1, kv_heads: 1, head_dim: 1, dtype: Dtype::Fp8E4m3 };
/// let mut src = Tiny { meta, pages: vec![Some((vec![1], vec![2]))], seqs: vec![(b"s".to_vec(), vec![0], 1)] };
/// snapshot::capture(&mut src, dir.join("t.snap"), None)?;
/// let mut dst = Tiny { meta, pages: Vec::new(), seqs: Vec::new() };
/// snapshot::restore(&mut dst, dir.join("t.snap"), None)?;
/// assert_eq!((dst.pages, dst.seqs), (src.pages, src.seqs));
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # Ok::<(), libpager::Error>(())
/// ```
pub trait Engine {
    /// The engine's cache geometry.
    fn meta(&mut self) -> std::result::Result<CacheMeta, i32>;
    /// Stops the engine from changing its pages (capture: before reading).
    fn pause(&mut self) -> std::result::Result<(), i32> {
        Ok(())
    }
    /// Lets the engine run again (always called after a successful `pause`).
    fn resume(&mut self) -> std::result::Result<(), i32> {
        Ok(())
    }
    /// Reports every occupied slot into `sink`.
    fn occupied_pages(&mut self, sink: &mut PageSink<'_>) -> std::result::Result<(), i32>;
    /// Reports every live sequence into `sink`.
    fn logical_seqs(&mut self, sink: &mut SeqSink<'_>) -> std::result::Result<(), i32>;
    /// Copies slot `page`'s K and V bytes into `k` and `v`.
    fn read_page(&mut self, page: u32, k: &mut [u8], v: &mut [u8]) -> std::result::Result<(), i32>;
    /// Fills `slots` with free slots (restore), all or nothing.
    fn allocate_pages(&mut self, slots: &mut [u32]) -> std::result::Result<(), i32>;
    /// Stores `k` and `v` into slot `page` (restore).
    fn write_page(&mut self, page: u32, k: &[u8], v: &[u8]) -> std::result::Result<(), i32>;
    /// Replaces the engine's sequences with `seqs` (restore, last).
    fn install_logical_seqs(&mut self, seqs: &[LogicalSeq<'_>]) -> std::result::Result<(), i32>;
    /// Set to `true` when the engine implements [`Engine::release_pages`] (it then becomes
    /// `pager_cache_ops.release_pages`); with `false` a failed restore leaves the slots
    /// `allocate_pages` returned allocated.
    const RELEASES_PAGES: bool = false;
    /// Frees slots `allocate_pages` returned: called once, with every slot of the allocation,
    /// when a restore fails after `allocate_pages` (only if `RELEASES_PAGES`).
    fn release_pages(&mut self, slots: &[u32]) -> std::result::Result<(), i32> {
        let _ = slots;
        Err(-1)
    }
    /// Set to `true` when the engine implements [`Engine::page_buffers`] (it then becomes
    /// `pager_cache_ops.page_buffers`: a zero-copy restore that reads the snapshot straight
    /// into the engine's memory and never calls [`Engine::write_page`]); with `false` restore
    /// copies each page through a library buffer into `write_page`.
    const PAGE_BUFFERS: bool = false;
    /// Zero-copy restore (only if `PAGE_BUFFERS`): where slot `page`'s K bytes and V bytes
    /// live (exactly the meta's page sizes each). Called for every slot `allocate_pages`
    /// returned, before any page is read. The library writes and verifies the page there
    /// from its worker threads *after* this returns and until `restore` returns, so the
    /// memory must stay where it is and the engine must not touch it meanwhile (it is
    /// paused): hand out heap memory the engine does not borrow again during the restore
    /// (the allocation of a `Vec`, a tensor), never bytes inside `self` itself. Two slots
    /// must not share a byte. A page that fails verification is zeroed there, then
    /// `release_pages` gets every slot back.
    fn page_buffers(&mut self, page: u32) -> std::result::Result<(&mut [u8], &mut [u8]), i32> {
        let _ = page;
        Err(-1)
    }
}

/// The adapter code a callback returns when the engine panicked.
///
/// ```
/// assert_ne!(libpager::snapshot::PANIC_CODE, 0); // never success
/// ```
pub const PANIC_CODE: i32 = -0x7041_4e43; // "pANC"

struct Ctx<'e, E: Engine> {
    engine: &'e mut E,
    panic: Option<Box<dyn std::any::Any + Send>>,
}

/// Runs one callback body on the context, catching panics (no unwind crosses C).
unsafe fn call<E: Engine>(ctx: *mut std::ffi::c_void,
                          f: impl FnOnce(&mut E) -> std::result::Result<(), i32>) -> i32 {
    let ctx = &mut *(ctx as *mut Ctx<'_, E>);
    if ctx.panic.is_some() {
        return PANIC_CODE;
    }
    let engine = &mut *ctx.engine;
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(engine))) {
        Ok(Ok(())) => 0,
        Ok(Err(0)) => PANIC_CODE + 1, // 0 would mean success: an engine bug, still a failure
        Ok(Err(code)) => code,
        Err(payload) => {
            ctx.panic = Some(payload);
            PANIC_CODE
        }
    }
}

unsafe fn slice<'a, T>(p: *const T, n: u64) -> &'a [T] {
    if n == 0 || p.is_null() { &[] } else { std::slice::from_raw_parts(p, n as usize) }
}
unsafe fn slice_mut<'a, T>(p: *mut T, n: u64) -> &'a mut [T] {
    if n == 0 || p.is_null() { &mut [] } else { std::slice::from_raw_parts_mut(p, n as usize) }
}

unsafe extern "C" fn tr_meta<E: Engine>(ctx: *mut std::ffi::c_void, meta: *mut sys::pager_cache_meta) -> i32 {
    call::<E>(ctx, |e| {
        let m = e.meta()?;
        let out = &mut *meta;
        out.tokens_per_page = m.tokens_per_page;
        out.layers = m.layers;
        out.kv_heads = m.kv_heads;
        out.head_dim = m.head_dim;
        out.dtype = m.dtype.to_c();
        Ok(())
    })
}
unsafe extern "C" fn tr_pause<E: Engine>(ctx: *mut std::ffi::c_void) -> i32 {
    call::<E>(ctx, |e| e.pause())
}
unsafe extern "C" fn tr_resume<E: Engine>(ctx: *mut std::ffi::c_void) -> i32 {
    // resume runs even after a panic elsewhere: the engine must be resumed.
    let c = &mut *(ctx as *mut Ctx<'_, E>);
    let engine = &mut *c.engine;
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| engine.resume())) {
        Ok(Ok(())) => 0,
        Ok(Err(0)) => PANIC_CODE + 1,
        Ok(Err(code)) => code,
        Err(payload) => {
            c.panic.get_or_insert(payload);
            PANIC_CODE
        }
    }
}
unsafe extern "C" fn tr_occupied<E: Engine>(ctx: *mut std::ffi::c_void, sink: *mut sys::pager_cache_sink) -> i32 {
    call::<E>(ctx, |e| e.occupied_pages(&mut PageSink(sink, std::marker::PhantomData)))
}
unsafe extern "C" fn tr_seqs<E: Engine>(ctx: *mut std::ffi::c_void, sink: *mut sys::pager_cache_sink) -> i32 {
    call::<E>(ctx, |e| e.logical_seqs(&mut SeqSink(sink, std::marker::PhantomData)))
}
unsafe extern "C" fn tr_read<E: Engine>(ctx: *mut std::ffi::c_void, page: u32, k: *mut std::ffi::c_void,
                                        kn: u64, v: *mut std::ffi::c_void, vn: u64) -> i32 {
    call::<E>(ctx, |e| e.read_page(page, slice_mut(k as *mut u8, kn), slice_mut(v as *mut u8, vn)))
}
unsafe extern "C" fn tr_alloc<E: Engine>(ctx: *mut std::ffi::c_void, slots: *mut u32, count: u64) -> i32 {
    call::<E>(ctx, |e| e.allocate_pages(slice_mut(slots, count)))
}
unsafe extern "C" fn tr_release<E: Engine>(ctx: *mut std::ffi::c_void, slots: *const u32, count: u64) -> i32 {
    call::<E>(ctx, |e| e.release_pages(slice(slots, count)))
}
unsafe extern "C" fn tr_page_buffers<E: Engine>(ctx: *mut std::ffi::c_void, page: u32,
                                                segments: *mut sys::pager_page_segment,
                                                capacity: u64, count: *mut u64) -> i32 {
    call::<E>(ctx, |e| {
        let (k, v) = e.page_buffers(page)?;
        *count = 2;
        if capacity >= 2 {
            // The library offers at least 2 (2 * layers); otherwise it asks again with 2.
            let out = slice_mut(segments, capacity);
            out[0] = sys::pager_page_segment { data: k.as_mut_ptr() as *mut std::ffi::c_void, bytes: k.len() as u64 };
            out[1] = sys::pager_page_segment { data: v.as_mut_ptr() as *mut std::ffi::c_void, bytes: v.len() as u64 };
        }
        Ok(())
    })
}
unsafe extern "C" fn tr_write<E: Engine>(ctx: *mut std::ffi::c_void, page: u32, k: *const std::ffi::c_void,
                                         kn: u64, v: *const std::ffi::c_void, vn: u64) -> i32 {
    call::<E>(ctx, |e| e.write_page(page, slice(k as *const u8, kn), slice(v as *const u8, vn)))
}
unsafe extern "C" fn tr_install<E: Engine>(ctx: *mut std::ffi::c_void, seqs: *const sys::pager_logical_seq,
                                           count: u64) -> i32 {
    call::<E>(ctx, |e| {
        let list: Vec<LogicalSeq<'_>> = slice(seqs, count)
            .iter()
            .map(|s| LogicalSeq {
                id: slice(s.id as *const u8, s.id_bytes),
                pages: slice(s.pages, s.page_count),
                fill_last_page: s.fill_last_page,
            })
            .collect();
        e.install_logical_seqs(&list)
    })
}

fn run<E: Engine>(engine: &mut E, op: impl FnOnce(*const sys::pager_cache_ops) -> Result<()>) -> Result<()> {
    let mut ctx = Ctx { engine, panic: None };
    // SAFETY: all-zero is a valid ops table; every callback is set below.
    let mut ops: sys::pager_cache_ops = unsafe { std::mem::zeroed() };
    ops.struct_size = std::mem::size_of::<sys::pager_cache_ops>() as u32;
    ops.ctx = &mut ctx as *mut Ctx<'_, E> as *mut std::ffi::c_void;
    ops.meta = Some(tr_meta::<E>);
    ops.pause = Some(tr_pause::<E>);
    ops.resume = Some(tr_resume::<E>);
    ops.occupied_pages = Some(tr_occupied::<E>);
    ops.logical_seqs = Some(tr_seqs::<E>);
    ops.read_page = Some(tr_read::<E>);
    ops.allocate_pages = Some(tr_alloc::<E>);
    ops.write_page = Some(tr_write::<E>);
    ops.install_logical_seqs = Some(tr_install::<E>);
    if E::RELEASES_PAGES {
        ops.release_pages = Some(tr_release::<E>);
    }
    if E::PAGE_BUFFERS {
        ops.page_buffers = Some(tr_page_buffers::<E>);
    }
    let r = op(&ops);
    if let Some(p) = ctx.panic.take() {
        std::panic::resume_unwind(p);
    }
    r
}

/// Writes a snapshot of a Rust engine to `path`.
pub fn capture<E: Engine>(engine: &mut E, path: impl AsRef<Path>, opts: Option<&SnapshotOptions>) -> Result<()> {
    let p = c_path(path.as_ref())?;
    run(engine, |ops| {
        // SAFETY: ops and its ctx live through the call; callbacks run on this thread.
        check(with_opts(opts, None, |o| unsafe { sys::pager_snapshot_capture(ops, p.as_ptr(), o) })?)
    })
}

/// Writes a snapshot of a Rust engine sequentially to an open descriptor (see
/// [`RefEngine::capture_fd`]).
pub fn capture_fd<E: Engine>(engine: &mut E, fd: impl std::os::fd::AsFd, opts: Option<&SnapshotOptions>) -> Result<()> {
    use std::os::fd::AsRawFd;
    let fd = fd.as_fd();
    run(engine, |ops| {
        // SAFETY: ops and its ctx live through the call; fd is borrowed open through it.
        check(with_opts(opts, None, |o| unsafe { sys::pager_snapshot_capture_fd(ops, fd.as_raw_fd(), o) })?)
    })
}

/// [`capture`] reporting progress (see [`RefEngine::capture_with_progress`]).
pub fn capture_with_progress<E: Engine>(engine: &mut E, path: impl AsRef<Path>, opts: Option<&SnapshotOptions>,
                                        progress: Progress<'_>) -> Result<()> {
    let p = c_path(path.as_ref())?;
    run(engine, |ops| {
        // SAFETY: as capture.
        check(with_opts(opts, Some(progress), |o| unsafe { sys::pager_snapshot_capture(ops, p.as_ptr(), o) })?)
    })
}

/// [`restore`] reporting progress (see [`RefEngine::restore_with_progress`]).
pub fn restore_with_progress<E: Engine>(engine: &mut E, path: impl AsRef<Path>, opts: Option<&SnapshotOptions>,
                                        progress: Progress<'_>) -> Result<()> {
    let p = c_path(path.as_ref())?;
    run(engine, |ops| {
        // SAFETY: as capture.
        check(with_opts(opts, Some(progress), |o| unsafe { sys::pager_snapshot_restore(ops, p.as_ptr(), o) })?)
    })
}

/// Verifies the snapshot at `path` and restores it into a Rust engine.
pub fn restore<E: Engine>(engine: &mut E, path: impl AsRef<Path>, opts: Option<&SnapshotOptions>) -> Result<()> {
    let p = c_path(path.as_ref())?;
    run(engine, |ops| {
        // SAFETY: as capture.
        check(with_opts(opts, None, |o| unsafe { sys::pager_snapshot_restore(ops, p.as_ptr(), o) })?)
    })
}
