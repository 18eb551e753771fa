// pager_torture: kill -9 torture with an expected-state oracle (make torture).
//
// A child process runs a deterministic random workload on one persistent component and
// reports every acknowledged step on a pipe; the parent kills it with SIGKILL at a random
// moment, reopens the files as a user would after a crash, and checks that what they hold is
// exactly the state after the last acknowledged step or after the one in flight, byte for
// byte. Then a new child continues from that state. Step k's operations depend only on
// (seed, k), so the oracle rebuilds the expected state by replaying steps 1..k in memory.
//
// SIGKILL leaves the kernel's page cache intact: this proves the library's own ordering and
// recovery across process death (locks released by the kernel, torn writes of a killed
// write(), recovery of whatever the process left). Power loss, where unsynced bytes vanish
// or tear, is covered by the crash simulation on the fault-injecting seam (tests/*_crash_test).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace torture {

// Invariants:
//   T1. Setup() leaves the state of step 0 (it runs before any kill).
//   T2. RunChild(start) performs steps start, start+1, ... forever, writing each step's number
//       to ack_fd only after the call that makes it durable returned success.
//   T3. Verify() opens the files as a user would (read-write where the component recovers)
//       and returns in *recovered the step whose expected state equals what it found: acked or
//       acked + 1 (the step in flight). Anything else is a lost or invented step: an error.
class Component {
 public:
  virtual ~Component() = default;
  virtual const char* name() const = 0;
  virtual std::string Setup(const std::string& dir, uint64_t seed) = 0;
  // Returns only on failure, with a message; the process then exits non-zero.
  virtual std::string RunChild(const std::string& dir, uint64_t seed, uint64_t start_step,
                               int ack_fd) = 0;
  virtual std::string Verify(const std::string& dir, uint64_t seed, uint64_t acked,
                             uint64_t* recovered) = 0;
  // T4. A component whose children count something besides steps (AckWith's `extra`: a
  // running count since that child started) names it here; the run's total is checked by
  // CheckExtra (a mode whose machinery never ran proves nothing) and printed.
  virtual const char* extra_name() const { return nullptr; }
  virtual std::string CheckExtra(uint64_t acked_steps, uint64_t extra) const {
    (void)acked_steps;
    (void)extra;
    return "";
  }
};

std::unique_ptr<Component> NewWalComponent();
// The same workload with pager_wal_options.background_checkpoint = 1 (component `walbg`):
// the automatic checkpoints run on the handle's thread beside commits, readers and explicit
// checkpoints; each child alternates FULL and NORMAL durability.
std::unique_ptr<Component> NewWalBackgroundComponent();
// `pager_torture --wal-reader DIR SEED FD`: a reader process of the WAL component; runs read
// transactions until one fails, writes why to FD and exits 1.
int RunWalReaderProcess(const std::string& dir, uint64_t seed, int err_fd);
std::unique_ptr<Component> NewFileComponent();
std::unique_ptr<Component> NewWalsegComponent();
std::unique_ptr<Component> NewSnapshotComponent();

// Deterministic 64-bit value of (seed, step, salt): the workload's only source of choices.
uint64_t Rand(uint64_t seed, uint64_t step, uint64_t salt);
// Deterministic bytes of (seed, step, salt).
std::vector<uint8_t> Pattern(uint64_t seed, uint64_t step, uint64_t salt, size_t len);
// Writes "<step>\n" to fd (one write: atomic on a pipe).
bool Ack(int fd, uint64_t step);
// Writes "<step> <extra>\n" (T4).
bool AckWith(int fd, uint64_t step, uint64_t extra);
// "call failed: CODE: message" for a libpager return code.
std::string Failure(const char* call, int rc);

}  // namespace torture
