// File: output/cat062_writer.hpp
//
// System track updates as ASTERIX CAT062 (edition 1.18):
// I062/010 SAC/SIC, 015 service, 070 time of track (UTC seconds of day), 105
// WGS-84 position, 185 velocity (east, north), 040 track number, 080 status
// (CNF tentative, TSB first update, TSE last: deleted, CST coasting), 060 Mode
// 3/A, 380 ADR (24-bit address) and ID (callsign), 130 geometric altitude,
// 220 rate of climb/descent. Records are packed into data blocks of at most
// `max_records` and appended to a file of raw blocks. Each record is written
// directly from the state, with field positions and scales read from the
// category definition; any value the spec-driven encoder could refuse goes
// through that encoder instead (tests/apps/cat062_writer_test.cpp holds the
// two to the same bytes).
//
//   Cat062Writer w("tracks.ast", specs_dir, sac, sic);
//   w.add(state);  ...  w.flush();
#pragma once

#include <fstream>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "core/types.hpp"
#include "decode/asterix/spec.hpp"

namespace skyfuse::output {

class Cat062Writer {
 public:
  using BlockSink = std::function<void(std::vector<std::uint8_t>&&)>;
  Cat062Writer(const std::string& path, const std::string& specs_dir, std::uint8_t sac,
               std::uint8_t sic, std::size_t max_records = 24);
  // Each data block to `sink` (a UDP datagram, a recording) instead of a file.
  Cat062Writer(BlockSink sink, const std::string& specs_dir, std::uint8_t sac, std::uint8_t sic,
               std::size_t max_records = 24);
  void add(const ObjectState& s);
  void flush();
  // Encode every record through the spec-driven encoder (the reference the
  // direct path is tested against); the direct path is the default.
  void use_spec_encoder_only() { typed_.reset(); }
  bool writes_directly() const { return typed_ != nullptr; }
  long records() const { return records_; }
  long errors() const { return errors_; }

 private:
  std::ofstream out_;
  BlockSink sink_;
  decode::asterix::Category cat_;
  std::uint8_t sac_, sic_;
  std::size_t max_records_;
  std::vector<std::vector<std::uint8_t>> pending_;
  std::set<std::string> seen_;
  // The same records written directly (about 50 times cheaper); it declines
  // any value the spec-driven encoder could refuse, which then decides.
  struct Typed;
  std::shared_ptr<const Typed> typed_;
  void add_generic(const ObjectState& s, std::uint32_t number, TrackStatus st, bool first);
  long records_ = 0;
  long errors_ = 0;
};

// CAT065 1.6 SDPS service messages for the same SAC/SIC: a status message
// (I065/000 = 1; I065/040 NOGO operational, no overload) or an end of batch
// (I065/000 = 2) with the batch number, at data time `t`.
std::vector<std::uint8_t> encode_cat065(const decode::asterix::Category& cat065, std::uint8_t sac,
                                        std::uint8_t sic, Time t, int batch, bool end_of_batch);

}  // namespace skyfuse::output
