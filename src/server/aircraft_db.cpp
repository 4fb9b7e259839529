// File: server/aircraft_db.cpp
#include "server/aircraft_db.hpp"

#include <fmt/format.h>
#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <optional>

#include "core/error.hpp"
#include "core/input_file.hpp"

namespace skyfuse::server {
namespace {

// The file, and its text once inflated (tar1090-db's aircraft.csv is about
// 30 MB, OpenSky's full database about 100 MB); and the aircraft kept (both
// have about 0.5 M).
constexpr std::size_t kMaxBytes = std::size_t{256} << 20;
constexpr std::size_t kMaxRecords = 2'000'000;
constexpr std::size_t kMaxLine = 64 * 1024;  // a longer line is counted bad
constexpr std::size_t kMaxFields = 64;       // fields split per line

std::optional<std::uint32_t> parse_hex24(std::string_view s) {
  if (s.size() != 6) return std::nullopt;
  std::uint32_t v = 0;
  for (char c : s) {
    int d;
    if (c >= '0' && c <= '9') {
      d = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      d = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
      d = c - 'A' + 10;
    } else {
      return std::nullopt;
    }
    v = v << 4 | static_cast<std::uint32_t>(d);
  }
  return v;
}

// A field as kept: control characters (tabs too) dropped, at most `max`
// bytes (cut before a UTF-8 continuation byte, never inside), surrounding
// spaces trimmed.
std::string clean(std::string_view s, std::size_t max) {
  std::string out;
  for (char c : s)
    if (static_cast<unsigned char>(c) >= 0x20 && c != 0x7f) out += c;
  if (out.size() > max) {
    std::size_t cut = max;
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xc0) == 0x80) --cut;
    out.resize(cut);
  }
  const std::size_t b = out.find_first_not_of(' ');
  if (b == std::string::npos) return {};
  return out.substr(b, out.find_last_not_of(' ') - b + 1);
}

// At most kMaxFields fields: the last holds the rest of the line.
std::vector<std::string_view> split_plain(std::string_view line, char sep) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (;;) {
    const std::size_t p = line.find(sep, start);
    if (p == std::string_view::npos || out.size() + 1 == kMaxFields) {
      out.push_back(line.substr(start));
      return out;
    }
    out.push_back(line.substr(start, p - start));
    start = p + 1;
  }
}

// Comma separated; a field may be quoted with " or ' (a doubled quote inside
// is one quote); at most kMaxFields fields (the rest of the line ignored).
// False for an unterminated quote.
bool split_quoted(std::string_view line, std::vector<std::string>& out) {
  out.clear();
  std::size_t i = 0;
  while (out.size() < kMaxFields) {
    std::string field;
    if (i < line.size() && (line[i] == '"' || line[i] == '\'')) {
      const char q = line[i++];
      for (;;) {
        if (i >= line.size()) return false;
        if (line[i] == q) {
          if (i + 1 < line.size() && line[i + 1] == q) {
            field += q;
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        field += line[i++];
      }
      while (i < line.size() && line[i] != ',') ++i;  // anything after the quote
    } else {
      const std::size_t p = line.find(',', i);
      const std::size_t end = p == std::string_view::npos ? line.size() : p;
      field.assign(line.substr(i, end - i));
      i = end;
    }
    out.push_back(std::move(field));
    if (i >= line.size()) return true;
    ++i;  // the comma
  }
  return true;
}

std::string lower(std::string_view s) {
  std::string o(s);
  for (char& c : o) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return o;
}

// The gzip members of `bytes` (at most kMaxBytes: avail_in holds it), one
// after the other as gunzip reads them; anything else after a member is an
// error.
std::string inflate_gzip(const std::string& bytes, const std::string& path) {
  z_stream z{};
  if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
    throw ConfigError(fmt::format("{}: cannot read aircraft database: zlib", path));
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  z.avail_in = static_cast<uInt>(bytes.size());
  std::string out;
  char buf[1 << 16];
  const char* why = nullptr;
  for (;;) {
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof buf;
    const int rc = inflate(&z, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      why = rc == Z_MEM_ERROR ? "out of memory" : "damaged gzip data";
      break;
    }
    const std::size_t n = sizeof buf - z.avail_out;
    if (out.size() + n > kMaxBytes) {
      why = "larger than 256 MiB once inflated";
      break;
    }
    if (out.size() + n > out.capacity())  // grown by half, never past the limit
      out.reserve(std::min(kMaxBytes, std::max(out.size() + n, out.capacity() / 2 * 3)));
    out.append(buf, n);
    if (rc == Z_STREAM_END) {
      if (z.avail_in == 0) break;  // the last member
      if (std::all_of(z.next_in, z.next_in + z.avail_in, [](Bytef b) { return b == 0; }))
        break;  // zero padding after the last member, as gunzip allows
      if (z.avail_in < 2 || z.next_in[0] != 0x1f || z.next_in[1] != 0x8b) {
        why = "something other than gzip data after a gzip member";
        break;
      }
      inflateReset(&z);  // the next member
    } else if (z.avail_in == 0 && z.avail_out != 0) {
      why = "truncated gzip data";
      break;
    }
  }
  inflateEnd(&z);
  if (why) throw ConfigError(fmt::format("{}: cannot read aircraft database: {}", path, why));
  return out;
}

}  // namespace

AircraftDb AircraftDb::parse(std::string_view text, const std::string& source) {
  AircraftDb db;
  auto bad = [&](std::size_t line, std::string_view why) {
    ++db.error_count_;
    if (db.errors_.size() < 20) db.errors_.push_back(fmt::format("{}:{}: {}", source, line, why));
  };
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);  // a UTF-8 byte order mark
  // OpenSky's columns, from its header.
  int c_hex = -1, c_reg = -1, c_type = -1, c_model = -1, c_maker = -1, c_owner = -1, c_op = -1,
      c_built = -1;
  std::vector<std::string> fields;
  std::size_t pos = 0, line_no = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
    if (line.size() > kMaxLine) {
      if (!db.layout_.empty()) ++db.lines_;
      bad(line_no, "longer than 64 KiB");
      continue;
    }
    if (db.layout_.empty()) {
      const std::string l = lower(line);
      if (l.find("icao24") != std::string::npos && l.find(',') != std::string::npos) {
        if (!split_quoted(line, fields)) {
          bad(line_no, "unterminated quote in the header");
          continue;
        }
        for (int i = 0; i < static_cast<int>(fields.size()); ++i) {
          const std::string name = lower(clean(fields[static_cast<std::size_t>(i)], 64));
          int* slot = name == "icao24"             ? &c_hex
                      : name == "registration"     ? &c_reg
                      : name == "typecode"         ? &c_type
                      : name == "model"            ? &c_model
                      : name == "manufacturername" ? &c_maker
                      : name == "owner"            ? &c_owner
                      : name == "operator"         ? &c_op
                      : name == "built"            ? &c_built
                                                   : nullptr;
          if (slot && *slot < 0) *slot = i;
        }
        db.layout_ = "opensky";
        continue;
      }
      if (line.find(';') == std::string_view::npos)
        throw ConfigError(fmt::format(
            "{}:{}: not an aircraft database (neither readsb's hex;registration;type;... nor "
            "OpenSky's CSV with an icao24 header)",
            source, line_no));
      db.layout_ = "readsb";
    }
    ++db.lines_;
    AircraftRecord r;
    std::optional<std::uint32_t> hex;
    if (db.layout_ == "readsb") {
      const auto f = split_plain(line, ';');
      if (f.size() < 3) {
        bad(line_no, fmt::format("{} field(s), expected hex;registration;type;...", f.size()));
        continue;
      }
      hex = parse_hex24(clean(f[0], 16));
      r.registration = clean(f[1], 16);
      r.type = clean(f[2], 8);
      if (f.size() > 3) {
        const std::string flags = clean(f[3], 8);
        for (std::size_t i = 0; i < std::min<std::size_t>(flags.size(), 4); ++i)
          if (flags[i] == '1') r.flags |= static_cast<std::uint8_t>(1u << i);
      }
      if (f.size() > 4) r.description = clean(f[4], 80);
      if (f.size() > 5) r.year = clean(f[5], 8);
      if (f.size() > 6) r.owner_operator = clean(f[6], 80);
    } else {
      if (!split_quoted(line, fields)) {
        bad(line_no, "unterminated quote");
        continue;
      }
      auto at = [&](int c, std::size_t max) {
        return c >= 0 && static_cast<std::size_t>(c) < fields.size()
                   ? clean(fields[static_cast<std::size_t>(c)], max)
                   : std::string();
      };
      if (c_hex < 0 || static_cast<std::size_t>(c_hex) >= fields.size()) {
        bad(line_no, "no icao24 field");
        continue;
      }
      hex = parse_hex24(at(c_hex, 16));
      r.registration = at(c_reg, 16);
      r.type = at(c_type, 8);
      const std::string maker = at(c_maker, 40), model = at(c_model, 60);
      r.description =
          clean(maker.empty() || model.empty() ? maker + model : maker + " " + model, 80);
      r.owner_operator = at(c_op, 80);
      if (r.owner_operator.empty()) r.owner_operator = at(c_owner, 80);
      const std::string built = at(c_built, 16);
      if (built.size() >= 4 && std::all_of(built.begin(), built.begin() + 4,
                                           [](char c) { return c >= '0' && c <= '9'; }))
        r.year = built.substr(0, 4);
    }
    if (!hex) {
      bad(line_no, "the address is not 6 hex digits");
      continue;
    }
    if (r.registration.empty() && r.type.empty() && r.description.empty() &&
        r.owner_operator.empty() && r.year.empty() && r.flags == 0)
      continue;  // nothing known of it
    if (db.records_.size() >= kMaxRecords && !db.records_.contains(*hex))
      throw ConfigError(fmt::format("{}:{}: more than {} aircraft in the aircraft database", source,
                                    line_no, kMaxRecords));
    db.records_[*hex] = std::move(r);
  }
  return db;
}

AircraftDb AircraftDb::load(const std::string& path) {
  require_regular_file(path, "aircraft database");
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (!ec && size > kMaxBytes)
    throw ConfigError(fmt::format("{}: cannot read aircraft database: larger than 256 MiB", path));
  // Read at its size, once (a file that says 0 bytes, as /proc's do, is not read).
  std::string bytes(ec ? 0 : static_cast<std::size_t>(size), '\0');
  if (!bytes.empty()) {
    std::ifstream in(path, std::ios::binary);
    if (!in || !in.read(bytes.data(), static_cast<std::streamsize>(bytes.size())))
      throw ConfigError(fmt::format("{}: cannot read aircraft database: a read error", path));
  }
  if (bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0x1f &&
      static_cast<unsigned char>(bytes[1]) == 0x8b)
    bytes = inflate_gzip(bytes, path);
  AircraftDb db = parse(bytes, path);
  if (db.records_.empty())
    throw ConfigError(fmt::format("{}: no aircraft in the aircraft database ({} line(s), {} bad{})",
                                  path, db.lines_, db.error_count_,
                                  db.errors_.empty() ? "" : "; first: " + db.errors_.front()));
  return db;
}

const AircraftRecord* AircraftDb::find(std::uint32_t icao24) const {
  auto it = records_.find(icao24);
  return it == records_.end() ? nullptr : &it->second;
}

}  // namespace skyfuse::server
