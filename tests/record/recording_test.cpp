// Recording files: round trip, rotation, the chunk index and damage.
#include "record/recording.hpp"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>

#include "core/error.hpp"

namespace skyfuse::record {
namespace {

namespace fs = std::filesystem;

fs::path fresh_dir(const std::string& name) {
  fs::path d =
      fs::temp_directory_path() / ("skyfuse_rec_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(d);
  return d;
}

Entry input(int i) {
  Entry e;
  e.type = EntryType::kInput;
  e.source = static_cast<std::uint16_t>(i % 3);
  e.arrival = Time{1'700'000'000'000'000'000 + i * 1'000'000LL};
  e.data = Time{1'533'123'000'000'000'000 + i * 100'000'000LL};
  e.shift_ns = -42;
  e.offset = i * 17;
  e.bytes = std::string(static_cast<std::size_t>(10 + i % 50), static_cast<char>('a' + i % 26));
  e.bytes[0] = static_cast<char>(i & 0xff);  // binary-safe
  if (i % 7 == 3) {  // a receiver network's packet: its receiver kept beside the bytes
    e.type = EntryType::kReceiverInput;
    e.input = static_cast<std::uint16_t>(i * 131 % 65536);
  }
  return e;
}

TEST(Recording, RoundTripWithHeaderAndIndex) {
  const fs::path dir = fresh_dir("rt");
  RecorderConfig cfg;
  cfg.dir = dir.string();
  cfg.max_chunk_bytes = 4096;
  {
    Recorder rec(cfg, R"({"config":"[run]\n"})", Time{1'700'000'000'000'000'000});
    for (int i = 0; i < 1000; ++i) rec.add(input(i));
    Entry t;
    t.type = EntryType::kTrack;
    t.data = Time{1'533'123'100'000'000'000};
    t.bytes = R"({"id":"1"})";
    rec.add(t);
  }
  RecordingReader r(recording_files(dir.string()));
  EXPECT_NE(r.header().find("\"config\""), std::string::npos);
  EXPECT_NE(r.header().find("\"file_index\":0"), std::string::npos);
  for (int i = 0; i < 1000; ++i) {
    auto e = r.next();
    ASSERT_TRUE(e) << i;
    const Entry want = input(i);
    EXPECT_EQ(e->type, want.type);
    EXPECT_EQ(e->input, want.input);
    EXPECT_EQ(e->source, want.source);
    EXPECT_EQ(e->arrival, want.arrival);
    EXPECT_EQ(e->data, want.data);
    EXPECT_EQ(e->shift_ns, -42);
    EXPECT_EQ(e->offset, want.offset);
    ASSERT_EQ(e->bytes, want.bytes) << i;
  }
  auto last = r.next();
  ASSERT_TRUE(last);
  EXPECT_EQ(last->type, EntryType::kTrack);
  EXPECT_EQ(last->bytes, R"({"id":"1"})");
  EXPECT_FALSE(r.next());
  EXPECT_TRUE(r.problems().empty());
  // The index spans the data times, in order, without gaps in entries.
  auto idx = r.index();
  ASSERT_GT(idx.size(), 5u);
  std::uint32_t n = 0;
  for (std::size_t k = 0; k < idx.size(); ++k) {
    n += idx[k].entries;
    EXPECT_LE(idx[k].first_data, idx[k].last_data);
    if (k) {
      EXPECT_LE(idx[k - 1].last_data, idx[k].first_data);
    }
  }
  EXPECT_EQ(n, 1001u);
  EXPECT_EQ(idx.front().first_data, input(0).data);
  fs::remove_all(dir);
}

TEST(Recording, RotatesBySizeAndReadsAcrossFiles) {
  const fs::path dir = fresh_dir("rot");
  RecorderConfig cfg;
  cfg.dir = dir.string();
  cfg.max_chunk_bytes = 2048;
  cfg.max_file_bytes = 8192;
  {
    Recorder rec(cfg, "{}", Time{1'700'000'000'000'000'000});
    for (int i = 0; i < 2000; ++i) {
      rec.add(input(i));
      rec.tick(Time{1'700'000'000'000'000'000});
    }
    EXPECT_GT(rec.stats().files, 2u);
  }
  const auto files = recording_files(dir.string());
  EXPECT_GT(files.size(), 2u);
  RecordingReader r(files);
  int n = 0;
  while (auto e = r.next()) {
    ASSERT_EQ(e->bytes, input(n).bytes) << n;
    ++n;
  }
  EXPECT_EQ(n, 2000);
  EXPECT_TRUE(r.problems().empty());
  fs::remove_all(dir);
}

TEST(Recording, TruncatedOrCorruptTailKeepsEveryWholeChunk) {
  const fs::path dir = fresh_dir("cut");
  RecorderConfig cfg;
  cfg.dir = dir.string();
  cfg.max_chunk_bytes = 1024;
  std::string path;
  {
    Recorder rec(cfg, "{}", Time{1'700'000'000'000'000'000});
    for (int i = 0; i < 500; ++i) rec.add(input(i));
    path = rec.current_file();
  }
  const auto full = fs::file_size(path);
  RecordingReader whole({path});
  const auto idx = whole.index();
  ASSERT_GT(idx.size(), 3u);
  // Cut in the middle of the last chunk, as a kill during its write would.
  fs::resize_file(path, (idx.back().offset + full) / 2);
  RecordingReader r({path});
  std::uint32_t expect = 0;
  for (std::size_t k = 0; k + 1 < idx.size(); ++k) expect += idx[k].entries;
  std::uint32_t n = 0;
  while (r.next()) ++n;
  EXPECT_EQ(n, expect);
  ASSERT_EQ(r.problems().size(), 1u);
  EXPECT_NE(r.problems()[0].find("truncated chunk"), std::string::npos) << r.problems()[0];
  EXPECT_NE(r.problems()[0].find(std::to_string(idx.back().offset)), std::string::npos);

  EXPECT_FALSE(r.damaged());  // a kill's incomplete tail is not damage
  EXPECT_GT(r.stats().tail_bytes, 0u);

  // A flipped byte inside the second chunk: only that chunk is lost; the
  // reader finds the third and reads on (before: everything after was lost).
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(idx[1].offset + 40));
    f.put('\x5a');
  }
  RecordingReader c({path});
  n = 0;
  while (c.next()) ++n;
  EXPECT_EQ(n, expect - idx[1].entries);
  ASSERT_FALSE(c.problems().empty());
  EXPECT_NE(c.problems()[0].find("checksum"), std::string::npos) << c.problems()[0];
  EXPECT_NE(c.problems()[0].find("skipped"), std::string::npos) << c.problems()[0];
  EXPECT_TRUE(c.damaged());
  EXPECT_EQ(c.stats().damaged_regions, 1u);
  EXPECT_EQ(c.stats().bytes_skipped, idx[2].offset - idx[1].offset);
  fs::remove_all(dir);
}

// Damage of every kind in the middle of a file: each damaged chunk is skipped,
// every intact one read, in order; the index finds the same chunks.
TEST(Recording, ResynchronisesAfterEachKindOfDamage) {
  const fs::path dir = fresh_dir("resync");
  RecorderConfig cfg;
  cfg.dir = dir.string();
  cfg.max_chunk_bytes = 1024;
  std::string path;
  {
    Recorder rec(cfg, "{}", Time{1'700'000'000'000'000'000});
    for (int i = 0; i < 3000; ++i) rec.add(input(i));
    path = rec.current_file();
  }
  const auto idx = RecordingReader({path}).index();
  ASSERT_GT(idx.size(), 50u);
  std::string d;
  {
    std::ifstream in(path, std::ios::binary);
    d.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  // Chunks 5, 10, 20 and 30 damaged: a flipped payload byte, a broken marker, a
  // length of 4 GiB, and bytes inserted before chunk 30 (shifting the rest).
  std::set<std::size_t> lost = {5, 10, 20};
  d[idx[5].offset + 60] ^= 0x5a;
  d[idx[10].offset] = 'X';
  d[idx[20].offset + 8] = '\xff';
  d[idx[20].offset + 9] = '\xff';
  d[idx[20].offset + 10] = '\xff';
  d[idx[20].offset + 11] = '\xff';
  d.insert(idx[30].offset, "garbage SFCK inserted");
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << d;
  }
  std::uint32_t expect = 0;
  for (std::size_t k = 0; k < idx.size(); ++k)
    if (!lost.count(k)) expect += idx[k].entries;
  RecordingReader r({path});
  std::uint32_t n = 0;
  std::int64_t last_offset = -1;
  while (auto e = r.next()) {
    ++n;
    EXPECT_GT(e->offset, last_offset);  // in order, nothing repeated
    last_offset = e->offset;
  }
  EXPECT_EQ(n, expect);
  EXPECT_EQ(r.stats().damaged_regions, 4u);
  EXPECT_EQ(r.stats().chunks, idx.size() - lost.size());
  EXPECT_EQ(r.problems().size(), 4u);
  EXPECT_TRUE(r.damaged());
  EXPECT_EQ(RecordingReader({path}).index().size(), idx.size() - lost.size());
  fs::remove_all(dir);
}

// The folder never holds more than the cap: the oldest files go first.
TEST(Recording, TotalSizeCapDeletesTheOldestFiles) {
  const fs::path dir = fresh_dir("cap");
  RecorderConfig cfg;
  cfg.dir = dir.string();
  cfg.max_chunk_bytes = 2048;
  cfg.max_file_bytes = 16384;
  cfg.max_total_bytes = 40000;
  std::uint64_t peak = 0;
  {
    Recorder rec(cfg, "{}", Time{1'700'000'000'000'000'000});
    for (int i = 0; i < 20000; ++i) {
      rec.add(input(i));
      rec.tick(Time{1'700'000'000'000'000'000});
      std::uint64_t total = 0;
      if (i % 100 == 0) {
        for (const auto& e : fs::directory_iterator(dir)) total += e.file_size();
        peak = std::max(peak, total);
      }
    }
    EXPECT_GT(rec.stats().files_deleted, 5u);
  }
  EXPECT_LE(peak, 40000u + 2048u);  // a chunk may exceed the file size once
  const auto files = recording_files(dir.string());
  ASSERT_GE(files.size(), 2u);
  // What is left reads cleanly and ends with the last entry written.
  RecordingReader r(files);
  std::optional<Entry> last;
  while (auto e = r.next()) last = std::move(e);
  ASSERT_TRUE(last);
  EXPECT_EQ(last->bytes, input(19999).bytes);
  EXPECT_FALSE(r.damaged());
  fs::remove_all(dir);
}

// A write that fails (here: the file size limit, as a full disk would) stops
// the recording with a reason; the caller goes on, and what was written reads.
TEST(Recording, FullDiskStopsRecordingWithAReason) {
  const fs::path dir = fresh_dir("full");
  RecorderConfig cfg;
  cfg.dir = dir.string();
  cfg.max_chunk_bytes = 1024;
  rlimit old{};
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &old), 0);
  auto* old_handler = std::signal(SIGXFSZ, SIG_IGN);
  std::string path;
  {
    Recorder rec(cfg, "{}", Time{1'700'000'000'000'000'000});
    rlimit small = old;
    small.rlim_cur = 20000;
    ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &small), 0);
    for (int i = 0; i < 5000; ++i) rec.add(input(i));
    ::setrlimit(RLIMIT_FSIZE, &old);
    EXPECT_FALSE(rec.failed().empty());
    EXPECT_NE(rec.failed().find("File too large"), std::string::npos) << rec.failed();
    EXPECT_GT(rec.stats().entries_dropped, 1000u);
    path = rec.current_file();
  }
  std::signal(SIGXFSZ, old_handler);
  RecordingReader r({path});
  int n = 0;
  while (auto e = r.next()) {
    ASSERT_EQ(e->bytes, input(n).bytes);
    ++n;
  }
  EXPECT_GT(n, 100);
  fs::remove_all(dir);
}

TEST(Recording, NotARecording) {
  const fs::path dir = fresh_dir("bad");
  fs::create_directories(dir);
  const fs::path p = dir / "x.sfrec";
  std::ofstream(p) << "hello";
  RecordingReader r({p.string()});
  EXPECT_FALSE(r.next());
  ASSERT_EQ(r.problems().size(), 1u);
  EXPECT_THROW(recording_files((dir / "missing").string()), ConfigError);
  fs::remove_all(dir);
}

TEST(Recording, FolderOfSeveralRotatedRunsIsReadInOrder) {
  // Two runs of the system into one folder (a restart an hour later), each
  // rotated into several files: every entry of both, the first run's first
  // (issue #21: only the newest run was taken).
  const fs::path dir = fresh_dir("runs");
  RecorderConfig cfg;
  cfg.dir = dir.string();
  cfg.max_chunk_bytes = 2048;
  cfg.max_file_bytes = 8192;
  const Time start{1'700'000'000'000'000'000};
  for (int run = 0; run < 2; ++run) {
    Recorder rec(cfg, "{}", start + Duration::from_seconds(3600.0 * run));
    for (int i = 0; i < 1000; ++i) {
      rec.add(input(run * 1000 + i));
      rec.tick(start + Duration::from_seconds(3600.0 * run));
    }
    EXPECT_GT(rec.stats().files, 1u);
  }
  const auto files = recording_files(dir.string());
  std::set<std::string> runs;
  for (const auto& f : files) runs.insert(recording_run(f));
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(recording_run(files.front()), *runs.begin());  // the older run first
  RecordingReader r(files);
  int n = 0, run_changes = 0;
  std::string run;
  while (auto e = r.next()) {
    ASSERT_EQ(e->bytes, input(n).bytes) << n;
    const std::string now = recording_run(r.current_file());
    if (now != run) ++run_changes;
    run = now;
    ++n;
  }
  EXPECT_EQ(n, 2000);
  EXPECT_EQ(run_changes, 2);
  EXPECT_EQ(recording_run(dir.string() + "/rec-01700000000-0003.sfrec"), "rec-01700000000");
  fs::remove_all(dir);
}

}  // namespace
}  // namespace skyfuse::record
