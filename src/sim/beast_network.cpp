#include "sim/beast_network.hpp"

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "decode/modes/cpr.hpp"
#include "decode/modes/crc.hpp"

namespace skyfuse::sim {

namespace {
constexpr double kFt = 0.3048;
constexpr std::int64_t kDayNs = 86'400'000'000'000;

template <std::size_t N>
void put_parity(std::array<std::uint8_t, N>& f, std::uint32_t overlay) {
  f[N - 3] = f[N - 2] = f[N - 1] = 0;
  const std::uint32_t p = decode::modes::syndrome(f.data(), N) ^ overlay;
  f[N - 3] = static_cast<std::uint8_t>(p >> 16);
  f[N - 2] = static_cast<std::uint8_t>(p >> 8);
  f[N - 1] = static_cast<std::uint8_t>(p);
}

// 25 ft code (Q bit set) of a pressure altitude, -1000 .. 50175 ft.
std::uint32_t n25(int altitude_ft) {
  return static_cast<std::uint32_t>(std::clamp((altitude_ft + 1000) / 25, 0, 2047));
}

double pmod(double x, double y) { return x - y * std::floor(x / y); }
}  // namespace

std::array<std::uint8_t, 7> encode_df11(std::uint32_t icao) {
  std::array<std::uint8_t, 7> f{};
  f[0] = (11 << 3) | 5;  // CA 5: airborne
  f[1] = static_cast<std::uint8_t>(icao >> 16);
  f[2] = static_cast<std::uint8_t>(icao >> 8);
  f[3] = static_cast<std::uint8_t>(icao);
  put_parity(f, 0);  // II = 0: plain CRC
  return f;
}

std::array<std::uint8_t, 7> encode_df4(std::uint32_t icao, int altitude_ft) {
  const std::uint32_t n = n25(altitude_ft);
  // AC13: C1 A1 C2 A2 C4 A4 M B1 Q B2 D2 B4 D4, M = 0, Q = 1.
  const std::uint32_t ac = ((n >> 5) << 7) | (((n >> 4) & 1) << 5) | (1 << 4) | (n & 0xF);
  std::array<std::uint8_t, 7> f{};
  f[0] = 4 << 3;                              // FS 0: airborne, no alert
  f[2] = static_cast<std::uint8_t>(ac >> 8);  // DR 0, UM 0
  f[3] = static_cast<std::uint8_t>(ac);
  put_parity(f, icao & 0xFFFFFF);  // AP: CRC xor address
  return f;
}

std::array<std::uint8_t, 14> encode_df17_airborne_position(std::uint32_t icao, double lat_deg,
                                                           double lon_deg, int altitude_ft,
                                                           bool odd) {
  // CPR, 17 bits (airborne).
  const double dlat = 360.0 / (odd ? 59 : 60);
  const double yz = std::floor(131072 * pmod(lat_deg, dlat) / dlat + 0.5);
  const double rlat = dlat * (yz / 131072 + std::floor(lat_deg / dlat));
  const int nl = decode::modes::cpr::nl(rlat);
  const double dlon = 360.0 / std::max(nl - (odd ? 1 : 0), 1);
  const double xz = std::floor(131072 * pmod(lon_deg, dlon) / dlon + 0.5);
  const auto lat17 = static_cast<std::uint64_t>(yz) & 0x1FFFF;
  const auto lon17 = static_cast<std::uint64_t>(xz) & 0x1FFFF;
  const std::uint32_t n = n25(altitude_ft);
  const std::uint64_t alt12 = ((n >> 4) << 5) | (1 << 4) | (n & 0xF);
  // ME: TC 11, SS 0, SAF 0, ALT, T 0, F, LAT, LON.
  const std::uint64_t me = (std::uint64_t{11} << 51) | (alt12 << 36) |
                           (std::uint64_t{odd ? 1u : 0u} << 34) | (lat17 << 17) | lon17;
  std::array<std::uint8_t, 14> f{};
  f[0] = (17 << 3) | 5;
  f[1] = static_cast<std::uint8_t>(icao >> 16);
  f[2] = static_cast<std::uint8_t>(icao >> 8);
  f[3] = static_cast<std::uint8_t>(icao);
  for (int i = 0; i < 7; ++i) f[4 + i] = static_cast<std::uint8_t>(me >> (48 - 8 * i));
  put_parity(f, 0);
  return f;
}

void append_beast_frame(std::vector<std::uint8_t>& out, std::span<const std::uint8_t> frame,
                        std::uint64_t timestamp48, std::uint8_t signal) {
  auto put = [&](std::uint8_t b) {
    out.push_back(b);
    if (b == 0x1A) out.push_back(b);
  };
  out.push_back(0x1A);
  out.push_back(frame.size() == 14 ? '3' : '2');
  for (int i = 5; i >= 0; --i) put(static_cast<std::uint8_t>(timestamp48 >> (8 * i)));
  put(signal);
  for (std::uint8_t b : frame) put(b);
}

BeastStreams to_beast_streams(const NetworkFeed& feed) {
  const auto& rx = feed.receivers.all();
  std::unordered_map<mlat::ReceiverId, std::size_t> index;
  for (std::size_t k = 0; k < rx.size(); ++k) index[rx[k].id] = k;
  struct Item {
    std::int64_t toa_ns;
    Time time;
    std::array<std::uint8_t, 14> bytes;
    std::uint8_t n;
    std::uint8_t signal;
  };
  std::vector<std::vector<Item>> items(rx.size());
  std::unordered_map<std::uint32_t, std::int64_t> sent;  // per address: messages so far
  for (const mlat::Message& m : feed.messages) {
    if (!m.icao24) continue;
    const std::int64_t count = sent[*m.icao24]++;
    const int alt_ft = static_cast<int>(std::lround(m.baro_alt_m.value_or(0) / kFt));
    Item it{};
    if (m.reference) {
      const auto f = encode_df17_airborne_position(*m.icao24, m.reference->lat_deg,
                                                   m.reference->lon_deg, alt_ft, count % 2 == 1);
      std::copy(f.begin(), f.end(), it.bytes.begin());
      it.n = 14;
    } else {
      const auto f = count % 3 == 0 ? encode_df11(*m.icao24) : encode_df4(*m.icao24, alt_ft);
      std::copy(f.begin(), f.end(), it.bytes.begin());
      it.n = 7;
    }
    it.time = m.time;
    for (const mlat::Toa& t : m.toas) {
      const auto k = index.find(t.receiver);
      if (k == index.end()) continue;
      it.toa_ns = t.toa_ns;
      it.signal = static_cast<std::uint8_t>(std::clamp(t.rssi, 1.0, 255.0));
      items[k->second].push_back(it);
    }
  }
  BeastStreams out;
  out.streams.resize(rx.size());
  out.start_unix.assign(rx.size(), 0.0);
  out.frames.assign(rx.size(), 0);
  for (std::size_t k = 0; k < rx.size(); ++k) {
    auto& v = items[k];
    std::stable_sort(v.begin(), v.end(),
                     [](const Item& a, const Item& b) { return a.toa_ns < b.toa_ns; });
    if (!v.empty()) out.start_unix[k] = v.front().time.seconds();
    for (const Item& it : v) {
      std::uint64_t ts = 0;
      switch (rx[k].clock) {
        case mlat::ClockKind::kBeast:
          ts = static_cast<std::uint64_t>(std::llround(static_cast<double>(it.toa_ns) * 0.012));
          break;
        case mlat::ClockKind::kSbs:
          ts = static_cast<std::uint64_t>(std::llround(static_cast<double>(it.toa_ns) / 50.0));
          break;
        case mlat::ClockKind::kGps: {
          const std::int64_t of_day = ((it.toa_ns % kDayNs) + kDayNs) % kDayNs;
          ts = (static_cast<std::uint64_t>(of_day / 1'000'000'000) << 30) |
               static_cast<std::uint64_t>(of_day % 1'000'000'000);
          break;
        }
      }
      append_beast_frame(out.streams[k], std::span<const std::uint8_t>(it.bytes.data(), it.n),
                         ts & ((1ULL << 48) - 1), it.signal);
      ++out.frames[k];
    }
  }
  return out;
}

}  // namespace skyfuse::sim
