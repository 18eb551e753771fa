use std::collections::HashSet;
use std::thread;

#[test]
fn version_matches_the_header() {
    let v = libpager::version();
    assert_eq!(v, libpager::HEADER_VERSION, "library/header version skew");
    assert_eq!(libpager::version_string(), format!("{}.{}.{}", v / 10000, v / 100 % 100, v % 100));
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
    assert_eq!(names.len() as i32, libpager::code::COUNT);
    for (code, name) in names.iter().enumerate() {
        assert_eq!(libpager::errstr(code as i32), *name, "code {code}");
    }
    let consts = [
        libpager::code::OK, libpager::code::INVALID, libpager::code::IO, libpager::code::NOMEM,
        libpager::code::NOSPC, libpager::code::CORRUPT, libpager::code::VERSION, libpager::code::PAGE_SIZE,
        libpager::code::BUSY, libpager::code::READONLY, libpager::code::RANGE, libpager::code::OVERLAP,
        libpager::code::DOUBLE_FREE, libpager::code::RESERVED, libpager::code::FULL,
        libpager::code::POISONED, libpager::code::MISMATCH, libpager::code::NOT_FOUND,
        libpager::code::EXISTS, libpager::code::CANCELLED, libpager::code::CALLBACK,
        libpager::code::INTERNAL, libpager::code::DUPLICATE, libpager::code::TOO_LARGE,
    ];
    for (i, c) in consts.iter().enumerate() {
        assert_eq!(*c, i as i32, "{} out of order", names[i]);
    }
}

#[test]
fn unknown_codes() {
    for code in [-1, libpager::code::COUNT, 1000, i32::MIN, i32::MAX] {
        assert_eq!(libpager::errstr(code), "PAGER_ERR_UNKNOWN", "code {code}");
    }
}

#[test]
fn check_maps_status_to_result() {
    assert_eq!(libpager::check(0), Ok(()));
    for code in 1..libpager::code::COUNT {
        let err = libpager::check(code).unwrap_err();
        assert_eq!(err.code.raw(), code);
        assert_eq!(err.code, libpager::ErrorCode::from_raw(code));
        assert_eq!(err.name(), libpager::errstr(code));
    }
}

#[test]
fn error_display_and_std_error() {
    let e = libpager::Error::new(libpager::ErrorCode::Corrupt, "page 3: bad checksum");
    assert_eq!(e.to_string(), "PAGER_ERR_CORRUPT: page 3: bad checksum");
    let bare = libpager::Error::new(libpager::ErrorCode::Busy, "");
    assert_eq!(bare.to_string(), "PAGER_ERR_BUSY");

    fn fails() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        libpager::check(libpager::code::EXISTS)?;
        Ok(())
    }
    let boxed = fails().unwrap_err();
    let back = boxed.downcast_ref::<libpager::Error>().expect("downcast to libpager::Error");
    assert_eq!(back.code, libpager::ErrorCode::Exists);

    fn assert_traits<T: std::error::Error + Send + Sync + Clone + 'static>() {}
    assert_traits::<libpager::Error>();
}

#[test]
fn concurrent_calls_agree() {
    let workers: Vec<_> = (0..8)
        .map(|t| {
            thread::spawn(move || {
                let mut seen = HashSet::new();
                for i in 0..5000 {
                    let code = (t + i) % libpager::code::COUNT;
                    seen.insert(libpager::errstr(code));
                    assert_eq!(libpager::version(), libpager::HEADER_VERSION);
                }
                seen.len()
            })
        })
        .collect();
    for w in workers {
        assert_eq!(w.join().unwrap(), libpager::code::COUNT as usize);
    }
}

#[test]
fn every_code_round_trips_through_error_code() {
    for raw in 1..libpager::code::COUNT {
        let code = libpager::ErrorCode::from_raw(raw);
        assert!(!matches!(code, libpager::ErrorCode::Unknown(_)), "code {raw} has no variant");
        assert_eq!(code.raw(), raw);
        assert_eq!(code.name(), libpager::errstr(raw));
        assert_eq!(code.to_string(), libpager::errstr(raw));
    }
    for raw in [0, -1, libpager::code::COUNT, i32::MAX] {
        assert_eq!(libpager::ErrorCode::from_raw(raw), libpager::ErrorCode::Unknown(raw));
        assert_eq!(libpager::ErrorCode::from_raw(raw).raw(), raw);
    }
}

#[test]
fn io_error_kinds_follow_the_code() {
    use libpager::ErrorCode as C;
    use std::io::ErrorKind as K;
    for (code, kind) in [
        (C::NotFound, K::NotFound), (C::Exists, K::AlreadyExists), (C::ReadOnly, K::PermissionDenied),
        (C::Busy, K::ResourceBusy), (C::NoSpace, K::StorageFull), (C::Corrupt, K::InvalidData),
        (C::NoMem, K::OutOfMemory), (C::Invalid, K::InvalidInput), (C::Version, K::Unsupported),
        (C::Cancelled, K::Interrupted), (C::Io, K::Other),
    ] {
        let io: std::io::Error = libpager::Error::new(code, "detail").into();
        assert_eq!(io.kind(), kind, "{code}");
        assert_eq!(io.to_string(), format!("{code}: detail"));
        let inner = io.into_inner().unwrap().downcast::<libpager::Error>().unwrap();
        assert_eq!(inner.code, code);
    }
}

#[test]
fn a_missing_file_is_io_not_found_through_question_mark() {
    fn open(path: &std::path::Path) -> std::io::Result<libpager::wal::Wal> {
        Ok(libpager::wal::Wal::open(path, None)?)
    }
    let err = open(std::path::Path::new("/nonexistent-dir/db")).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::NotFound, "{err}");
}
