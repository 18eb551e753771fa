mod common;
use common::{assert_code, TempDir};
use libpager::code;
use libpager::wal::{AccessMode, CheckpointMode, Wal, WalOptions, APP_HEADER_SIZE};

#[test]
fn commit_reopen_read() {
    let dir = TempDir::new("wal");
    let path = dir.join("db");
    let opts = WalOptions { page_size: 1024, ..WalOptions::default() };
    assert_eq!(WalOptions::default().page_size, 0); // 4096 on create, the file's on open
    assert!(!WalOptions::default().read_only);
    assert!(!WalOptions::default().keep_files);
    let mut hdr = [0u8; APP_HEADER_SIZE];
    hdr[..3].copy_from_slice(b"app");
    {
        let w = Wal::create(&path, Some(&opts)).unwrap();
        w.stage_page(3, &[0xab; 1024]).unwrap();
        w.stage_app_header(&hdr).unwrap();
        assert_eq!(w.commit().unwrap(), 1);
        assert_eq!(w.page_count().unwrap(), 4);
        assert_eq!(w.stats().unwrap().commits, 1);
    }
    let ro = WalOptions { read_only: true, ..WalOptions::default() };
    let r = Wal::open(&path, Some(&ro)).unwrap();
    assert_eq!(r.access_mode().unwrap(), AccessMode::ReadOnly);
    assert_eq!(r.read_page(3).unwrap(), vec![0xab; 1024]);
    assert_eq!(r.read_page(2).unwrap(), vec![0; 1024]);
    assert_eq!(r.read_app_header().unwrap(), hdr);
    r.stage_page(3, &[1; 1024]).unwrap();
    assert_code(r.commit(), code::READONLY);
}

#[test]
fn checkpoint_rollback_shrink_and_threads() {
    let dir = TempDir::new("wal");
    let w = Wal::create(dir.join("db"), None).unwrap();
    let size = w.page_size().unwrap();
    for p in 1..=5u32 {
        w.stage_page(p, &vec![p as u8; size]).unwrap();
    }
    w.commit().unwrap();
    assert_eq!(w.checkpoint(CheckpointMode::Passive).unwrap(), 5);
    w.stage_page(1, &vec![0; size]).unwrap();
    w.clear_staged().unwrap();
    let mut buf = vec![0u8; size];
    w.read_page_into(1, &mut buf).unwrap();
    assert_eq!(buf[0], 1);
    // Send + Sync: readers on several threads share one handle.
    std::thread::scope(|s| {
        for p in 1..=5u32 {
            let w = &w;
            s.spawn(move || assert_eq!(w.read_page(p).unwrap()[size - 1], p as u8));
        }
    });
    w.set_page_count(3).unwrap();
    assert_code(w.read_page(4), code::NOT_FOUND);
}

#[test]
fn errors() {
    let dir = TempDir::new("wal");
    assert_code(Wal::open(dir.join("missing"), None), code::NOT_FOUND);
    let path = dir.join("db");
    let w = Wal::create(&path, None).unwrap();
    assert_code(Wal::create(&path, None), code::EXISTS);
    let busy = assert_code(Wal::open(&path, None), code::BUSY);
    assert_eq!(busy.name(), "PAGER_ERR_BUSY");
    assert_code(w.stage_page(1, &[0; 10]), code::INVALID);
    let ro = WalOptions { read_only: true, ..WalOptions::default() };
    assert_code(Wal::create(dir.join("ro"), Some(&ro)), code::INVALID);
    let keep = WalOptions { keep_files: true, ..WalOptions::default() };
    assert_code(Wal::create(dir.join("keep"), Some(&keep)), code::INVALID);
    assert_code(w.read_page(0), code::RESERVED);
    let bad = WalOptions { page_size: 1000, ..WalOptions::default() };
    assert_code(Wal::create(dir.join("other"), Some(&bad)), code::INVALID);
    assert_code(Wal::create("/no/such/dir/db", None), code::NOT_FOUND);
}

#[test]
fn checkpoint_modes() {
    let dir = TempDir::new("wal");
    let path = dir.join("db");
    let w = Wal::create(&path, None).unwrap();
    let size = w.page_size().unwrap();
    for (i, mode) in [CheckpointMode::Passive, CheckpointMode::Full, CheckpointMode::Truncate]
        .into_iter()
        .enumerate()
    {
        let p = i as u32 + 1;
        w.stage_page(p, &vec![p as u8; size]).unwrap();
        w.commit().unwrap();
        assert_eq!(w.checkpoint(mode).unwrap(), 1, "{mode:?}");
    }
    let wal_file = format!("{}-wal", path.display());
    assert_eq!(std::fs::metadata(&wal_file).unwrap().len(), 0);
    drop(w);
    let r = Wal::open(&path, None).unwrap();
    for p in 1..=3u32 {
        assert_eq!(r.read_page(p).unwrap()[0], p as u8);
    }
}

/// The background checkpointer: commits only append, the WAL stays bounded by twice the
/// threshold (plus one transaction), so 50 commits of 4 frames must have restarted it.
#[test]
fn background_checkpoint_keeps_the_wal_bounded() {
    let dir = TempDir::new("wal");
    let path = dir.join("db");
    assert!(!WalOptions::default().background_checkpoint, "off by default in 0.3");
    let opts = WalOptions {
        auto_checkpoint_frames: 4,
        background_checkpoint: true,
        ..WalOptions::default()
    };
    let w = Wal::create(&path, Some(&opts)).unwrap();
    let size = w.page_size().unwrap();
    for n in 1..=50u8 {
        for p in 1..=4u32 {
            w.stage_page(p, &vec![n; size]).unwrap();
        }
        w.commit().unwrap();
        let frames = w.stats().unwrap().wal_frames;
        assert!(frames < 2 * 4 + 4, "commit {n}: {frames} frames in the WAL");
    }
    assert!(w.stats().unwrap().wal_restarts > 0);
    drop(w);
    let r = Wal::open(&path, Some(&WalOptions { read_only: true, ..WalOptions::default() })).unwrap();
    for p in 1..=4u32 {
        assert_eq!(r.read_page(p).unwrap()[0], 50);
    }
}

/// Leaves at `path` what a crash leaves: no writer open, the `-shm` index as an earlier commit
/// published it (the index is never synced). Returns the stale index bytes.
fn stale_index_db(path: &std::path::Path, last: &[u8]) -> Vec<u8> {
    let shm = format!("{}-shm", path.display());
    let w = Wal::create(path, None).unwrap();
    w.stage_page(1, &vec![1; last.len()]).unwrap();
    w.commit().unwrap();
    let stale = std::fs::read(&shm).unwrap();
    w.stage_page(1, last).unwrap();
    w.commit().unwrap();
    drop(w);
    std::fs::write(&shm, &stale).unwrap();
    stale
}

/// `keep_files` reads the last commit around a stale index, leaves `-shm` byte for byte as
/// found and keeps a writer out while open; a plain `read_only` open then rebuilds the index
/// and lets a writer in beside it.
#[test]
fn keep_files_leaves_a_stale_index_as_found_where_read_only_rebuilds_it() {
    let dir = TempDir::new("wal");
    let path = dir.join("db");
    let shm = format!("{}-shm", path.display());
    let last = vec![2u8; 4096];
    let stale = stale_index_db(&path, &last);

    let keep = WalOptions { keep_files: true, ..WalOptions::default() };
    let k = Wal::open(&path, Some(&keep)).unwrap();
    assert_eq!(k.access_mode().unwrap(), AccessMode::ReadOnly);
    assert_eq!(k.read_page(1).unwrap(), last);
    let busy = assert_code(Wal::open(&path, None), code::BUSY);
    assert!(busy.message.contains("read-only handles"), "{busy}");
    drop(k);
    assert_eq!(std::fs::read(&shm).unwrap(), stale, "a keep_files reader wrote -shm");

    let ro = WalOptions { read_only: true, ..WalOptions::default() };
    let r = Wal::open(&path, Some(&ro)).unwrap();
    assert_eq!(r.read_page(1).unwrap(), last);
    assert_ne!(std::fs::read(&shm).unwrap(), stale, "a read_only reader did not rebuild -shm");
    drop(Wal::open(&path, None).unwrap());
}
