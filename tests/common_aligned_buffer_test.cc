// AlignedBuffer (impl/common/aligned_buffer.h), the journal's batch buffer: aligned for
// O_DIRECT, a large buffer its own 2 MiB-aligned mapping (huge pages where the kernel gives
// them), every byte of what it reports usable, and growth and release in either order.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>

#include "impl/common/aligned_buffer.h"

namespace pager {
namespace {

uintptr_t Address(const AlignedBuffer& b) { return reinterpret_cast<uintptr_t>(b.data()); }

// Writes and reads back every byte the buffer says it has (a mapping trimmed too far faults).
bool EveryByteHolds(AlignedBuffer* b) {
  for (size_t i = 0; i < b->capacity(); i++) b->data()[i] = static_cast<uint8_t>(i * 13 + 5);
  for (size_t i = 0; i < b->capacity(); i++) {
    if (b->data()[i] != static_cast<uint8_t>(i * 13 + 5)) return false;
  }
  return true;
}

TEST(AlignedBuffer, ASmallBufferIsBlockAlignedAndRoundedToWholeBlocks) {
  AlignedBuffer b;
  ASSERT_TRUE(b.Reserve(5000).ok());
  EXPECT_EQ(Address(b) % AlignedBuffer::kAlignBytes, 0u);
  EXPECT_EQ(b.capacity(), 2 * AlignedBuffer::kAlignBytes);
  EXPECT_TRUE(EveryByteHolds(&b));
}

TEST(AlignedBuffer, ALargeBufferIsAHugePageAlignedMappingUsableToItsLastByte) {
  AlignedBuffer b;
  const size_t len = (size_t{1} << 20) + 69632;  // a 256-page journal batch (1.1 MB)
  ASSERT_TRUE(b.Reserve(len).ok());
  EXPECT_EQ(Address(b) % AlignedBuffer::kHugeAlignBytes, 0u);
  EXPECT_EQ(b.capacity(), AlignedBuffer::kHugeAlignBytes);
  EXPECT_TRUE(EveryByteHolds(&b));
}

TEST(AlignedBuffer, GrowingKeepsEnoughAndAReserveWithinTheCapacityKeepsTheAddress) {
  AlignedBuffer b;
  ASSERT_TRUE(b.Reserve(8192).ok());
  ASSERT_TRUE(b.Reserve(3 << 20).ok());  // small -> large: the heap block goes, a mapping comes
  EXPECT_EQ(b.capacity(), 2 * AlignedBuffer::kHugeAlignBytes);
  const uintptr_t at = Address(b);
  ASSERT_TRUE(b.Reserve(4096).ok());
  EXPECT_EQ(Address(b), at);
  EXPECT_TRUE(EveryByteHolds(&b));
}

TEST(AlignedBuffer, ReleaseAboveTheKeptSizeFreesAndTheNextReserveStartsOver) {
  AlignedBuffer b;
  ASSERT_TRUE(b.Reserve(5 << 20).ok());
  b.ReleaseIfAbove(8 << 20);  // within: kept
  EXPECT_EQ(b.capacity(), 3 * AlignedBuffer::kHugeAlignBytes);
  b.ReleaseIfAbove(4 << 20);  // above: given back
  EXPECT_EQ(b.capacity(), 0u);
  EXPECT_EQ(b.data(), nullptr);
  ASSERT_TRUE(b.Reserve(4096).ok());  // a small one from the heap again
  EXPECT_EQ(b.capacity(), AlignedBuffer::kAlignBytes);
  EXPECT_TRUE(EveryByteHolds(&b));
}

TEST(AlignedBuffer, AnImpossibleSizeIsNoMemAndLeavesTheBufferAsItWas) {
  AlignedBuffer b;
  ASSERT_TRUE(b.Reserve(1 << 20).ok());
  const uintptr_t at = Address(b);
  Status st = b.Reserve(SIZE_MAX - 4096);
  EXPECT_EQ(st.code(), Code::kNoMem);
  EXPECT_EQ(Address(b), at);
  EXPECT_EQ(b.capacity(), AlignedBuffer::kHugeAlignBytes);
  EXPECT_TRUE(EveryByteHolds(&b));
}

}  // namespace
}  // namespace pager
