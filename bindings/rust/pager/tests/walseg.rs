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
