#include "live/sources.hpp"

#include <fmt/format.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "core/error.hpp"
#include "io/tcp_client.hpp"
#include "io/udp_receiver.hpp"
#include "live/pacer.hpp"
#include "log/log.hpp"

namespace skyfuse::live {

namespace {
constexpr auto kForever = std::chrono::hours(24 * 365 * 10);

class UdpSource final : public Source {
 public:
  UdpSource(std::uint16_t index, const Sensor& sensor, const feeds::FeedConfig& feed,
            SourceStatus& status)
      : index_(index), status_(status) {
    io::UdpConfig uc;
    uc.port = feed.port;
    uc.group = feed.host;
    uc.interface_address = feed.interface_address;
    if (!feed.bind_address.empty()) uc.bind_address = feed.bind_address;
    uc.device = feed.device;
    uc.allow_from = feed.allow_from;
    uc.receive_buffer_bytes = feed.receive_buffer_bytes > 0 ? feed.receive_buffer_bytes : 8 << 20;
    try {
      rx_ = std::make_unique<io::UdpReceiver>(uc);
    } catch (const ConfigError& e) {
      throw ConfigError(fmt::format("sensor \"{}\" ({}): {}", sensor.name, feed.input, e.what()));
    }
    if (rx_->receive_buffer() < uc.receive_buffer_bytes)
      note_ = fmt::format(
          "sensor \"{}\": receive buffer {} kB of the {} kB asked for (raise "
          "net.core.rmem_max, or run with CAP_NET_ADMIN)",
          sensor.name, rx_->receive_buffer() / 1024, uc.receive_buffer_bytes / 1024);
    status_.state = SourceState::kConnected;
  }
  void run(std::stop_token stop, PacketQueue& queue) override {
    std::stop_callback on_stop(stop, [this] { rx_->stop(); });
    std::int64_t offset = 0;
    rx_->run_for(kForever, [&](std::span<const std::uint8_t> d, const std::string&) {
      Packet p;
      p.source = index_;
      p.arrival = wall_now();
      p.offset = offset;
      offset += static_cast<std::int64_t>(d.size());
      p.bytes.assign(d.begin(), d.end());
      if (!queue.try_push(std::move(p))) ++status_.drops;
    });
  }
  std::string note() const override { return note_; }
  void poll() override {
    status_.kernel_drops = rx_->kernel_drops();
    status_.filtered = rx_->filtered();
  }

 private:
  std::uint16_t index_;
  SourceStatus& status_;
  std::unique_ptr<io::UdpReceiver> rx_;
  std::string note_;
};

class TcpSource final : public Source {
 public:
  // `receiver`: the stream within the sensor (Packet::input).
  TcpSource(std::uint16_t index, std::uint16_t receiver, const std::string& host,
            std::uint16_t port, const std::string& input, SourceStatus& status)
      : index_(index), receiver_(receiver), status_(status), input_(input) {
    io::TcpFeedConfig tc;
    tc.host = host;
    tc.port = port;
    client_ = std::make_unique<io::TcpFeedClient>(tc);
  }
  void run(std::stop_token stop, PacketQueue& queue) override {
    std::stop_callback on_stop(stop, [this] { client_->stop(); });
    std::int64_t offset = 0;
    client_->run_for(
        kForever,
        [&](std::span<const std::uint8_t> d) {
          Packet p;
          p.source = index_;
          p.input = receiver_;
          p.arrival = wall_now();
          p.offset = offset;
          offset += static_cast<std::int64_t>(d.size());
          p.bytes.assign(d.begin(), d.end());
          if (!queue.push_wait(std::move(p), stop)) ++status_.drops;
        },
        [this](bool up) {
          status_.state = up ? SourceState::kConnected : SourceState::kDisconnected;
        },
        [this](const std::string& reason, double backoff_s) {
          // Down until it connects (the API's state, /metrics skyfuse_sensor_up 0);
          // each attempt logged: at most one per back-off (0.5 s doubling to 30 s).
          status_.state = SourceState::kDisconnected;
          log::warn("skyfuse run: input {}: cannot connect: {}; retrying in {:g} s", input_, reason,
                    backoff_s);
        });
  }

 private:
  std::uint16_t index_;
  std::uint16_t receiver_;
  SourceStatus& status_;
  std::unique_ptr<io::TcpFeedClient> client_;
  std::string input_;
};

// A receiver network (kind mlat_receivers, format beast) read live: one TCP
// client per receiver, each on a thread of its own, its packets marked with
// the receiver's index. The sensor is connected while every receiver is; its
// queue drops are the sum of theirs.
class ReceiverNetworkSource final : public Source {
 public:
  ReceiverNetworkSource(std::uint16_t index, const feeds::FeedConfig& feed, SourceStatus& status)
      : status_(status), each_(feed.receiver_inputs.size()) {
    for (std::size_t r = 0; r < feed.receiver_inputs.size(); ++r) {
      const feeds::ReceiverInput& ri = feed.receiver_inputs[r];
      receivers_.push_back(std::make_unique<TcpSource>(index, static_cast<std::uint16_t>(r),
                                                       ri.host, ri.port, ri.input, each_[r]));
    }
  }
  void run(std::stop_token stop, PacketQueue& queue) override {
    std::vector<std::jthread> threads;
    for (auto& r : receivers_) threads.emplace_back([&queue, &r, stop] { r->run(stop, queue); });
  }  // the threads are joined here, once `stop` is requested
  std::string note() const override {
    return fmt::format("{} receiver streams over TCP", receivers_.size());
  }
  void poll() override {
    std::uint64_t drops = 0;
    bool all_up = true, any_down = false;
    for (const SourceStatus& s : each_) {
      drops += s.drops;
      all_up = all_up && s.state == SourceState::kConnected;
      any_down = any_down || s.state == SourceState::kDisconnected;
    }
    status_.drops = drops;
    if (all_up)
      status_.state = SourceState::kConnected;
    else if (any_down)
      status_.state = SourceState::kDisconnected;
  }

 private:
  SourceStatus& status_;
  std::vector<SourceStatus> each_;
  std::vector<std::unique_ptr<TcpSource>> receivers_;
};
}  // namespace

std::unique_ptr<Source> make_network_source(std::uint16_t index, const Sensor& sensor,
                                            const feeds::FeedConfig& feed, SourceStatus& status) {
  switch (feed.transport) {
    case feeds::Transport::kUdp:
      return std::make_unique<UdpSource>(index, sensor, feed, status);
    case feeds::Transport::kTcp:
      if (feed.format == feeds::FeedFormat::kMlatBeast)
        return std::make_unique<ReceiverNetworkSource>(index, feed, status);
      return std::make_unique<TcpSource>(index, 0, feed.host, feed.port, feed.input, status);
    case feeds::Transport::kFile:
      break;
  }
  return nullptr;
}

}  // namespace skyfuse::live
