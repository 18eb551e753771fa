// RangeLockTable: the in-memory model of open-file-description byte-range locks (env.h E6)
// for MemEnv/FaultEnv files, so in-process tests with several Files of one path see the
// conflicts two processes (or two descriptors in one process) would see.
//
// Invariants:
//   R1. The ranges held by one owner (an open-file-description id) never overlap each other:
//       taking a range first cuts the owner's older pieces out of it (fcntl's conversion).
//   R2. Two owners' overlapping ranges are both shared.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "impl/io/env.h"

namespace pager {
namespace io {

class RangeLockTable {
 public:
  // Takes [offset, offset+len) for owner if no other owner holds a conflicting overlap (R2);
  // returns false, changing nothing, otherwise.
  bool TryLock(uint64_t owner, uint64_t offset, uint64_t len, LockMode mode);
  // Drops whatever part of [offset, offset+len) owner holds.
  void Unlock(uint64_t owner, uint64_t offset, uint64_t len);
  // Drops every range of owner (its File was destroyed).
  void UnlockAll(uint64_t owner);
  size_t range_count() const { return ranges_.size(); }

 private:
  struct Range {
    uint64_t owner;
    uint64_t begin;
    uint64_t end;  // exclusive
    LockMode mode;
  };
  std::vector<Range> ranges_;
};

// Retries try_lock (run with *mu held) until it returns true or wait_ms passes (then kBusy
// naming path); wait_ms as for File::Lock.
Status WaitForLock(std::mutex* mu, int64_t wait_ms, const std::string& path,
                   const std::function<bool()>& try_lock);

}  // namespace io
}  // namespace pager
