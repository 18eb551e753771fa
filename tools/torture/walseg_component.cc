// Torture of WAL segments: one record per step under every sync policy (each child picks one:
// every record, group, explicit), small segments so rotation and sealing happen often; the
// writer's reopen recovers the tail. A step is acknowledged once a sync covers it (the
// writer's durable LSN). The state of step k: records 1..k, LSN i holding the payload of
// step i. Under every-record sync at most the record in flight may follow the acknowledged
// ones; under group and explicit sync, records written but not yet synced survive a kill
// (the kernel keeps them), so any longer prefix is correct too -- never a shorter one.
#include <cstdio>
#include <cstring>

#include "pager.h"
#include "tools/torture/torture.h"

namespace torture {
namespace {

std::vector<uint8_t> Payload(uint64_t seed, uint64_t lsn) {
  size_t len = 1 + static_cast<size_t>(Rand(seed, lsn, 3) % 3000);
  return Pattern(seed, lsn, 4, len);
}

pager_walseg_options Options(uint32_t policy = PAGER_WALSEG_SYNC_EVERY_RECORD) {
  pager_walseg_options o;
  pager_walseg_options_init(&o);
  o.sync_policy = policy;
  o.group_bytes = 4096;
  o.group_interval_us = 2000;
  o.segment_bytes = 16 * 1024;
  o.prewrite_bytes = 4096;
  return o;
}

// The policy of the last child, kept beside the log for the verifier.
bool WritePolicy(const std::string& dir, uint32_t policy) {
  FILE* f = std::fopen((dir + "/policy").c_str(), "w");
  if (f == nullptr) return false;
  bool ok = std::fprintf(f, "%u\n", policy) > 0;
  return std::fclose(f) == 0 && ok;
}

uint32_t ReadPolicy(const std::string& dir) {
  FILE* f = std::fopen((dir + "/policy").c_str(), "r");
  unsigned policy = PAGER_WALSEG_SYNC_EVERY_RECORD;
  if (f != nullptr) {
    if (std::fscanf(f, "%u", &policy) != 1) policy = PAGER_WALSEG_SYNC_EVERY_RECORD;
    std::fclose(f);
  }
  return policy;
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
    const uint32_t policy = static_cast<uint32_t>(Rand(seed, start, 9) % 3);
    if (!WritePolicy(dir, policy)) return "cannot record the sync policy";
    pager_walseg_options o = Options(policy);
    pager_walseg_writer* w = nullptr;
    int rc = pager_walseg_writer_open((dir + "/log").c_str(), &o, &w);
    if (rc != PAGER_OK) return Failure("pager_walseg_writer_open", rc);
    uint64_t acked = start - 1;
    for (uint64_t s = start;; s++) {
      std::vector<uint8_t> p = Payload(seed, s);
      uint64_t lsn = 0;
      rc = pager_walseg_append(w, 1, p.data(), p.size(), &lsn);
      if (rc != PAGER_OK) return Failure("pager_walseg_append", rc);
      if (lsn != s) return "append returned LSN " + std::to_string(lsn) + " for step " +
                           std::to_string(s);
      if (policy == PAGER_WALSEG_SYNC_EXPLICIT && s % 4 == 0) {
        rc = pager_walseg_sync(w);
        if (rc != PAGER_OK) return Failure("pager_walseg_sync", rc);
      }
      uint64_t durable = 0;
      rc = pager_walseg_writer_lsns(w, nullptr, &durable);
      if (rc != PAGER_OK) return Failure("pager_walseg_writer_lsns", rc);
      for (; acked < durable; acked++) {
        if (!Ack(ack_fd, acked + 1)) return "ack pipe closed";
      }
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
    const bool every_record = ReadPolicy(dir) == PAGER_WALSEG_SYNC_EVERY_RECORD;
    if (*recovered < acked || (every_record && *recovered > acked + 1)) {
      return "the log holds records 1.." + std::to_string(*recovered) + " after step " +
             std::to_string(acked) + " was acknowledged" +
             (every_record ? " (sync every record)" : "");
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
