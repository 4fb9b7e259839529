#include "live/inputs.hpp"

#include <algorithm>
#include <string>

#include "log/log.hpp"

namespace skyfuse::live {

Time replay_epoch(const RunConfig& run, Time start) {
  return run.epoch == "now" ? Time{start.ns / 1000000000 * 1000000000}
                            : Time::from_seconds(std::stod(run.epoch));
}

Inputs::Inputs(const SystemConfig& cfg, FileReplay& files, Time epoch, Time start, const char* who,
               bool quiet, bool open_network)
    : files_(files),
      pacer_(cfg.run.speed),
      status_(cfg.sensors.size()),
      network_(cfg.sensors.size()) {
  pacer_.anchor(epoch, start);
  for (std::size_t i = 0; i < network_.size() && open_network; ++i) {
    network_[i] = make_network_source(static_cast<std::uint16_t>(i), cfg.sensors[i], cfg.feeds[i],
                                      status_[i]);
    if (network_[i] && !quiet && !network_[i]->note().empty())
      log::info("{}: {}", who, network_[i]->note());
  }
  any_network_ =
      std::any_of(network_.begin(), network_.end(), [](const auto& s) { return s != nullptr; });
}

Inputs::~Inputs() {
  stop_.request_stop();
  threads_.clear();
}

void Inputs::start(PacketQueue& queue, Source* extra) {
  files_running_ = !files_.empty();
  if (!files_.empty())
    threads_.emplace_back([this, &queue, token = stop_.get_token()] {
      files_.run(token, queue, pacer_, status_);
      files_running_ = false;
    });
  for (auto& source : network_)
    if (source)
      threads_.emplace_back(
          [s = source.get(), &queue, token = stop_.get_token()] { s->run(token, queue); });
  if (extra)
    threads_.emplace_back([extra, &queue, token = stop_.get_token()] { extra->run(token, queue); });
}

void Inputs::stop(PacketQueue& queue) {
  stop_.request_stop();
  queue.close();
  threads_.clear();  // joins
}

}  // namespace skyfuse::live
