// File: server/http_encoding.hpp
//
// Content coding of the server's JSON (readsb serves its /data/ JSON
// gzip-compressed to clients that accept it): whether a request's
// Accept-Encoding allows gzip (RFC 9110 12.5.3: "gzip", "x-gzip" or "*",
// with a q-value above 0; an explicit gzip;q=0 wins over "*"), and gzip
// itself (zlib, RFC 1952 framing).
//
//   if (accepts_gzip(req["Accept-Encoding"])) body = gzip(body);
#pragma once

#include <string>
#include <string_view>

namespace skyfuse::server {

bool accepts_gzip(std::string_view accept_encoding);

// The gzip member holding `data` (zlib level 1: the server's one I/O thread
// compresses; JSON still shrinks about 5-10x); empty if zlib fails.
std::string gzip(std::string_view data);

}  // namespace skyfuse::server
