// pager_torture [--seconds N] [--seed S] [--max-delay-ms M] [--dir D] COMPONENT...
// COMPONENT: wal, walbg (the WAL pager with its background checkpointer), file, walseg,
// snapshot, or all. Exit status 0 when every reopen found an
// acknowledged state (or the one in flight), 1 on the first lost or invented step.
// See torture.h for the method.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "pager.h"
#include "tools/torture/torture.h"

namespace torture {

uint64_t Rand(uint64_t seed, uint64_t step, uint64_t salt) {
  // splitmix64 over a mix of the three inputs.
  uint64_t z = seed * 0x9E3779B97F4A7C15ull ^ (step + 0x632BE59BD9B4E019ull) * 0xBF58476D1CE4E5B9ull ^
               (salt + 1) * 0x94D049BB133111EBull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

std::vector<uint8_t> Pattern(uint64_t seed, uint64_t step, uint64_t salt, size_t len) {
  std::vector<uint8_t> out(len);
  for (size_t i = 0; i < len; i += 8) {
    uint64_t v = Rand(seed, step, salt * 1000003 + i);
    std::memcpy(out.data() + i, &v, std::min<size_t>(8, len - i));
  }
  return out;
}

bool Ack(int fd, uint64_t step) {
  char line[32];
  int n = std::snprintf(line, sizeof line, "%llu\n", static_cast<unsigned long long>(step));
  return write(fd, line, static_cast<size_t>(n)) == n;
}

bool AckWith(int fd, uint64_t step, uint64_t extra) {
  char line[48];
  int n = std::snprintf(line, sizeof line, "%llu %llu\n", static_cast<unsigned long long>(step),
                        static_cast<unsigned long long>(extra));
  return write(fd, line, static_cast<size_t>(n)) == n;
}

std::string Failure(const char* call, int rc) {
  return std::string(call) + " failed: " + pager_errstr(rc) + ": " + pager_last_error();
}

}  // namespace torture

namespace {

struct Config {
  double seconds = 10;
  uint64_t seed = 1;
  uint32_t max_delay_ms = 40;
  std::string dir;
  std::vector<std::string> components;
};

struct Tally {
  uint64_t kills = 0;
  uint64_t acked_steps = 0;
  uint64_t in_flight_kept = 0;  // reopens that found the step in flight durable
  uint64_t extra = 0;           // T4: the children's own counts, summed
};

struct Acks {
  uint64_t step;
  uint64_t extra = 0;  // the last line's second number (0 when it has none)
};

// Reads every acknowledgement the (dead) child wrote; returns the last one, or `none`.
Acks DrainAcks(int fd, uint64_t none) {
  Acks last{none};
  std::string buf;
  char chunk[4096];
  ssize_t n;
  while ((n = read(fd, chunk, sizeof chunk)) > 0) buf.append(chunk, static_cast<size_t>(n));
  size_t pos = 0;
  while (true) {
    size_t nl = buf.find('\n', pos);
    if (nl == std::string::npos) break;
    char* end = nullptr;
    last.step = std::strtoull(buf.c_str() + pos, &end, 10);
    last.extra = (*end == ' ') ? std::strtoull(end + 1, nullptr, 10) : 0;
    pos = nl + 1;
  }
  return last;
}

// One kill: fork a child continuing from `state`, kill it after a random delay, return the
// last acknowledged step (state if none).
bool KillOnce(torture::Component* c, const Config& cfg, uint64_t round, uint64_t state,
              Acks* acked) {
  int fds[2];
  if (pipe(fds) != 0) return false;
  pid_t pid = fork();
  if (pid < 0) return false;
  if (pid == 0) {
    close(fds[0]);
    std::string err = c->RunChild(cfg.dir, cfg.seed, state + 1, fds[1]);
    std::fprintf(stderr, "torture %s child: %s\n", c->name(), err.c_str());
    _exit(3);
  }
  close(fds[1]);
  uint64_t r = torture::Rand(cfg.seed, round, 0xD1E);
  // A quarter of the kills land within the first millisecond (during open and recovery).
  uint64_t delay_us = (r % 4 == 0) ? (r >> 8) % 1000 : (r >> 8) % (cfg.max_delay_ms * 1000ull);
  usleep(static_cast<useconds_t>(delay_us));
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  *acked = DrainAcks(fds[0], state);
  close(fds[0]);
  if (WIFEXITED(status)) {
    std::fprintf(stderr, "torture %s: the child exited with status %d before the kill\n",
                 c->name(), WEXITSTATUS(status));
    return false;
  }
  return true;
}

int RunComponent(torture::Component* c, const Config& cfg) {
  std::string err = c->Setup(cfg.dir, cfg.seed);
  if (!err.empty()) {
    std::fprintf(stderr, "torture %s: setup: %s\n", c->name(), err.c_str());
    return 1;
  }
  Tally t;
  uint64_t state = 0;
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::duration<double>(cfg.seconds);
  for (uint64_t round = 0; std::chrono::steady_clock::now() < deadline; round++) {
    Acks acks{0};
    if (!KillOnce(c, cfg, round, state, &acks)) return 1;
    const uint64_t acked = acks.step;
    uint64_t recovered = 0;
    err = c->Verify(cfg.dir, cfg.seed, acked, &recovered);
    if (!err.empty()) {
      std::fprintf(stderr,
                   "torture %s: kill %llu (seed %llu): last acknowledged step %llu: %s\n",
                   c->name(), static_cast<unsigned long long>(t.kills + 1),
                   static_cast<unsigned long long>(cfg.seed),
                   static_cast<unsigned long long>(acked), err.c_str());
      return 1;
    }
    t.kills++;
    t.acked_steps += acked - state;
    t.extra += acks.extra;
    if (recovered > acked) t.in_flight_kept++;
    state = recovered;
  }
  err = c->CheckExtra(t.acked_steps, t.extra);
  if (!err.empty()) {
    std::fprintf(stderr, "torture %s: %s\n", c->name(), err.c_str());
    return 1;
  }
  std::string extra;
  if (c->extra_name() != nullptr) {
    extra = ", " + std::to_string(t.extra) + " " + c->extra_name();
  }
  std::printf(
      "torture %s: %llu kills, %llu acknowledged steps, 0 lost (%llu reopens kept the step in "
      "flight), final step %llu%s\n",
      c->name(), static_cast<unsigned long long>(t.kills),
      static_cast<unsigned long long>(t.acked_steps),
      static_cast<unsigned long long>(t.in_flight_kept), static_cast<unsigned long long>(state),
      extra.c_str());
  return 0;
}

std::unique_ptr<torture::Component> Make(const std::string& name) {
  if (name == "wal") return torture::NewWalComponent();
  if (name == "walbg") return torture::NewWalBackgroundComponent();
  if (name == "file") return torture::NewFileComponent();
  if (name == "walseg") return torture::NewWalsegComponent();
  if (name == "snapshot") return torture::NewSnapshotComponent();
  return nullptr;
}

int Usage() {
  std::fprintf(stderr,
               "usage: pager_torture [--seconds N] [--seed S] [--max-delay-ms M] [--dir D] "
               "wal|walbg|file|walseg|snapshot|all...\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 5 && std::string(argv[1]) == "--wal-reader") {
    return torture::RunWalReaderProcess(argv[2], std::strtoull(argv[3], nullptr, 10),
                                        std::atoi(argv[4]));
  }
  Config cfg;
  for (int i = 1; i < argc; i++) {
    std::string a = argv[i];
    bool has_value = i + 1 < argc;
    if (a == "--seconds" && has_value) {
      cfg.seconds = std::atof(argv[++i]);
    } else if (a == "--seed" && has_value) {
      cfg.seed = std::strtoull(argv[++i], nullptr, 10);
    } else if (a == "--max-delay-ms" && has_value) {
      cfg.max_delay_ms = static_cast<uint32_t>(std::strtoul(argv[++i], nullptr, 10));
    } else if (a == "--dir" && has_value) {
      cfg.dir = argv[++i];
    } else if (a == "all") {
      for (const char* n : {"wal", "walbg", "file", "walseg", "snapshot"}) cfg.components.push_back(n);
    } else if (Make(a) != nullptr) {
      cfg.components.push_back(a);
    } else {
      return Usage();
    }
  }
  if (cfg.components.empty() || cfg.max_delay_ms == 0) return Usage();
  std::string base = cfg.dir;
  if (base.empty()) {
    char tmpl[] = "/tmp/pager-torture.XXXXXX";
    if (mkdtemp(tmpl) == nullptr) return 1;
    base = tmpl;
  }
  int failed = 0;
  for (const std::string& name : cfg.components) {
    Config one = cfg;
    one.dir = base + "/" + name;
    std::string rm = "rm -rf '" + one.dir + "' && mkdir -p '" + one.dir + "'";
    if (std::system(rm.c_str()) != 0) return 1;
    std::unique_ptr<torture::Component> c = Make(name);
    if (RunComponent(c.get(), one) != 0) {
      failed++;
      std::fprintf(stderr, "torture %s: FAILED; files kept in %s\n", name.c_str(),
                   one.dir.c_str());
    } else {
      std::system(("rm -rf '" + one.dir + "'").c_str());
    }
  }
  if (cfg.dir.empty() && failed == 0) rmdir(base.c_str());
  std::printf("#result %zu %d\n", cfg.components.size() - static_cast<size_t>(failed), failed);
  return failed == 0 ? 0 : 1;
}
