// Processed-ID store: parsing, dedup, bounds, retention, the binary file and its failure modes.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "sources/xray/id_store.h"
#include "sources/xray/state.h"

namespace observo::xray {
namespace {

namespace fs = std::filesystem;

TraceKey key_of(std::uint64_t i) { return TraceKey{0x5f000000'00000000ULL | i, i * 7919}; }

class TempDir {
 public:
  TempDir() {
    char pattern[] = "/tmp/observo-xray-test.XXXXXX";
    path_ = ::mkdtemp(pattern);
  }
  ~TempDir() {
    std::error_code ec;
    fs::permissions(path_, fs::perms::owner_all, ec);
    fs::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(TraceId, ParsesXrayAndW3cForms) {
  const auto a = parse_trace_id("1-581cf771-a006649127e371903a2de979");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->hi, 0x581cf771a0066491ULL);
  EXPECT_EQ(a->lo, 0x27e371903a2de979ULL);
  const auto w3c = parse_trace_id("581cf771a006649127e371903a2de979");
  ASSERT_TRUE(w3c.ok());
  EXPECT_EQ(*a, *w3c);
  EXPECT_FALSE(parse_trace_id("1-581cf771-a006649127e371903a2de97").ok());
  EXPECT_FALSE(parse_trace_id("1-581cf771-a006649127e371903a2de97z").ok());
  EXPECT_FALSE(parse_trace_id("").ok());
  const auto s1 = segment_key("1-581cf771-a006649127e371903a2de979", "70de5b6f19ff9a0a");
  const auto s2 = segment_key("1-581cf771-a006649127e371903a2de979", "70de5b6f19ff9a0b");
  ASSERT_TRUE(s1.ok() && s2.ok());
  EXPECT_FALSE(*s1 == *s2);
  EXPECT_FALSE(segment_key("1-581cf771-a006649127e371903a2de979", "not-hex").ok());
}

TEST(TraceIdStore, DeduplicatesAndEvictsTheOldest) {
  TraceIdStore store(1000);
  EXPECT_TRUE(store.insert(key_of(1), 100));
  EXPECT_FALSE(store.insert(key_of(1), 200));
  EXPECT_TRUE(store.contains(key_of(1)));
  EXPECT_TRUE(store.insert(TraceKey{0, 0}, 100));  // the reserved empty key still works
  EXPECT_TRUE(store.contains(TraceKey{0, 0}));
  for (std::uint64_t i = 2; i <= 5000; ++i)
    store.insert(key_of(i), static_cast<std::uint32_t>(1000 + i));
  EXPECT_LE(store.size(), 1000u);
  EXPECT_GT(store.size(), 900u);
  EXPECT_TRUE(store.contains(key_of(5000)));  // the newest stay
  EXPECT_FALSE(store.contains(key_of(1)));    // the oldest went
  EXPECT_FALSE(store.contains(key_of(2000)));
  // Key i was seen at 1000 + i: a cutoff at 5900 keeps keys 4900..5000.
  store.evict_older_than(5900);
  EXPECT_EQ(store.size(), 101u);
  EXPECT_TRUE(store.contains(key_of(4900)));
  EXPECT_FALSE(store.contains(key_of(4899)));
}

TEST(TraceIdStore, SavesAndLoadsAtomically) {
  TempDir dir;
  const std::string path = dir.path() + "/ids.bin";
  TraceIdStore store(100000);
  for (std::uint64_t i = 1; i <= 50000; ++i) store.insert(key_of(i), static_cast<std::uint32_t>(i));
  ASSERT_TRUE(store.save(path).ok());
  EXPECT_FALSE(fs::exists(path + ".tmp"));
  EXPECT_EQ(fs::file_size(path), 20 + 50000 * 20 + 8);
  const auto loaded = TraceIdStore::load(path, 100000);
  ASSERT_TRUE(loaded.ok()) << loaded.error();
  EXPECT_EQ(loaded->size(), 50000u);
  EXPECT_TRUE(loaded->contains(key_of(1)));
  EXPECT_TRUE(loaded->contains(key_of(50000)));
  EXPECT_FALSE(loaded->contains(key_of(50001)));
  EXPECT_LE(loaded->memory_bytes() / 50000, 32u);
}

TEST(TraceIdStore, RejectsCorruptAndTruncatedFiles) {
  TempDir dir;
  const std::string path = dir.path() + "/ids.bin";
  TraceIdStore store(1000);
  for (std::uint64_t i = 1; i <= 10; ++i) store.insert(key_of(i), 1);
  ASSERT_TRUE(store.save(path).ok());
  std::string data;
  {
    std::ifstream in(path, std::ios::binary);
    data.assign(std::istreambuf_iterator<char>(in), {});
  }
  auto write = [&](const std::string& bytes) { std::ofstream(path, std::ios::binary) << bytes; };
  write(data.substr(0, data.size() - 9));
  EXPECT_FALSE(TraceIdStore::load(path, 1000).ok());
  auto flipped = data;
  flipped[30] = static_cast<char>(flipped[30] ^ 0x40);
  write(flipped);
  EXPECT_FALSE(TraceIdStore::load(path, 1000).ok());
  write("");
  EXPECT_FALSE(TraceIdStore::load(path, 1000).ok());
  write(std::string(100, 'x'));
  EXPECT_FALSE(TraceIdStore::load(path, 1000).ok());
}

TEST(XrayState, CorruptFilesAreKeptAsideAndStartFresh) {
  TempDir dir;
  std::ofstream(dir.path() + "/" + kCountersFile) << "{\"version\": 1, \"services\": [tr";
  std::ofstream(dir.path() + "/" + kSegmentIdsFile) << "OBXTIDS";
  Aggregator aggregator;
  TraceIdStore ids(100);
  const auto report = load_state(dir.path(), aggregator, ids, true);
  EXPECT_FALSE(report.counters_loaded);
  EXPECT_FALSE(report.ids_loaded);
  EXPECT_EQ(report.warnings.size(), 2u);
  int aside = 0;
  for (const auto& entry : fs::directory_iterator(dir.path())) {
    aside += entry.path().filename().string().find(".corrupt-") != std::string::npos ? 1 : 0;
  }
  EXPECT_EQ(aside, 2);
  EXPECT_FALSE(fs::exists(dir.path() + "/" + kCountersFile));
}

TEST(XrayState, AFailedSaveLeavesThePreviousStateIntact) {
  if (::geteuid() == 0) {
    // root ignores directory permissions; /dev/full simulates the full disk instead.
    EXPECT_FALSE(write_file_atomically("/dev/full/x", "data").ok());
  }
  TempDir dir;
  Aggregator aggregator;
  SegmentRecord s;
  s.name = "api";
  s.start_time = 1;
  s.end_time = 2;
  aggregator.add(s);
  TraceIdStore ids(100);
  ids.insert(key_of(1), 1);
  ASSERT_TRUE(save_state(dir.path(), aggregator, ids).ok());
  aggregator.add(s);
  // A folder where the temporary file cannot be created: the save fails, the old files stay.
  fs::permissions(dir.path(), fs::perms::owner_read | fs::perms::owner_exec);
  if (::geteuid() != 0) {
    EXPECT_FALSE(save_state(dir.path(), aggregator, ids).ok());
  }
  fs::permissions(dir.path(), fs::perms::owner_all);
  Aggregator restored;
  TraceIdStore restored_ids(100);
  const auto report = load_state(dir.path(), restored, restored_ids, true);
  EXPECT_TRUE(report.counters_loaded);
  EXPECT_TRUE(report.ids_loaded);
  EXPECT_NE(restored.save_counters().find("\"requests\":1.0"), std::string::npos)
      << restored.save_counters();
}

}  // namespace
}  // namespace observo::xray
