// RangeLockTable: see mem_range_locks.h (R1, R2).
#include "impl/io/mem_range_locks.h"

#include <chrono>
#include <thread>

namespace pager {
namespace io {

bool RangeLockTable::TryLock(uint64_t owner, uint64_t offset, uint64_t len, LockMode mode) {
  const uint64_t end = offset + len;
  for (const Range& r : ranges_) {
    if (r.owner == owner || r.end <= offset || r.begin >= end) continue;
    if (mode == LockMode::kExclusive || r.mode == LockMode::kExclusive) return false;  // R2
  }
  Unlock(owner, offset, len);  // R1: conversion replaces the owner's older pieces
  ranges_.push_back(Range{owner, offset, end, mode});
  return true;
}

void RangeLockTable::Unlock(uint64_t owner, uint64_t offset, uint64_t len) {
  const uint64_t end = offset + len;
  std::vector<Range> kept;
  kept.reserve(ranges_.size() + 1);
  for (const Range& r : ranges_) {
    if (r.owner != owner || r.end <= offset || r.begin >= end) {
      kept.push_back(r);
      continue;
    }
    if (r.begin < offset) kept.push_back(Range{owner, r.begin, offset, r.mode});
    if (r.end > end) kept.push_back(Range{owner, end, r.end, r.mode});
  }
  ranges_.swap(kept);
}

void RangeLockTable::UnlockAll(uint64_t owner) {
  std::vector<Range> kept;
  for (const Range& r : ranges_) {
    if (r.owner != owner) kept.push_back(r);
  }
  ranges_.swap(kept);
}

Status WaitForLock(std::mutex* mu, int64_t wait_ms, const std::string& path,
                   const std::function<bool()>& try_lock) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms);
  for (;;) {
    {
      std::lock_guard<std::mutex> g(*mu);
      if (try_lock()) return Status::Ok();
    }
    if (wait_ms != kLockWaitForever && std::chrono::steady_clock::now() >= deadline) {
      return Status(Code::kBusy, path + " is locked by another opener");
    }
    std::this_thread::sleep_for(std::chrono::microseconds(50));
  }
}

}  // namespace io
}  // namespace pager
