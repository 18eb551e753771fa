// TestHooks: a test-only seam that lets a test stop a thread at the steps of the protocols
// between handles of one database (read marks W19, the restart window W24 in wal_pager.h), so
// that every interleaving of a reader's pin and the writer's restart can be driven one step
// at a time instead of hoped for under load.
//
// Invariants:
//   T1. Only wal::Options::test_hooks carries it; the C API (capi/) never sets it, so it is
//       not reachable from pager.h. Null (the default) costs one pointer test per step.
//   T2. No global state: each handle calls the hooks it was opened with, on the thread doing
//       the step, with that handle's mutex held (except kCheckpointerCopying and
//       kWaitingForCheckpointer) (a hook must not call into that handle; it may block, and
//       another thread may drive other handles meanwhile).
//   T3. A step's hook runs at the point its name gives and nowhere else; moving a call site
//       is a change of the protocol the tests prove (tests/wal_restart_race_test.cc).
#pragma once

namespace pager {
namespace wal {

enum class HookPoint {
  // A handle other than the writer pinning a read mark (PinViewLocked, W19/W24), per try.
  kPinBeforeHeader,      // before it reads the shared header
  kPinAfterHeader,       // header read, epoch even (or the restart byte held): mark not stored
  kPinAfterMark,         // mark stored and fenced, before the re-check reads the header again
  kPinBeforeRestartLock, // it met an odd epoch: about to wait for the restart byte shared
  kRefreshBeforeFrames,  // W20: the header copied, its frame entries not loaded yet
  // A plain read reusing its last pin (RepinLatest, W27).
  kRepinAfterMark,       // the last pin's mark stored again and fenced, before the stamp check
  kRepinChecked,         // the stamp still holds: the read's copy comes next
  // An open between loading the main header and scanning the WAL (a read-only one holds the
  // restart byte shared there, W24).
  kOpenMainHeaderLoaded,
  // An open after its WAL scan, before it attaches the shared index (W21).
  kOpenScanned,
  // A read-only open rebuilding a stale index (W21): the writer byte held shared, the index's
  // open byte exclusive, its scan checked again, not yet published.
  kOpenRebuildingIndex,
  // The writer's scan of the read-mark slots before it copies frames (epoch + 2).
  kScanBeforeEpochBump,
  kScanAfterEpochBump,   // the new epoch is published, the slots not scanned yet
  kScanDone,             // the slots are scanned
  // The writer's restart scan (W24), the restart byte held exclusive.
  kRestartBeforeEpochBump,
  kRestartAfterEpochBump,  // the odd epoch is published: the window is open
  kRestartScanDone,        // the slots are scanned: restart or go on is decided
  kRestartPublished,       // the restarted (or continued) generation is published, epoch odd
  kRestartWindowClosed,    // the epoch is even again, the restart byte still held
  // The background checkpointer (W26) released mu_ for a copy, before it reads a frame: the
  // one hook run WITHOUT the handle's mutex (T2's exception), so a test may commit on the
  // handle from another thread while the copy waits.
  kCheckpointerCopying,
  // Its final step (W26) holds mu_, before it copies what is left (the thread, mu_ held).
  kCheckpointerFinalStep,
  // A call of the transaction being built found mu_ held (by the W26 thread or anyone) and
  // is about to wait for it (the caller's thread, WITHOUT mu_, T2's exception).
  kWaitingForCheckpointer,
};

class TestHooks {
 public:
  virtual ~TestHooks() = default;
  virtual void At(HookPoint point) = 0;
};

}  // namespace wal
}  // namespace pager
