// Recording files: round trip, rotation, the chunk index and damage.
#include "record/recording.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

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

  // A flipped byte inside the second chunk: the first chunk is kept.
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(idx[1].offset + 40));
    f.put('\x5a');
  }
  RecordingReader c({path});
  n = 0;
  while (c.next()) ++n;
  EXPECT_EQ(n, idx[0].entries);
  ASSERT_FALSE(c.problems().empty());
  EXPECT_NE(c.problems()[0].find("checksum"), std::string::npos) << c.problems()[0];
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

}  // namespace
}  // namespace skyfuse::record
