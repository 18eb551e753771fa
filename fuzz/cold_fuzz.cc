// libFuzzer harness for the cold pager: random pageouts (both backends, copied and owned,
// with and without checksums/fallback), random range sets (valid, out of bounds, overlapping,
// zero-length), takes, frees and injected I/O faults, all checked against a byte model.
// Runs on a FaultEnv: no disk is touched.
//
// Checks after every step: the returned code is the one the model predicts (ranges.h R1-R4),
// returned bytes equal the model's, extents satisfy X1-X3, and at the end every scratch byte
// and every adopted buffer has been released exactly once.
//
// Seed corpus: fuzz/corpus/cold/ holds 40 files of 8-400 random bytes from Python's
// random.Random(i) for i in 0..39 (any bytes are a valid program for this harness).
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

#include "impl/cold/cold_pager.h"
#include "impl/io/mem_env.h"

namespace {

using pager::Code;
using pager::Status;
using namespace pager::cold;

struct Live {
  std::unique_ptr<Handle> handle;
  std::vector<uint8_t> bytes;          // the model
  std::vector<uint64_t> chunk_starts;  // logical start of each non-empty chunk
  int damaged_chunk = -1;              // a checksummed chunk whose scratch bytes were flipped
};

// The index of the non-empty chunk holding logical byte `offset`.
int ChunkOf(const Live& l, uint64_t offset) {
  int c = 0;
  while (c + 1 < static_cast<int>(l.chunk_starts.size()) && l.chunk_starts[c + 1] <= offset) c++;
  return c;
}

bool TouchesDamage(const Live& l, const std::vector<Range>& ranges) {
  if (l.damaged_chunk < 0) return false;
  for (const Range& r : ranges) {
    if (r.len == 0) continue;
    if (ChunkOf(l, r.offset) <= l.damaged_chunk && ChunkOf(l, r.offset + r.len - 1) >= l.damaged_chunk) {
      return true;
    }
  }
  return false;
}

int g_adopted_live = 0;

void FreeOwned(void*, void* data, uint64_t) {
  g_adopted_live--;
  std::free(data);
}

[[noreturn]] void Fail(const char* what) {
  fprintf(stderr, "cold_fuzz: %s\n", what);
  abort();
}

void Require(bool ok, const char* what) {
  if (!ok) Fail(what);
}

bool Injected(Code c) { return c == Code::kIo || c == Code::kNoSpace; }

std::vector<uint8_t> MakeBytes(FuzzedDataProvider& in, size_t len) {
  uint8_t seed = in.ConsumeIntegral<uint8_t>();
  std::vector<uint8_t> v(len);
  for (size_t i = 0; i < len; i++) v[i] = static_cast<uint8_t>(seed + i * 31 + (i >> 7));
  return v;
}

Code ModelCode(const std::vector<Range>& ranges, uint64_t len) {
  for (const Range& r : ranges) {
    if (r.len > 0 && (r.offset > len || r.len > len - r.offset)) return Code::kRange;
  }
  for (size_t i = 0; i < ranges.size(); i++) {
    for (size_t j = i + 1; j < ranges.size(); j++) {
      const Range& a = ranges[i];
      const Range& b = ranges[j];
      if (a.len == 0 || b.len == 0) continue;
      if (a.offset < b.offset + b.len && b.offset < a.offset + a.len) return Code::kOverlap;
    }
  }
  return Code::kOk;
}

void DoPageout(FuzzedDataProvider& in, ColdPager& pager, std::vector<Live>& live) {
  Backend backend = in.ConsumeBool() ? Backend::kFile : Backend::kSwap;
  bool owned = in.ConsumeBool();
  PageoutOptions o;
  o.checksums = in.ConsumeBool();
  o.fallback_to_memory = in.ConsumeBool();
  size_t n = in.ConsumeIntegralInRange<size_t>(0, 6);
  std::vector<std::vector<uint8_t>> parts;
  std::vector<uint8_t> all;
  std::vector<uint64_t> starts;
  for (size_t i = 0; i < n; i++) {
    parts.push_back(MakeBytes(in, in.ConsumeIntegralInRange<size_t>(0, 5000)));
    if (!parts.back().empty()) starts.push_back(all.size());
    all.insert(all.end(), parts.back().begin(), parts.back().end());
  }
  pager::Result<std::unique_ptr<Handle>> r = Status(Code::kInternal, "unset");
  if (owned) {
    std::vector<OwnedChunk> cs;
    for (auto& p : parts) {
      void* mem = std::malloc(p.empty() ? 1 : p.size());
      if (!p.empty()) std::memcpy(mem, p.data(), p.size());
      cs.push_back(OwnedChunk{mem, p.size(), FreeOwned, nullptr});
      g_adopted_live++;
    }
    r = pager.PageoutOwned(backend, cs.data(), cs.size(), o);
    if (!r.ok()) {  // on failure the caller still owns every buffer
      for (auto& c : cs) FreeOwned(nullptr, c.data, c.len);
    }
  } else {
    std::vector<Chunk> cs;
    for (auto& p : parts) cs.push_back(Chunk{p.data(), p.size()});
    r = pager.Pageout(backend, cs.data(), cs.size(), o);
  }
  if (!r.ok()) {
    Code c = r.status().code();
    Require(backend == Backend::kFile && !o.fallback_to_memory &&
                Injected(c),
            "pageout failed without an injected fault");
    return;
  }
  Require(r.value()->len() == all.size(), "handle length differs from the model");
  live.push_back(Live{r.take(), std::move(all), std::move(starts), -1});
}

void DoRead(FuzzedDataProvider& in, ColdPager& pager, Live& l) {
  uint64_t len = l.bytes.size();
  size_t n = in.ConsumeIntegralInRange<size_t>(0, 8);
  std::vector<Range> ranges;
  for (size_t i = 0; i < n; i++) {
    uint8_t kind = in.ConsumeIntegral<uint8_t>() % 8;
    Range r;
    if (kind == 0) {
      r = Range{in.ConsumeIntegral<uint64_t>(), in.ConsumeIntegral<uint64_t>()};  // wild
    } else {
      r.offset = in.ConsumeIntegralInRange<uint64_t>(0, len + 2);
      r.len = in.ConsumeIntegralInRange<uint64_t>(0, len + 2);
    }
    ranges.push_back(r);
  }
  Code want = ModelCode(ranges, len);
  uint64_t total = 0;
  if (want == Code::kOk) {
    for (const Range& r : ranges) total += r.len;
    if (TouchesDamage(l, ranges)) want = Code::kCorrupt;
  }
  std::vector<uint8_t> out(total + 1, 0xEE);
  Status st = pager.ReadAtMany(*l.handle, ranges.data(), ranges.size(), out.data(), total);
  if (Injected(st.code())) return;  // an injected read fault
  if (st.code() != want) {
    fprintf(stderr, "len %lu damaged chunk %d, got %s, want code %d; ranges:",
            static_cast<unsigned long>(len), l.damaged_chunk, st.ToString().c_str(),
            static_cast<int>(want));
    for (const Range& r : ranges) {
      fprintf(stderr, " [%lu,+%lu)", static_cast<unsigned long>(r.offset),
              static_cast<unsigned long>(r.len));
    }
    fprintf(stderr, "; chunk starts:");
    for (uint64_t c : l.chunk_starts) fprintf(stderr, " %lu", static_cast<unsigned long>(c));
    fprintf(stderr, "\n");
  }
  Require(st.code() == want, "read code differs from the model");
  if (want == Code::kCorrupt) return;  // dst may hold part of the bytes (pager.h)
  if (want != Code::kOk) {
    Require(out[0] == 0xEE, "a rejected request wrote into dst");
    return;
  }
  uint64_t pos = 0;
  for (const Range& r : ranges) {
    if (r.len == 0) continue;
    Require(std::memcmp(out.data() + pos, l.bytes.data() + r.offset, r.len) == 0,
            "read bytes differ from the model");
    pos += r.len;
  }
  Require(out[total] == 0xEE, "read wrote past the total");
}

// Flips one scratch byte of a checksummed file handle: every later read of that chunk must
// be kCorrupt (C6), every other chunk still reads back intact.
void DoDamage(FuzzedDataProvider& in, pager::io::MemEnv& env, Live& l) {
  Handle& h = *l.handle;
  if (!h.has_checksums() || h.backend() != Backend::kFile || l.bytes.empty() ||
      l.damaged_chunk >= 0) {
    return;
  }
  uint64_t at = in.ConsumeIntegralInRange<uint64_t>(0, l.bytes.size() - 1);
  std::vector<uint8_t> file;
  if (!env.GetFileBytes(h.extent().file->path(), &file).ok()) Fail("get scratch bytes");
  file[h.extent().offset + at] ^= static_cast<uint8_t>(1u << (at % 8));
  if (!env.SetFileBytes(h.extent().file->path(), file).ok()) Fail("set scratch bytes");
  l.damaged_chunk = ChunkOf(l, at);
}

void DoTake(FuzzedDataProvider& in, ColdPager& pager, std::vector<Live>& live, size_t k) {
  Live& l = live[k];
  if (l.damaged_chunk >= 0) {  // a take reads every chunk: always kCorrupt, handle kept
    std::vector<uint8_t> out(l.bytes.size());
    Status st = pager.Take(&l.handle, out.data(), out.size());
    Require(st.code() == Code::kCorrupt || Injected(st.code()), "take of damaged bytes");
    Require(l.handle != nullptr, "a failed take lost the handle");
    return;
  }
  if (in.ConsumeBool()) {
    auto b = pager.TakeBuffer(&l.handle);
    if (!b.ok()) {
      Require(Injected(b.status().code()) && l.handle != nullptr, "take_buffer failure");
      return;
    }
    Require(b.value().len() == l.bytes.size() &&
                (l.bytes.empty() || std::memcmp(b.value().data(), l.bytes.data(),
                                                l.bytes.size()) == 0),
            "take_buffer bytes differ from the model");
  } else {
    std::vector<uint8_t> out(l.bytes.size());
    Status st = pager.Take(&l.handle, out.data(), out.size());
    if (!st.ok()) {
      Require(Injected(st.code()) && l.handle != nullptr, "take failure");
      return;
    }
    Require(out == l.bytes, "take bytes differ from the model");
  }
  Require(l.handle == nullptr, "a successful take left the handle");
  live.erase(live.begin() + static_cast<long>(k));
}

// C9: every handle still reads back in full after its ColdPager was destroyed (an injected
// fault may still be armed; damaged chunks are kCorrupt as before).
void CheckSurvivors(std::vector<Live>& survivors) {
  for (Live& l : survivors) {
    std::vector<uint8_t> out(l.bytes.size());
    Status st = ColdPager::ReadAt(*l.handle, 0, out.size(), out.data());
    if (Injected(st.code())) continue;
    if (l.damaged_chunk >= 0) {
      Require(st.code() == Code::kCorrupt, "a damaged survivor read without kCorrupt");
      continue;
    }
    Require(st.ok() && out == l.bytes, "a handle read wrong bytes after its pager was gone");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  pager::io::FaultEnv env;
  ColdPagerConfig cfg;
  cfg.scratch_file_count = in.ConsumeIntegralInRange<uint32_t>(1, 3);
  cfg.per_file_retain_bytes = in.ConsumeBool() ? 0 : 16384;
  std::vector<Live> live;
  std::vector<Live> survivors;  // C9: handles that outlive their ColdPager
  {
    ColdPager pager(&env, cfg);
    if (!pager.SetScratchDir("/tmp/fuzz").ok()) Fail("set scratch dir");
    while (in.remaining_bytes() > 0) {
      uint8_t op = in.ConsumeIntegral<uint8_t>() % 8;
      if (op <= 1 || live.empty()) {
        if (live.size() < 12) DoPageout(in, pager, live);
      } else {
        size_t k = in.ConsumeIntegralInRange<size_t>(0, live.size() - 1);
        if (op <= 4) {
          DoRead(in, pager, live[k]);
        } else if (op == 5) {
          DoTake(in, pager, live, k);
        } else if (op == 6) {
          if (in.ConsumeBool()) {
            DoDamage(in, env, live[k]);
          } else {
            live.erase(live.begin() + static_cast<long>(k));  // free
          }
        } else {
          auto what = in.ConsumeBool() ? pager::io::MemEnv::Op::kWrite
                                       : pager::io::MemEnv::Op::kRead;
          env.FailNth(what, in.ConsumeIntegralInRange<uint64_t>(1, 3),
                      in.ConsumeBool() ? pager::io::FaultKind::kEio
                                       : pager::io::FaultKind::kEnospc,
                      false);
        }
      }
      if (!pager.CheckInvariants().ok()) Fail(pager.CheckInvariants().ToString().c_str());
    }
    if (live.size() % 2 == 1) survivors = std::move(live);  // sometimes: past the pager
    live.clear();
    Stats s = pager.GetStats();
    if (survivors.empty()) {
      Require(s.scratch_allocated_bytes == 0, "extents in use after every handle was released");
      Require(s.scratch_retained_bytes <= cfg.per_file_retain_bytes * cfg.scratch_file_count,
              "the warm pool holds more than its budget");
      Require(cfg.per_file_retain_bytes > 0 || s.scratch_file_bytes == 0,
              "scratch space left after every handle was released");
      Require(s.swap.live_handle_count == 0 && s.file.live_handle_count == 0,
              "handles left live");
    }
  }
  CheckSurvivors(survivors);  // the pager is gone; its state lives on in the handles
  survivors.clear();
  Require(g_adopted_live == 0, "an adopted buffer was not freed exactly once");
  return 0;
}
