// Fuzz target: a receiver network's Beast streams (feeds/mlat_beast_feed.hpp):
// the input is cut into chunks, each given to one of three receivers (Beast
// 12 MHz, GPS, SBS 20 MHz), and every frame goes through timestamp
// conversion, grouping, Mode S decoding and the multilaterator.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "feeds/mlat_beast_feed.hpp"
#include "mlat/receiver.hpp"

namespace {
using namespace skyfuse;

mlat::ReceiverSet network() {
  mlat::ReceiverSet s;
  s.add({.id = 1, .position = {47.40, 8.63, 430}, .clock = mlat::ClockKind::kBeast});
  s.add({.id = 2, .position = {47.05, 7.62, 560}, .clock = mlat::ClockKind::kGps});
  s.add({.id = 3, .position = {47.54, 7.56, 350}, .clock = mlat::ClockKind::kSbs});
  return s;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace skyfuse;
  feeds::FeedConfig f;
  f.format = feeds::FeedFormat::kMlatBeast;
  f.max_pending_groups = 64;
  for (std::uint32_t k = 1; k <= 3; ++k) {
    feeds::ReceiverInput r;
    r.serial = k;
    r.input = "fuzz";
    r.start_unix = 1.7e9;
    f.receiver_inputs.push_back(r);
  }
  Sensor sensor;
  sensor.id = 1;
  sensor.name = "net";
  sensor.kind = SensorKind::kMlat;
  sensor.site = {47.3, 8.2, 400};
  feeds::Diagnostics d;
  feeds::MlatBeastNetwork net(f, sensor, true, d, network());
  std::vector<feeds::NetworkFrame> frames;
  std::vector<Report> out;
  Time arrival = Time::from_seconds(1.7e9);
  std::size_t i = 0;
  while (i < size) {
    const std::uint8_t head = data[i++];
    const std::size_t n = std::min<std::size_t>(size - i, 1 + head % 64);
    frames.clear();
    net.parse(head % 3, std::span<const std::uint8_t>(data + i, n), arrival,
              static_cast<std::int64_t>(i), frames);
    for (const auto& fr : frames) net.push(fr, out);
    arrival = arrival + Duration::from_seconds(0.001 * (head >> 6));
    i += n;
  }
  for (std::size_t k = 0; k < 3; ++k) net.end(k);
  net.finish(out);
  (void)net.counters();
  (void)d.take_messages();
  return 0;
}
