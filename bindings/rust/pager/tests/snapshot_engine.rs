//! A KV-cache engine written in Rust, snapshotted through the safe adapter trait.
mod common;
use common::{assert_code, TempDir};
use libpager::code;
use libpager::snapshot::{self, CacheMeta, Dtype, Engine, LogicalSeq, PageSink, RefEngine, SeqSink};
use std::collections::BTreeMap;

const META: CacheMeta = CacheMeta { tokens_per_page: 4, layers: 1, kv_heads: 1, head_dim: 8, dtype: Dtype::F32 };
const PAGE: usize = 4 * 8 * 4; // tokens * head_dim * 4 bytes

#[derive(Default)]
struct VecEngine {
    pages: BTreeMap<u32, (Vec<u8>, Vec<u8>)>,
    seqs: BTreeMap<Vec<u8>, (Vec<u32>, u32)>,
    fail_read: Option<i32>,
    panic_in_write: bool,
    fail_write: Option<i32>,
    released: Vec<u32>,
    paused: u32,
    resumed: u32,
}

impl Engine for VecEngine {
    fn meta(&mut self) -> Result<CacheMeta, i32> {
        Ok(META)
    }
    fn pause(&mut self) -> Result<(), i32> {
        self.paused += 1;
        Ok(())
    }
    fn resume(&mut self) -> Result<(), i32> {
        self.resumed += 1;
        Ok(())
    }
    fn occupied_pages(&mut self, sink: &mut PageSink<'_>) -> Result<(), i32> {
        let ids: Vec<u32> = self.pages.keys().copied().collect();
        sink.add(&ids).map_err(|e| -e.code.raw())
    }
    fn logical_seqs(&mut self, sink: &mut SeqSink<'_>) -> Result<(), i32> {
        for (id, (pages, fill)) in &self.seqs {
            sink.add(id, pages, *fill).map_err(|e| -e.code.raw())?;
        }
        Ok(())
    }
    fn read_page(&mut self, page: u32, k: &mut [u8], v: &mut [u8]) -> Result<(), i32> {
        if let Some(code) = self.fail_read {
            return Err(code);
        }
        let (pk, pv) = self.pages.get(&page).ok_or(-2)?;
        k.copy_from_slice(pk);
        v.copy_from_slice(pv);
        Ok(())
    }
    fn allocate_pages(&mut self, slots: &mut [u32]) -> Result<(), i32> {
        let mut next = 100; // anywhere but where the source had them
        for s in slots.iter_mut() {
            while self.pages.contains_key(&next) {
                next += 1;
            }
            *s = next;
            self.pages.insert(next, (vec![0; PAGE], vec![0; PAGE]));
        }
        Ok(())
    }
    fn write_page(&mut self, page: u32, k: &[u8], v: &[u8]) -> Result<(), i32> {
        if self.panic_in_write {
            panic!("engine bug in write_page");
        }
        if let Some(code) = self.fail_write {
            return Err(code);
        }
        self.pages.insert(page, (k.to_vec(), v.to_vec()));
        Ok(())
    }
    fn install_logical_seqs(&mut self, seqs: &[LogicalSeq<'_>]) -> Result<(), i32> {
        for s in seqs {
            self.seqs.insert(s.id.to_vec(), (s.pages.to_vec(), s.fill_last_page));
        }
        Ok(())
    }
    const RELEASES_PAGES: bool = true;
    fn release_pages(&mut self, slots: &[u32]) -> Result<(), i32> {
        for s in slots {
            self.pages.remove(s).ok_or(-9)?;
            self.released.push(*s);
        }
        Ok(())
    }
}

fn source() -> VecEngine {
    let mut e = VecEngine::default();
    for slot in [3u32, 7, 9] {
        e.pages.insert(slot, (vec![slot as u8; PAGE], vec![!(slot as u8); PAGE]));
    }
    e.seqs.insert(b"req-1".to_vec(), (vec![7, 3, 9], 2));
    e
}

#[test]
fn rust_engine_round_trips_through_the_reference_engine() {
    let dir = TempDir::new("engine");
    let path = dir.join("snap");
    let mut src = source();
    snapshot::capture(&mut src, &path, None).unwrap();
    assert_eq!((src.paused, src.resumed), (1, 1));
    // Into the library's reference engine, and back into a Rust engine.
    let re = RefEngine::new(&META, 8).unwrap();
    re.restore(&path, None).unwrap();
    let (pages, fill) = re.seq(b"req-1").unwrap();
    assert_eq!(fill, 2);
    let (mut k, mut v) = (vec![0u8; PAGE], vec![0u8; PAGE]);
    re.read_page(pages[1], &mut k, &mut v).unwrap();
    assert_eq!((k[0], v[0]), (3, !3));
    let mut dst = VecEngine::default();
    snapshot::restore(&mut dst, &path, None).unwrap();
    let (slots, fill) = &dst.seqs[&b"req-1".to_vec()];
    assert_eq!(*fill, 2);
    let bytes: Vec<u8> = slots.iter().map(|s| dst.pages[s].0[0]).collect();
    assert_eq!(bytes, vec![7, 3, 9]);
    assert!(slots.iter().all(|s| *s >= 100));
}

#[test]
fn engine_error_codes_and_panics() {
    let dir = TempDir::new("engine");
    let path = dir.join("snap");
    let mut src = source();
    src.fail_read = Some(-42);
    let e = assert_code(snapshot::capture(&mut src, &path, None), code::CALLBACK);
    assert!(e.message.contains("read_page") && e.message.contains("-42"), "{e}");
    assert_eq!((src.paused, src.resumed), (1, 1), "resumed after the failure");
    src.fail_read = None;
    snapshot::capture(&mut src, &path, None).unwrap();

    let mut dst = VecEngine { panic_in_write: true, ..Default::default() };
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let _ = snapshot::restore(&mut dst, &path, None);
    }));
    let msg = caught.expect_err("the engine's panic is resumed").downcast::<&str>().unwrap();
    assert_eq!(*msg, "engine bug in write_page");
    assert_eq!(dst.paused, dst.resumed, "resumed although a callback panicked");
}

#[test]
fn a_failed_restore_gives_the_allocated_slots_back() {
    let dir = TempDir::new("engine");
    let path = dir.join("snap");
    snapshot::capture(&mut source(), &path, None).unwrap();
    let mut dst = VecEngine { fail_write: Some(-5), ..Default::default() };
    let e = assert_code(snapshot::restore(&mut dst, &path, None), code::CALLBACK);
    assert!(e.message.contains("write_page"), "{e}");
    assert_eq!(dst.released.len(), 3, "every allocated slot released once");
    assert!(dst.pages.is_empty(), "the engine holds what it held before");
    assert_eq!(dst.paused, dst.resumed);
}

#[test]
fn reference_engine_stats_and_copy_out_budget() {
    let dir = TempDir::new("engine");
    let path = dir.join("snap");
    let src = RefEngine::new(&META, 8).unwrap();
    let slot = src.alloc_page().unwrap();
    src.set_seq(b"r", &[slot], 1).unwrap();
    let st = src.stats().unwrap();
    assert_eq!((st.occupied_pages, st.seq_count, st.paused), (1, 1, false));
    assert_eq!(src.capacity_pages().unwrap(), 8);
    let opts = snapshot::SnapshotOptions { copy_out_budget_bytes: 1 << 20, ..Default::default() };
    src.capture(&path, Some(&opts)).unwrap();
    let dst = RefEngine::new(&META, 8).unwrap();
    dst.fail_callback("page_buffers", 0, 7).unwrap();
    assert_code(dst.restore(&path, None), code::CALLBACK);
    assert_eq!(dst.stats().unwrap().occupied_pages, 0, "release_pages gave the slot back");
    dst.restore(&path, None).unwrap();
    assert_eq!(src.fingerprint().unwrap(), dst.fingerprint().unwrap());
}

/// The same engine with zero-copy restore: `page_buffers` hands out each slot's two heap
/// buffers, so restore reads the snapshot straight into them and never calls `write_page`.
#[derive(Default)]
struct ZeroCopyEngine(VecEngine);

impl Engine for ZeroCopyEngine {
    fn meta(&mut self) -> Result<CacheMeta, i32> {
        self.0.meta()
    }
    fn pause(&mut self) -> Result<(), i32> {
        self.0.pause()
    }
    fn resume(&mut self) -> Result<(), i32> {
        self.0.resume()
    }
    fn occupied_pages(&mut self, sink: &mut PageSink<'_>) -> Result<(), i32> {
        self.0.occupied_pages(sink)
    }
    fn logical_seqs(&mut self, sink: &mut SeqSink<'_>) -> Result<(), i32> {
        self.0.logical_seqs(sink)
    }
    fn read_page(&mut self, page: u32, k: &mut [u8], v: &mut [u8]) -> Result<(), i32> {
        self.0.read_page(page, k, v)
    }
    fn allocate_pages(&mut self, slots: &mut [u32]) -> Result<(), i32> {
        self.0.allocate_pages(slots)
    }
    fn write_page(&mut self, _page: u32, _k: &[u8], _v: &[u8]) -> Result<(), i32> {
        panic!("write_page called although the engine provides page_buffers");
    }
    fn install_logical_seqs(&mut self, seqs: &[LogicalSeq<'_>]) -> Result<(), i32> {
        self.0.install_logical_seqs(seqs)
    }
    const RELEASES_PAGES: bool = true;
    fn release_pages(&mut self, slots: &[u32]) -> Result<(), i32> {
        self.0.release_pages(slots)
    }
    const PAGE_BUFFERS: bool = true;
    fn page_buffers(&mut self, page: u32) -> Result<(&mut [u8], &mut [u8]), i32> {
        let (k, v) = self.0.pages.get_mut(&page).ok_or(-3)?;
        Ok((k.as_mut_slice(), v.as_mut_slice()))
    }
}

#[test]
fn zero_copy_restore_fills_the_engine_buffers_and_refuses_a_damaged_page() {
    let dir = TempDir::new("engine");
    let path = dir.join("snap");
    snapshot::capture(&mut source(), &path, None).unwrap();
    let mut dst = ZeroCopyEngine::default();
    snapshot::restore(&mut dst, &path, None).unwrap();
    let (slots, fill) = &dst.0.seqs[&b"req-1".to_vec()];
    assert_eq!(*fill, 2);
    let firsts: Vec<(u8, u8)> = slots.iter().map(|s| (dst.0.pages[s].0[0], dst.0.pages[s].1[PAGE - 1])).collect();
    assert_eq!(firsts, vec![(7, !7), (3, !3), (9, !9)]);

    // A flipped byte in the last page's stored bytes (the page table and sequences follow
    // the blobs): CORRUPT, every slot released, nothing installed.
    let mut bytes = std::fs::read(&path).unwrap();
    let listing = snapshot::list(&path).unwrap();
    let last = listing.pages.last().unwrap();
    bytes[(last.offset_bytes + last.stored_bytes / 2) as usize] ^= 0x20;
    let bad = dir.join("bad");
    std::fs::write(&bad, &bytes).unwrap();
    let mut dst = ZeroCopyEngine::default();
    let e = assert_code(snapshot::restore(&mut dst, &bad, None), code::CORRUPT);
    assert!(e.message.contains("page entry 2"), "{e}");
    assert_eq!(dst.0.released.len(), 3, "every allocated slot released once");
    assert!(dst.0.pages.is_empty() && dst.0.seqs.is_empty());
    assert_eq!(dst.0.paused, dst.0.resumed);
}
