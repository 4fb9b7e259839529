#include "bus/bus_message.hpp"

#include <fmt/format.h>

#include <charconv>

namespace skyfuse::bus {

namespace {

bool plain(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

int hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

template <typename T>
bool number(const std::optional<std::string>& s, T& out) {
  if (!s || s->empty()) return false;
  const char* b = s->data();
  const char* e = b + s->size();
  auto [p, ec] = std::from_chars(b, e, out);
  return ec == std::errc() && p == e;
}

}  // namespace

std::string subject_token(std::string_view name) {
  if (name.empty()) return "%";
  std::string t;
  t.reserve(name.size());
  for (char c : name) {
    if (plain(c))
      t += c;
    else
      t += fmt::format("%{:02X}", static_cast<unsigned char>(c));
  }
  return t;
}

std::optional<std::string> name_of_token(std::string_view token) {
  if (token == "%") return std::string();
  if (token.empty()) return std::nullopt;
  std::string n;
  for (std::size_t i = 0; i < token.size(); ++i) {
    const char c = token[i];
    if (plain(c)) {
      n += c;
      continue;
    }
    if (c != '%' || i + 2 >= token.size()) return std::nullopt;
    const int hi = hex(token[i + 1]), lo = hex(token[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    const char d = static_cast<char>(hi * 16 + lo);
    if (plain(d)) return std::nullopt;  // not how subject_token writes it: one name, one token
    n += d;
    i += 2;
  }
  return n;
}

std::string input_subject(std::string_view sensor) {
  return std::string(kInputPrefix) + subject_token(sensor);
}

std::string tracks_subject(std::string_view region) {
  return std::string(kTracksPrefix) + subject_token(region);
}

std::optional<std::string> sensor_of_subject(std::string_view subject) {
  if (subject.substr(0, kInputPrefix.size()) != kInputPrefix) return std::nullopt;
  const std::string_view token = subject.substr(kInputPrefix.size());
  if (token.find('.') != std::string_view::npos) return std::nullopt;
  return name_of_token(token);
}

std::string track_message_id(std::string_view region, std::uint64_t index) {
  return subject_token(region) + ":" + std::to_string(index);
}

std::optional<std::pair<std::string, std::uint64_t>> parse_track_message_id(std::string_view id) {
  const std::size_t colon = id.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  std::uint64_t n = 0;
  const auto [p, ec] = std::from_chars(id.data() + colon + 1, id.data() + id.size(), n);
  if (ec != std::errc() || p != id.data() + id.size() || n == 0) return std::nullopt;
  auto region = name_of_token(id.substr(0, colon));
  if (!region) return std::nullopt;
  return std::make_pair(std::move(*region), n);
}

std::vector<std::pair<std::string, std::string>> input_headers(const InputMessage& m) {
  std::vector<std::pair<std::string, std::string>> h = {
      {"Skyfuse-Arrival-Ns", std::to_string(m.arrival_ns)},
      {"Skyfuse-Offset", std::to_string(m.offset)},
      {"Skyfuse-Input", std::to_string(m.input)}};
  if (m.shift_ns != 0) h.emplace_back("Skyfuse-Shift-Ns", std::to_string(m.shift_ns));
  if (!m.ingest.empty()) {
    h.emplace_back("Skyfuse-Ingest", m.ingest);
    h.emplace_back("Skyfuse-Seq", std::to_string(m.sequence));
  }
  if (m.end) h.emplace_back("Skyfuse-End", "1");
  return h;
}

bool parse_input_headers(const HeaderLookup& h, InputMessage& m, std::string& why) {
  if (!number(h.get("Skyfuse-Arrival-Ns"), m.arrival_ns) || m.arrival_ns < 0) {
    why = "Skyfuse-Arrival-Ns missing or not a non-negative integer";
    return false;
  }
  if (!number(h.get("Skyfuse-Offset"), m.offset) || m.offset < 0) {
    why = "Skyfuse-Offset missing or not a non-negative integer";
    return false;
  }
  if (!number(h.get("Skyfuse-Input"), m.input)) {
    why = "Skyfuse-Input missing or not an integer 0-65535";
    return false;
  }
  m.shift_ns = 0;
  if (auto s = h.get("Skyfuse-Shift-Ns"); s && !number(s, m.shift_ns)) {
    why = "Skyfuse-Shift-Ns not an integer";
    return false;
  }
  m.ingest.clear();
  m.sequence = 0;
  if (auto in = h.get("Skyfuse-Ingest")) {
    if (in->empty() || in->size() > 200 || !number(h.get("Skyfuse-Seq"), m.sequence) ||
        m.sequence == 0) {
      why = "Skyfuse-Ingest empty or too long, or Skyfuse-Seq missing or not a positive integer";
      return false;
    }
    m.ingest = *in;
  }
  m.end = false;
  if (auto e = h.get("Skyfuse-End")) {
    if (*e != "1") {
      why = "Skyfuse-End not 1";
      return false;
    }
    m.end = true;
  }
  return true;
}

void Resequencer::release(Ingest& in, const Emit& emit) {
  // In order while the next is there; past a gap once the first held message
  // has waited `window` reads.
  if (in.tentative) {
    // Until `start_window_` of its messages are read, or the first held has
    // waited `window` reads (an ingest that published little), or the end.
    const bool waited = !in.waiting.empty() && read_ - in.waiting.begin()->second.first >= window_;
    if (in.reads < start_window_ && !waited && held_bytes_ <= max_bytes_) return;
    in.tentative = false;
    if (!in.waiting.empty()) in.next = in.waiting.begin()->first;
  }
  while (!in.waiting.empty()) {
    auto it = in.waiting.begin();
    if (it->first != in.next) {
      if (read_ - it->second.first < window_ && held_bytes_ <= max_bytes_) return;
      gaps_ += it->first - in.next;
    }
    in.next = it->first + 1;
    if (it->second.first != read_) ++reordered_;
    InputMessage m = std::move(it->second.second);
    in.waiting.erase(it);
    --held_;
    held_bytes_ -= m.bytes.size();
    emit(std::move(m));
  }
}

void Resequencer::push(InputMessage&& m, const Emit& emit) {
  ++read_;
  if (m.ingest.empty()) {
    emit(std::move(m));
  } else {
    auto found = ingests_.find(m.ingest);
    if (found == ingests_.end() && ingests_.size() >= kMaxIngests) {
      // More publishers than any system has: not put in order (a flood of
      // made-up names must not grow the reader), passed on and counted.
      ++unordered_;
      emit(std::move(m));
      for (auto& [name, other] : ingests_) release(other, emit);
      return;
    }
    Ingest& in = found != ingests_.end() ? found->second : ingests_[m.ingest];
    ++in.reads;
    if (in.next == 0) {  // the first seen of this ingest
      in.next = m.sequence;
      in.tentative = start_window_ > 0 && m.sequence != 1;
    }
    if (in.tentative && m.sequence < in.next) in.next = m.sequence;  // an earlier start
    if (in.tentative && m.sequence == 1) in.tentative = false;       // its very first
    if (in.waiting.count(m.sequence)) {
      ++duplicates_;
    } else if (m.sequence < in.next) {
      ++late_;  // its gap was given up (or it precedes the reader's start): delivered now
      emit(std::move(m));
    } else {
      const std::uint64_t seq = m.sequence;
      held_bytes_ += m.bytes.size();
      in.waiting.emplace(seq, std::make_pair(read_, std::move(m)));
      ++held_;
    }
  }
  // A gap may have waited long enough in any ingest, not only this one.
  for (auto& [name, in] : ingests_) release(in, emit);
}

void Resequencer::flush(const Emit& emit) {
  window_ = 0;
  for (auto& [name, in] : ingests_) release(in, emit);
}

}  // namespace skyfuse::bus
