// The Remote ID receiver as a sensor (issue #20): "pcap" read by the kind of
// the sensor; a Location (+ Basic ID, System) as a Report with hand-derived
// covariances and height fallbacks; the real Parrot ANAFI capture through
// packet records in any chunks, against the track CSV derived from the
// capture (tests/data/remoteid/README.md), not against our own decoder.
#include "feeds/remote_id_feed.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "decode/remoteid/link.hpp"

namespace skyfuse::feeds {
namespace {

namespace rid = decode::remoteid;

std::string data(const std::string& name) {
  return std::string(SKYFUSE_SOURCE_DIR) + "/tests/data/remoteid/" + name;
}
std::vector<std::uint8_t> read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

Sensor receiver() {
  Sensor s;
  s.id = 3;
  s.name = "rid-1";
  s.kind = SensorKind::kRemoteId;
  s.site = {47.1987, 8.7302, 500};
  return s;
}
FeedConfig capture_feed() {
  FeedConfig f;
  f.input = "file:parrot.pcapng";
  f.path = "parrot.pcapng";
  f.format = FeedFormat::kRemoteIdPcap;
  return f;
}

TEST(RemoteIdFeed, PcapMeansWhatTheKindCaptures) {
  EXPECT_EQ(parse_feed_format("pcap", SensorKind::kRemoteId), FeedFormat::kRemoteIdPcap);
  EXPECT_EQ(parse_feed_format("pcap", SensorKind::kModeSRadar), FeedFormat::kPcap);
  EXPECT_EQ(parse_feed_format("jsonl", SensorKind::kRemoteId), FeedFormat::kJsonl);
  EXPECT_EQ(parse_feed_format("pcap"), FeedFormat::kPcap);
  EXPECT_STREQ(to_string(FeedFormat::kRemoteIdPcap), "pcap");
  EXPECT_FALSE(is_asterix(FeedFormat::kRemoteIdPcap));
  EXPECT_EQ(format_mismatch(SensorKind::kRemoteId, FeedFormat::kRemoteIdPcap), "");
  EXPECT_EQ(format_mismatch(SensorKind::kRemoteId, FeedFormat::kJsonl), "");
  EXPECT_NE(format_mismatch(SensorKind::kRemoteId, FeedFormat::kBeast).find("remote_id sensor"),
            std::string::npos);
  EXPECT_NE(format_mismatch(SensorKind::kRemoteId, FeedFormat::kAsterix), "");
  EXPECT_NE(format_mismatch(SensorKind::kPsr, FeedFormat::kRemoteIdPcap), "");
  EXPECT_EQ(format_mismatch(SensorKind::kPsr, FeedFormat::kPcap), "");
  // The names offered in messages list "pcap" once.
  const std::string names = feed_format_names();
  EXPECT_EQ(names.find("pcap"), names.rfind("pcap"));
}

rid::PositionFix fix() {
  rid::PositionFix f;
  f.time = Time::from_seconds(1680365729.1);
  f.time_from_message = true;
  f.uas_id = "SERIAL";
  f.lat_deg = 47.2;
  f.lon_deg = 8.7;
  return f;
}

TEST(RemoteIdFeed, ReportCovarianceFromTheAccuracyClasses) {
  const Time capture = Time::from_seconds(1680365730.4);
  rid::PositionFix f = fix();
  f.alt_geo_m = 612.5;
  f.horizontal_accuracy_m = 10;  // code 10: < 10 m (95 %, radial)
  f.vertical_accuracy_m = 3;     // code 5: < 3 m (95 %)
  f.velocity_east_mps = 3;
  f.velocity_north_mps = -4;
  f.velocity_up_mps = 0.5;
  f.speed_accuracy_mps = 1;  // code 3: < 1 m/s (95 %)
  const Report r = remote_id_report(f, receiver(), capture, OperatorPosition{47.1, 8.6, 400.0});
  EXPECT_EQ(r.time.ns, f.time.ns);  // the message's own time, 1.3 s before the capture
  EXPECT_EQ(r.sensor, 3u);
  EXPECT_EQ(r.sensor_kind, SensorKind::kRemoteId);
  EXPECT_EQ(r.identity.remote_id, "SERIAL");
  const auto& g = std::get<GeodeticMeasurement>(r.measurement);
  EXPECT_DOUBLE_EQ(g.position.lat_deg, 47.2);
  EXPECT_TRUE(g.has_height);
  EXPECT_DOUBLE_EQ(g.position.alt_m, 612.5);
  // 10 m radial at 95 % of a circular Gaussian: sigma = 10 / sqrt(-2 ln 0.05) = 4.0852 m.
  EXPECT_NEAR(std::sqrt(g.covariance_enu(0, 0)), 10 / std::sqrt(-2 * std::log(0.05)), 1e-3);
  EXPECT_NEAR(std::sqrt(g.covariance_enu(1, 1)), 4.0852, 1e-3);
  EXPECT_NEAR(std::sqrt(g.covariance_enu(2, 2)), 3 / 1.96, 1e-9);
  ASSERT_TRUE(r.velocity_enu_mps && r.velocity_covariance);
  EXPECT_EQ(*r.velocity_enu_mps, Eigen::Vector3d(3, -4, 0.5));
  EXPECT_NEAR((*r.velocity_covariance)(0, 0), 1 / (1.96 * 1.96), 1e-12);
  ASSERT_TRUE(r.operator_position);
  EXPECT_EQ(r.operator_position->lat_deg, 47.1);
  EXPECT_FALSE(r.emergency);
}

TEST(RemoteIdFeed, ReportHeightFallbacks) {
  const Time capture = Time::from_seconds(1680365730.4);
  const OperatorPosition op_with_alt{47.1, 8.6, 400.0}, op_without{47.1, 8.6, std::nullopt};
  struct Case {
    std::optional<double> geo, baro, height;
    std::optional<OperatorPosition> op;
    bool has_height;
    double alt_m, sigma_v_m;  // sigma 0: left to the tracker's default
    std::optional<double> baro_out;
  };
  const Case cases[] = {
      {612.5, 590.0, 100.0, op_with_alt, true, 612.5, 0, std::nullopt},  // geodetic first
      {{}, 590.0, 100.0, op_with_alt, true, 500.0, 0, std::nullopt},     // operator + height
      {{}, 590.0, 100.0, op_without, false, 0, 0, 590.0},                // pressure altitude
      {{}, {}, 100.0, op_without, true, 600.0, 30, std::nullopt},        // site + height
      {{}, {}, 100.0, std::nullopt, true, 600.0, 30, std::nullopt},
      {{}, {}, {}, op_with_alt, false, 0, 0, std::nullopt},  // nothing: no height
  };
  for (const Case& c : cases) {
    rid::PositionFix f = fix();
    f.alt_geo_m = c.geo;
    f.alt_baro_m = c.baro;
    f.height_m = c.height;
    const Report r = remote_id_report(f, receiver(), capture, c.op);
    const auto& g = std::get<GeodeticMeasurement>(r.measurement);
    EXPECT_EQ(g.has_height, c.has_height);
    if (c.has_height) {
      EXPECT_DOUBLE_EQ(g.position.alt_m, c.alt_m);
    }
    EXPECT_DOUBLE_EQ(std::sqrt(g.covariance_enu(2, 2)), c.sigma_v_m);
    EXPECT_EQ(r.baro_alt_m, c.baro_out);
    EXPECT_EQ(g.covariance_enu(0, 0), 0);  // no accuracy class: the sensor's sigma_position_m
    EXPECT_FALSE(r.velocity_enu_mps);
  }
}

TEST(RemoteIdFeed, TimeStampFarFromTheCaptureIsNotTrusted) {
  rid::PositionFix f = fix();
  const Time capture = f.time + Duration::from_seconds(12);
  EXPECT_EQ(remote_id_report(f, receiver(), capture, std::nullopt).time.ns, capture.ns);
  f.time_from_message = false;
  EXPECT_EQ(
      remote_id_report(f, receiver(), f.time + Duration::from_seconds(0.5), std::nullopt).time.ns,
      (f.time + Duration::from_seconds(0.5)).ns);
  rid::PositionFix e = fix();
  e.status = 3;
  EXPECT_TRUE(remote_id_report(e, receiver(), e.time, std::nullopt).emergency);
}

struct CsvRow {
  double capture_s, lat, lon;
  std::string uas_id;
};
std::vector<CsvRow> parrot_csv() {
  std::ifstream in(data("parrot_anafi4_real_track.csv"));
  std::string line;
  std::getline(in, line);  // header
  std::vector<CsvRow> rows;
  while (std::getline(in, line)) {
    std::stringstream ss(line);
    std::string cell[7];
    for (auto& c : cell) std::getline(ss, c, ',');
    rows.push_back({std::stod(cell[0]), std::stod(cell[5]), std::stod(cell[6]), cell[2]});
  }
  return rows;
}

std::vector<Report> decode_in_chunks(const std::vector<std::uint8_t>& records, std::size_t chunk,
                                     long& errors) {
  const Sensor s = receiver();
  FeedDecoder dec(capture_feed(), s, "", false);
  std::vector<Report> out;
  for (std::size_t pos = 0; pos < records.size(); pos += chunk) {
    const std::size_t n = std::min(chunk, records.size() - pos);
    dec.feed(std::span<const std::uint8_t>(records.data() + pos, n), Time{},
             static_cast<std::int64_t>(pos), out);
  }
  dec.finish(out);
  errors = dec.errors();
  return out;
}

TEST(RemoteIdFeed, RealParrotFlightOneReportPerDistinctLocation) {
  std::vector<std::uint8_t> records;
  std::vector<RecordSpan> spans;
  ASSERT_EQ(
      capture_to_records(read_all(data("parrot_anafi4_real_rid_only.pcapng")), records, spans), "");
  ASSERT_FALSE(spans.empty());
  EXPECT_EQ(spans.front().number, 1);
  long errors = -1;
  const auto whole = decode_in_chunks(records, records.size(), errors);
  EXPECT_EQ(errors, 0);
  const auto rows = parrot_csv();
  ASSERT_EQ(rows.size(), 124u);
  ASSERT_EQ(whole.size(), rows.size());
  // The CSV lists the first capture of each distinct Location in capture
  // order; the two heard before the first Basic ID wait for it.
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& g = std::get<GeodeticMeasurement>(whole[i].measurement);
    EXPECT_NEAR(g.position.lat_deg, rows[i].lat, 1e-9) << i;
    EXPECT_NEAR(g.position.lon_deg, rows[i].lon, 1e-9) << i;
    EXPECT_EQ(whole[i].identity.remote_id, "1588E040445AC004418") << i;
    EXPECT_LT(std::abs(whole[i].time.seconds() - rows[i].capture_s), 2.0) << i;
    EXPECT_TRUE(g.has_height);  // site + height above take-off
  }
  EXPECT_FALSE(whole.front().operator_position);  // no System message heard yet
  EXPECT_TRUE(whole.back().operator_position);
  // Any chunking of the record stream gives the same reports.
  for (std::size_t chunk : {1u, 7u, 24u, 1000u}) {
    const auto part = decode_in_chunks(records, chunk, errors);
    EXPECT_EQ(errors, 0);
    ASSERT_EQ(part.size(), whole.size()) << chunk;
    for (std::size_t i = 0; i < part.size(); ++i) {
      EXPECT_EQ(part[i].time.ns, whole[i].time.ns);
      EXPECT_EQ(part[i].source_offset, whole[i].source_offset);
    }
  }
}

TEST(RemoteIdFeed, BadRecordsAreCountedAndNamed) {
  const Sensor s = receiver();
  FeedConfig f = capture_feed();
  f.input = "tcp:rx:9000";
  FeedDecoder dec(f, s, "", true);
  std::vector<Report> out;
  std::vector<std::uint8_t> rec;
  const std::uint8_t junk[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  append_packet_record(rec, 1 /* Ethernet */, Time::from_seconds(1e9), 5, junk);
  append_packet_record(rec, rid::kDltRadiotap, Time::from_seconds(1e9), 6, junk);
  dec.feed(rec, Time{}, 0, out);
  EXPECT_EQ(dec.errors(), 2);
  auto msgs = dec.take_messages();
  ASSERT_EQ(msgs.size(), 2u);
  EXPECT_NE(msgs[0].find("rid-1 (tcp:rx:9000): packet 5: link-layer type 1"), std::string::npos)
      << msgs[0];
  EXPECT_NE(msgs[1].find("packet 6"), std::string::npos) << msgs[1];
  // A length no record has: the stream is dropped, counted once.
  const std::uint8_t huge[kPacketRecordHeader] = {0xff, 0xff, 0xff, 0x7f};
  dec.feed(huge, Time{}, 0, out);
  EXPECT_EQ(dec.errors(), 3);
  // Half a record at the end.
  rec.clear();
  append_packet_record(rec, rid::kDltRadiotap, Time::from_seconds(1e9), 7, junk);
  dec.feed(std::span<const std::uint8_t>(rec.data(), 10), Time{}, 0, out);
  dec.finish(out);
  EXPECT_EQ(dec.errors(), 4);
  EXPECT_TRUE(out.empty());
}

}  // namespace
}  // namespace skyfuse::feeds
