//! Safe Rust binding of libpager (crash-safe page storage behind `pager.h`).
//!
//! Every fallible call returns [`Result<T>`]; an [`Error`] carries the stable
//! `PAGER_ERR_*` code and the detail message libpager reported for that call. Components
//! add their safe types as modules of this crate on top of [`sys`] (RAII handles, slices
//! instead of pointer/length pairs, [`check`] on every status).

use std::ffi::CStr;
use std::fmt;
use std::os::raw::{c_char, c_int};

pub use pager_sys as sys;

/// The stable error codes of `pager.h` (never renumbered, never reused).
pub mod code {
    use pager_sys as sys;
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

/// A failed libpager call: `code` is a `PAGER_ERR_*` value (see [`code`]), `message` what
/// exactly failed (path, page, offset, expected and found values; may be empty).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Error {
    pub code: i32,
    pub message: String,
}

/// `Result<T, pager::Error>`.
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// The error for a failed call's `code` with the calling thread's `pager_last_error()`.
    /// Call it right after the failing call, before any other libpager call on this thread
    /// (that is what [`check`] does).
    pub fn last(code: i32) -> Error {
        // SAFETY: pager_last_error returns a NUL-terminated string owned by the library,
        // valid until this thread's next libpager call; it is copied before returning.
        let message = unsafe { lossy(sys::pager_last_error()) };
        Error { code, message }
    }

    /// The symbolic name of the code, e.g. `"PAGER_ERR_NOT_FOUND"`.
    pub fn name(&self) -> &'static str {
        errstr(self.code)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.message.is_empty() {
            f.write_str(self.name())
        } else {
            write!(f, "{}: {}", self.name(), self.message)
        }
    }
}

impl std::error::Error for Error {}

/// Turns a status returned by a `sys` call into `Ok(())` or the [`Error`] with this
/// thread's detail message. Call it immediately after the call that returned `rc`.
///
/// ```
/// assert_eq!(pager::check(pager::code::OK), Ok(()));
/// let err = pager::check(pager::code::BUSY).unwrap_err();
/// assert_eq!((err.code, err.name()), (pager::code::BUSY, "PAGER_ERR_BUSY"));
/// ```
pub fn check(rc: c_int) -> Result<()> {
    if rc == code::OK {
        Ok(())
    } else {
        Err(Error::last(rc))
    }
}

/// The library's version as `MAJOR * 10000 + MINOR * 100 + PATCH`.
pub fn version() -> u32 {
    // SAFETY: no arguments, no failure.
    unsafe { sys::pager_version() }
}

/// The version of the `pager.h` these bindings were generated from (differs from
/// [`version`] when another release of the shared library is loaded).
pub const HEADER_VERSION: u32 = sys::PAGER_VERSION_NUMBER as u32;

/// The library's version as `"MAJOR.MINOR.PATCH"`.
pub fn version_string() -> &'static str {
    // SAFETY: a static NUL-terminated ASCII string.
    unsafe { static_str(sys::pager_version_string()) }
}

/// The stable name of an error code, or `"PAGER_ERR_UNKNOWN"` for one this library
/// version does not define.
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
