#define XXH_INLINE_ALL
#include <xxhash.h>

#include "impl/io/checksum.h"

#include <cstring>

namespace pager {

static_assert(sizeof(XXH3_state_t) <= 640, "Hasher::state_ too small for XXH3_state_t");

uint64_t Checksum64(const void* data, size_t len, uint64_t seed) {
  return XXH3_64bits_withSeed(data, len, seed);
}

Hasher::Hasher(uint64_t seed) {
  // xxHash 0.8.1 reads state->seed and state->extSecret in reset_withSeed before writing
  // them; on an uninitialized state a stale match skips the secret derivation and the
  // digest is garbage (what XXH3_INITSTATE exists for). Start from a zeroed state.
  std::memset(state_, 0, sizeof state_);
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
