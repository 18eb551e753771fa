mod common;
use common::{assert_code, TempDir};
use pager::cold::{self, Backend, ColdHandle, PageoutOptions};
use pager::code;
use std::sync::OnceLock;

// The scratch root is set once per process (this test binary).
fn scratch() -> &'static TempDir {
    static ROOT: OnceLock<TempDir> = OnceLock::new();
    ROOT.get_or_init(|| {
        let d = TempDir::new("cold");
        cold::set_scratch_dir(d.path()).unwrap();
        d
    })
}

#[test]
fn pageout_read_take() {
    let root = scratch();
    assert!(cold::scratch_dir().unwrap().starts_with(root.path().to_str().unwrap()));
    let data: Vec<u8> = (0..10000u32).map(|i| (i * 7) as u8).collect();
    for backend in [Backend::Swap, Backend::File] {
        let opts = PageoutOptions { checksums: true, ..Default::default() };
        let h = ColdHandle::pageout_with(backend, &[&data[..4000], &data[4000..]], Some(&opts)).unwrap();
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
    let st = cold::stats().unwrap();
    assert!(st.file.pageout_count > 0 && st.swap.pageout_count > 0);
}

#[test]
fn errors() {
    scratch();
    let other = TempDir::new("cold-other");
    assert_code(cold::set_scratch_dir(other.path()), code::EXISTS);
    let h = ColdHandle::pageout_with(Backend::Swap, &[b"0123456789"], None).unwrap();
    assert_code(h.read_at(8, &mut [0u8; 5]), code::RANGE);
    let e = assert_code(h.read_at_many(&[(0, 5), (4, 2)], &mut [0u8; 7]), code::OVERLAP);
    assert!(e.message.contains('4'), "{e}");
    assert_code(h.read_at_many(&[(0, 5)], &mut [0u8; 2]), code::INVALID);
    assert_eq!(h.take().unwrap(), b"0123456789");
}
