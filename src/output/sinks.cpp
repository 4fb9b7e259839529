#include "output/sinks.hpp"

#include <fmt/format.h>

#include "core/error.hpp"
#include "io/jsonl.hpp"
#include "record/recording.hpp"
#include "server/live_store.hpp"

namespace skyfuse::output {

JsonLinesSink::JsonLinesSink(const std::string& path, record::Recorder* recorder)
    : path_(path), recorder_(recorder) {
  if (!path.empty()) {
    file_.open(path, std::ios::binary | std::ios::trunc);
    if (!file_) throw ConfigError(fmt::format("{}: cannot write", path));
  }
}

JsonLinesSink::~JsonLinesSink() { finish(); }

void JsonLinesSink::update(const ObjectState& s) {
  line_ = io::to_json(s);
  ++lines_;
  if (file_.is_open()) {
    buf_ += line_;
    buf_ += '\n';
    if (buf_.size() > (1 << 20)) {
      file_ << buf_;
      buf_.clear();
    }
  }
  if (recorder_) {
    record::Entry e;
    e.type = record::EntryType::kTrack;
    e.data = s.time;
    e.bytes = std::move(line_);
    recorder_->add(e);
  }
}

void JsonLinesSink::finish() {
  if (!file_.is_open()) return;
  file_ << buf_;
  buf_.clear();
  file_.flush();
  if (!file_) throw ConfigError(fmt::format("{}: write failed", path_));
}

Cat062Sink::Cat062Sink(std::unique_ptr<Cat062Writer> writer,
                       std::optional<decode::asterix::Category> cat065, BlockSink service,
                       std::uint8_t sac, std::uint8_t sic)
    : writer_(std::move(writer)),
      cat065_(std::move(cat065)),
      service_(std::move(service)),
      sac_(sac),
      sic_(sic) {}

void Cat062Sink::period(Time now) {
  writer_->flush();
  if (!cat065_ || !service_) return;
  service_(encode_cat065(*cat065_, sac_, sic_, now, batch_, true));
  if (batch_ % 10 == 0) service_(encode_cat065(*cat065_, sac_, sic_, now, batch_, false));
  ++batch_;
}

void PictureSink::update(const ObjectState& s) {
  if (s.status && *s.status == TrackStatus::kDeleted)
    picture_.erase(s.id);
  else
    picture_[s.id] = s;
  if (store_) store_->apply(std::span<const ObjectState>(&s, 1));
}

}  // namespace skyfuse::output
