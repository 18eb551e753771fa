// XXH3-64 of inputs longer than 240 bytes under a 192-byte secret, compiled here from xxHash's
// own header for the vector units libxxhash's dispatcher chooses between (xxh3_long.cc).
// Used by SeededChecksum (checksum.h) for the record-sized inputs of a segment scan.
#pragma once

#include <cstddef>
#include <cstdint>

namespace pager {

// Hashes data[0, len) with the 192-byte secret; len > 240.
using Xxh3LongFn = uint64_t (*)(const void* data, size_t len, const void* secret);

enum class VectorUnit { kAvx512, kAvx2 };

// The function for `unit`, or nullptr when the CPU or the OS does not support it (or not
// x86-64). Tests check every unit this machine has.
Xxh3LongFn Xxh3LongFor(VectorUnit unit);

// The widest of AVX-512 and AVX2 that both the CPU and the OS support, chosen once per
// process; nullptr when neither is available: callers use libxxhash's dispatcher then.
Xxh3LongFn Xxh3LongForThisCpu();

}  // namespace pager
