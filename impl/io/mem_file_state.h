// MemFileState: the inode of an in-memory file, shared by MemEnv (impl/io/mem_env.cc) and
// FaultEnv (impl/io/fault_env.cc). Internal to impl/io: see mem_env.h for the model (M1-M6).
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "impl/io/mem_env.h"
#include "impl/io/mem_range_locks.h"

#if defined(__SANITIZE_THREAD__)
// ThreadSanitizer's dynamic annotations (its runtime defines them): MakeRangeDurable.
extern "C" void AnnotateIgnoreReadsBegin(const char* file, int line);
extern "C" void AnnotateIgnoreReadsEnd(const char* file, int line);
#endif

namespace pager {
namespace io {
constexpr size_t kSectorBytes = 512;
// Address space reserved per in-memory file: PROT_NONE and MAP_NORESERVE, so it costs nothing
// until used. A Map() asking for more relocates the file while no mapping is alive.
constexpr size_t kDefaultReserveBytes = size_t{1} << 34;  // 16 GiB

inline size_t HostPageBytes() {
  static const size_t kBytes = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  return kBytes;
}

inline size_t RoundUpToPage(size_t n) {
  size_t p = HostPageBytes();
  return (n + p - 1) / p * p;
}

inline bool IsMutating(MemEnv::Op op) {
  return op != MemEnv::Op::kRead && op != MemEnv::Op::kMap;
}

// The inode of an in-memory file: its current bytes live in a reserved anonymous region so
// mappings can hand out stable pointers that reads and writes see (M1).
struct MemFileState {
  std::mutex mu;
  uint8_t* base = nullptr;
  size_t reserved_bytes = 0;
  size_t accessible_bytes = 0;  // [0, accessible) is PROT_READ|PROT_WRITE
  uint64_t size = 0;
  int live_mappings = 0;
  int live_writable_mappings = 0;  // Truncate below the size is refused while > 0

  // flock model: holders by open-file-description id.
  std::set<uint64_t> shared_holders;
  uint64_t exclusive_holder = 0;
  RangeLockTable range_locks;  // OFD byte-range model (env.h E6)

  // Durability tracking (FaultEnv only).
  std::vector<uint8_t> durable;  // durable bytes; durable.size() is the durable size
  struct PendingWrite {
    uint64_t offset;
    std::vector<uint8_t> bytes;
  };
  std::vector<PendingWrite> pending;
  // Ranges whose unsynced bytes a failed fsync threw away (M5): the page cache still shows
  // them, but they are marked clean, so no later sync writes them -- until they are written
  // again.
  struct Range {
    uint64_t offset;
    uint64_t len;
  };
  std::vector<Range> lost;
  // The current bytes at the moment of a simulated crash (M6): later writes through a
  // mapping cannot reach the disk of a machine that lost power.
  bool has_frozen = false;
  std::vector<uint8_t> frozen;

  ~MemFileState() {
    if (base != nullptr) munmap(base, reserved_bytes);
  }

  Status Reserve(size_t bytes) {
    void* p = mmap(nullptr, bytes, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) return Status(Code::kNoMem, "cannot reserve in-memory file space");
    uint8_t* fresh = static_cast<uint8_t*>(p);
    if (base != nullptr) {
      if (accessible_bytes > 0) {
        if (mprotect(fresh, accessible_bytes, PROT_READ | PROT_WRITE) != 0) {
          munmap(fresh, bytes);
          return Status(Code::kNoMem, "cannot grow in-memory file");
        }
        std::memcpy(fresh, base, accessible_bytes);
      }
      munmap(base, reserved_bytes);
    }
    base = fresh;
    reserved_bytes = bytes;
    return Status::Ok();
  }

  // Makes [0, new_size) addressable; the bytes past the old size are zero.
  Status Resize(uint64_t new_size) {
    if (base == nullptr) PAGER_RETURN_IF_ERROR(Reserve(kDefaultReserveBytes));
    if (new_size > reserved_bytes) {
      if (live_mappings > 0) {
        return Status(Code::kNoSpace, "in-memory file cannot grow past its " +
                                          std::to_string(reserved_bytes) +
                                          "-byte reservation while mapped");
      }
      PAGER_RETURN_IF_ERROR(Reserve(RoundUpToPage(static_cast<size_t>(new_size) * 2)));
    }
    size_t need = RoundUpToPage(static_cast<size_t>(new_size));
    if (need > accessible_bytes) {
      if (mprotect(base + accessible_bytes, need - accessible_bytes, PROT_READ | PROT_WRITE) != 0) {
        return Status(Code::kNoMem, "cannot grow in-memory file to " + std::to_string(new_size));
      }
      accessible_bytes = need;
    }
    if (new_size < size) {
      std::memset(base + new_size, 0, static_cast<size_t>(size - new_size));
    }
    size = new_size;
    return Status::Ok();
  }

  std::vector<uint8_t> CurrentBytes() const {
    return std::vector<uint8_t>(base, base + size);
  }

  // Forgets pending bytes inside [offset, offset+len): they are durable now (M2).
  void ClipPending(uint64_t offset, uint64_t len) {
    std::vector<PendingWrite> kept;
    for (PendingWrite& w : pending) {
      uint64_t w_end = w.offset + w.bytes.size();
      uint64_t end = offset + len;
      if (w_end <= offset || w.offset >= end) {
        kept.push_back(std::move(w));
        continue;
      }
      if (w.offset < offset) {
        kept.push_back({w.offset, std::vector<uint8_t>(w.bytes.begin(),
                                                       w.bytes.begin() + (offset - w.offset))});
      }
      if (w_end > end) {
        kept.push_back({end, std::vector<uint8_t>(w.bytes.begin() + (end - w.offset),
                                                  w.bytes.end())});
      }
    }
    pending = std::move(kept);
  }

  static void SubtractRange(std::vector<Range>* ranges, uint64_t offset, uint64_t len) {
    std::vector<Range> kept;
    uint64_t end = offset + len;
    for (const Range& r : *ranges) {
      uint64_t r_end = r.offset + r.len;
      if (r_end <= offset || r.offset >= end) {
        kept.push_back(r);
        continue;
      }
      if (r.offset < offset) kept.push_back({r.offset, offset - r.offset});
      if (r_end > end) kept.push_back({end, r_end - end});
    }
    *ranges = std::move(kept);
  }

  // A failed fsync: the pending writes inside [offset, offset+len) will never be written.
  void LosePending(uint64_t offset, uint64_t len) {
    for (const PendingWrite& w : pending) {
      uint64_t lo = std::max<uint64_t>(w.offset, offset);
      uint64_t hi = std::min<uint64_t>(w.offset + w.bytes.size(), offset + len);
      if (lo < hi) lost.push_back({lo, hi - lo});
    }
    ClipPending(offset, len);
  }

  void NoteWrite(uint64_t offset, uint64_t len) { SubtractRange(&lost, offset, len); }

  // The kernel's writeback reads mapped pages while the process may be writing them (through
  // a writable mapping, with no lock libpager or the caller could take): the model copies the
  // file's bytes the same way, and ThreadSanitizer is told these reads race by design (a real
  // kernel's reads are outside the process; a torn page is what the crash model allows).
  static void CopyAsWriteback(uint8_t* dst, const uint8_t* src, uint64_t n) {
#if defined(__SANITIZE_THREAD__)
    AnnotateIgnoreReadsBegin(__FILE__, __LINE__);
#endif
    std::memcpy(dst, src, static_cast<size_t>(n));
#if defined(__SANITIZE_THREAD__)
    AnnotateIgnoreReadsEnd(__FILE__, __LINE__);
#endif
  }

  void MakeRangeDurable(uint64_t offset, uint64_t len) {
    uint64_t end = std::min<uint64_t>(size, offset + len);
    std::vector<uint8_t> old = durable;
    if (durable.size() < end) durable.resize(static_cast<size_t>(end), 0);
    if (end > offset) CopyAsWriteback(durable.data() + offset, base + offset, end - offset);
    for (const Range& r : lost) {  // bytes marked clean keep their old on-disk value
      for (uint64_t i = std::max(r.offset, offset); i < std::min(r.offset + r.len, end); i++) {
        durable[i] = i < old.size() ? old[i] : 0;
      }
    }
    ClipPending(offset, len);
  }

  void MakeAllDurable() { MakeRangeDurable(0, std::max<uint64_t>(size, durable.size())); durable.resize(size); }
};

}  // namespace io
}  // namespace pager
