#include "log/progress.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <utility>

#include "log/log.hpp"

namespace skyfuse::log {

ProgressStyle progress_style(bool quiet) {
  if (quiet || !enabled(Level::kInfo)) return ProgressStyle::kNone;
  return isatty(STDERR_FILENO) != 0 ? ProgressStyle::kBar : ProgressStyle::kLines;
}

Progress::Progress(std::string what, std::string unit, std::uint64_t total, ProgressStyle style)
    : what_(std::move(what)), unit_(std::move(unit)), total_(total), style_(style) {}

Progress::~Progress() { finish(); }

void Progress::update(std::uint64_t done) {
  done_ = std::min(done, total_);
  if (style_ == ProgressStyle::kNone || finished_ || total_ == 0) return;
  if (style_ == ProgressStyle::kLines) {
    // One line when a 10 % step is crossed (done * 10 >= tenth * total, in
    // integers: the same lines on every run), with the percentage reached.
    bool crossed = false;
    while (next_tenth_ <= 10 && done_ * 10 >= static_cast<std::uint64_t>(next_tenth_) * total_) {
      crossed = true;
      ++next_tenth_;
    }
    if (crossed)
      log::info("{}: {:3d} % ({} of {} {})", what_, done_ * 100 / total_, done_, total_, unit_);
    return;
  }
  const auto now = std::chrono::steady_clock::now();
  if (now - last_draw_ < std::chrono::milliseconds(200) && done_ < total_) return;
  last_draw_ = now;
  draw(done_);
}

void Progress::draw(std::uint64_t done) {
  constexpr int kWidth = 30;
  const double f = static_cast<double>(done) / static_cast<double>(total_);
  const int filled = static_cast<int>(f * kWidth);
  fmt::print(stderr, "\r{}: [{}{}] {:3.0f} % ({} of {} {})", what_, std::string(filled, '#'),
             std::string(kWidth - filled, '.'), f * 100, done, total_, unit_);
  std::fflush(stderr);
}

void Progress::finish() {
  if (finished_) return;
  finished_ = true;
  if (style_ == ProgressStyle::kBar && total_ > 0) {
    draw(done_);
    fmt::print(stderr, "\n");
  }
}

}  // namespace skyfuse::log
