//! WAL segments (`pager_walseg_*`): a checksummed record log in a directory of segment
//! files, appended by one [`Writer`], read back zero-copy by [`Reader`] (one segment) or
//! [`Replay`] (the whole directory). A [`Record`]'s payload is a slice INTO a read-only
//! mapping, so the borrow checker enforces pager.h's validity rules: a record of a
//! [`Reader`] borrows the reader (valid until it is dropped); a record of a [`Replay`]
//! borrows the replay mutably (valid until the next [`Replay::next`], which may unmap the
//! segment it lives in: a replay holds one segment at a time). Copy (`to_vec`) what you keep.
//!
//! ```
//! # fn main() -> libpager::Result<()> {
//! # let dir = std::env::temp_dir().join(format!("libpager-doc-walseg-{}", std::process::id()));
//! # let _ = std::fs::remove_dir_all(&dir);
//! use libpager::walseg::{Writer, Replay};
//! let w = Writer::open(&dir, None)?;
//! w.append(1, b"hello")?;
//! w.close()?;
//! let mut replay = Replay::open(&dir, 0, None)?;
//! while let Some(rec) = replay.next()? {
//!     println!("{} {:?}", rec.lsn, rec.data);
//! }
//! # std::fs::remove_dir_all(&dir).unwrap();
//! # Ok(()) }
//! ```
//!
//! A replay record cannot be kept across the next `next()` (this does not compile):
//!
//! ```compile_fail
//! let mut replay = libpager::walseg::Replay::open("/tmp/log", 0, None).unwrap();
//! let first = replay.next().unwrap().unwrap();
//! let _second = replay.next().unwrap(); // may unmap `first`'s segment
//! println!("{:?}", first.data);
//! ```
//!
//! A record cannot outlive its reader (this does not compile):
//!
//! ```compile_fail
//! let data: &[u8] = {
//!     let r = libpager::walseg::Reader::open("/tmp/log/0000000000000001.wal", None).unwrap();
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
///
/// ```
/// # let dir = std::env::temp_dir().join(format!("libpager-doc-required-{}", std::process::id()));
/// # let _ = std::fs::remove_dir_all(&dir);
/// # std::fs::create_dir_all(&dir).unwrap();
/// use libpager::walseg::{Reader, ReaderOptions, Writer, TYPE_REQUIRED};
/// let w = Writer::open(&dir, None)?;
/// w.append(9 | TYPE_REQUIRED, b"must be understood")?;
/// w.close()?;
/// let opts = ReaderOptions { known_types: Some(vec![1]), ..Default::default() };
/// let r = Reader::open(dir.join("0000000000000001.wal"), Some(&opts))?;
/// assert_eq!(r.next().unwrap_err().code, libpager::ErrorCode::Version);
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # Ok::<(), libpager::Error>(())
/// ```
pub const TYPE_REQUIRED: u16 = sys::PAGER_WALSEG_TYPE_REQUIRED as u16;

/// Why a reader or replay stopped.
///
/// ```
/// # let dir = std::env::temp_dir().join(format!("libpager-doc-stop-{}", std::process::id()));
/// # let _ = std::fs::remove_dir_all(&dir);
/// # std::fs::create_dir_all(&dir).unwrap();
/// use libpager::walseg::{Replay, Stop, Writer};
/// let w = Writer::open(&dir, None)?;
/// w.append(1, b"x")?;
/// w.close()?;
/// let mut replay = Replay::open(&dir, 0, None)?;
/// while replay.next()?.is_some() {}
/// let (stop, _segment, _offset, last_lsn) = replay.stop()?;
/// assert_eq!((stop, last_lsn), (Stop::CleanEnd, 1));
/// assert_eq!(replay.stop_detail()?, "");
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # Ok::<(), libpager::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// Not stopped yet.
    None,
    /// The last record was read and the data ends cleanly.
    CleanEnd,
    /// An incomplete record at the end (an interrupted append; recovery discards it).
    TornTail,
    /// Damage before the end: the records after it cannot be trusted.
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

/// When appended records become durable (`PAGER_WALSEG_SYNC_*`).
///
/// ```
/// # let dir = std::env::temp_dir().join(format!("libpager-doc-sync-{}", std::process::id()));
/// # let _ = std::fs::remove_dir_all(&dir);
/// # std::fs::create_dir_all(&dir).unwrap();
/// use libpager::walseg::{Options, SyncPolicy, Writer};
/// let o = Options { sync_policy: SyncPolicy::Explicit, ..Default::default() };
/// let w = Writer::open(&dir, Some(&o))?;
/// w.append(1, b"a")?;
/// w.flush()?;
/// assert_eq!(w.lsns()?, (2, 0)); // written, not yet durable
/// w.sync()?;
/// assert_eq!(w.lsns()?, (2, 1));
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # Ok::<(), libpager::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum SyncPolicy {
    /// Each append is durable when it returns (the default).
    #[default]
    EveryRecord,
    /// Sync once `group_bytes` of unsynced appends accrue or the oldest is
    /// `group_interval_us` old.
    Group,
    /// Durable only after [`Writer::sync`] (or a rotation, or close).
    Explicit,
}

impl SyncPolicy {
    fn to_c(self) -> u32 {
        match self {
            SyncPolicy::EveryRecord => sys::PAGER_WALSEG_SYNC_EVERY_RECORD,
            SyncPolicy::Group => sys::PAGER_WALSEG_SYNC_GROUP,
            SyncPolicy::Explicit => sys::PAGER_WALSEG_SYNC_EXPLICIT,
        }
    }
    fn from_c(v: u32) -> SyncPolicy {
        match v {
            sys::PAGER_WALSEG_SYNC_GROUP => SyncPolicy::Group,
            sys::PAGER_WALSEG_SYNC_EXPLICIT => SyncPolicy::Explicit,
            _ => SyncPolicy::EveryRecord,
        }
    }
}

/// Writer options (`pager_walseg_options`); [`Default`] is what `pager_walseg_options_init`
/// writes.
///
/// ```
/// use libpager::walseg::{Options, SyncPolicy};
/// let o = Options { segment_bytes: 1 << 20, sync_policy: SyncPolicy::Explicit, ..Default::default() };
/// assert_eq!(o.first_lsn, 1);
/// assert!(o.create_if_missing);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// When appends become durable (default: every record).
    pub sync_policy: SyncPolicy,
    /// Rotate when the next record would pass this size (a larger record gets a segment of
    /// its own); [256, 2^40]; default 64 MiB.
    pub segment_bytes: u64,
    /// `Group`: sync when this many bytes are unsynced; default 1 MiB.
    pub group_bytes: u64,
    /// `Group`: sync when the oldest unsynced record is this old (0: no time bound, no
    /// background thread); default 1000.
    pub group_interval_us: u64,
    /// Larger payloads fail with `TooLarge` before anything is written; default 64 MiB.
    pub max_payload_bytes: u64,
    /// Zero-fill the segment ahead of the records in steps of this many bytes (0: plain
    /// appends; a multiple of 4096); default 1 MiB.
    pub prewrite_bytes: u64,
    /// Records are staged in a buffer of this size and written at flush (0: no staging);
    /// default 256 KiB.
    pub buffer_bytes: u64,
    /// LSN of the first record of a new log; default 1.
    pub first_lsn: u64,
    /// Create the directory if missing (default true).
    pub create_if_missing: bool,
}

fn options_init_c() -> sys::pager_walseg_options {
    // SAFETY: all-zero is a valid struct; init fills it.
    let mut o: sys::pager_walseg_options = unsafe { std::mem::zeroed() };
    // SAFETY: o is a valid out-struct (init cannot fail).
    unsafe { sys::pager_walseg_options_init(&mut o) }
    o
}

impl Default for Options {
    fn default() -> Self {
        let c = options_init_c();
        Options {
            sync_policy: SyncPolicy::from_c(c.sync_policy),
            segment_bytes: c.segment_bytes,
            group_bytes: c.group_bytes,
            group_interval_us: c.group_interval_us,
            max_payload_bytes: c.max_payload_bytes,
            prewrite_bytes: c.prewrite_bytes,
            buffer_bytes: c.buffer_bytes,
            first_lsn: c.first_lsn,
            create_if_missing: c.create_if_missing != 0,
        }
    }
}

impl Options {
    fn to_c(self) -> sys::pager_walseg_options {
        let mut c = options_init_c();
        c.sync_policy = self.sync_policy.to_c();
        c.segment_bytes = self.segment_bytes;
        c.group_bytes = self.group_bytes;
        c.group_interval_us = self.group_interval_us;
        c.max_payload_bytes = self.max_payload_bytes;
        c.prewrite_bytes = self.prewrite_bytes;
        c.buffer_bytes = self.buffer_bytes;
        c.first_lsn = self.first_lsn;
        c.create_if_missing = u32::from(self.create_if_missing);
        c
    }
}

/// The defaults of `pager_walseg_options_init` (the same as `Options::default()`).
///
/// ```
/// assert_eq!(libpager::walseg::default_options(), libpager::walseg::Options::default());
/// ```
pub fn default_options() -> Options {
    Options::default()
}

/// Appends records to a log directory (holds `<dir>/LOCK`). Closed (flushed and synced) on
/// drop; [`Writer::close`] reports the close status.
///
/// ```
/// # let dir = std::env::temp_dir().join(format!("libpager-doc-writer-{}", std::process::id()));
/// # let _ = std::fs::remove_dir_all(&dir);
/// # std::fs::create_dir_all(&dir).unwrap();
/// use libpager::walseg::{Options, Writer};
/// let w = Writer::open(&dir, Some(&Options { segment_bytes: 256, ..Default::default() }))?;
/// for _ in 0..4 {
///     w.append(1, &[0u8; 200])?; // one record per segment
/// }
/// assert_eq!(w.remove_before(3)?, 2); // segments of LSNs 1 and 2
/// w.close()?;
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # Ok::<(), libpager::Error>(())
/// ```
pub struct Writer(NonNull<sys::pager_walseg_writer>);
// pager.h: calls on one writer are serialized.
unsafe impl Send for Writer {}
unsafe impl Sync for Writer {}

impl Writer {
    /// Opens (or creates) the log directory `dir`.
    pub fn open(dir: impl AsRef<Path>, opts: Option<&Options>) -> Result<Writer> {
        let p = c_path(dir.as_ref())?;
        let c = opts.map(|o| o.to_c());
        let mut out = std::ptr::null_mut();
        // SAFETY: valid strings/structs for the call; out receives an owned writer.
        check(unsafe {
            sys::pager_walseg_writer_open(p.as_ptr(), c.as_ref().map_or(std::ptr::null(), |o| o), &mut out)
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

impl std::fmt::Debug for Writer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut d = f.debug_struct("Writer");
        if let Ok((next_lsn, durable_lsn)) = self.lsns() {
            d.field("next_lsn", &next_lsn).field("durable_lsn", &durable_lsn);
        }
        d.finish_non_exhaustive()
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        // SAFETY: owned; the status is dropped (use close() to see it).
        unsafe { sys::pager_walseg_writer_close(self.0.as_ptr()) };
    }
}

/// Reader options. The known-type list is copied into the C struct only during open.
///
/// ```
/// let opts = libpager::walseg::ReaderOptions { known_types: Some(vec![1, 2]), max_payload_bytes: 1 << 20, ..Default::default() };
/// assert_eq!(opts.expected_first_lsn, 0);
/// ```
#[derive(Debug, Clone, Default)]
pub struct ReaderOptions {
    /// `None`: every type is known.
    pub known_types: Option<Vec<u16>>,
    /// 0: the library default.
    pub max_payload_bytes: u64,
    /// The LSN the segment's first record must have (0: from the file name if it is a segment
    /// name, else unchecked).
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
///
/// ```
/// # let dir = std::env::temp_dir().join(format!("libpager-doc-record-{}", std::process::id()));
/// # let _ = std::fs::remove_dir_all(&dir);
/// # std::fs::create_dir_all(&dir).unwrap();
/// use libpager::walseg::{Reader, Writer};
/// let w = Writer::open(&dir, None)?;
/// w.append(3, b"payload")?;
/// w.close()?;
/// let r = Reader::open(dir.join("0000000000000001.wal"), None)?;
/// let rec = r.next()?.unwrap();
/// assert_eq!((rec.lsn, rec.record_type, rec.data), (1, 3, &b"payload"[..]));
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # Ok::<(), libpager::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Record<'r> {
    /// The record's log sequence number.
    pub lsn: u64,
    /// As stored, including [`TYPE_REQUIRED`].
    pub record_type: u16,
    /// Offset of the record's header in its segment.
    pub offset: u64,
    /// The payload, a view into the segment's mapping.
    pub data: &'r [u8],
}

/// A record with its payload copied out of the mapping, from [`Replay::records`].
///
/// ```
/// let rec = libpager::walseg::OwnedRecord { lsn: 1, record_type: 1, offset: 64, data: b"x".to_vec() };
/// assert_eq!(rec.data, b"x");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OwnedRecord {
    /// The record's log sequence number.
    pub lsn: u64,
    /// As stored, including [`TYPE_REQUIRED`].
    pub record_type: u16,
    /// Offset of the record's header in its segment.
    pub offset: u64,
    /// The payload (a copy).
    pub data: Vec<u8>,
}

impl From<Record<'_>> for OwnedRecord {
    fn from(r: Record<'_>) -> OwnedRecord {
        OwnedRecord { lsn: r.lsn, record_type: r.record_type, offset: r.offset, data: r.data.to_vec() }
    }
}

/// What [`Reader::position`] reports.
///
/// ```
/// # let dir = std::env::temp_dir().join(format!("libpager-doc-pos-{}", std::process::id()));
/// # let _ = std::fs::remove_dir_all(&dir);
/// # std::fs::create_dir_all(&dir).unwrap();
/// use libpager::walseg::{Reader, Writer};
/// Writer::open(&dir, None)?.close()?;
/// let p = Reader::open(dir.join("0000000000000001.wal"), None)?.position()?;
/// assert!(p.offset <= p.len);
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # Ok::<(), libpager::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReaderPosition {
    /// The current read offset.
    pub offset: u64,
    /// The mapped file length (the segment's size at open).
    pub len: u64,
    /// The segment is empty (`len == 0`).
    pub is_empty: bool,
    /// The kernel accepted the sequential-access advice.
    pub madvise_applied: bool,
}

/// Iterator over a [`Reader`]'s records (zero-copy), from [`Reader::records`].
///
/// ```
/// # let dir = std::env::temp_dir().join(format!("libpager-doc-readerrecords-{}", std::process::id()));
/// # let _ = std::fs::remove_dir_all(&dir);
/// # std::fs::create_dir_all(&dir).unwrap();
/// let w = libpager::walseg::Writer::open(&dir, None)?;
/// w.append(1, b"x")?;
/// w.close()?;
/// let r = libpager::walseg::Reader::open(dir.join("0000000000000001.wal"), None)?;
/// let total: usize = r.records().map(|rec| rec.map(|rec| rec.data.len())).sum::<libpager::Result<usize>>()?;
/// assert_eq!(total, 1);
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # Ok::<(), libpager::Error>(())
/// ```
#[derive(Debug)]
pub struct ReaderRecords<'r> {
    reader: &'r Reader,
    done: bool,
}

impl<'r> Iterator for ReaderRecords<'r> {
    type Item = Result<Record<'r>>;
    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let r = self.reader.next().transpose();
        self.done = !matches!(r, Some(Ok(_)));
        r
    }
}

impl std::iter::FusedIterator for ReaderRecords<'_> {}

/// Iterator over a [`Replay`]'s records (payloads copied), from [`Replay::records`].
///
/// ```
/// # let dir = std::env::temp_dir().join(format!("libpager-doc-replayrecords-{}", std::process::id()));
/// # let _ = std::fs::remove_dir_all(&dir);
/// # std::fs::create_dir_all(&dir).unwrap();
/// let w = libpager::walseg::Writer::open(&dir, None)?;
/// w.append(1, b"x")?;
/// w.close()?;
/// let mut replay = libpager::walseg::Replay::open(&dir, 0, None)?;
/// let kept: Vec<libpager::walseg::OwnedRecord> = replay.records().collect::<libpager::Result<_>>()?;
/// assert_eq!(kept[0].data, b"x");
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # Ok::<(), libpager::Error>(())
/// ```
#[derive(Debug)]
pub struct ReplayRecords<'r> {
    replay: &'r mut Replay,
    done: bool,
}

impl Iterator for ReplayRecords<'_> {
    type Item = Result<OwnedRecord>;
    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let r = self.replay.next().map(|o| o.map(OwnedRecord::from)).transpose();
        self.done = !matches!(r, Some(Ok(_)));
        r
    }
}

impl std::iter::FusedIterator for ReplayRecords<'_> {}

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
///
/// ```
/// # let dir = std::env::temp_dir().join(format!("libpager-doc-readerh-{}", std::process::id()));
/// # let _ = std::fs::remove_dir_all(&dir);
/// # std::fs::create_dir_all(&dir).unwrap();
/// use libpager::walseg::{Reader, Writer};
/// let w = Writer::open(&dir, None)?;
/// w.append(1, b"a")?;
/// w.close()?;
/// let r = Reader::open(dir.join("0000000000000001.wal"), None)?;
/// let first = r.next()?.unwrap(); // borrows r
/// assert!(r.next()?.is_none());
/// assert_eq!(first.data, b"a"); // still valid: the mapping lives as long as r
/// r.release_pages()?; // views stay valid (re-read on touch)
/// assert_eq!(first.data, b"a");
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # Ok::<(), libpager::Error>(())
/// ```
pub struct Reader(NonNull<sys::pager_walseg_reader>, PhantomData<sys::pager_walseg_reader>);
// pager.h: calls are serialized per reader; views stay valid until close (drop), which
// needs exclusive ownership.
unsafe impl Send for Reader {}
unsafe impl Sync for Reader {}

impl Reader {
    /// Opens one segment file (read-only mapping; not locked).
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

    /// The remaining records as an [`Iterator`] of zero-copy [`Record`]s borrowing the reader.
    /// It ends at the stop (see [`Reader::stop`]) or after yielding one `Err`.
    ///
    /// ```
    /// # let dir = std::env::temp_dir().join(format!("pager-doc-reader-{}", std::process::id()));
    /// # let _ = std::fs::remove_dir_all(&dir);
    /// use libpager::walseg::{Reader, Writer};
    /// let w = Writer::open(&dir, None)?;
    /// w.append(1, b"a")?;
    /// w.append(1, b"bc")?;
    /// w.close()?;
    /// let reader = Reader::open(dir.join("0000000000000001.wal"), None)?;
    /// let lens: Vec<usize> = reader.records().map(|r| r.map(|rec| rec.data.len())).collect::<libpager::Result<_>>()?;
    /// assert_eq!(lens, [1, 2]);
    /// # std::fs::remove_dir_all(&dir).unwrap();
    /// # Ok::<(), libpager::Error>(())
    /// ```
    pub fn records(&self) -> ReaderRecords<'_> {
        ReaderRecords { reader: self, done: false }
    }

    /// Why the reader stopped, in words (empty for a clean end or before the stop).
    pub fn stop_detail(&self) -> Result<String> {
        // SAFETY: buf/len_out are valid for the call (see detail()).
        detail(|b, cap, n| unsafe { sys::pager_walseg_reader_stop_detail(self.0.as_ptr(), b, cap, n) })
    }

    /// Where the reader is in its segment.
    pub fn position(&self) -> Result<ReaderPosition> {
        let (mut offset, mut len, mut empty, mut advised) = (0u64, 0u64, 0u32, 0u32);
        // SAFETY: valid out-parameters.
        check(unsafe {
            sys::pager_walseg_reader_position(self.0.as_ptr(), &mut offset, &mut len, &mut empty, &mut advised)
        })?;
        Ok(ReaderPosition { offset, len, is_empty: empty != 0, madvise_applied: advised != 0 })
    }

    /// Drops the segment's pages from memory (views stay valid: re-read on touch).
    pub fn release_pages(&self) -> Result<()> {
        // SAFETY: a live reader.
        check(unsafe { sys::pager_walseg_reader_release_pages(self.0.as_ptr()) })
    }
}

impl std::fmt::Debug for Reader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut d = f.debug_struct("Reader");
        if let Ok((stop, offset, last_lsn)) = self.stop() {
            d.field("stop", &stop).field("offset", &offset).field("last_lsn", &last_lsn);
        }
        d.finish_non_exhaustive()
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
///
/// ```
/// # let dir = std::env::temp_dir().join(format!("libpager-doc-replayh-{}", std::process::id()));
/// # let _ = std::fs::remove_dir_all(&dir);
/// # std::fs::create_dir_all(&dir).unwrap();
/// use libpager::walseg::{Replay, Writer};
/// let w = Writer::open(&dir, None)?;
/// w.append(1, b"a")?;
/// w.append(1, b"b")?;
/// w.close()?;
/// let mut replay = Replay::open(&dir, 0, None)?;
/// let mut seen = Vec::new();
/// while let Some(rec) = replay.next()? {
///     seen.extend_from_slice(rec.data); // copy what outlives this iteration
/// }
/// assert_eq!(seen, b"ab");
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # Ok::<(), libpager::Error>(())
/// ```
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

    /// The remaining records as an [`Iterator`] of [`OwnedRecord`]s, each payload copied out
    /// of the mapping (a replay's zero-copy records cannot be an `Iterator`: each one is gone
    /// at the next `next()`; use [`Replay::next`] to avoid the copy). It ends at the stop
    /// (see [`Replay::stop`]) or after yielding one `Err`.
    ///
    /// ```
    /// # let dir = std::env::temp_dir().join(format!("pager-doc-replay-{}", std::process::id()));
    /// # let _ = std::fs::remove_dir_all(&dir);
    /// use libpager::walseg::{Replay, Writer};
    /// let w = Writer::open(&dir, None)?;
    /// for word in ["alpha", "beta", "gamma"] {
    ///     w.append(1, word.as_bytes())?;
    /// }
    /// w.close()?;
    /// let mut replay = Replay::open(&dir, 2, None)?; // from LSN 2
    /// let words: Vec<String> = replay
    ///     .records()
    ///     .map(|r| r.map(|rec| String::from_utf8(rec.data).unwrap()))
    ///     .collect::<libpager::Result<_>>()?;
    /// assert_eq!(words, ["beta", "gamma"]);
    /// # std::fs::remove_dir_all(&dir).unwrap();
    /// # Ok::<(), libpager::Error>(())
    /// ```
    pub fn records(&mut self) -> ReplayRecords<'_> {
        ReplayRecords { replay: self, done: false }
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

impl std::fmt::Debug for Replay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut d = f.debug_struct("Replay");
        if let Ok((stop, segment, offset, last_lsn)) = self.stop() {
            d.field("stop", &stop).field("segment", &segment).field("offset", &offset)
                .field("last_lsn", &last_lsn);
        }
        d.finish_non_exhaustive()
    }
}

impl Drop for Replay {
    fn drop(&mut self) {
        // SAFETY: owned; no Record<'_> can be alive.
        unsafe { sys::pager_walseg_replay_close(self.0.as_ptr()) }
    }
}
