// Torture of WAL segments: one record per step, durable at append (sync every record), small
// segments so rotation and sealing happen often; the writer's reopen recovers the tail. The
// state of step k: records 1..k, LSN i holding the payload of step i.
#include <cstring>

#include "pager.h"
#include "tools/torture/torture.h"

namespace torture {
namespace {

std::vector<uint8_t> Payload(uint64_t seed, uint64_t lsn) {
  size_t len = 1 + static_cast<size_t>(Rand(seed, lsn, 3) % 3000);
  return Pattern(seed, lsn, 4, len);
}

pager_walseg_options Options() {
  pager_walseg_options o;
  pager_walseg_options_init(&o);
  o.sync_policy = PAGER_WALSEG_SYNC_EVERY_RECORD;
  o.segment_bytes = 16 * 1024;
  o.prewrite_bytes = 4096;
  return o;
}

class WalsegComponent : public Component {
 public:
  const char* name() const override { return "walseg"; }

  std::string Setup(const std::string& dir, uint64_t) override {
    pager_walseg_options o = Options();
    pager_walseg_writer* w = nullptr;
    int rc = pager_walseg_writer_open((dir + "/log").c_str(), &o, &w);
    if (rc != PAGER_OK) return Failure("pager_walseg_writer_open", rc);
    rc = pager_walseg_writer_close(w);
    return rc == PAGER_OK ? "" : Failure("pager_walseg_writer_close", rc);
  }

  std::string RunChild(const std::string& dir, uint64_t seed, uint64_t start,
                       int ack_fd) override {
    pager_walseg_options o = Options();
    pager_walseg_writer* w = nullptr;
    int rc = pager_walseg_writer_open((dir + "/log").c_str(), &o, &w);
    if (rc != PAGER_OK) return Failure("pager_walseg_writer_open", rc);
    for (uint64_t s = start;; s++) {
      std::vector<uint8_t> p = Payload(seed, s);
      uint64_t lsn = 0;
      rc = pager_walseg_append(w, 1, p.data(), p.size(), &lsn);
      if (rc != PAGER_OK) return Failure("pager_walseg_append", rc);
      if (lsn != s) return "append returned LSN " + std::to_string(lsn) + " for step " +
                           std::to_string(s);
      if (!Ack(ack_fd, s)) return "ack pipe closed";
    }
  }

  std::string Verify(const std::string& dir, uint64_t seed, uint64_t acked,
                     uint64_t* recovered) override {
    pager_walseg_replay* it = nullptr;
    int rc = pager_walseg_replay_open((dir + "/log").c_str(), 0, nullptr, &it);
    if (rc != PAGER_OK) return Failure("reopen: pager_walseg_replay_open", rc);
    std::string err = Check(it, seed, recovered);
    pager_walseg_replay_close(it);
    if (!err.empty()) return err;
    if (*recovered != acked && *recovered != acked + 1) {
      return "the log holds records 1.." + std::to_string(*recovered) +
             ", neither the acknowledged step nor the one in flight";
    }
    return "";
  }

 private:
  static std::string Check(pager_walseg_replay* it, uint64_t seed, uint64_t* count) {
    uint64_t n = 0;
    while (true) {
      pager_walseg_record rec;
      uint32_t found = 0;
      int rc = pager_walseg_replay_next(it, &rec, &found);
      if (rc != PAGER_OK) return Failure("pager_walseg_replay_next", rc);
      if (!found) break;
      n++;
      std::vector<uint8_t> want = Payload(seed, n);
      if (rec.lsn != n || rec.len != want.size() ||
          std::memcmp(rec.data, want.data(), want.size()) != 0) {
        return "record " + std::to_string(n) + " (LSN " + std::to_string(rec.lsn) +
               ") does not hold the payload of step " + std::to_string(n);
      }
    }
    uint32_t reason = 0;
    int rc = pager_walseg_replay_stop(it, &reason, nullptr, nullptr, nullptr);
    if (rc != PAGER_OK) return Failure("pager_walseg_replay_stop", rc);
    if (reason != PAGER_WALSEG_STOP_CLEAN_END && reason != PAGER_WALSEG_STOP_TORN_TAIL) {
      return "the replay stopped with reason " + std::to_string(reason) + " after record " +
             std::to_string(n);
    }
    *count = n;
    return "";
  }
};

}  // namespace

std::unique_ptr<Component> NewWalsegComponent() { return std::make_unique<WalsegComponent>(); }

}  // namespace torture
