mod common;
use common::{assert_code, TempDir};
use libpager::code;
use libpager::wal::{CheckpointMode, ReadTxn, Wal, WalOptions, APP_HEADER_SIZE};

fn commit_page(w: &Wal, fill: u8, hdr: &[u8]) {
    let mut h = [0u8; APP_HEADER_SIZE];
    h[..hdr.len()].copy_from_slice(hdr);
    w.stage_page(1, &[fill; 1024]).unwrap();
    w.stage_app_header(&h).unwrap();
    w.commit().unwrap();
}

fn new_wal(dir: &TempDir, fill: u8, hdr: &[u8]) -> Wal {
    let w = Wal::create(dir.join("db"), Some(&WalOptions { page_size: 1024, ..WalOptions::default() })).unwrap();
    commit_page(&w, fill, hdr);
    w
}

#[test]
fn commit_after_begin_is_invisible_inside_and_visible_outside() {
    let dir = TempDir::new("readtxn");
    let w = new_wal(&dir, 0x11, b"old");
    let txn = w.read_txn().unwrap();
    commit_page(&w, 0x22, b"new");
    w.set_page_count(5).unwrap();
    w.commit().unwrap();
    let mut buf = vec![0u8; 1024];
    txn.read_page(1, &mut buf).unwrap();
    assert_eq!(buf, vec![0x11; 1024]);
    assert_eq!(txn.read_page_vec(1).unwrap(), vec![0x11; 1024]);
    assert_eq!(txn.page_count().unwrap(), 2);
    assert_eq!(&txn.read_app_header().unwrap()[..3], b"old");
    assert_eq!(w.read_page(1).unwrap(), vec![0x22; 1024]);
    assert_eq!(w.page_count().unwrap(), 5);
    assert_eq!(&w.read_app_header().unwrap()[..3], b"new");
    // A passive checkpoint leaves the frames the reader needs and says so.
    w.checkpoint(CheckpointMode::Passive).unwrap();
    let st = w.stats().unwrap();
    assert_eq!(st.readers_active, 1);
    assert!(st.frames_left > 0, "{st:?}");
    assert_eq!(txn.read_page_vec(1).unwrap()[0], 0x11);
    drop(txn);
    assert_eq!(w.stats().unwrap().readers_active, 0);
}

#[test]
fn bad_arguments_are_library_errors_and_leave_buf_untouched() {
    let dir = TempDir::new("readtxn");
    let w = new_wal(&dir, 0x11, b"");
    let txn = w.read_txn().unwrap();
    let mut buf = vec![0xee; 1024];
    assert_code(txn.read_page(0, &mut buf), code::RESERVED);
    assert_code(txn.read_page(2, &mut buf), code::NOT_FOUND);
    assert_code(txn.read_page(1, &mut buf[..10]), code::INVALID);
    assert_code(txn.read_page(1, &mut []), code::INVALID);
    assert_eq!(buf, vec![0xee; 1024]);
}

#[test]
fn threads_reading_one_txn_see_its_snapshot_while_the_writer_commits() {
    let dir = TempDir::new("readtxn");
    let w = new_wal(&dir, 0x11, b"");
    let txn = w.read_txn().unwrap();
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                let mut buf = vec![0u8; 1024];
                for _ in 0..200 {
                    txn.read_page(1, &mut buf).unwrap();
                    assert!(buf[0] == 0x11 && buf[1023] == 0x11, "a reader saw a later commit");
                }
            });
        }
        for i in 0..20u8 {
            commit_page(&w, 0x20 + i, b"");
        }
    });
    assert_eq!(txn.read_page_vec(1).unwrap()[0], 0x11);
}

#[test]
fn txn_moved_to_another_thread_and_dropped_there_ends_the_transaction() {
    let dir = TempDir::new("readtxn");
    let w = new_wal(&dir, 0x11, b"");
    let txns: Vec<ReadTxn<'_>> = (0..3).map(|_| w.read_txn().unwrap()).collect();
    assert_eq!(w.stats().unwrap().readers_active, 3);
    std::thread::scope(|s| {
        for t in txns {
            s.spawn(move || {
                assert_eq!(t.page_count().unwrap(), 2);
                drop(t);
            });
        }
    });
    assert_eq!(w.stats().unwrap().readers_active, 0);
    // No reader left: a full checkpoint copies everything.
    w.checkpoint(CheckpointMode::Full).unwrap();
    assert_eq!(w.stats().unwrap().frames_left, 0);
}

#[test]
fn send_and_sync_are_implemented() {
    fn is_send_sync<T: Send + Sync>() {}
    is_send_sync::<ReadTxn<'static>>();
}

#[test]
fn a_view_of_a_wal_frame_keeps_its_bytes_across_commits_and_checkpoints() {
    let dir = TempDir::new("readtxn-view");
    let w = new_wal(&dir, 0x11, b"v");
    let txn = w.read_txn().unwrap();
    let page = txn.view(1).unwrap(); // a WAL frame
    assert_eq!(page, &[0x11; 1024][..]);
    commit_page(&w, 0x22, b"v2");
    w.checkpoint(CheckpointMode::Passive).unwrap();
    assert_code(w.checkpoint(CheckpointMode::Full), code::BUSY);
    assert_eq!(page, &[0x11; 1024][..]);
    assert_eq!(txn.view(1).unwrap(), page);
    assert_code(txn.view(0), code::RESERVED);
    assert_code(txn.view(2), code::NOT_FOUND);
    drop(txn);
    w.checkpoint(CheckpointMode::Full).unwrap();
    assert_eq!(w.read_page(1).unwrap(), vec![0x22; 1024]);
}
