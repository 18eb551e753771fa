mod common;
use common::{assert_code, TempDir};
use libpager::check::{check_file, check_wal, detect, Format};
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
    assert!(!r.damaged && r.page_size == 4096 && r.format_version == 1, "{r:?}");
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[56] ^= 0xff; // the superblock's checksum
    std::fs::write(&path, &bytes).unwrap();
    let r = check_file(&path).unwrap();
    assert!(r.damaged, "{r:?}");
    let f = r.finding.unwrap();
    assert_eq!((f.rule.as_str(), f.offset), ("superblock", Some(0)));
    assert_code(check_wal(&path), code::INVALID);
    assert_code(check_file(dir.join("missing")), code::NOT_FOUND);
}
