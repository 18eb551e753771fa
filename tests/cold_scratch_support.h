// Helpers of the scratch-directory suites (tests/cold_scratch_test.cc,
// tests/cold_scratch_sweep_test.cc).
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "impl/io/env.h"
#include "tests/support/test_util.h"

namespace pager {
namespace testing {

// Creates an empty file at path (a lock file no one holds, or an entry of a directory).
inline void Touch(io::Env* env, const std::string& path) {
  std::unique_ptr<io::File> f;
  io::OpenOptions o;
  o.write = o.create = true;
  ASSERT_OK(env->Open(path, o, &f));
}

}  // namespace testing
}  // namespace pager
