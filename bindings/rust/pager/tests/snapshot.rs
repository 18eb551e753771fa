mod common;
use common::{assert_code, TempDir};
use libpager::code;
use libpager::snapshot::{self, CacheMeta, Dtype, RefEngine, SnapshotOptions};

const META: CacheMeta = CacheMeta { tokens_per_page: 4, layers: 2, kv_heads: 2, head_dim: 8, dtype: Dtype::F16 };

fn fill(e: &RefEngine, meta: &CacheMeta) -> Vec<u32> {
    let (kb, vb) = meta.page_bytes().unwrap();
    let slots: Vec<u32> = (0..3u8)
        .map(|i| {
            let s = e.alloc_page().unwrap();
            e.write_page(s, &vec![10 + i; kb as usize], &vec![20 + i; vb as usize]).unwrap();
            s
        })
        .collect();
    e.set_seq(b"req-1", &slots, 3).unwrap();
    slots
}

#[test]
fn capture_restore_inspect_incremental() {
    let dir = TempDir::new("snap");
    let src = RefEngine::new(&META, 8).unwrap();
    fill(&src, &META);
    let full = dir.join("full");
    src.capture(&full, Some(&SnapshotOptions { threads: 1, ..Default::default() })).unwrap();
    snapshot::verify(&full).unwrap();
    let info = snapshot::inspect(&full).unwrap();
    assert_eq!((info.page_count, info.seq_count, info.meta), (3, 1, META));
    assert_eq!(info.parent_snapshot_id, 0);

    // Incremental: one more page on top of the same content.
    let s = src.alloc_page().unwrap();
    let (kb, vb) = META.page_bytes().unwrap();
    src.write_page(s, &vec![99; kb as usize], &vec![98; vb as usize]).unwrap();
    src.set_seq(b"req-2", &[s], 1).unwrap();
    let inc = dir.join("inc");
    let opts = SnapshotOptions { parent_path: Some(full.clone()), ..Default::default() };
    src.capture(&inc, Some(&opts)).unwrap();
    let info = snapshot::inspect(&inc).unwrap();
    assert_eq!((info.page_count, info.stored_page_count), (4, 1));

    let dst = RefEngine::new(&META, 16).unwrap();
    let busy = dst.alloc_page().unwrap();
    dst.restore(&inc, Some(&SnapshotOptions { allow_nonempty: true, ..Default::default() })).unwrap();
    dst.free_page(busy).unwrap();
    assert_eq!(dst.fingerprint().unwrap(), src.fingerprint().unwrap());
    let (pages, fill_last) = dst.seq(b"req-2").unwrap();
    assert_eq!(fill_last, 1);
    let (mut k, mut v) = (vec![0u8; kb as usize], vec![0u8; vb as usize]);
    dst.read_page(pages[0], &mut k, &mut v).unwrap();
    assert_eq!((k[0], v[0]), (99, 98));
}

#[test]
fn errors() {
    let dir = TempDir::new("snap");
    assert_code(RefEngine::new(&META, 0), code::INVALID);
    let e = RefEngine::new(&META, 4).unwrap();
    fill(&e, &META);
    e.fail_callback("read_page", 1, -5).unwrap();
    let path = dir.join("snap");
    let err = assert_code(e.capture(&path, None), code::CALLBACK);
    assert!(err.message.contains("-5"), "{err}");
    e.capture(&path, None).unwrap();
    assert_code(e.restore(&path, None), code::EXISTS);
    let other = RefEngine::new(&CacheMeta { layers: 3, ..META }, 8).unwrap();
    assert_code(other.restore(&path, None), code::MISMATCH);
    assert_code(snapshot::inspect(dir.join("missing")), code::NOT_FOUND);
    std::fs::write(dir.join("junk"), b"not a snapshot at all, just bytes").unwrap();
    assert_code(snapshot::verify(dir.join("junk")), code::CORRUPT);
}

#[test]
fn capture_fd_progress_and_meta() {
    let dir = TempDir::new("snap");
    let e = RefEngine::new(&META, 8).unwrap();
    fill(&e, &META);
    assert_eq!(e.meta().unwrap(), META);
    let path = dir.join("fd.snap");
    let file = std::fs::File::create(&path).unwrap();
    e.capture_fd(&file, Some(&SnapshotOptions { sync_fd: true, ..Default::default() })).unwrap();
    drop(file);
    snapshot::verify(&path).unwrap();
    let mut calls = Vec::new();
    let dst = RefEngine::new(&META, 8).unwrap();
    dst.restore_with_progress(&path, None, &mut |done, total| { calls.push((done, total)); true }).unwrap();
    assert_eq!(dst.fingerprint().unwrap(), e.fingerprint().unwrap());
    assert!(!calls.is_empty() && calls.windows(2).all(|w| w[0].0 <= w[1].0), "{calls:?}");
    let cancelled = dir.join("cancelled.snap");
    let err = assert_code(e.capture_with_progress(&cancelled, None, &mut |_, _| false), code::CANCELLED);
    assert!(!cancelled.exists(), "{err}");
    assert!(!e.stats().unwrap().paused, "a cancelled capture resumes the engine");
}

#[test]
fn a_panicking_progress_callback_cancels_and_the_panic_resumes() {
    let dir = TempDir::new("snap");
    let e = RefEngine::new(&META, 8).unwrap();
    fill(&e, &META);
    let path = dir.join("p.snap");
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        e.capture_with_progress(&path, None, &mut |_, _| panic!("progress boom"))
    }));
    let payload = r.expect_err("the panic is resumed after the call");
    assert_eq!(payload.downcast_ref::<&str>(), Some(&"progress boom"));
    assert!(!path.exists());
    assert!(!e.stats().unwrap().paused);
    e.capture(&path, None).unwrap(); // the engine works on
}

#[test]
fn list_pages_and_sequences() {
    let dir = TempDir::new("snap-list");
    let src = RefEngine::new(&META, 8).unwrap();
    let slots = fill(&src, &META);
    let path = dir.join("full");
    src.capture(&path, None).unwrap();
    let l = snapshot::list(&path).unwrap();
    assert_eq!(l.pages.len(), 3);
    for (i, p) in l.pages.iter().enumerate() {
        assert_eq!(p.index, i as u64);
        assert!(!p.in_parent && p.stored_bytes > 0, "{p:?}");
    }
    let mut engine_pages: Vec<u32> = l.pages.iter().map(|p| p.engine_page).collect();
    engine_pages.sort();
    let mut want = slots.clone();
    want.sort();
    assert_eq!(engine_pages, want);
    assert_eq!(l.seqs.len(), 1);
    let s = &l.seqs[0];
    assert_eq!((s.id.as_slice(), s.pages.len(), s.fill_last_page), (&b"req-1"[..], 3, 3));
    // The sequence's page-table positions name the slots the engine had, in order.
    let named: Vec<u32> = s.pages.iter().map(|&i| l.pages[i as usize].engine_page).collect();
    assert_eq!(named, slots);
    let e = assert_code(snapshot::list(dir.join("missing")), code::NOT_FOUND);
    assert_eq!(std::io::Error::from(e).kind(), std::io::ErrorKind::NotFound);
}
