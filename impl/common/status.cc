#include "impl/common/status.h"

namespace pager {

std::string Status::ToString() const {
  if (ok()) return "PAGER_OK";
  std::string s = pager_errstr(static_cast<int>(code_));
  if (!message_.empty()) {
    s += ": ";
    s += message_;
  }
  return s;
}

Status Status::WithContext(const std::string& context) const {
  if (ok()) return *this;
  return Status(code_, context + ": " + message_);
}

}  // namespace pager
