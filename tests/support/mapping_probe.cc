#include "tests/support/mapping_probe.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <vector>

namespace pager {
namespace testing {

std::string VmFlagsOf(const void* addr) {
  std::ifstream smaps("/proc/self/smaps");
  const uintptr_t a = reinterpret_cast<uintptr_t>(addr);
  std::string line;
  bool inside = false;
  while (std::getline(smaps, line)) {
    uintptr_t lo = 0, hi = 0;
    if (std::sscanf(line.c_str(), "%lx-%lx ", &lo, &hi) == 2 && line.find('-') < 17) {
      inside = lo <= a && a < hi;
    } else if (inside && line.compare(0, 8, "VmFlags:") == 0) {
      return line;
    }
  }
  return "";
}

int ResidentPages(const std::string& path, uint64_t first, uint64_t count) {
  int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) return -1;
  const size_t len = static_cast<size_t>((first + count) * 4096);
  void* m = ::mmap(nullptr, len, PROT_READ, MAP_SHARED, fd, 0);
  ::close(fd);
  if (m == MAP_FAILED) return -1;
  std::vector<unsigned char> vec(first + count);
  int n = 0;
  if (::mincore(m, len, vec.data()) == 0) {
    for (uint64_t i = first; i < first + count; i++) n += vec[i] & 1;
  } else {
    n = -1;
  }
  ::munmap(m, len);
  return n;
}

bool DropFromPageCache(const std::string& path, uint64_t pages) {
  int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) return false;
  ::fdatasync(fd);
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
  ::close(fd);
  return ResidentPages(path, 0, pages) == 0;
}

}  // namespace testing
}  // namespace pager
