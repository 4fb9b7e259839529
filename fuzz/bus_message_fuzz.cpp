// Fuzz target: what a tracker reads off the NATS input stream (anyone who
// can publish on skyfuse.in.> writes it): the subject, the headers and the
// order of the ingests' sequence numbers. Lines of the input: the first is
// the subject, the next up to seven are the values of the Skyfuse-* headers
// in a fixed order (empty: absent); each following line "INGEST SEQ" is a
// message for the resequencer. Checked: a token read back is written again
// as itself; the resequencer delivers each held message once, in order per
// ingest, and holds nothing after flush.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "bus/bus_message.hpp"

using namespace skyfuse::bus;

namespace {
struct Lines final : HeaderLookup {
  std::map<std::string, std::string> h;
  std::optional<std::string> get(const char* key) const override {
    auto it = h.find(key);
    if (it == h.end()) return std::nullopt;
    return it->second;
  }
};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<std::string_view> lines;
  while (!text.empty() && lines.size() < 4000) {
    const std::size_t nl = text.find('\n');
    lines.push_back(text.substr(0, nl));
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  if (lines.empty()) return 0;
  if (auto name = sensor_of_subject(lines[0])) {
    if (input_subject(*name) != lines[0]) __builtin_trap();
  }
  static const char* keys[] = {"Skyfuse-Arrival-Ns", "Skyfuse-Offset", "Skyfuse-Input",
                               "Skyfuse-Shift-Ns",   "Skyfuse-End",    "Skyfuse-Ingest",
                               "Skyfuse-Seq"};
  Lines h;
  std::size_t i = 1;
  for (const char* k : keys) {
    if (i < lines.size() && !lines[i].empty()) h.h[k] = std::string(lines[i]);
    ++i;
  }
  InputMessage m;
  std::string why;
  if (parse_input_headers(h, m, why)) {
    Lines back;
    for (const auto& [k, v] : input_headers(m)) back.h[k] = v;
    InputMessage again;
    if (!parse_input_headers(back, again, why) || again.arrival_ns != m.arrival_ns ||
        again.sequence != m.sequence || again.ingest != m.ingest)
      __builtin_trap();
  }
  // The resequencer over "INGEST SEQ" lines, a small window.
  Resequencer r(8);
  std::map<std::string, std::uint64_t> last;
  std::uint64_t pushed = 0, delivered = 0, backwards = 0;
  auto emit = [&](InputMessage&& in) {
    ++delivered;
    if (in.ingest.empty()) return;
    auto it = last.find(in.ingest);
    if (it != last.end() && in.sequence <= it->second)
      ++backwards;  // only a message whose gap was given up may come after its successors
    else
      last[in.ingest] = in.sequence;
  };
  for (; i < lines.size(); ++i) {
    const std::string_view l = lines[i];
    const std::size_t sp = l.find(' ');
    InputMessage in;
    in.ingest = std::string(l.substr(0, sp));
    in.sequence = 0;
    if (sp != std::string_view::npos)
      for (char c : l.substr(sp + 1))
        if (c >= '0' && c <= '9') in.sequence = in.sequence * 10 % 1000003 + (c - '0');
    if (in.sequence == 0) in.ingest.clear();
    ++pushed;
    r.push(std::move(in), emit);
  }
  r.flush(emit);
  if (r.held() != 0 || delivered + r.duplicates() != pushed || backwards > r.late())
    __builtin_trap();
  return 0;
}
