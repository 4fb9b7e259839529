// File: apps/feed_reader.hpp
//
// Reads one sensor's recorded feed into Reports for the batch tracker: JSON
// Lines (`skyfuse sim` output), a Mode S receiver recording (Beast, AVR, CSV)
// through the Mode S decoder, or ASTERIX (raw blocks, FINAL, pcap: CAT048,
// CAT021, CAT020; apps/asterix_feeds.hpp). Bad input is counted with its offset and
// skipped, never fatal; a missing file is a ConfigError.
//
//   FeedData d = apps::read_feed(cfg.feeds[0], cfg.sensors[0]);
#pragma once

#include <string>
#include <vector>

#include "apps/system_config.hpp"
#include "core/types.hpp"

namespace skyfuse::apps {

struct FeedData {
  std::vector<Report> reports;
  long errors = 0;
  std::vector<std::string> messages;  // the first few, "FILE:LINE: reason" / "FILE: offset N: ..."
};

// `specs_dir`: the asterix-specs definitions, for ASTERIX inputs.
FeedData read_feed(const FeedConfig& feed, const Sensor& sensor, const std::string& specs_dir);

// The Unix time in a beastblackbox-style file name ("...utc--1522782148.13--..."), else 0.
double start_from_name(const std::string& file);

}  // namespace skyfuse::apps
