// A read-only view of a format-2 page file as a read-write open would leave it after
// replaying its journal (P16), without writing anything: a read-only handle of a crashed file
// recovers and maps through it, and pager_file_check judges the state recovery will use.
//
//   O1. Reads return the main file's bytes with every page of the journal's chain replaced by
//       its latest image, and zeros between the main file's end and the chain's main_bytes.
//   O2. Nothing is written: every mutation and a writable Map() is kReadOnly.
//   O3. A read-only Map() shows what reads return: the main file mapped, and the system pages
//       that differ from it (journal images, bytes past its end) overlaid by private copies
//       (io E4b). Memory: a copy of every page the chain holds, while the handle is open.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "impl/common/status.h"
#include "impl/file/journal.h"
#include "impl/io/env.h"

namespace pager {
namespace file {

// Replaces *main (the main file, open read-only) by the overlay of the journal's chain if the
// journal of main_path holds one; *scan says what the chain holds (batches 0: *main is left
// as it was). kCorrupt / kVersion as Journal::Scan; kTooLarge (nothing overlaid) if the chain
// needs a main file past max_main_bytes.
Status OverlayJournal(io::Env* env, const std::string& main_path, uint64_t file_id,
                      uint32_t page_size_log2, uint64_t max_main_bytes,
                      std::unique_ptr<io::File>* main, JournalScan* scan);

}  // namespace file
}  // namespace pager
