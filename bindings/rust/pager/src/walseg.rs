//! WAL segments (`pager_walseg_*`): a checksummed record log in a directory of segment
//! files, appended by one [`Writer`], read back zero-copy by [`Reader`] (one segment) or
//! [`Replay`] (the whole directory). A [`Record`]'s payload is a slice INTO a read-only
//! mapping, so the borrow checker enforces pager.h's validity rules: a record of a
//! [`Reader`] borrows the reader (valid until it is dropped); a record of a [`Replay`]
//! borrows the replay mutably (valid until the next [`Replay::next`], which may unmap the
//! segment it lives in: a replay holds one segment at a time). Copy (`to_vec`) what you keep.
//!
//! ```no_run
//! # fn main() -> pager::Result<()> {
//! use pager::walseg::{Writer, Replay};
//! let w = Writer::open("/tmp/log", None)?;
//! w.append(1, b"hello")?;
//! w.close()?;
//! let mut replay = Replay::open("/tmp/log", 0, None)?;
//! while let Some(rec) = replay.next()? {
//!     println!("{} {:?}", rec.lsn, rec.data);
//! }
//! # Ok(()) }
//! ```
//!
//! A replay record cannot be kept across the next `next()` (this does not compile):
//!
//! ```compile_fail
//! let mut replay = pager::walseg::Replay::open("/tmp/log", 0, None).unwrap();
//! let first = replay.next().unwrap().unwrap();
//! let _second = replay.next().unwrap(); // may unmap `first`'s segment
//! println!("{:?}", first.data);
//! ```
//!
//! A record cannot outlive its reader (this does not compile):
//!
//! ```compile_fail
//! let data: &[u8] = {
//!     let r = pager::walseg::Reader::open("/tmp/log/0000000000000001.wal", None).unwrap();
//!     r.next().unwrap().unwrap().data
//! }; // r is dropped (unmapped) here
//! println!("{data:?}");
//! ```

use std::marker::PhantomData;
use std::path::Path;
use std::ptr::NonNull;

use crate::wal::c_path;
use crate::{check, sys, Result};

/// Record type bit: readers that do not know the type must fail instead of skipping it.
pub const TYPE_REQUIRED: u16 = sys::PAGER_WALSEG_TYPE_REQUIRED as u16;

/// Why a reader or replay stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    None,
    CleanEnd,
    TornTail,
    Corrupt,
}

impl Stop {
    fn from_c(v: u32) -> Stop {
        match v {
            sys::PAGER_WALSEG_STOP_CLEAN_END => Stop::CleanEnd,
            sys::PAGER_WALSEG_STOP_TORN_TAIL => Stop::TornTail,
            sys::PAGER_WALSEG_STOP_CORRUPT => Stop::Corrupt,
            _ => Stop::None,
        }
    }
}

/// Writer options (`pager_walseg_options`); [`Default`] is `pager_walseg_options_init`.
pub type Options = sys::pager_walseg_options;

/// The defaults of `pager_walseg_options_init` (then change fields).
pub fn default_options() -> Options {
    // SAFETY: all-zero is a valid struct; init fills it.
    let mut o: Options = unsafe { std::mem::zeroed() };
    // SAFETY: o is a valid out-struct (init cannot fail).
    unsafe { sys::pager_walseg_options_init(&mut o) }
    o
}

/// Appends records to a log directory (holds `<dir>/LOCK`). Closed (flushed and synced) on
/// drop; [`Writer::close`] reports the close status.
pub struct Writer(NonNull<sys::pager_walseg_writer>);
// pager.h: calls on one writer are serialized.
unsafe impl Send for Writer {}
unsafe impl Sync for Writer {}

impl Writer {
    /// Opens (or creates) the log directory `dir`.
    pub fn open(dir: impl AsRef<Path>, opts: Option<&Options>) -> Result<Writer> {
        let p = c_path(dir.as_ref())?;
        let mut out = std::ptr::null_mut();
        // SAFETY: valid strings/structs for the call; out receives an owned writer.
        check(unsafe {
            sys::pager_walseg_writer_open(p.as_ptr(), opts.map_or(std::ptr::null(), |o| o), &mut out)
        })?;
        Ok(Writer(NonNull::new(out).expect("writer_open returned OK and NULL")))
    }

    /// Appends one record; returns its LSN.
    pub fn append(&self, record_type: u16, data: &[u8]) -> Result<u64> {
        let mut lsn = 0;
        // SAFETY: data is only read during the call.
        check(unsafe {
            sys::pager_walseg_append(self.0.as_ptr(), record_type, data.as_ptr().cast(),
                                     data.len() as u64, &mut lsn)
        })?;
        Ok(lsn)
    }

    /// Makes every appended record durable.
    pub fn sync(&self) -> Result<()> {
        // SAFETY: a live writer.
        check(unsafe { sys::pager_walseg_sync(self.0.as_ptr()) })
    }

    /// Writes staged records (visible to readers opened afterwards; not durable).
    pub fn flush(&self) -> Result<()> {
        // SAFETY: a live writer.
        check(unsafe { sys::pager_walseg_flush(self.0.as_ptr()) })
    }

    /// (the LSN the next append gets, the highest durable LSN).
    pub fn lsns(&self) -> Result<(u64, u64)> {
        let (mut next, mut durable) = (0, 0);
        // SAFETY: valid out-parameters.
        check(unsafe { sys::pager_walseg_writer_lsns(self.0.as_ptr(), &mut next, &mut durable) })?;
        Ok((next, durable))
    }

    /// Deletes sealed segments whose records all have LSN < `lsn`; returns how many.
    pub fn remove_before(&self, lsn: u64) -> Result<u64> {
        let mut n = 0;
        // SAFETY: valid out-parameter.
        check(unsafe { sys::pager_walseg_remove_before(self.0.as_ptr(), lsn, &mut n) })?;
        Ok(n)
    }

    /// Flushes, syncs, unlocks and frees, reporting the status (the writer is gone either way).
    pub fn close(self) -> Result<()> {
        let p = self.0.as_ptr();
        std::mem::forget(self);
        // SAFETY: p is owned and never used again.
        check(unsafe { sys::pager_walseg_writer_close(p) })
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        // SAFETY: owned; the status is dropped (use close() to see it).
        unsafe { sys::pager_walseg_writer_close(self.0.as_ptr()) };
    }
}

/// Reader options. The known-type list is copied into the C struct only during open.
#[derive(Debug, Clone, Default)]
pub struct ReaderOptions {
    /// `None`: every type is known.
    pub known_types: Option<Vec<u16>>,
    /// 0: the library default.
    pub max_payload_bytes: u64,
    pub expected_first_lsn: u64,
}

impl ReaderOptions {
    /// The C struct; it borrows `self.known_types`.
    fn to_c(&self) -> sys::pager_walseg_reader_options {
        // SAFETY: all-zero is valid; init fills it.
        let mut c: sys::pager_walseg_reader_options = unsafe { std::mem::zeroed() };
        // SAFETY: c is a valid out-struct (init cannot fail).
        unsafe { sys::pager_walseg_reader_options_init(&mut c) }
        if let Some(k) = &self.known_types {
            c.known_types = k.as_ptr();
            c.known_type_count = k.len() as u64;
        }
        if self.max_payload_bytes != 0 {
            c.max_payload_bytes = self.max_payload_bytes;
        }
        c.expected_first_lsn = self.expected_first_lsn;
        c
    }
}

/// One record: `data` borrows a read-only mapping (no copy) for the lifetime `'r`: the
/// [`Reader`] it came from, or the [`Replay`] until its next `next()`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Record<'r> {
    pub lsn: u64,
    /// As stored, including [`TYPE_REQUIRED`].
    pub record_type: u16,
    /// Offset of the record's header in its segment.
    pub offset: u64,
    pub data: &'r [u8],
}

/// # Safety
/// `rec` was filled by a successful next call of a reader that outlives `'r`.
unsafe fn record<'r>(rec: &sys::pager_walseg_record) -> Record<'r> {
    let data = if rec.len == 0 || rec.data.is_null() {
        &[][..]
    } else {
        std::slice::from_raw_parts(rec.data, rec.len as usize)
    };
    Record { lsn: rec.lsn, record_type: rec.type_, offset: rec.offset, data }
}

/// Reads a stop-detail text through `f(buf, buf_len, len_out)` (C7: truncated, full length
/// out), growing the buffer to fit.
fn detail(f: impl Fn(*mut std::os::raw::c_char, u64, *mut u64) -> i32) -> Result<String> {
    let mut buf = vec![0u8; 256];
    loop {
        let mut n = 0u64;
        check(f(buf.as_mut_ptr().cast(), buf.len() as u64, &mut n))?;
        if (n as usize) < buf.len() {
            buf.truncate(n as usize);
            return Ok(String::from_utf8_lossy(&buf).into_owned());
        }
        buf = vec![0u8; n as usize + 1];
    }
}

/// Reads one segment file through a read-only mapping (not locked; bytes appended after
/// open are not seen). Records borrow the reader.
pub struct Reader(NonNull<sys::pager_walseg_reader>, PhantomData<sys::pager_walseg_reader>);
// pager.h: calls are serialized per reader; views stay valid until close (drop), which
// needs exclusive ownership.
unsafe impl Send for Reader {}
unsafe impl Sync for Reader {}

impl Reader {
    pub fn open(path: impl AsRef<Path>, opts: Option<&ReaderOptions>) -> Result<Reader> {
        let p = c_path(path.as_ref())?;
        let c = opts.map(|o| o.to_c());
        let mut out = std::ptr::null_mut();
        // SAFETY: c (and the known_types it borrows from opts) live through the call.
        check(unsafe {
            sys::pager_walseg_reader_open(p.as_ptr(), c.as_ref().map_or(std::ptr::null(), |c| c), &mut out)
        })?;
        Ok(Reader(NonNull::new(out).expect("reader_open returned OK and NULL"), PhantomData))
    }

    /// The next record, or `None` once the reader stopped (see [`Reader::stop`]).
    /// Errors are sticky (`VERSION` for an unknown required type, `TOO_LARGE`).
    pub fn next(&self) -> Result<Option<Record<'_>>> {
        // SAFETY: all-zero is a valid record.
        let mut rec: sys::pager_walseg_record = unsafe { std::mem::zeroed() };
        let mut found = 0u32;
        // SAFETY: valid out-parameters.
        check(unsafe { sys::pager_walseg_reader_next(self.0.as_ptr(), &mut rec, &mut found) })?;
        // SAFETY: the view lives in the mapping, which lives until self is dropped.
        Ok((found != 0).then(|| unsafe { record(&rec) }))
    }

    /// (why it stopped, the offset where the data ends or damage starts, the last LSN).
    pub fn stop(&self) -> Result<(Stop, u64, u64)> {
        let (mut reason, mut offset, mut last) = (0u32, 0u64, 0u64);
        // SAFETY: valid out-parameters.
        check(unsafe {
            sys::pager_walseg_reader_stop(self.0.as_ptr(), &mut reason, &mut offset, &mut last)
        })?;
        Ok((Stop::from_c(reason), offset, last))
    }

    /// Why the reader stopped, in words (empty for a clean end or before the stop).
    pub fn stop_detail(&self) -> Result<String> {
        // SAFETY: buf/len_out are valid for the call (see detail()).
        detail(|b, cap, n| unsafe { sys::pager_walseg_reader_stop_detail(self.0.as_ptr(), b, cap, n) })
    }

    /// Drops the segment's pages from memory (views stay valid: re-read on touch).
    pub fn release_pages(&self) -> Result<()> {
        // SAFETY: a live reader.
        check(unsafe { sys::pager_walseg_reader_release_pages(self.0.as_ptr()) })
    }
}

impl Drop for Reader {
    fn drop(&mut self) {
        // SAFETY: owned; no Record<'_> can be alive (they borrow self).
        unsafe { sys::pager_walseg_reader_close(self.0.as_ptr()) }
    }
}

/// Iterates the records of a whole log directory across segments. It holds one segment (one
/// descriptor, one mapping) at a time, so a record mutably borrows the replay: it is valid
/// until the next [`Replay::next`] (pager.h: until the next pager_walseg_replay_next).
pub struct Replay(NonNull<sys::pager_walseg_replay>);
// Calls are serialized per replay; a view is valid until the next replay_next, which the
// &mut borrow of next() rules out while a Record lives.
unsafe impl Send for Replay {}
unsafe impl Sync for Replay {}

impl Replay {
    /// Records with LSN >= `from_lsn` (0: from the oldest segment).
    pub fn open(dir: impl AsRef<Path>, from_lsn: u64, opts: Option<&ReaderOptions>) -> Result<Replay> {
        let p = c_path(dir.as_ref())?;
        let c = opts.map(|o| o.to_c());
        let mut out = std::ptr::null_mut();
        // SAFETY: c lives through the call.
        check(unsafe {
            sys::pager_walseg_replay_open(p.as_ptr(), from_lsn,
                                          c.as_ref().map_or(std::ptr::null(), |c| c), &mut out)
        })?;
        Ok(Replay(NonNull::new(out).expect("replay_open returned OK and NULL")))
    }

    /// The next record, or `None` once the replay stopped. The record borrows the replay
    /// until it is dropped: the following `next()` may unmap the segment it points into.
    #[allow(clippy::should_implement_trait)] // a lending iterator: Iterator cannot express it
    pub fn next(&mut self) -> Result<Option<Record<'_>>> {
        // SAFETY: all-zero is a valid record.
        let mut rec: sys::pager_walseg_record = unsafe { std::mem::zeroed() };
        let mut found = 0u32;
        // SAFETY: valid out-parameters.
        check(unsafe { sys::pager_walseg_replay_next(self.0.as_ptr(), &mut rec, &mut found) })?;
        // SAFETY: the view stays valid until the next replay_next or close; the returned
        // Record holds the &mut borrow of self, so neither can happen while it lives.
        Ok((found != 0).then(|| unsafe { record(&rec) }))
    }

    /// (why it stopped, the first LSN of the segment where, the offset there, the last LSN).
    pub fn stop(&self) -> Result<(Stop, u64, u64, u64)> {
        let (mut reason, mut seg, mut offset, mut last) = (0u32, 0u64, 0u64, 0u64);
        // SAFETY: valid out-parameters.
        check(unsafe {
            sys::pager_walseg_replay_stop(self.0.as_ptr(), &mut reason, &mut seg, &mut offset, &mut last)
        })?;
        Ok((Stop::from_c(reason), seg, offset, last))
    }
}

impl Replay {
    /// Why the replay stopped, in words.
    pub fn stop_detail(&self) -> Result<String> {
        // SAFETY: as Reader::stop_detail.
        detail(|b, cap, n| unsafe { sys::pager_walseg_replay_stop_detail(self.0.as_ptr(), b, cap, n) })
    }
}

impl Drop for Replay {
    fn drop(&mut self) {
        // SAFETY: owned; no Record<'_> can be alive.
        unsafe { sys::pager_walseg_replay_close(self.0.as_ptr()) }
    }
}
