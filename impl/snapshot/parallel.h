// A minimal fork-join helper for the worker threads of K7.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <new>
#include <string>
#include <thread>
#include <vector>

#include "impl/common/status.h"

namespace pager {
namespace snapshot {

// Runs fn(i) for i in [0, n) on up to `workers` threads (the caller's thread included) and
// returns the first (lowest i) error. fn must be safe to run concurrently for distinct i.
template <typename Fn>
Status ParallelFor(size_t n, uint32_t workers, Fn&& fn) {
  std::vector<Status> results(n);
  std::atomic<size_t> next{0};
  auto loop = [&] {
    for (size_t i = next.fetch_add(1); i < n; i = next.fetch_add(1)) {
      try {
        results[i] = fn(i);
      } catch (const std::bad_alloc&) {
        results[i] = Status(Code::kNoMem, "out of memory in a worker thread");
      } catch (const std::exception& e) {
        results[i] = Internal(std::string("exception in a worker thread: ") + e.what());
      } catch (...) {
        results[i] = Internal("unknown exception in a worker thread");
      }
    }
  };
  size_t extra = std::min<size_t>(workers > 0 ? workers - 1 : 0, n > 0 ? n - 1 : 0);
  std::vector<std::thread> threads;
  threads.reserve(extra);
  for (size_t t = 0; t < extra; t++) {
    try {
      threads.emplace_back(loop);
    } catch (...) {
      break;  // fewer workers; the caller's thread still runs every index
    }
  }
  loop();
  for (std::thread& t : threads) t.join();
  for (Status& st : results) {
    if (!st.ok()) return st;
  }
  return Status::Ok();
}

}  // namespace snapshot
}  // namespace pager
