// XXH3-64 through libxxhash.so's runtime dispatcher (xxh_x86dispatch.h): on x86-64 each long
// input is hashed with the widest vector unit the CPU has (AVX-512, AVX2 or SSE2), chosen once
// per process by xxHash itself. The values are XXH3's whatever unit computes them.
#define XXH_STATIC_LINKING_ONLY
#include <xxhash.h>

#if defined(__x86_64__) || defined(__i386__)
#define XXH_DISPATCH_DISABLE_REPLACE  // name the *_dispatch functions explicitly below
#include <xxh_x86dispatch.h>
#define PAGER_XXH3_DISPATCH 1
#endif

#include "impl/io/checksum.h"
#include "impl/io/xxh3_long.h"

namespace pager {

static_assert(sizeof(XXH3_state_t) <= 640, "Hasher::state_ too small for XXH3_state_t");

namespace {

// XXH3 hashes inputs up to this many bytes with scalar code (and the seed directly); above
// it, with vector code over a 192-byte secret, which for a seeded hash is derived from the
// seed (xxhash.h: XXH3_MIDSIZE_MAX, XXH3_hashLong_64b_withSeed).
constexpr size_t kXxh3MidsizeMax = 240;

#if defined(PAGER_XXH3_DISPATCH)
// The secrets of the last few seeds this thread hashed with. Deriving one costs about as much
// as hashing a 256-byte record (libxxhash.so derives it with scalar code), and every format
// hashes with a handful of constant seeds, so a record scan derives each secret once per
// thread. Per thread, so no lock and nothing shared between users of the library (C10).
struct SecretCache {
  static constexpr int kEntries = 4;
  struct Entry {
    uint64_t seed = 0;  // 0 = empty: seed 0 never uses a derived secret
    alignas(64) unsigned char secret[XXH3_SECRET_DEFAULT_SIZE];
  };
  Entry entries[kEntries];
  int next = 0;  // the entry replaced next (round robin)

  const unsigned char* For(uint64_t seed) {
    for (Entry& e : entries) {
      if (e.seed == seed) return e.secret;
    }
    Entry& e = entries[next];
    next = (next + 1) % kEntries;
    XXH3_generateSecret_fromSeed(e.secret, seed);
    e.seed = seed;
    return e.secret;
  }
};

uint64_t HashLong(const void* data, size_t len, uint64_t seed) {
  if (seed == 0) return XXH3_64bits_dispatch(data, len);
  // XXH3_64bits_withSeed of a long input == XXH3_64bits_withSecret over the secret
  // XXH3_generateSecret_fromSeed derives (the same XXH3_initCustomSecret); only the
  // withSecret form has a dispatcher. tests/checksum_test.cc pins the equality.
  static thread_local SecretCache cache;
  return XXH3_64bits_withSecret_dispatch(data, len, cache.For(seed), XXH3_SECRET_DEFAULT_SIZE);
}
#else
uint64_t HashLong(const void* data, size_t len, uint64_t seed) {
  return XXH3_64bits_withSeed(data, len, seed);
}
#endif

XXH3_state_t* State(unsigned char* bytes) { return reinterpret_cast<XXH3_state_t*>(bytes); }

}  // namespace

uint64_t Checksum64(const void* data, size_t len, uint64_t seed) {
  if (len <= kXxh3MidsizeMax) return XXH3_64bits_withSeed(data, len, seed);
  return HashLong(data, len, seed);
}

SeededChecksum::SeededChecksum(uint64_t seed) : seed_(seed), long_(Xxh3LongForThisCpu()) {
  static_assert(sizeof secret_ == XXH3_SECRET_DEFAULT_SIZE, "SeededChecksum::secret_ size");
  XXH3_generateSecret_fromSeed(secret_, seed);
}

uint64_t SeededChecksum::operator()(const void* data, size_t len) const {
  if (len <= kXxh3MidsizeMax) return XXH3_64bits_withSeed(data, len, seed_);
  if (long_ != nullptr) return long_(data, len, secret_);
#if defined(PAGER_XXH3_DISPATCH)
  return XXH3_64bits_withSecret_dispatch(data, len, secret_, sizeof secret_);  // see HashLong
#else
  return XXH3_64bits_withSeed(data, len, seed_);
#endif
}

Hasher::Hasher(uint64_t seed) {
  // A state that merely sits in stale memory must be initialized first: reset_withSeed skips
  // deriving the secret when the leftover `seed` field happens to equal `seed` (xxhash.h,
  // XXH3_INITSTATE), and would then hash with whatever bytes the secret area holds.
  XXH3_INITSTATE(State(state_));
  XXH3_64bits_reset_withSeed(State(state_), seed);
}

Hasher::~Hasher() = default;

void Hasher::Update(const void* data, size_t len) {
#if defined(PAGER_XXH3_DISPATCH)
  XXH3_64bits_update_dispatch(State(state_), data, len);
#else
  XXH3_64bits_update(State(state_), data, len);
#endif
}

uint64_t Hasher::Digest() const {
  return XXH3_64bits_digest(reinterpret_cast<const XXH3_state_t*>(state_));
}

std::pair<uint64_t, uint64_t> Hash128(const void* data, size_t len) {
#if defined(PAGER_XXH3_DISPATCH)
  const XXH128_hash_t h = XXH3_128bits_dispatch(data, len);
#else
  const XXH128_hash_t h = XXH3_128bits(data, len);
#endif
  return {h.low64, h.high64};
}

Hasher128::Hasher128() {
  XXH3_INITSTATE(State(state_));  // as Hasher's: never trust stale state bytes
  XXH3_128bits_reset(State(state_));
}

void Hasher128::Update(const void* data, size_t len) {
#if defined(PAGER_XXH3_DISPATCH)
  XXH3_128bits_update_dispatch(State(state_), data, len);
#else
  XXH3_128bits_update(State(state_), data, len);
#endif
}

std::pair<uint64_t, uint64_t> Hasher128::Digest() const {
  const XXH128_hash_t h = XXH3_128bits_digest(reinterpret_cast<const XXH3_state_t*>(state_));
  return {h.low64, h.high64};
}

}  // namespace pager
