// Fuzz target: an aircraft database file's text (server/aircraft_db.hpp), in
// either layout; every record found must be within its documented bounds.
// Text in neither layout is a ConfigError, as documented.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/error.hpp"
#include "server/aircraft_db.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using skyfuse::server::AircraftDb;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  AircraftDb db;
  try {
    db = AircraftDb::parse(text, "fuzz");
  } catch (const skyfuse::ConfigError&) {
    return 0;
  }
  if (db.errors().size() > 20 || db.size() > db.lines()) __builtin_trap();
  for (std::uint32_t a : {0x4b1805u, 0xa12b3cu, 0x000000u, 0xffffffu})
    if (const auto* r = db.find(a))
      if (r->registration.size() > 16 || r->type.size() > 8 || r->description.size() > 80 ||
          r->owner_operator.size() > 80 || r->year.size() > 8 || r->flags > 15)
        __builtin_trap();
  return 0;
}
