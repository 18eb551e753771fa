#define XXH_INLINE_ALL
#include <xxhash.h>

#include "impl/io/checksum.h"

namespace pager {

static_assert(sizeof(XXH3_state_t) <= 640, "Hasher::state_ too small for XXH3_state_t");

uint64_t Checksum64(const void* data, size_t len, uint64_t seed) {
  return XXH3_64bits_withSeed(data, len, seed);
}

Hasher::Hasher(uint64_t seed) {
  // A state that merely sits in stale memory must be initialized first: reset_withSeed skips
  // deriving the secret when the leftover `seed` field happens to equal `seed` (xxhash.h,
  // XXH3_INITSTATE), and would then hash with whatever bytes the secret area holds.
  XXH3_INITSTATE(reinterpret_cast<XXH3_state_t*>(state_));
  XXH3_64bits_reset_withSeed(reinterpret_cast<XXH3_state_t*>(state_), seed);
}

Hasher::~Hasher() = default;

void Hasher::Update(const void* data, size_t len) {
  XXH3_64bits_update(reinterpret_cast<XXH3_state_t*>(state_), data, len);
}

uint64_t Hasher::Digest() const {
  return XXH3_64bits_digest(reinterpret_cast<const XXH3_state_t*>(state_));
}

}  // namespace pager
