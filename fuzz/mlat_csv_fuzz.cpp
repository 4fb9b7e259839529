// Fuzz target: LocaRDS measurement and receiver rows (mlat/locards_csv.hpp),
// and every row that parses through the multilaterator (clock sync + solver)
// over a fixed five-receiver network.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "mlat/locards_csv.hpp"
#include "mlat/multilaterator.hpp"

namespace {

const skyfuse::mlat::ReceiverSet& network() {
  static const skyfuse::mlat::ReceiverSet set = [] {
    skyfuse::mlat::ReceiverSet s;
    s.add({.id = 1, .position = {47.40, 8.63, 430}});
    s.add({.id = 2, .position = {47.05, 7.62, 560}});
    s.add({.id = 3, .position = {47.54, 7.56, 350}});
    s.add({.id = 4, .position = {48.20, 9.18, 300}, .clock = skyfuse::mlat::ClockKind::kBeast});
    s.add({.id = 5, .position = {46.51, 9.15, 1600}, .clock = skyfuse::mlat::ClockKind::kSbs});
    return s;
  }();
  return set;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace skyfuse::mlat;
  Multilaterator ml(network(), {});
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::int64_t line = 0;
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    const std::string_view row = text.substr(0, nl);
    ++line;
    if (auto m = parse_measurement_line(row, line)) ml.push(*m);
    (void)parse_receiver_line(row, line);
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  ml.flush();
  return 0;
}
