//! A scratch directory removed on drop (no external crates: Cargo.lock stays as it is).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        static N: AtomicU32 = AtomicU32::new(0);
        let p = std::env::temp_dir().join(format!(
            "pager-rs-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&p).expect("create temp dir");
        TempDir(p)
    }
    pub fn path(&self) -> &Path {
        &self.0
    }
    pub fn join(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Asserts `r` failed with `code` and a non-empty detail message.
#[track_caller]
pub fn assert_code<T>(r: libpager::Result<T>, code: i32) -> libpager::Error {
    let e = match r {
        Ok(_) => panic!("expected {}, the call succeeded", libpager::errstr(code)),
        Err(e) => e,
    };
    assert_eq!(e.code.raw(), code, "{e}");
    assert!(!e.message.is_empty(), "no detail message for {}", e.name());
    e
}
