// File: output/sinks.hpp
//
// The track sinks of output/track_sink.hpp.
//
//   JsonLinesSink lines("tracks.jsonl", &recorder);  // either may be absent
//   Cat062Sink cat062(std::make_unique<Cat062Writer>(udp, specs, sac, sic), cat065);
//   PictureSink picture(&store);
#pragma once

#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "decode/asterix/spec.hpp"
#include "output/cat062_writer.hpp"
#include "output/track_sink.hpp"

namespace skyfuse::record {
class Recorder;
}
namespace skyfuse::server {
class LiveStore;
}

namespace skyfuse::output {

// Each update as one JSON line (docs/formats.md), formatted once, appended to
// a file (buffered, "" none) and recorded as a track entry (nullptr none).
// Throws ConfigError when the file cannot be written.
class JsonLinesSink final : public TrackSink {
 public:
  JsonLinesSink(const std::string& path, record::Recorder* recorder);
  ~JsonLinesSink() override;
  void update(const ObjectState& s) override;
  void finish() override;
  std::uint64_t lines() const { return lines_; }

 private:
  std::ofstream file_;
  std::string path_;
  record::Recorder* recorder_;
  std::string buf_;
  std::string line_;
  std::uint64_t lines_ = 0;
};

// CAT062 records of every update; each period flushes them and, with a
// CAT065 definition, adds an SDPS status (and every tenth period an end of
// batch) for the same SAC/SIC through the writer's block sink.
class Cat062Sink final : public TrackSink {
 public:
  using BlockSink = Cat062Writer::BlockSink;
  Cat062Sink(std::unique_ptr<Cat062Writer> writer, std::optional<decode::asterix::Category> cat065,
             BlockSink service, std::uint8_t sac, std::uint8_t sic);
  void update(const ObjectState& s) override { writer_->add(s); }
  void period(Time now) override;
  void finish() override { writer_->flush(); }
  const Cat062Writer& writer() const { return *writer_; }

 private:
  std::unique_ptr<Cat062Writer> writer_;
  std::optional<decode::asterix::Category> cat065_;
  BlockSink service_;
  std::uint8_t sac_, sic_;
  int batch_ = 0;
};

// The latest state of every live track (a `deleted` update removes it), and
// each update applied to the live store (nullptr: none).
class PictureSink final : public TrackSink {
 public:
  explicit PictureSink(server::LiveStore* store) : store_(store) {}
  void update(const ObjectState& s) override;
  const std::map<std::string, ObjectState>& picture() const { return picture_; }

 private:
  server::LiveStore* store_;
  std::map<std::string, ObjectState> picture_;
};

}  // namespace skyfuse::output
