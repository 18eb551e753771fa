// The one checksum of every on-disk format: XXH3-64 from xxHash (libxxhash, linked: its runtime
// dispatcher picks the widest vector unit; see checksum.cc).
// Chosen over CRC32C because it is the fastest well-tested 64-bit hash available as a Debian
// package (memory-speed on one core), and 64 bits make an accidental match negligible.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>

namespace pager {

// XXH3-64 of data with a seed. The seed lets formats separate checksum domains.
uint64_t Checksum64(const void* data, size_t len, uint64_t seed = 0);

// Checksum64 with the seed fixed for many calls: what XXH3 derives from the seed for long
// inputs (a 192-byte secret) is derived once, here, instead of being looked up per call, and
// long inputs are hashed by xxHash's code compiled with that secret size as a constant
// (xxh3_long.h), so a scan hashing every record of a segment pays only for the hashing. The
// values are Checksum64(data, len, seed)'s.
class SeededChecksum {
 public:
  explicit SeededChecksum(uint64_t seed);
  uint64_t operator()(const void* data, size_t len) const;

 private:
  uint64_t seed_;
  uint64_t (*long_)(const void*, size_t, const void*);  // Xxh3LongForThisCpu, or nullptr
  alignas(64) unsigned char secret_[192];
};

// Streaming form: Update() pieces, Digest() equals Checksum64 of their concatenation.
class Hasher {
 public:
  explicit Hasher(uint64_t seed = 0);
  ~Hasher();
  Hasher(const Hasher&) = delete;
  Hasher& operator=(const Hasher&) = delete;
  void Update(const void* data, size_t len);
  uint64_t Digest() const;

 private:
  alignas(64) unsigned char state_[640];
};

// XXH3-128 (seed 0) of data as its (low, high) 64-bit halves, through the same dispatcher: not
// a format's checksum but the content identity of snapshot pages (impl/snapshot/content_hash.h).
std::pair<uint64_t, uint64_t> Hash128(const void* data, size_t len);

// Streaming form: Update() pieces, Digest() equals Hash128 of their concatenation.
class Hasher128 {
 public:
  Hasher128();
  Hasher128(const Hasher128&) = delete;
  Hasher128& operator=(const Hasher128&) = delete;
  void Update(const void* data, size_t len);
  std::pair<uint64_t, uint64_t> Digest() const;

 private:
  alignas(64) unsigned char state_[640];
};

}  // namespace pager
