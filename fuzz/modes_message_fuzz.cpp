// Fuzz target: one Mode S frame through the stateless decoder (both lengths,
// with 2-bit correction) and Comm-B inference; fields must stay in range.
#include <cstddef>
#include <cstdint>

#include "decode/modes/commb.hpp"
#include "decode/modes/message.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace skyfuse::decode::modes;
  if (size < 7) return 0;
  for (std::size_t n : {std::size_t{7}, std::size_t{14}}) {
    if (size < n) continue;
    const Message m = decode_frame(data, n, {.max_corrected_bits = 2});
    if (m.velocity && m.velocity->track_deg &&
        (*m.velocity->track_deg < 0 || *m.velocity->track_deg >= 360))
      __builtin_trap();
    if (m.icao > 0xFFFFFF || m.callsign.size() > 8) __builtin_trap();
    if (n == 14) (void)commb_candidates(m.bytes.data());
  }
  return 0;
}
