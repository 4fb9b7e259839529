// File: feeds/feed_reader.hpp
//
// Reads one sensor's recorded feed into Reports for the batch tracker: JSON
// Lines (`skyfuse sim` output), a Mode S receiver recording (Beast, AVR, CSV,
// SBS) through the same incremental decoder `run` uses, or ASTERIX (raw
// blocks, FINAL, pcap: feeds/asterix_reports.hpp). Bad input is counted with
// its offset and skipped, never fatal; a missing file is a ConfigError.
//
//   FeedData d = feeds::read_feed(cfg.feeds[0], cfg.sensors[0], specs_dir);
#pragma once

#include <string>

#include "core/types.hpp"
#include "feeds/feed.hpp"

namespace skyfuse::feeds {

// `specs_dir`: the asterix-specs definitions, for ASTERIX inputs.
FeedData read_feed(const FeedConfig& feed, const Sensor& sensor, const std::string& specs_dir);

}  // namespace skyfuse::feeds
