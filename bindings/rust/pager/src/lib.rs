//! Safe Rust binding of libpager (crash-safe page storage behind `pager.h`).
//!
//! Every fallible call returns [`Result<T>`]; an [`Error`] carries the stable
//! `PAGER_ERR_*` code and the detail message libpager reported for that call. Components
//! add their safe types as modules of this crate on top of [`sys`] (RAII handles, slices
//! instead of pointer/length pairs, [`check`] on every status).

#![deny(missing_docs)]

use std::ffi::CStr;
use std::fmt;
use std::os::raw::{c_char, c_int};

pub use libpager_sys as sys;

/// The raw values of the `pager.h` codes, for [`check`] and [`ErrorCode::from_raw`]
/// (the typed form is [`ErrorCode`]).
///
/// ```
/// assert_eq!(libpager::code::OK, 0);
/// assert_eq!(libpager::ErrorCode::from_raw(libpager::code::CORRUPT), libpager::ErrorCode::Corrupt);
/// ```
#[allow(missing_docs)] // each is the C constant of the same name (PAGER_OK, PAGER_ERR_*)
pub mod code {
    use libpager_sys as sys;
    pub const OK: i32 = sys::PAGER_OK as i32;
    pub const INVALID: i32 = sys::PAGER_ERR_INVALID as i32;
    pub const IO: i32 = sys::PAGER_ERR_IO as i32;
    pub const NOMEM: i32 = sys::PAGER_ERR_NOMEM as i32;
    pub const NOSPC: i32 = sys::PAGER_ERR_NOSPC as i32;
    pub const CORRUPT: i32 = sys::PAGER_ERR_CORRUPT as i32;
    pub const VERSION: i32 = sys::PAGER_ERR_VERSION as i32;
    pub const PAGE_SIZE: i32 = sys::PAGER_ERR_PAGE_SIZE as i32;
    pub const BUSY: i32 = sys::PAGER_ERR_BUSY as i32;
    pub const READONLY: i32 = sys::PAGER_ERR_READONLY as i32;
    pub const RANGE: i32 = sys::PAGER_ERR_RANGE as i32;
    pub const OVERLAP: i32 = sys::PAGER_ERR_OVERLAP as i32;
    pub const DOUBLE_FREE: i32 = sys::PAGER_ERR_DOUBLE_FREE as i32;
    pub const RESERVED: i32 = sys::PAGER_ERR_RESERVED as i32;
    pub const FULL: i32 = sys::PAGER_ERR_FULL as i32;
    pub const POISONED: i32 = sys::PAGER_ERR_POISONED as i32;
    pub const MISMATCH: i32 = sys::PAGER_ERR_MISMATCH as i32;
    pub const NOT_FOUND: i32 = sys::PAGER_ERR_NOT_FOUND as i32;
    pub const EXISTS: i32 = sys::PAGER_ERR_EXISTS as i32;
    pub const CANCELLED: i32 = sys::PAGER_ERR_CANCELLED as i32;
    pub const CALLBACK: i32 = sys::PAGER_ERR_CALLBACK as i32;
    pub const INTERNAL: i32 = sys::PAGER_ERR_INTERNAL as i32;
    pub const DUPLICATE: i32 = sys::PAGER_ERR_DUPLICATE as i32;
    pub const TOO_LARGE: i32 = sys::PAGER_ERR_TOO_LARGE as i32;
    /// The number of codes this header version defines (codes are `0..COUNT`).
    pub const COUNT: i32 = sys::PAGER_ERR_COUNT as i32;
}

/// What kind of failure a libpager call reported: the stable `PAGER_ERR_*` codes of
/// `pager.h` (never renumbered, never reused). New codes may be added, so match with a
/// wildcard arm; a code this binding does not know is [`ErrorCode::Unknown`].
///
/// ```
/// use libpager::ErrorCode;
/// assert_eq!(ErrorCode::from_raw(libpager::code::BUSY), ErrorCode::Busy);
/// assert_eq!(ErrorCode::Busy.raw(), 8);
/// assert_eq!(ErrorCode::Busy.name(), "PAGER_ERR_BUSY");
/// assert_eq!(ErrorCode::from_raw(1000), ErrorCode::Unknown(1000));
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// `PAGER_ERR_INVALID`: a bad argument, option or state (also: a handle already closed).
    Invalid,
    /// `PAGER_ERR_IO`: the operating system reported an I/O error.
    Io,
    /// `PAGER_ERR_NOMEM`: out of memory or address space.
    NoMem,
    /// `PAGER_ERR_NOSPC`: no space left on the device.
    NoSpace,
    /// `PAGER_ERR_CORRUPT`: bytes read from disk fail a magic, checksum or bound check.
    Corrupt,
    /// `PAGER_ERR_VERSION`: a format version or required feature this build lacks, or a format
    /// version other than the one the caller expects.
    Version,
    /// `PAGER_ERR_PAGE_SIZE`: the file's page size is not the one the caller expects.
    PageSize,
    /// `PAGER_ERR_BUSY`: a lock is held by another opener.
    Busy,
    /// `PAGER_ERR_READONLY`: a mutation on a read-only handle.
    ReadOnly,
    /// `PAGER_ERR_RANGE`: an id, offset or range out of bounds.
    Range,
    /// `PAGER_ERR_OVERLAP`: two ranges share a byte.
    Overlap,
    /// `PAGER_ERR_DOUBLE_FREE`: freeing something that is not allocated.
    DoubleFree,
    /// `PAGER_ERR_RESERVED`: a reserved page or id.
    Reserved,
    /// `PAGER_ERR_FULL`: a fixed capacity is exhausted.
    Full,
    /// `PAGER_ERR_POISONED`: an earlier durability failure poisoned this handle (reopen it).
    Poisoned,
    /// `PAGER_ERR_MISMATCH`: snapshot geometry differs from the engine's.
    Mismatch,
    /// `PAGER_ERR_NOT_FOUND`: no such file, page or entry.
    NotFound,
    /// `PAGER_ERR_EXISTS`: the file or entry already exists.
    Exists,
    /// `PAGER_ERR_CANCELLED`: a progress callback asked to stop.
    Cancelled,
    /// `PAGER_ERR_CALLBACK`: an adapter callback failed (its code is in the message).
    Callback,
    /// `PAGER_ERR_INTERNAL`: a bug in libpager (please report the message).
    Internal,
    /// `PAGER_ERR_DUPLICATE`: the same id appears twice in one list.
    Duplicate,
    /// `PAGER_ERR_TOO_LARGE`: a length above a configured limit.
    TooLarge,
    /// A code this binding does not name (a newer library), with its raw value.
    Unknown(i32),
}

const CODES: [ErrorCode; 23] = [
    ErrorCode::Invalid, ErrorCode::Io, ErrorCode::NoMem, ErrorCode::NoSpace, ErrorCode::Corrupt,
    ErrorCode::Version, ErrorCode::PageSize, ErrorCode::Busy, ErrorCode::ReadOnly,
    ErrorCode::Range, ErrorCode::Overlap, ErrorCode::DoubleFree, ErrorCode::Reserved,
    ErrorCode::Full, ErrorCode::Poisoned, ErrorCode::Mismatch, ErrorCode::NotFound,
    ErrorCode::Exists, ErrorCode::Cancelled, ErrorCode::Callback, ErrorCode::Internal,
    ErrorCode::Duplicate, ErrorCode::TooLarge,
];

impl ErrorCode {
    /// The variant of a raw `PAGER_ERR_*` value (`Unknown` for 0 and undefined values).
    ///
    /// ```
    /// assert_eq!(libpager::ErrorCode::from_raw(17), libpager::ErrorCode::NotFound);
    /// ```
    pub fn from_raw(code: i32) -> ErrorCode {
        match usize::try_from(code) {
            Ok(i) if (1..=CODES.len()).contains(&i) => CODES[i - 1],
            _ => ErrorCode::Unknown(code),
        }
    }

    /// The raw `PAGER_ERR_*` value.
    ///
    /// ```
    /// assert_eq!(libpager::ErrorCode::NotFound.raw(), libpager::code::NOT_FOUND);
    /// ```
    pub fn raw(self) -> i32 {
        match self {
            ErrorCode::Unknown(v) => v,
            known => CODES.iter().position(|c| *c == known).map_or(-1, |i| i as i32 + 1),
        }
    }

    /// The stable name, e.g. `"PAGER_ERR_NOT_FOUND"` (`"PAGER_ERR_UNKNOWN"` for `Unknown`).
    ///
    /// ```
    /// assert_eq!(libpager::ErrorCode::Corrupt.name(), "PAGER_ERR_CORRUPT");
    /// ```
    pub fn name(self) -> &'static str {
        errstr(self.raw())
    }

    /// The [`std::io::ErrorKind`] a `std::io::Error` made from this code gets.
    ///
    /// ```
    /// use std::io::ErrorKind;
    /// assert_eq!(libpager::ErrorCode::NotFound.io_kind(), ErrorKind::NotFound);
    /// assert_eq!(libpager::ErrorCode::Corrupt.io_kind(), ErrorKind::InvalidData);
    /// ```
    pub fn io_kind(self) -> std::io::ErrorKind {
        use std::io::ErrorKind as K;
        match self {
            ErrorCode::NotFound => K::NotFound,
            ErrorCode::Exists => K::AlreadyExists,
            ErrorCode::ReadOnly => K::PermissionDenied,
            ErrorCode::Busy => K::ResourceBusy,
            ErrorCode::NoSpace | ErrorCode::Full => K::StorageFull,
            ErrorCode::NoMem => K::OutOfMemory,
            ErrorCode::Corrupt | ErrorCode::Mismatch => K::InvalidData,
            ErrorCode::Version => K::Unsupported,
            ErrorCode::TooLarge => K::FileTooLarge,
            ErrorCode::Cancelled => K::Interrupted,
            ErrorCode::Invalid
            | ErrorCode::PageSize
            | ErrorCode::Range
            | ErrorCode::Overlap
            | ErrorCode::DoubleFree
            | ErrorCode::Reserved
            | ErrorCode::Duplicate => K::InvalidInput,
            ErrorCode::Io
            | ErrorCode::Poisoned
            | ErrorCode::Callback
            | ErrorCode::Internal
            | ErrorCode::Unknown(_) => K::Other,
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorCode::Unknown(v) => write!(f, "PAGER_ERR_UNKNOWN({v})"),
            known => f.write_str(known.name()),
        }
    }
}

/// A failed libpager call: what kind of failure ([`ErrorCode`]) and the detail message
/// libpager reported for it (path, page, offset, expected and found values; may be empty).
/// Converts into [`std::io::Error`] with the matching [`std::io::ErrorKind`] (the
/// `libpager::Error` stays reachable as its inner error).
///
/// ```
/// use libpager::{Error, ErrorCode};
/// let err = libpager::check(libpager::code::NOT_FOUND).unwrap_err();
/// assert_eq!(err.code, ErrorCode::NotFound);
/// let io: std::io::Error = err.clone().into();
/// assert_eq!(io.kind(), std::io::ErrorKind::NotFound);
/// let back = io.get_ref().and_then(|e| e.downcast_ref::<Error>()).unwrap();
/// assert_eq!(back, &err);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Error {
    /// The kind of failure.
    pub code: ErrorCode,
    /// What exactly failed, in words (may be empty).
    pub message: String,
}

/// `Result<T, libpager::Error>`.
///
/// ```
/// fn first_page(w: &libpager::wal::Wal) -> libpager::Result<Vec<u8>> {
///     w.read_page(1)
/// }
/// ```
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// An error of `code` with the given message (for code that wraps libpager calls).
    ///
    /// ```
    /// let e = libpager::Error::new(libpager::ErrorCode::Busy, "held by pid 7");
    /// assert_eq!(e.to_string(), "PAGER_ERR_BUSY: held by pid 7");
    /// ```
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Error {
        Error { code, message: message.into() }
    }

    /// The error for a failed call's raw `code` with the calling thread's
    /// `pager_last_error()`. Call it right after the failing call, before any other
    /// libpager call on this thread (that is what [`check`] does).
    ///
    /// ```
    /// let e = libpager::Error::last(libpager::code::IO);
    /// assert_eq!(e.code, libpager::ErrorCode::Io);
    /// ```
    pub fn last(code: i32) -> Error {
        // SAFETY: pager_last_error returns a NUL-terminated string owned by the library,
        // valid until this thread's next libpager call; it is copied before returning.
        let message = unsafe { lossy(sys::pager_last_error()) };
        Error { code: ErrorCode::from_raw(code), message }
    }

    /// The symbolic name of the code, e.g. `"PAGER_ERR_NOT_FOUND"`.
    ///
    /// ```
    /// assert_eq!(libpager::check(libpager::code::EXISTS).unwrap_err().name(), "PAGER_ERR_EXISTS");
    /// ```
    pub fn name(&self) -> &'static str {
        self.code.name()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.message.is_empty() {
            write!(f, "{}", self.code)
        } else {
            write!(f, "{}: {}", self.code, self.message)
        }
    }
}

impl std::error::Error for Error {}

impl From<Error> for std::io::Error {
    fn from(e: Error) -> std::io::Error {
        std::io::Error::new(e.code.io_kind(), e)
    }
}

/// Turns a status returned by a `sys` call into `Ok(())` or the [`Error`] with this
/// thread's detail message. Call it immediately after the call that returned `rc`.
///
/// ```
/// assert_eq!(libpager::check(libpager::code::OK), Ok(()));
/// let err = libpager::check(libpager::code::BUSY).unwrap_err();
/// assert_eq!((err.code, err.name()), (libpager::ErrorCode::Busy, "PAGER_ERR_BUSY"));
/// ```
pub fn check(rc: c_int) -> Result<()> {
    if rc == code::OK {
        Ok(())
    } else {
        Err(Error::last(rc))
    }
}

/// The library's version as `MAJOR * 10000 + MINOR * 100 + PATCH`.
///
/// ```
/// assert_eq!(libpager::version(), libpager::HEADER_VERSION); // no header/library skew
/// ```
pub fn version() -> u32 {
    // SAFETY: no arguments, no failure.
    unsafe { sys::pager_version() }
}

/// The version of the `pager.h` these bindings were generated from (differs from
/// [`version`] when another release of the shared library is loaded).
///
/// ```
/// assert!(libpager::HEADER_VERSION >= 200); // 0.2.0 or later
/// ```
pub const HEADER_VERSION: u32 = sys::PAGER_VERSION_NUMBER;

/// The library's version as `"MAJOR.MINOR.PATCH"`.
///
/// ```
/// let v = libpager::version();
/// assert_eq!(libpager::version_string(), format!("{}.{}.{}", v / 10000, v / 100 % 100, v % 100));
/// ```
pub fn version_string() -> &'static str {
    // SAFETY: a static NUL-terminated ASCII string.
    unsafe { static_str(sys::pager_version_string()) }
}

/// The stable name of an error code, or `"PAGER_ERR_UNKNOWN"` for one this library
/// version does not define.
///
/// ```
/// assert_eq!(libpager::errstr(libpager::code::BUSY), "PAGER_ERR_BUSY");
/// assert_eq!(libpager::errstr(-5), "PAGER_ERR_UNKNOWN");
/// ```
pub fn errstr(code: i32) -> &'static str {
    // SAFETY: pager_errstr accepts any int and returns a static NUL-terminated string.
    unsafe { static_str(sys::pager_errstr(code)) }
}

/// # Safety
/// `p` is NULL or a NUL-terminated string that lives for the whole program.
unsafe fn static_str(p: *const c_char) -> &'static str {
    if p.is_null() {
        return "";
    }
    CStr::from_ptr(p).to_str().unwrap_or("")
}

/// # Safety
/// `p` is NULL or a NUL-terminated string valid for the duration of this call.
unsafe fn lossy(p: *const c_char) -> String {
    if p.is_null() {
        return String::new();
    }
    CStr::from_ptr(p).to_string_lossy().into_owned()
}

pub mod wal;
pub mod walseg;
pub mod file;
pub mod cold;
pub mod snapshot;
pub mod check;
