// The main of the GoogleTest binary. Death tests are not used (the library never aborts on
// bad input); fork-based multi-process tests use the "threadsafe" style to stay correct when
// other threads exist.
#include <gtest/gtest.h>

int main(int argc, char** argv) {
  ::testing::GTEST_FLAG(death_test_style) = "threadsafe";
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
