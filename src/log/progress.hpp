// File: log/progress.hpp
//
// Progress of long batch work (`sim`, `track`, `eval`) on stderr: a bar
// redrawn in place (at most every 0.2 s of wall time) when stderr is a
// terminal, one plain line each time a 10 % step is crossed when it is a pipe
// or a file (at most 10 lines, the same ones on every run), nothing when quiet.
// stdout is never touched.
//
//   log::Progress p("skyfuse track", "reports", total, log::progress_style(quiet));
//   for (std::size_t i = 0; i < total; ++i) { work(i); p.update(i + 1); }
//   p.finish();  // the bar's last state and a newline; the destructor does it too
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace skyfuse::log {

enum class ProgressStyle { kNone, kBar, kLines };

// kNone when quiet or the log level is above info, kBar when stderr is a
// terminal, kLines otherwise.
ProgressStyle progress_style(bool quiet);

class Progress {
 public:
  Progress(std::string what, std::string unit, std::uint64_t total, ProgressStyle style);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void set_total(std::uint64_t total) { total_ = total; }  // when known only later
  void update(std::uint64_t done);                         // cheap when nothing is due
  void finish();

 private:
  void draw(std::uint64_t done);

  std::string what_, unit_;
  std::uint64_t total_;
  ProgressStyle style_;
  int next_tenth_ = 1;  // kLines: the next 10 % step to print
  std::chrono::steady_clock::time_point last_draw_{};
  std::uint64_t done_ = 0;
  bool finished_ = false;
};

}  // namespace skyfuse::log
