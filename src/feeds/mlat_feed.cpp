#include "feeds/mlat_feed.hpp"

#include <fmt/format.h>

#include <fstream>

#include "core/error.hpp"
#include "mlat/locards_csv.hpp"
#include "mlat/report_adapter.hpp"

namespace skyfuse::feeds {

namespace {

class MlatFeed final : public FormatDecoder {
 public:
  MlatFeed(const FeedConfig& feed, const Sensor& sensor, bool live, Diagnostics& d)
      : name_(live ? fmt::format("{} ({})", sensor.name, feed.input) : feed.path), d_(d) {
    std::ifstream in(feed.receivers_path);
    if (!in)
      throw ConfigError(fmt::format("{}: cannot open the receiver list of sensor \"{}\"",
                                    feed.receivers_path, sensor.name));
    mlat::ReceiverFile rf = mlat::read_receivers(in);
    for (const Error& e : rf.errors)
      d_.error(fmt::format("{}:{}: {}", feed.receivers_path, e.offset, e.detail));
    receivers_ = std::make_unique<mlat::ReceiverSet>(std::move(rf.receivers));
    adapter_.emplace(*receivers_, mlat::MultilateratorConfig{}, sensor.id);
  }
  void feed(std::span<const std::uint8_t> bytes, Time, std::int64_t offset,
            std::vector<Report>& out) override {
    if (!have_offset_) {
      line_offset_ = offset;
      have_offset_ = true;
    }
    std::size_t start = 0;
    for (std::size_t i = 0; i < bytes.size(); ++i) {
      if (bytes[i] != '\n') continue;
      line_.append(reinterpret_cast<const char*>(bytes.data()) + start, i - start);
      line(out);
      start = i + 1;
    }
    line_.append(reinterpret_cast<const char*>(bytes.data()) + start, bytes.size() - start);
    if (line_.size() > (1 << 20)) {  // no newline in 1 MiB: not this format
      d_.error(fmt::format("{}: offset {}: line longer than 1 MiB dropped", name_, line_offset_));
      line_offset_ += static_cast<std::int64_t>(line_.size());
      line_.clear();
      dropping_ = true;
    }
  }
  void finish(std::vector<Report>& out) override {
    if (!line_.empty()) line(out);
    adapter_->flush(out);
  }
  std::vector<std::pair<std::string, long>> counters() const override {
    std::vector<std::pair<std::string, long>> c;
    c.emplace_back("mlat_messages", static_cast<long>(adapter_->messages()));
    c.emplace_back("mlat_references",
                   static_cast<long>(adapter_->multilaterator().stats().references));
    for (std::size_t f = 0; f < mlat::kFixFlagCount; ++f) {
      const auto flag = static_cast<mlat::FixFlag>(f);
      c.emplace_back(fmt::format("mlat_fixes_{}", mlat::to_string(flag)),
                     static_cast<long>(adapter_->counts(flag)));
    }
    return c;
  }

 private:
  void line(std::vector<Report>& out) {
    ++number_;
    const std::int64_t at = line_offset_;
    line_offset_ += static_cast<std::int64_t>(line_.size()) + 1;
    std::string_view text(line_);
    if (dropping_) {  // the rest of an over-long line
      dropping_ = false;
      line_.clear();
      return;
    }
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    const bool blank = text.find_first_not_of(" \t") == std::string_view::npos;
    if (blank || text.substr(0, 3) == "id," || text.substr(0, 6) == "\xEF\xBB\xBFid,") {
      line_.clear();
      return;
    }
    auto m = mlat::parse_measurement_line(text, number_);
    if (!m) {
      d_.error(fmt::format("{}:{}: {}", name_, number_, m.error().detail));
    } else {
      adapter_->push(*m, out, at);
    }
    line_.clear();
  }

  std::string name_;
  Diagnostics& d_;
  std::unique_ptr<mlat::ReceiverSet> receivers_;  // stable address for the adapter
  std::optional<mlat::ReportAdapter> adapter_;
  std::string line_;
  std::int64_t line_offset_ = 0;
  std::int64_t number_ = 0;
  bool have_offset_ = false;
  bool dropping_ = false;
};

}  // namespace

std::unique_ptr<FormatDecoder> make_mlat_feed(const FeedConfig& feed, const Sensor& sensor,
                                              bool live, Diagnostics& diagnostics) {
  return std::make_unique<MlatFeed>(feed, sensor, live, diagnostics);
}

}  // namespace skyfuse::feeds
