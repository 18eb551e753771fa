mod common;
use common::{assert_code, TempDir};
use libpager::check::{check_file, check_wal, detect, Format, WalIndex};
use libpager::wal::{Wal, WalOptions};
use libpager::code;
use libpager::file::PageFile;

#[test]
fn check_file_healthy_then_damaged() {
    let dir = TempDir::new("check");
    let path = dir.join("pages");
    {
        let mut f = PageFile::<4096>::create(&path, None).unwrap();
        f.alloc().unwrap();
    }
    assert_eq!(detect(&path).unwrap(), Format::File);
    let r = check_file(&path).unwrap();
    assert!(!r.damaged && r.page_size == 4096 && r.format_version == 2, "{r:?}");
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[56] ^= 0xff; // the superblock's checksum
    std::fs::write(&path, &bytes).unwrap();
    let r = check_file(&path).unwrap();
    assert!(r.damaged, "{r:?}");
    let f = r.finding.unwrap();
    assert_eq!((f.rule.as_str(), f.offset), ("superblock", Some(0)));
    assert_code(check_wal(&path), code::INVALID);
    assert_code(check_file(dir.join("missing")), code::NOT_FOUND);
    // Its -journal (zeros at its head after the clean close) is checked with the page file.
    let journal = dir.join("pages-journal");
    assert_eq!(detect(&journal).unwrap(), Format::FileJournal);
    assert!(check_file(&journal).unwrap().damaged);
}

#[test]
fn check_wal_reports_the_shared_index_and_its_live_readers() {
    let dir = TempDir::new("checkshm");
    let path = dir.join("db");
    let w = Wal::create(&path, None).unwrap();
    w.stage_page(1, &[7u8; 4096]).unwrap();
    w.commit().unwrap();
    let shm = dir.join("db-shm");
    assert_eq!(detect(&shm).unwrap(), Format::WalShm);
    let reader = Wal::open(&path, Some(&WalOptions { read_only: true, ..Default::default() })).unwrap();
    let txn = reader.read_txn().unwrap();
    let r = check_wal(&shm).unwrap();
    assert_eq!((r.format, r.damaged, r.index, r.index_readers), (Format::WalMain, false, WalIndex::Current, 1), "{r:?}");
    drop(txn);
    assert_eq!(check_wal(&path).unwrap().index_readers, 0);
    drop(reader);
    drop(w);
    std::fs::write(&shm, [0x5au8; 8192]).unwrap(); // garbled, as a crash can leave it
    let r = check_wal(&path).unwrap();
    assert_eq!((r.damaged, r.index), (false, WalIndex::Stale), "{r:?}");
}
