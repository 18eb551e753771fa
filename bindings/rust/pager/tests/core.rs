use std::collections::HashSet;
use std::thread;

#[test]
fn version_matches_the_header() {
    let v = pager::version();
    assert_eq!(v, pager::HEADER_VERSION, "library/header version skew");
    assert_eq!(pager::version_string(), format!("{}.{}.{}", v / 10000, v / 100 % 100, v % 100));
}

#[test]
fn every_code_has_its_name() {
    let names = [
        "PAGER_OK", "PAGER_ERR_INVALID", "PAGER_ERR_IO", "PAGER_ERR_NOMEM", "PAGER_ERR_NOSPC",
        "PAGER_ERR_CORRUPT", "PAGER_ERR_VERSION", "PAGER_ERR_PAGE_SIZE", "PAGER_ERR_BUSY",
        "PAGER_ERR_READONLY", "PAGER_ERR_RANGE", "PAGER_ERR_OVERLAP", "PAGER_ERR_DOUBLE_FREE",
        "PAGER_ERR_RESERVED", "PAGER_ERR_FULL", "PAGER_ERR_POISONED", "PAGER_ERR_MISMATCH",
        "PAGER_ERR_NOT_FOUND", "PAGER_ERR_EXISTS", "PAGER_ERR_CANCELLED", "PAGER_ERR_CALLBACK",
        "PAGER_ERR_INTERNAL", "PAGER_ERR_DUPLICATE", "PAGER_ERR_TOO_LARGE",
    ];
    assert_eq!(names.len() as i32, pager::code::COUNT);
    for (code, name) in names.iter().enumerate() {
        assert_eq!(pager::errstr(code as i32), *name, "code {code}");
    }
    let consts = [
        pager::code::OK, pager::code::INVALID, pager::code::IO, pager::code::NOMEM,
        pager::code::NOSPC, pager::code::CORRUPT, pager::code::VERSION, pager::code::PAGE_SIZE,
        pager::code::BUSY, pager::code::READONLY, pager::code::RANGE, pager::code::OVERLAP,
        pager::code::DOUBLE_FREE, pager::code::RESERVED, pager::code::FULL,
        pager::code::POISONED, pager::code::MISMATCH, pager::code::NOT_FOUND,
        pager::code::EXISTS, pager::code::CANCELLED, pager::code::CALLBACK,
        pager::code::INTERNAL, pager::code::DUPLICATE, pager::code::TOO_LARGE,
    ];
    for (i, c) in consts.iter().enumerate() {
        assert_eq!(*c, i as i32, "{} out of order", names[i]);
    }
}

#[test]
fn unknown_codes() {
    for code in [-1, pager::code::COUNT, 1000, i32::MIN, i32::MAX] {
        assert_eq!(pager::errstr(code), "PAGER_ERR_UNKNOWN", "code {code}");
    }
}

#[test]
fn check_maps_status_to_result() {
    assert_eq!(pager::check(0), Ok(()));
    for code in 1..pager::code::COUNT {
        let err = pager::check(code).unwrap_err();
        assert_eq!(err.code.raw(), code);
        assert_eq!(err.code, pager::ErrorCode::from_raw(code));
        assert_eq!(err.name(), pager::errstr(code));
    }
}

#[test]
fn error_display_and_std_error() {
    let e = pager::Error::new(pager::ErrorCode::Corrupt, "page 3: bad checksum");
    assert_eq!(e.to_string(), "PAGER_ERR_CORRUPT: page 3: bad checksum");
    let bare = pager::Error::new(pager::ErrorCode::Busy, "");
    assert_eq!(bare.to_string(), "PAGER_ERR_BUSY");

    fn fails() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        pager::check(pager::code::EXISTS)?;
        Ok(())
    }
    let boxed = fails().unwrap_err();
    let back = boxed.downcast_ref::<pager::Error>().expect("downcast to pager::Error");
    assert_eq!(back.code, pager::ErrorCode::Exists);

    fn assert_traits<T: std::error::Error + Send + Sync + Clone + 'static>() {}
    assert_traits::<pager::Error>();
}

#[test]
fn concurrent_calls_agree() {
    let workers: Vec<_> = (0..8)
        .map(|t| {
            thread::spawn(move || {
                let mut seen = HashSet::new();
                for i in 0..5000 {
                    let code = (t + i) % pager::code::COUNT;
                    seen.insert(pager::errstr(code));
                    assert_eq!(pager::version(), pager::HEADER_VERSION);
                }
                seen.len()
            })
        })
        .collect();
    for w in workers {
        assert_eq!(w.join().unwrap(), pager::code::COUNT as usize);
    }
}
