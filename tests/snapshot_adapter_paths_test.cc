// The adapter's refusals of an engine's page_buffers answer (K8): more segments than offered
// twice, more segments than a page has bytes, none, a NULL or empty segment, one running past
// the page, or segments that do not add up to the page -- each INVALID naming the callback,
// the slot and the segment, so a zero-copy restore never writes outside engine memory. And
// the streaming capture's own argument checks.
#include "impl/io/mem_env.h"
#include "impl/snapshot/adapter.h"
#include "tests/snapshot_test.h"

namespace pager {
namespace snapshot {
namespace {

using namespace pager::snapshot::testing;  // NOLINT

constexpr uint64_t kPage = 64;
uint8_t g_memory[2 * kPage];
// What the hostile page_buffers callback answers: segments to fill and the count to report
// (or, if grow is set, one more than the capacity it is offered).
std::vector<pager_page_segment> g_segments;
uint64_t g_count = 0;
bool g_grow = false;

pager_cache_ops HostileOps() {
  pager_cache_ops o;
  std::memset(&o, 0, sizeof o);
  o.struct_size = sizeof o;
  o.page_buffers = [](void*, uint32_t, pager_page_segment* segs, uint64_t capacity,
                      uint64_t* count) {
    *count = g_grow ? capacity + 1 : g_count;
    for (uint64_t i = 0; i < g_segments.size() && i < capacity; i++) segs[i] = g_segments[i];
    return 0;
  };
  return o;
}

Status Ask() {
  Adapter a(HostileOps());
  std::vector<pager_page_segment> out;
  return a.PageBuffers(7, 2, kPage, &out);
}

void ExpectInvalid(const std::string& says) {
  Status st = Ask();
  EXPECT_EQ(st.code(), Code::kInvalid) << st.ToString();
  EXPECT_EQ(st.message(), "callback page_buffers(slot 7)" + says);
}

TEST(SnapshotAdapterPaths, AnEngineThatNeedsMoreSegmentsEachTimeIsRefusedOnTheSecondAsk) {
  g_segments.clear();
  g_grow = true;
  ExpectInvalid(" needs 4 segments (offered 3; a page of 64 bytes has at most that many)");
  g_grow = false;
}

TEST(SnapshotAdapterPaths, MoreSegmentsThanThePageHasBytesIsRefusedAtOnce) {
  g_segments.clear();
  g_count = kPage + 1;
  ExpectInvalid(" needs 65 segments (offered 2; a page of 64 bytes has at most that many)");
}

TEST(SnapshotAdapterPaths, EveryBadSegmentIsNamed) {
  g_count = 2;
  g_segments = {{g_memory, 32}, {nullptr, 32}};
  ExpectInvalid(": segment 1 is NULL");
  g_segments = {{g_memory, 0}, {g_memory, 64}};
  ExpectInvalid(": segment 0 is empty");
  g_segments = {{g_memory, 32}, {g_memory + 32, 33}};
  ExpectInvalid(": segment 1 runs past the page's 64 bytes");
  g_segments = {{g_memory, 32}, {g_memory + 32, 31}};
  ExpectInvalid(" described 63 bytes; a page is 64");
  g_count = 0;
  g_segments.clear();
  ExpectInvalid(" returned no segment");
  g_count = 2;
  g_segments = {{g_memory, 32}, {g_memory + 32, 32}};
  EXPECT_OK(Ask());
}

TEST(SnapshotAdapterPaths, AStreamingCaptureRefusesBadOptionsAndOpsBeforeAnyCallback) {
  io::MemEnv env;
  auto e = NewEngine(SmallMeta(), 4);
  Tracer t(e->Ops());
  std::unique_ptr<io::File> f;
  io::OpenOptions oo;
  oo.write = oo.create = true;
  ASSERT_OK(env.Open("/out.kvs", oo, &f));
  Options bad;
  bad.threads = 99;
  Status st = CaptureToFile(&env, t.Ops(), f.get(), "/", bad);
  EXPECT_EQ(st.code(), Code::kInvalid);
  EXPECT_EQ(st.message(), "options.threads 99 is above 64");
  st = Capture(&env, t.Ops(), "/x.kvs", bad);
  EXPECT_EQ(st.message(), "options.threads 99 is above 64");
  pager_cache_ops ops = t.Ops();
  ops.read_page = nullptr;
  st = CaptureToFile(&env, ops, f.get(), "/", Options());
  EXPECT_EQ(st.code(), Code::kInvalid) << st.ToString();
  EXPECT_NE(st.message().find("read_page"), std::string::npos) << st.ToString();
  EXPECT_TRUE(t.calls.empty());
  uint64_t size = 1;
  ASSERT_OK(f->Size(&size));
  EXPECT_EQ(size, 0u) << "a refused capture wrote bytes";
}

}  // namespace
}  // namespace snapshot
}  // namespace pager
