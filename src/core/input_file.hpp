// File: core/input_file.hpp
//
// Opening a file the user named as an input (a sensor's `file:` input, a
// recording, a zones or truth file): regular files only. A directory, a
// device such as /dev/zero (endless: a reader would grow memory or never
// finish) or a FIFO (blocks until a writer comes) is refused with a
// ConfigError naming the path, what it was for and what it is.
//
//   std::ifstream in = open_input_file(path, "input of sensor \"R1\"");
//   std::vector<std::uint8_t> bytes = read_input_file(path, "zones file");
#pragma once

#include <cstdint>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

namespace skyfuse {

// Why `path` is not a regular file (after following symbolic links): "no such
// file", "it is a directory", "it is a device, not a file", ...; empty when it
// is one. For readers that return errors instead of throwing.
std::string regular_file_problem(const std::string& path);

// Throws ConfigError "PATH: cannot open WHAT: REASON" unless `path` is a
// regular file (the reason of regular_file_problem).
void require_regular_file(const std::string& path, std::string_view what);

// The file opened for binary reading, after require_regular_file; throws
// ConfigError when it cannot be opened.
std::ifstream open_input_file(const std::string& path, std::string_view what);

// The whole file, after require_regular_file; a read error is a ConfigError.
std::string read_input_file(const std::string& path, std::string_view what);
std::vector<std::uint8_t> read_input_bytes(const std::string& path, std::string_view what);

}  // namespace skyfuse
