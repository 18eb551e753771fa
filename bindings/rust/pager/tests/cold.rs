mod common;
use common::{assert_code, TempDir};
use libpager::code;
use libpager::cold::{Backend, ColdOptions, ColdPager, PageoutOptions};

fn open(backend: Backend, root: &TempDir) -> ColdPager {
    ColdPager::open(&ColdOptions { backend, scratch_root: Some(root.path().into()) }).unwrap()
}

#[test]
fn pageout_read_take() {
    let root = TempDir::new("cold");
    let pager = open(Backend::Swap, &root);
    assert!(pager.scratch_dir().unwrap().starts_with(root.path().to_str().unwrap()));
    let data: Vec<u8> = (0..10000u32).map(|i| (i * 7) as u8).collect();
    for backend in [Backend::Swap, Backend::File] {
        let opts = PageoutOptions { checksums: true, ..Default::default() };
        let h = pager.pageout_with(backend, &[&data[..4000], &data[4000..]], Some(&opts)).unwrap();
        assert_eq!((h.len(), h.backend()), (10000, backend));
        // Concurrent reads of one handle.
        std::thread::scope(|s| {
            for t in 0..4u64 {
                let (h, data) = (&h, &data);
                s.spawn(move || {
                    let mut part = [0u8; 100];
                    h.read_at(t * 2000, &mut part).unwrap();
                    assert_eq!(&part[..], &data[(t * 2000) as usize..(t * 2000 + 100) as usize]);
                });
            }
        });
        let mut many = [0u8; 15];
        h.read_at_many(&[(9000, 10), (0, 5)], &mut many).unwrap();
        assert_eq!(&many[..10], &data[9000..9010]);
        assert_eq!(&many[10..], &data[..5]);
        assert_eq!(h.take().unwrap(), data);
    }
    let st = pager.stats().unwrap();
    assert_eq!((st.file.pageout_count, st.swap.pageout_count), (1, 1));
}

#[test]
fn errors() {
    let root = TempDir::new("cold-errors");
    let pager = open(Backend::Swap, &root);
    let other = TempDir::new("cold-other");
    assert_code(pager.set_scratch_dir(other.path()), code::EXISTS);
    let h = pager.pageout_with(Backend::Swap, &[b"0123456789"], None).unwrap();
    assert_code(h.read_at(8, &mut [0u8; 5]), code::RANGE);
    let e = assert_code(h.read_at_many(&[(0, 5), (4, 2)], &mut [0u8; 7]), code::OVERLAP);
    assert!(e.message.contains('4'), "{e}");
    assert_code(h.read_at_many(&[(0, 5)], &mut [0u8; 2]), code::INVALID);
    assert_eq!(h.take().unwrap(), b"0123456789");
    let none = ColdPager::open(&ColdOptions { backend: Backend::File, scratch_root: None }).unwrap();
    assert_eq!(none.scratch_dir().unwrap(), "");
    assert_code(none.pageout(&[b"x"]), code::INVALID); // the file backend needs a directory
}

#[test]
fn two_pagers_are_independent() {
    let (ra, rb) = (TempDir::new("cold-a"), TempDir::new("cold-b"));
    let (a, b) = (open(Backend::File, &ra), open(Backend::Swap, &rb));
    assert_ne!(a.scratch_dir().unwrap(), b.scratch_dir().unwrap());
    assert_eq!((a.backend().unwrap(), b.backend().unwrap()), (Backend::File, Backend::Swap));
    std::thread::scope(|s| {
        for p in [&a, &b] {
            s.spawn(move || {
                for i in 0..20u8 {
                    let data = vec![i; 3000 + i as usize];
                    assert_eq!(p.pageout(&[&data]).unwrap().take().unwrap(), data);
                }
            });
        }
    });
    let (sa, sb) = (a.stats().unwrap(), b.stats().unwrap());
    assert_eq!((sa.file.pageout_count, sa.swap.pageout_count), (20, 0));
    assert_eq!((sb.file.pageout_count, sb.swap.pageout_count), (0, 20));
}

#[test]
fn handle_outlives_its_pager() {
    let root = TempDir::new("cold-outlive");
    let pager = open(Backend::File, &root);
    let h = pager.pageout(&[b"still here"]).unwrap();
    drop(pager);
    assert_eq!(h.take().unwrap(), b"still here");
}

#[test]
fn owned_pageout_keeps_the_allocation_and_take_buffer_returns_it() {
    let root = TempDir::new("cold");
    let pager = open(Backend::Swap, &root);
    let data = vec![5u8; 100_000];
    let ptr = data.as_ptr();
    let h = pager.pageout_owned(Backend::Swap, vec![data], None).unwrap();
    let mut buf = [0u8; 3];
    h.read_at(99_997, &mut buf).unwrap();
    assert_eq!(buf, [5, 5, 5]);
    let back = h.take_buffer().map_err(|(e, _)| e).unwrap();
    assert_eq!((back.as_ptr(), back.len()), (ptr, 100_000), "no copy");
    drop(back);
    assert_eq!(pager.stats().unwrap().swap.live_handle_count, 0);

    // File backend: written to scratch, the Vecs dropped; several chunks come back copied.
    let h = pager.pageout_owned(Backend::File, vec![b"ab".to_vec(), Vec::new(), b"cd".to_vec()], None).unwrap();
    assert_eq!(h.backend(), Backend::File);
    let mut back = h.take_buffer().map_err(|(e, _)| e).unwrap();
    back[0] = b'A';
    assert_eq!(&back[..], b"Abcd");
    assert!(format!("{back:?}").contains("4 bytes"));
}

#[test]
fn reap_live_and_stale() {
    use libpager::cold::{self, ScratchState};
    let root = TempDir::new("cold-reap");
    let pager = open(Backend::File, &root);
    let h = pager.pageout(&[b"live data"]).unwrap();
    // A stale one: a lock file nobody holds, with its directory (what a dead process leaves).
    let stale = root.join("libpager-cold-deadbeef");
    std::fs::write(&stale, b"").unwrap();
    std::fs::create_dir(root.join("libpager-cold-deadbeef.d")).unwrap();
    let found = cold::reap(root.path(), false).unwrap();
    let states: Vec<_> = found.iter().map(|s| (s.lock_path.clone(), s.state)).collect();
    assert_eq!(found.len(), 2, "{states:?}");
    assert!(found.iter().any(|s| s.lock_path == stale && s.state == ScratchState::Stale), "{states:?}");
    let live = found.iter().find(|s| s.state == ScratchState::Live).expect("one live");
    assert!(pager.scratch_dir().unwrap().starts_with(live.lock_path.to_str().unwrap()));
    assert!(stale.exists());
    let found = cold::reap(root.path(), true).unwrap();
    let mut st: Vec<_> = found.iter().map(|s| s.state).collect();
    st.sort_by_key(|s| *s as u8);
    assert_eq!(st, [ScratchState::Live, ScratchState::Removed]);
    assert!(!stale.exists() && !root.join("libpager-cold-deadbeef.d").exists());
    assert!(std::path::Path::new(&pager.scratch_dir().unwrap()).is_dir(), "the live one stays");
    assert_eq!(h.take().unwrap(), b"live data");
    let e = assert_code(cold::reap(root.join("no-such-root"), false), code::NOT_FOUND);
    assert_eq!(std::io::Error::from(e).kind(), std::io::ErrorKind::NotFound);
}
