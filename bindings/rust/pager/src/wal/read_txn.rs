//! Read transactions on a [`Wal`] (`pager_wal_read_txn_*`).

use std::marker::PhantomData;
use std::ptr::NonNull;

use super::{Wal, APP_HEADER_SIZE};
use crate::{check, sys, Result};

/// A read transaction ([`Wal::read_txn`]): it pins the last commit of its [`Wal`] as of
/// `read_txn`, so every read through it sees that commit -- its pages, page count and
/// application header -- whatever the `Wal` commits or checkpoints meanwhile (snapshot
/// isolation; staged changes are never seen). Reads through the `Wal` itself keep seeing the
/// latest state. Dropping it ends the transaction (`pager_wal_read_txn_free`). While it is
/// open and older than the last commit, checkpoints leave the WAL's frames where they are (the
/// WAL grows): drop it promptly.
///
/// It borrows its `Wal`, so the `Wal` cannot be dropped (closed) while the transaction lives:
/// the C API's "used after `pager_wal_close`" case cannot happen in safe Rust:
///
/// ```compile_fail,E0505
/// # let dir = std::env::temp_dir();
/// let wal = libpager::wal::Wal::create(dir.join("never-created"), None).unwrap();
/// let txn = wal.read_txn().unwrap();
/// drop(wal); // error[E0505]: cannot move out of `wal` because it is borrowed
/// txn.page_count().unwrap();
/// ```
///
/// `Send` and `Sync`: pager.h says a transaction "may be used from several threads (calls are
/// serialized with the handle's)", so its `&self` methods may run on several threads at once
/// (`Sync`) and it may move to another thread (`Send`: the library keeps no per-thread state
/// for it). `pager_wal_read_txn_free` "must not run concurrently with another call on the same
/// transaction": `Drop` has the transaction exclusively, so no `&self` call can be running.
///
/// ```
/// # let dir = std::env::temp_dir().join(format!("libpager-doc-readtxn-{}", std::process::id()));
/// # let _ = std::fs::remove_dir_all(&dir);
/// # std::fs::create_dir_all(&dir).unwrap();
/// use libpager::wal::Wal;
/// let wal = Wal::create(dir.join("db"), None)?; // 4096-byte pages
/// wal.stage_page(1, &[1u8; 4096])?;
/// wal.commit()?;
/// let txn = wal.read_txn()?; // pins the commit above
/// wal.stage_page(1, &[2u8; 4096])?;
/// wal.commit()?;
/// let mut page = vec![0u8; 4096];
/// txn.read_page(1, &mut page)?;
/// assert_eq!(page[0], 1); // the snapshot
/// assert_eq!(wal.read_page(1)?[0], 2); // the Wal sees the latest commit
/// std::thread::scope(|s| {
///     s.spawn(|| assert_eq!(txn.page_count().unwrap(), 2)); // shared across threads
/// });
/// assert_eq!(wal.stats()?.readers_active, 1);
/// drop(txn);
/// assert_eq!(wal.stats()?.readers_active, 0);
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # Ok::<(), libpager::Error>(())
/// ```
pub struct ReadTxn<'w> {
    txn: NonNull<sys::pager_wal_read_txn>,
    page_size: usize,
    _wal: PhantomData<&'w Wal>,
}

// SAFETY: see the type's documentation (pager.h, "Read transactions"): calls on one
// transaction are serialized by the library and may come from any thread; free is exclusive
// through Drop.
unsafe impl Send for ReadTxn<'_> {}
unsafe impl Sync for ReadTxn<'_> {}

impl Wal {
    /// Starts a read transaction pinning the last commit (see [`ReadTxn`]).
    pub fn read_txn(&self) -> Result<ReadTxn<'_>> {
        let page_size = self.page_size()?;
        let mut out = std::ptr::null_mut();
        // SAFETY: self.0 is a live handle; out receives an owned transaction.
        check(unsafe { sys::pager_wal_read_txn_begin(self.0.as_ptr(), &mut out) })?;
        Ok(ReadTxn {
            txn: NonNull::new(out).expect("pager_wal_read_txn_begin returned OK and NULL"),
            page_size,
            _wal: PhantomData,
        })
    }
}

impl ReadTxn<'_> {
    /// Copies page `page` as of the transaction's commit into `buf`, whose length must be the
    /// page size (else `INVALID`). `RESERVED` for page 0, `NOT_FOUND` at or past
    /// [`page_count`](Self::page_count). `buf` is untouched on failure.
    pub fn read_page(&self, page: u32, buf: &mut [u8]) -> Result<()> {
        // SAFETY: a live transaction; buf is valid for buf.len() bytes of writes.
        check(unsafe {
            sys::pager_wal_read_txn_read_page(self.txn.as_ptr(), page, buf.as_mut_ptr().cast(), buf.len() as u64)
        })
    }

    /// The page as of the transaction's commit in a new vector.
    pub fn read_page_vec(&self, page: u32) -> Result<Vec<u8>> {
        let mut buf = vec![0u8; self.page_size];
        self.read_page(page, &mut buf)?;
        Ok(buf)
    }

    /// A zero-copy view of page `page` as of the transaction's commit
    /// (`pager_wal_read_txn_view_page`): the slice points into a read-only mapping of the
    /// main file or the WAL and borrows the transaction, so it cannot outlive it -- nor,
    /// because the transaction borrows its [`Wal`], the `Wal`'s close (the C API's other end
    /// of a view's life):
    ///
    /// ```compile_fail,E0505
    /// # let dir = std::env::temp_dir();
    /// let wal = libpager::wal::Wal::create(dir.join("never-created-view"), None).unwrap();
    /// let txn = wal.read_txn().unwrap();
    /// let page = txn.view(1).unwrap();
    /// drop(txn); // error[E0505]: cannot move out of `txn` because it is borrowed
    /// assert_eq!(page[0], 0);
    /// ```
    ///
    /// Commits and checkpoints may run meanwhile; a transaction that viewed a WAL frame keeps
    /// the WAL from restarting until it is dropped (FULL/TRUNCATE checkpoints wait for it).
    /// `RESERVED` for page 0, `NOT_FOUND` at or past [`page_count`](Self::page_count).
    pub fn view(&self, page: u32) -> Result<&[u8]> {
        let mut data: *const u8 = std::ptr::null();
        // SAFETY: a live transaction; data is a valid out-parameter.
        check(unsafe { sys::pager_wal_read_txn_view_page(self.txn.as_ptr(), page, &mut data) })?;
        // SAFETY: on PAGER_OK data points at page_size readable bytes that nothing writes and
        // that stay mapped until pager_wal_read_txn_free (our Drop, which needs the borrow
        // back) or pager_wal_close (the Wal's Drop, which the 'w borrow prevents).
        Ok(unsafe { std::slice::from_raw_parts(data, self.page_size) })
    }

    /// The page count of the transaction's commit (page 0 counted).
    pub fn page_count(&self) -> Result<u32> {
        let mut v = 0u32;
        // SAFETY: a live transaction; v is a valid out-parameter.
        check(unsafe { sys::pager_wal_read_txn_page_count(self.txn.as_ptr(), &mut v) })?;
        Ok(v)
    }

    /// The application header of the transaction's commit.
    pub fn read_app_header(&self) -> Result<[u8; APP_HEADER_SIZE]> {
        let mut buf = [0u8; APP_HEADER_SIZE];
        // SAFETY: a live transaction; buf holds APP_HEADER_SIZE writable bytes.
        check(unsafe {
            sys::pager_wal_read_txn_read_app_header(self.txn.as_ptr(), buf.as_mut_ptr().cast(), buf.len() as u64)
        })?;
        Ok(buf)
    }
}

impl std::fmt::Debug for ReadTxn<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut d = f.debug_struct("ReadTxn");
        if let Ok(count) = self.page_count() {
            d.field("page_count", &count);
        }
        d.finish_non_exhaustive()
    }
}

impl Drop for ReadTxn<'_> {
    fn drop(&mut self) {
        // SAFETY: the transaction is owned, no &self call is running (Drop is exclusive), and
        // it is not used after this.
        unsafe { sys::pager_wal_read_txn_free(self.txn.as_ptr()) }
    }
}
