#include "apps/remoteid_decode.hpp"

#include <fmt/format.h>

#include <iostream>

#include "decode/remoteid/capture.hpp"
#include "feeds/remoteid_json.hpp"

namespace skyfuse::apps {

namespace rid = decode::remoteid;

int run_remoteid_decode(const std::string& file, bool stats) {
  std::string out;
  auto st = rid::decode_capture(file, [&](const rid::Decoded& d) {
    out += feeds::remoteid_json(d);
    out += '\n';
    if (out.size() > (1 << 20)) {
      std::cout << out;
      out.clear();
    }
  });
  std::cout << out;
  std::cout.flush();
  if (!st) {
    fmt::print(stderr, "skyfuse decode: {}: {}\n", file, st.error().detail);
    return 1;
  }
  const rid::DecoderStats& s = *st;
  for (const auto& e : s.first_errors)
    fmt::print(stderr, "skyfuse decode: {}: frame {}: {}\n", file, e.frame, e.error.detail);
  if (s.errors > static_cast<long>(s.first_errors.size()))
    fmt::print(stderr, "skyfuse decode: {}: {} more errors not shown\n", file,
               s.errors - static_cast<long>(s.first_errors.size()));
  if (stats) fmt::print(stderr, "{}\n", feeds::remoteid_stats_json(s));
  if (s.messages == 0) {
    fmt::print(stderr, "skyfuse decode: {}: no Remote ID message in {} packets\n", file, s.packets);
    return 1;
  }
  return 0;
}

}  // namespace skyfuse::apps
