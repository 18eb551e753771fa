// The one checksum of every on-disk format: XXH3-64 from xxHash (libxxhash, linked: its runtime
// dispatcher picks the widest vector unit; see checksum.cc).
// Chosen over CRC32C because it is the fastest well-tested 64-bit hash available as a Debian
// package (memory-speed on one core), and 64 bits make an accidental match negligible.
#pragma once

#include <cstddef>
#include <cstdint>

namespace pager {

// XXH3-64 of data with a seed. The seed lets formats separate checksum domains.
uint64_t Checksum64(const void* data, size_t len, uint64_t seed = 0);

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

}  // namespace pager
