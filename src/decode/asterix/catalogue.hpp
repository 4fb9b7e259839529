// File: decode/asterix/catalogue.hpp
//
// The category editions skyfuse reads and writes by default (the widely
// deployed ones, and Wireshark 4.0's), and their definitions loaded from an
// asterix-specs folder: each file parsed once per process (cached, never
// evicted, so references stay valid), with per-category edition overrides.
//
//   auto cats = decode::asterix::load_categories("specs/asterix", {{48, "1.32"}});
//   Decoder dec({cats.at(48)});
#pragma once

#include <map>
#include <string>

#include "decode/asterix/spec.hpp"

namespace skyfuse::decode::asterix {

// Category number -> edition ("1.31").
const std::map<int, std::string>& default_editions();

// Loads `specs_dir/catNNN/catNNN-X.Y.json` for every category of the defaults,
// with `overrides` (category -> edition) applied. Throws ConfigError.
std::map<int, Category> load_categories(const std::string& specs_dir,
                                        const std::map<int, std::string>& overrides);

}  // namespace skyfuse::decode::asterix
