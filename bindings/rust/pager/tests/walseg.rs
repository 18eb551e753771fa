mod common;
use common::{assert_code, TempDir};
use libpager::code;
use libpager::walseg::{default_options, Reader, ReaderOptions, Replay, Stop, Writer, TYPE_REQUIRED};

fn payload(i: u64) -> Vec<u8> {
    vec![i as u8; 100 + i as usize]
}

#[test]
fn append_replay_read_zero_copy() {
    let tmp = TempDir::new("walseg");
    let dir = tmp.join("log");
    let mut o = default_options();
    o.segment_bytes = 4096;
    let w = Writer::open(&dir, Some(&o)).unwrap();
    for i in 1..=40u64 {
        assert_eq!(w.append(1 + (i % 2) as u16, &payload(i)).unwrap(), i);
    }
    w.sync().unwrap();
    assert_eq!(w.lsns().unwrap(), (41, 40));
    w.close().unwrap();

    let mut replay = Replay::open(&dir, 0, None).unwrap();
    let mut n = 0u64;
    while let Some(rec) = replay.next().unwrap() {
        // A replay view is valid until the next next(): check it now (the borrow ends here).
        n += 1;
        assert_eq!((rec.lsn, rec.record_type), (n, 1 + (n % 2) as u16));
        assert_eq!(rec.data, &payload(n)[..]);
    }
    assert_eq!(n, 40);
    assert_eq!(replay.stop().unwrap().0, Stop::CleanEnd);
    assert_eq!(replay.stop().unwrap().3, 40);

    let opts = ReaderOptions { known_types: Some(vec![1]), ..Default::default() };
    let r = Reader::open(dir.join("0000000000000001.wal"), Some(&opts)).unwrap();
    let rec = r.next().unwrap().unwrap();
    assert_eq!((rec.lsn, rec.record_type), (2, 1)); // type 2 is optional and unknown
    r.release_pages().unwrap();
    assert_eq!(rec.data, &payload(2)[..]); // still valid after release_pages
}

#[test]
fn errors() {
    let tmp = TempDir::new("walseg");
    let dir = tmp.join("log");
    let mut o = default_options();
    o.max_payload_bytes = 64;
    let w = Writer::open(&dir, Some(&o)).unwrap();
    assert_code(Writer::open(&dir, None), code::BUSY);
    assert_code(w.append(1, &[0; 65]), code::TOO_LARGE);
    assert_code(w.append(0, b"x"), code::INVALID);
    w.append(7 | TYPE_REQUIRED, b"must know").unwrap();
    w.flush().unwrap();
    let opts = ReaderOptions { known_types: Some(vec![1]), ..Default::default() };
    let r = Reader::open(dir.join("0000000000000001.wal"), Some(&opts)).unwrap();
    assert_code(r.next(), code::VERSION);
    assert_code(Reader::open(dir.join("nope.wal"), None), code::NOT_FOUND);
    assert_code(Replay::open(tmp.join("absent"), 0, None), code::NOT_FOUND);
}

#[test]
fn damaged_segment_stops_with_a_reason() {
    let tmp = TempDir::new("walseg");
    let dir = tmp.join("log");
    let w = Writer::open(&dir, None).unwrap();
    for i in 1..=10u64 {
        w.append(1, &payload(i)).unwrap();
    }
    w.close().unwrap();
    let seg = dir.join("0000000000000001.wal");
    let r = Reader::open(&seg, None).unwrap();
    let mut offsets = Vec::new();
    while let Some(rec) = r.next().unwrap() {
        offsets.push(rec.offset);
    }
    assert_eq!(r.stop_detail().unwrap(), "");
    drop(r);
    let mut bytes = std::fs::read(&seg).unwrap();
    bytes[offsets[4] as usize + 40] ^= 0xff; // inside record 5
    std::fs::write(&seg, &bytes).unwrap();
    let r = Reader::open(&seg, None).unwrap();
    let mut n = 0;
    while r.next().unwrap().is_some() {
        n += 1;
    }
    assert_eq!(n, 4);
    let (stop, offset, last) = r.stop().unwrap();
    assert_eq!((stop, offset, last), (Stop::Corrupt, offsets[4], 4));
    assert!(!r.stop_detail().unwrap().is_empty());
}

#[test]
fn close_reports_a_poisoned_writer() {
    let tmp = TempDir::new("walseg");
    let dir = tmp.join("log");
    let mut o = default_options();
    o.segment_bytes = 256;
    let w = Writer::open(&dir, Some(&o)).unwrap();
    w.append(1, &[7; 200]).unwrap();
    // The next append rotates into 0000000000000002.wal: a file already there fails it.
    std::fs::write(dir.join("0000000000000002.wal"), b"").unwrap();
    assert_code(w.append(1, &[7; 200]), code::EXISTS);
    assert_code(w.close(), code::POISONED);
}

#[test]
fn replay_of_many_segments_reads_every_record() {
    let tmp = TempDir::new("walseg");
    let dir = tmp.join("log");
    let mut o = default_options();
    o.segment_bytes = 256; // one record per segment
    o.sync_policy = libpager::walseg::SyncPolicy::Explicit;
    let w = Writer::open(&dir, Some(&o)).unwrap();
    for i in 1..=300u64 {
        w.append(1, &payload(i % 100)).unwrap();
    }
    w.close().unwrap();
    let mut replay = Replay::open(&dir, 0, None).unwrap();
    let mut n = 0u64;
    while let Some(rec) = replay.next().unwrap() {
        n += 1;
        assert_eq!(rec.data, &payload(n % 100)[..]);
    }
    assert_eq!((n, replay.stop().unwrap().0), (300, Stop::CleanEnd));
}

#[test]
fn iterators_yield_every_record_then_stop() {
    let tmp = TempDir::new("walseg");
    let dir = tmp.join("log");
    let o = libpager::walseg::Options { segment_bytes: 512, ..Default::default() };
    let w = Writer::open(&dir, Some(&o)).unwrap();
    for i in 1..=20u64 {
        w.append(1, &payload(i)).unwrap();
    }
    w.close().unwrap();
    let mut replay = Replay::open(&dir, 5, None).unwrap();
    let recs: Vec<_> = replay.records().collect::<libpager::Result<_>>().unwrap();
    assert_eq!(recs.iter().map(|r| r.lsn).collect::<Vec<_>>(), (5..=20).collect::<Vec<_>>());
    assert!(recs.iter().all(|r| r.data == payload(r.lsn)));
    assert!(replay.records().next().is_none(), "a finished replay yields nothing more");
    assert_eq!(replay.stop().unwrap().0, Stop::CleanEnd);

    let reader = Reader::open(dir.join("0000000000000001.wal"), None).unwrap();
    let first: Vec<u64> = reader.records().map(|r| r.unwrap().lsn).collect();
    assert_eq!(first[0], 1);
    assert!(format!("{reader:?}").contains("CleanEnd"), "{reader:?}");
}

#[test]
fn an_unknown_required_type_ends_the_iterator_with_one_error() {
    let tmp = TempDir::new("walseg");
    let dir = tmp.join("log");
    let w = Writer::open(&dir, None).unwrap();
    w.append(1, b"known").unwrap();
    w.append(7 | TYPE_REQUIRED, b"unknown, required").unwrap();
    w.append(1, b"after").unwrap();
    w.close().unwrap();
    let opts = ReaderOptions { known_types: Some(vec![1]), ..Default::default() };
    let mut replay = Replay::open(&dir, 0, Some(&opts)).unwrap();
    let items: Vec<_> = replay.records().collect();
    assert_eq!(items.len(), 2, "{items:?}");
    assert_eq!(items[0].as_ref().unwrap().data, b"known");
    assert_eq!(items[1].as_ref().unwrap_err().code, libpager::ErrorCode::Version);
}

#[test]
fn reader_position_moves_to_the_end() {
    let tmp = TempDir::new("walseg");
    let dir = tmp.join("log");
    let w = Writer::open(&dir, None).unwrap();
    w.append(1, b"one").unwrap();
    w.close().unwrap();
    let r = Reader::open(dir.join("0000000000000001.wal"), None).unwrap();
    let start = r.position().unwrap();
    assert!(!start.is_empty && start.len > 0, "{start:?}");
    assert_eq!(r.records().count(), 1);
    let end = r.position().unwrap();
    assert!(end.offset > start.offset && end.offset <= end.len, "{start:?} {end:?}");
}
