// Probes of a process's memory mappings and of the page cache, shared by the tests that check
// madvise/fadvise effects (the WAL pager's mappings, pager_file_advise).
#pragma once

#include <cstdint>
#include <string>

namespace pager {
namespace testing {

// The VmFlags line of the mapping that holds addr, from /proc/self/smaps ("" if not found).
// MADV_RANDOM shows as " rr", MADV_SEQUENTIAL as " sr".
std::string VmFlagsOf(const void* addr);

// How many of the 4 KiB pages [first, first + count) of the file at path are in the page
// cache (mincore over a mapping of our own, which faults nothing in); -1 on an error.
int ResidentPages(const std::string& path, uint64_t first, uint64_t count);

// Drops the file from the page cache; false if the file system keeps it resident (tmpfs).
bool DropFromPageCache(const std::string& path, uint64_t pages);

}  // namespace testing
}  // namespace pager
