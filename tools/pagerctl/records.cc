// Records of a WAL segment file or segment directory (records.h).
#include "tools/pagerctl/records.h"

#include <vector>

namespace pagerctl {

const char* StopName(uint32_t reason) {
  switch (reason) {
    case PAGER_WALSEG_STOP_CLEAN_END: return "clean-end";
    case PAGER_WALSEG_STOP_TORN_TAIL: return "torn-tail";
    case PAGER_WALSEG_STOP_CORRUPT: return "corrupt";
    default: return "none";
  }
}

namespace {

std::string Detail(pager_walseg_reader* r, pager_walseg_replay* it) {
  uint64_t len = 0;
  std::vector<char> buf(1024);
  if (r != nullptr) (void)pager_walseg_reader_stop_detail(r, buf.data(), buf.size(), &len);
  if (it != nullptr) (void)pager_walseg_replay_stop_detail(it, buf.data(), buf.size(), &len);
  return std::string(buf.data());
}

int SegmentRecords(const std::string& path, uint64_t from_lsn,
                   const std::function<bool(const pager_walseg_record&)>& fn, Stop* stop,
                   std::string* error) {
  pager_walseg_reader* r = nullptr;
  int rc = pager_walseg_reader_open(path.c_str(), nullptr, &r);
  if (rc != PAGER_OK) {
    *error = pager_last_error();
    return rc;
  }
  pager_walseg_record rec;
  uint32_t found = 0;
  while ((rc = pager_walseg_reader_next(r, &rec, &found)) == PAGER_OK && found) {
    if (rec.lsn >= from_lsn && !fn(rec)) break;
  }
  if (rc != PAGER_OK) {
    *error = pager_last_error();
  } else {
    (void)pager_walseg_reader_stop(r, &stop->reason, &stop->offset, &stop->last_lsn);
    stop->detail = Detail(r, nullptr);
  }
  pager_walseg_reader_close(r);
  return rc;
}

int DirRecords(const std::string& path, uint64_t from_lsn,
               const std::function<bool(const pager_walseg_record&)>& fn, Stop* stop,
               std::string* error) {
  pager_walseg_replay* it = nullptr;
  int rc = pager_walseg_replay_open(path.c_str(), from_lsn, nullptr, &it);
  if (rc != PAGER_OK) {
    *error = pager_last_error();
    return rc;
  }
  pager_walseg_record rec;
  uint32_t found = 0;
  while ((rc = pager_walseg_replay_next(it, &rec, &found)) == PAGER_OK && found) {
    if (!fn(rec)) break;
  }
  if (rc != PAGER_OK) {
    *error = pager_last_error();
  } else {
    (void)pager_walseg_replay_stop(it, &stop->reason, nullptr, &stop->offset, &stop->last_lsn);
    stop->detail = Detail(nullptr, it);
  }
  pager_walseg_replay_close(it);
  return rc;
}

}  // namespace

int ForEachRecord(const std::string& path, bool is_dir, uint64_t from_lsn,
                  const std::function<bool(const pager_walseg_record&)>& fn, Stop* stop,
                  std::string* error) {
  return is_dir ? DirRecords(path, from_lsn, fn, stop, error)
                : SegmentRecords(path, from_lsn, fn, stop, error);
}

json RecordJson(const pager_walseg_record& rec) {
  return {{"lsn", rec.lsn},
          {"type", rec.type},
          {"len", rec.len},
          {"offset", rec.offset},
          {"data_hex", Hex(rec.data, rec.len)}};
}

json StopJson(const Stop& stop) {
  return {{"reason", StopName(stop.reason)},
          {"offset", stop.offset},
          {"last_lsn", stop.last_lsn},
          {"detail", stop.detail}};
}

}  // namespace pagerctl
