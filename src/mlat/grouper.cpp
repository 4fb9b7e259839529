#include "mlat/grouper.hpp"

#include <algorithm>

#include "core/error.hpp"

namespace skyfuse::mlat {

Grouper::Grouper(GrouperConfig cfg) : cfg_(cfg), window_(Duration::from_seconds(cfg.window_s)) {
  if (!(cfg.window_s > 0) || cfg.window_s > 60)
    throw ConfigError("mlat grouper: window_s must be within (0, 60]");
  if (cfg.max_pending < 1) throw ConfigError("mlat grouper: max_pending must be at least 1");
}

void Grouper::close_front(std::vector<Group>& done) {
  Group& g = open_.front();
  const std::string key(reinterpret_cast<const char*>(g.bytes.data()), g.n_bytes);
  if (auto it = by_bytes_.find(key); it != by_bytes_.end() && it->second == open_.begin())
    by_bytes_.erase(it);
  ++stats_.groups;
  done.push_back(std::move(g));
  open_.pop_front();
}

void Grouper::push(std::span<const std::uint8_t> frame, const Copy& copy,
                   std::vector<Group>& done) {
  ++stats_.copies;
  const std::size_t n = std::min<std::size_t>(frame.size(), 14);
  if (!have_newest_ || copy.server_time > newest_) {
    newest_ = copy.server_time;
    have_newest_ = true;
  }
  // Groups whose window has passed are complete.
  while (!open_.empty() && open_.front().time + window_ < newest_) close_front(done);

  const std::string key(reinterpret_cast<const char*>(frame.data()), n);
  if (auto it = by_bytes_.find(key); it != by_bytes_.end()) {
    Group& g = *it->second;
    const bool in_window =
        copy.server_time <= g.time + window_ && g.time <= copy.server_time + window_;
    const bool repeat = std::any_of(g.copies.begin(), g.copies.end(),
                                    [&](const Copy& c) { return c.receiver == copy.receiver; });
    if (in_window && !repeat) {
      g.copies.push_back(copy);
      return;
    }
    if (repeat) ++stats_.repeats;
    by_bytes_.erase(it);  // the group stays open for its window, closed to new copies
  }
  if (copy.server_time + window_ < newest_) {  // too old to open a group in time order
    ++stats_.late;
    return;
  }
  Group g;
  std::copy_n(frame.begin(), n, g.bytes.begin());
  g.n_bytes = static_cast<std::uint8_t>(n);
  g.time = copy.server_time;
  g.copies.push_back(copy);
  open_.push_back(std::move(g));
  by_bytes_[key] = std::prev(open_.end());
  while (open_.size() > cfg_.max_pending) {
    ++stats_.evicted;
    close_front(done);
  }
  stats_.peak_pending = std::max(stats_.peak_pending, open_.size());
}

void Grouper::flush(std::vector<Group>& done) {
  while (!open_.empty()) close_front(done);
}

}  // namespace skyfuse::mlat
