#include "mlat/timestamp.hpp"

namespace skyfuse::mlat {

namespace {
constexpr std::uint64_t kRange = 1ULL << 48;
constexpr std::int64_t kDayNs = 86'400'000'000'000;
}  // namespace

std::optional<std::int64_t> TimestampDecoder::to_ns(std::uint64_t counter48, Time server_time) {
  counter48 &= kRange - 1;
  if (kind_ == ClockKind::kGps) {
    const std::uint64_t s = counter48 >> 30;
    const std::uint64_t ns = counter48 & ((1ULL << 30) - 1);
    if (s >= 86'400 || ns >= 1'000'000'000) return std::nullopt;
    const std::int64_t of_day = static_cast<std::int64_t>(s * 1'000'000'000 + ns);
    std::int64_t day = server_time.ns / kDayNs;
    if (server_time.ns < 0 && server_time.ns % kDayNs != 0) --day;
    std::int64_t t = day * kDayNs + of_day;
    if (t - server_time.ns > kDayNs / 2) t -= kDayNs;
    if (server_time.ns - t > kDayNs / 2) t += kDayNs;
    return t;
  }
  // Free-running: unwrap (a step back by more than half the range is a wrap).
  if (have_last_ && counter48 < last_ && last_ - counter48 > kRange / 2) ++wraps_;
  if (have_last_ && counter48 > last_ && counter48 - last_ > kRange / 2 && wraps_ > 0)
    --wraps_;  // a late frame from before the wrap
  have_last_ = true;
  last_ = counter48;
  const std::uint64_t ticks = (wraps_ & 0x3F) * kRange + counter48;  // < 2^54: ns stay below 2^61
  if (kind_ == ClockKind::kSbs) return static_cast<std::int64_t>(ticks * 50);
  return static_cast<std::int64_t>(ticks / 3 * 250 + ticks % 3 * 250 / 3);
}

}  // namespace skyfuse::mlat
