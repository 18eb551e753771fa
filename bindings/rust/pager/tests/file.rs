mod common;
use common::{assert_code, TempDir};
use libpager::code;
use libpager::file::{FileOptions, PageFile};

#[test]
fn alloc_write_reopen_protected_iterate() {
    let dir = TempDir::new("file");
    let path = dir.join("pages");
    let (id, more, pid);
    {
        let mut f = PageFile::<4096>::create(&path, None).unwrap();
        id = f.alloc().unwrap();
        more = f.alloc_bulk(3).unwrap();
        f.page_mut(id).unwrap()[100..110].copy_from_slice(b"hello page");
        f.sync_pages(&[id]).unwrap();
        f.free_bulk(&more[1..]).unwrap();
        pid = f.protected_alloc().unwrap();
        let mut t = f.begin().unwrap();
        t.add(pid).unwrap().fill(0x5a);
        t.commit().unwrap();
        let mut aborted = f.begin().unwrap();
        aborted.add(pid).unwrap().fill(1); // dropped: aborted
        drop(aborted);
        let mut sp = f.subpages(512).unwrap();
        assert_eq!(sp.sub_page_size().unwrap(), 512);
        assert_eq!(sp.slot_count().unwrap(), 8);
        let s = sp.alloc().unwrap();
        sp.get_mut(s).unwrap().fill(7);
        assert_eq!(sp.get(s).unwrap().len(), 512);
        assert_eq!(sp.count().unwrap(), 1);
        sp.free(s).unwrap();
        assert_code(sp.free(s), code::DOUBLE_FREE);
    }
    let ro = FileOptions { read_only: true, ..FileOptions::default() };
    let mut g = PageFile::<4096>::open(&path, Some(&ro)).unwrap();
    assert_eq!(&g.page(id).unwrap()[100..110], b"hello page");
    let ids: Vec<u64> = g.iter_pages().unwrap().collect::<libpager::Result<_>>().unwrap();
    assert_eq!(ids, vec![id, more[0]]);
    let pids: Vec<u64> = g.iter_protected().unwrap().map(Result::unwrap).collect();
    assert_eq!(pids, vec![pid]);
    assert_eq!(g.protected_read(pid).unwrap(), vec![0x5a; 4096]);
    assert_code(g.page_mut(id), code::READONLY);
}

#[test]
fn page_size_is_checked_at_open() {
    let dir = TempDir::new("file");
    let path = dir.join("pages");
    drop(PageFile::<8192>::create(&path, None).unwrap());
    assert_code(PageFile::<4096>::open(&path, None), code::PAGE_SIZE);
    let f = PageFile::<8192>::open(&path, None).unwrap();
    assert_eq!(f.page_size().unwrap(), 8192);
    assert_code(PageFile::<1000>::create(dir.join("bad"), None), code::INVALID);
}

#[test]
fn format_version_and_journal_lap_are_chosen_and_checked() {
    let dir = TempDir::new("file");
    let path = dir.join("pages");
    let d = FileOptions::default();
    assert_eq!((d.format_version, d.journal_lap_bytes), (0, 0));
    let one = FileOptions { format_version: 1, ..FileOptions::default() };
    let lap_with_one = FileOptions { journal_lap_bytes: 1 << 20, ..one };
    assert_code(PageFile::<4096>::create(&path, Some(&lap_with_one)), code::INVALID);
    drop(PageFile::<4096>::create(&path, Some(&one)).unwrap());
    assert!(!dir.join("pages-journal").exists(), "format 1 has no journal");
    assert_eq!(libpager::check::check_file(&path).unwrap().format_version, 1);
    let two = FileOptions { format_version: 2, ..FileOptions::default() };
    assert_code(PageFile::<4096>::open(&path, Some(&two)), code::VERSION);
    drop(PageFile::<4096>::open(&path, Some(&one)).unwrap());
    let small = FileOptions { journal_lap_bytes: (1 << 20) - 1, ..FileOptions::default() };
    assert_code(PageFile::<4096>::create(dir.join("small"), Some(&small)), code::INVALID);
    let lap = FileOptions { journal_lap_bytes: 1 << 20, ..FileOptions::default() };
    drop(PageFile::<4096>::create(dir.join("small"), Some(&lap)).unwrap());
}

#[test]
fn errors() {
    let dir = TempDir::new("file");
    let path = dir.join("pages");
    let mut f = PageFile::<4096>::create(&path, None).unwrap();
    let id = f.alloc().unwrap();
    f.free(id).unwrap();
    assert_code(f.free(id), code::DOUBLE_FREE);
    assert_code(f.free(0), code::RESERVED);
    assert_code(f.page(id), code::NOT_FOUND);
    let id2 = f.alloc().unwrap();
    assert_code(f.free_bulk(&[id2, id2]), code::DUPLICATE);
    assert_code(PageFile::<4096>::open(&path, None), code::BUSY);
    assert_code(PageFile::<4096>::create(&path, None), code::EXISTS);
    let pid = f.protected_alloc().unwrap();
    let mut t = f.begin().unwrap();
    t.add(pid).unwrap();
    let mut other = f.begin().unwrap();
    assert_code(other.add(pid).map(|_| ()), code::BUSY);
    assert_code(other.data(pid).map(|_| ()), code::NOT_FOUND);
    drop(other);
    drop(t);
}

#[test]
fn transaction_commits_many_pages_together() {
    let dir = TempDir::new("file");
    let mut f = PageFile::<4096>::create(dir.join("pages"), None).unwrap();
    let (a, b) = (f.protected_alloc().unwrap(), f.protected_alloc().unwrap());
    let mut t = f.begin().unwrap();
    t.add(a).unwrap()[0] = 1;
    t.add(b).unwrap()[0] = 2;
    assert_eq!(t.data(a).unwrap()[0], 1);
    assert_eq!(t.page_count().unwrap(), 2);
    t.commit().unwrap();
    assert_eq!(f.protected_read(a).unwrap()[0], 1);
    assert_eq!(f.protected_read(b).unwrap()[0], 2);
}

#[test]
fn bulk_protected_and_subpage_calls_are_all_or_nothing() {
    let dir = TempDir::new("file");
    let mut f = PageFile::<4096>::create(dir.join("pages"), None).unwrap();
    let ids = f.protected_alloc_bulk(3).unwrap();
    assert_eq!(f.protected_count().unwrap(), 3);
    {
        let mut t = f.begin().unwrap();
        assert_eq!(t.page_size().unwrap(), 4096);
        t.add(ids[0]).unwrap()[0] = 9;
        t.commit().unwrap();
    }
    assert_eq!(f.protected_read(ids[0]).unwrap()[0], 9);
    assert_code(f.protected_free_bulk(&[ids[0], ids[0]]), code::DUPLICATE);
    assert_eq!(f.protected_count().unwrap(), 3, "a failed bulk free frees nothing");
    f.protected_free_bulk(&ids).unwrap();
    assert_eq!(f.protected_count().unwrap(), 0);

    let mut sp = f.subpages(256).unwrap();
    let subs = sp.alloc_bulk(20).unwrap();
    assert_eq!(sp.count().unwrap(), 20);
    assert_code(sp.free_bulk(&[subs[0], subs[0]]), code::DUPLICATE);
    sp.free_bulk(&subs).unwrap();
    assert_eq!(sp.count().unwrap(), 0);
}

#[test]
fn transaction_alloc_page_is_invisible_until_commit_and_an_abort_gives_it_back() {
    let dir = TempDir::new("file");
    let mut f = PageFile::<4096>::create(dir.join("pages"), None).unwrap();
    let first = f.protected_alloc().unwrap();
    let mut t = f.begin().unwrap();
    let (id, copy) = t.alloc_page().unwrap();
    assert!(copy.iter().all(|&b| b == 0));
    copy[0] = 7;
    assert_ne!(id, first);
    assert_code(f.protected_read(id).map(|_| ()), code::NOT_FOUND);
    drop(t); // abort
    assert_eq!(f.protected_alloc().unwrap(), id, "the aborted id is free again");
    let mut t = f.begin().unwrap();
    let (fresh, copy) = t.alloc_page().unwrap();
    copy[0] = 9;
    assert_eq!(t.add(fresh).unwrap()[0], 9, "add of an allocated page returns its copy");
    t.commit().unwrap();
    assert_eq!(f.protected_read(fresh).unwrap()[0], 9);
}

#[test]
fn transaction_free_page_holds_the_page_until_commit() {
    let dir = TempDir::new("file");
    let mut f = PageFile::<4096>::create(dir.join("pages"), None).unwrap();
    let a = f.protected_alloc().unwrap();
    let mut t = f.begin().unwrap();
    t.free_page(a).unwrap();
    assert_code(t.free_page(a), code::DOUBLE_FREE);
    let mut other = f.begin().unwrap();
    assert_code(other.add(a).map(|_| ()), code::BUSY);
    drop(other);
    assert_eq!(f.protected_read(a).unwrap()[0], 0, "still allocated before the commit");
    t.commit().unwrap();
    assert_code(f.protected_read(a).map(|_| ()), code::NOT_FOUND);
}

#[test]
fn advise_whole_file_a_range_and_errors() {
    use libpager::file::Advice;
    let dir = TempDir::new("file-advise");
    let mut f = PageFile::<4096>::create(dir.join("pages"), None).unwrap();
    let id = f.alloc().unwrap();
    f.page_mut(id).unwrap()[..4].copy_from_slice(b"keep");
    f.advise(0..0, Advice::Random).unwrap();
    f.advise(id..id + 1, Advice::DontNeed).unwrap();
    assert_eq!(&f.page(id).unwrap()[..4], b"keep");
    f.advise(id..id + 1, Advice::WillNeed).unwrap();
    f.advise(0..0, Advice::Sequential).unwrap();
    f.advise(0..0, Advice::Normal).unwrap();
    assert_code(f.advise(0..u64::MAX, Advice::Random), code::RANGE);
    #[allow(clippy::reversed_empty_ranges)] // the reversed range is what is tested
    let reversed = 5..4;
    assert_code(f.advise(reversed, Advice::Random), code::INVALID);
}

#[test]
fn write_page_commits_whole_pages_without_an_add() {
    let dir = TempDir::new("file");
    let mut f = PageFile::<4096>::create(dir.join("pages"), None).unwrap();
    let (a, b) = (f.protected_alloc().unwrap(), f.protected_alloc().unwrap());
    {
        let mut t = f.begin().unwrap();
        t.write_page(a, &[0xa1; 4096]).unwrap();
        t.add(b).unwrap()[0] = 1;
        t.write_page(b, &[0xb2; 4096]).unwrap(); // replaces the added copy
        assert_eq!(t.data(b).unwrap()[0], 0xb2);
        assert_eq!(t.page_count().unwrap(), 2);
        t.commit().unwrap();
    }
    assert_eq!(f.protected_read(a).unwrap(), vec![0xa1; 4096]);
    assert_eq!(f.protected_read(b).unwrap(), vec![0xb2; 4096]);
    let mut t1 = f.begin().unwrap();
    t1.write_page(a, &[1; 4096]).unwrap();
    drop(t1); // aborted: nothing written
    assert_eq!(f.protected_read(a).unwrap(), vec![0xa1; 4096]);
}

#[test]
fn stats_count_one_sync_per_commit() {
    let dir = TempDir::new("file");
    let mut f = PageFile::<4096>::create(dir.join("pages"), None).unwrap();
    let before = f.stats().unwrap();
    assert_eq!((before.format_version, before.journal_lap_bytes), (2, 64 << 20));
    let id = f.alloc().unwrap();
    f.page_mut(id).unwrap()[0] = 7;
    f.sync_pages(&[id]).unwrap();
    let after = f.stats().unwrap();
    assert_eq!(after.syncs, before.syncs + 2);
    assert_eq!(after.checkpoints, 0);
    assert!(after.journal_bytes > before.journal_bytes);
}
