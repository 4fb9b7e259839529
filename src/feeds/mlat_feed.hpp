// File: feeds/mlat_feed.hpp
//
// The `mlat_receivers` sensor: a receiver network's arrival times (the
// LocaRDS CSV `skyfuse mlat` reads, format `mlat_csv`, with the optional
// icao24 column `skyfuse sim` writes) streamed row by row through the
// multilaterator (mlat::ReportAdapter, causal); each fix flagged ok is a
// kMlat Report, the others are counted per flag (counters()
// "mlat_fixes_<flag>"). Rows must come in time order. The receiver list
// (FeedConfig::receivers_path) is read when the decoder is made: a missing
// file is a ConfigError, bad rows in it are input errors.
//
//   FeedConfig f;  f.format = FeedFormat::kMlatCsv;
//   f.path = "net.csv";  f.receivers_path = "net_receivers.csv";
//   FeedData d = read_feed(f, sensor, specs);   // d.counters: fixes per flag
#pragma once

#include <memory>

#include "core/types.hpp"
#include "feeds/feed.hpp"
#include "feeds/feed_decoder.hpp"

namespace skyfuse::feeds {

std::unique_ptr<FormatDecoder> make_mlat_feed(const FeedConfig& feed, const Sensor& sensor,
                                              bool live, Diagnostics& diagnostics);

}  // namespace skyfuse::feeds
