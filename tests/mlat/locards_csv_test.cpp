#include "mlat/locards_csv.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <string>

namespace skyfuse::mlat {
namespace {

constexpr const char* kHeader =
    "id,timeAtServer,aircraft,latitude,longitude,baroAltitude,geoAltitude,numMeasurements,"
    "measurements";

TEST(LocardsCsv, ParsesAReferenceRow) {
  const auto r = parse_measurement_line(
      "14040,7.63400006294251,766,48.3419851529396,10.0698370682566,8397.24,8336.28,2,"
      "\"[[263,8605679765,49],[141,8605694015,76]]\"",
      2);
  ASSERT_TRUE(r) << r.error().detail;
  EXPECT_EQ(r->id, 14040);
  EXPECT_EQ(r->time.ns, 7634000063);
  EXPECT_EQ(r->aircraft, "766");
  ASSERT_TRUE(r->reference);
  EXPECT_DOUBLE_EQ(r->reference->lat_deg, 48.3419851529396);
  EXPECT_DOUBLE_EQ(r->reference->alt_m, 8336.28);  // GNSS height preferred
  EXPECT_DOUBLE_EQ(*r->baro_alt_m, 8397.24);
  ASSERT_EQ(r->toas.size(), 2u);
  EXPECT_EQ(r->toas[1].receiver, 141u);
  EXPECT_EQ(r->toas[1].toa_ns, 8605694015);
  EXPECT_DOUBLE_EQ(r->toas[1].rssi, 76);
}

TEST(LocardsCsv, RowWithoutPositionIsToBeLocated) {
  const auto r =
      parse_measurement_line("7,1.5,abc,,,10363.2,,3,\"[ [1, 100, 5], [2,200,6] ,[3,300,7]]\"", 9);
  ASSERT_TRUE(r) << r.error().detail;
  EXPECT_FALSE(r->reference);
  EXPECT_FALSE(r->geo_alt_m);
  EXPECT_DOUBLE_EQ(*r->baro_alt_m, 10363.2);
  EXPECT_EQ(r->toas.size(), 3u);
}

// skyfuse's extension: a tenth column with the 24-bit address (sim writes it).
TEST(LocardsCsv, OptionalIcao24Column) {
  const auto r = parse_measurement_line("7,1.5,abc,,,10363.2,,1,\"[[1,100,5]]\",4B1a0f", 2);
  ASSERT_TRUE(r) << r.error().detail;
  ASSERT_TRUE(r->icao24);
  EXPECT_EQ(*r->icao24, 0x4b1a0fu);
  const auto none = parse_measurement_line("7,1.5,abc,,,10363.2,,1,\"[[1,100,5]]\",", 2);
  ASSERT_TRUE(none) << none.error().detail;
  EXPECT_FALSE(none->icao24);
  const auto nine = parse_measurement_line("7,1.5,abc,,,10363.2,,1,\"[[1,100,5]]\"", 2);
  ASSERT_TRUE(nine);
  EXPECT_FALSE(nine->icao24);
  for (const char* bad : {"4b1a0", "4b1a0fa", "xyzxyz", "-4b1a0"}) {
    const auto e =
        parse_measurement_line(std::string("7,1.5,abc,,,10363.2,,1,\"[[1,100,5]]\",") + bad, 3);
    ASSERT_FALSE(e) << bad;
    EXPECT_EQ(e.error().code, ErrorCode::kBadValue);
    EXPECT_EQ(e.error().offset, 3);
  }
  EXPECT_FALSE(parse_measurement_line("7,1.5,abc,,,10363.2,,1,\"[[1,100,5]]\",4b1a0f,x", 4));
  // Written by to_csv_line: read back the same, with and without the column.
  Message m;
  m.id = 12;
  m.time = Time{1'533'123'000'123'456'789};
  m.aircraft = "3";
  m.icao24 = 0x00abcd;
  m.baro_alt_m = 10000.25;
  m.toas = {{.receiver = 4, .toa_ns = 1'533'123'000'124'000'001, .rssi = 80},
            {.receiver = 9, .toa_ns = 44'886'949'333, .rssi = 77}};
  const std::string line = to_csv_line(m, true);
  EXPECT_EQ(line,
            "12,1533123000.123456789,3,,,10000.25,,2,"
            "\"[[4,1533123000124000001,80],[9,44886949333,77]]\",00abcd");
  const auto back = parse_measurement_line(line, 1);
  ASSERT_TRUE(back) << back.error().detail;
  EXPECT_EQ(*back->icao24, 0x00abcdu);
  EXPECT_EQ(back->toas[0].toa_ns, 1'533'123'000'124'000'001);
  EXPECT_FALSE(parse_measurement_line(to_csv_line(m, false), 1)->icao24);
}

TEST(LocardsCsv, MalformedRowsAreErrorsWithTheirLineNumber) {
  struct Case {
    const char* line;
    ErrorCode code;
  };
  const Case cases[] = {
      {"1,2,3", ErrorCode::kMissingField},
      {"x,1.0,a,,,100,,1,\"[[1,2,3]]\"", ErrorCode::kBadValue},           // id
      {"1,abc,a,,,100,,1,\"[[1,2,3]]\"", ErrorCode::kBadValue},           // time
      {"1,1.0,a,47.0,,100,,1,\"[[1,2,3]]\"", ErrorCode::kMissingField},   // lat w/o lon
      {"1,1.0,a,95.0,8.0,100,,1,\"[[1,2,3]]\"", ErrorCode::kBadValue},    // lat range
      {"1,1.0,a,,,1e9,,1,\"[[1,2,3]]\"", ErrorCode::kBadValue},           // altitude
      {"1,1.0,a,,,100,,2,\"[[1,2,3]]\"", ErrorCode::kBadValue},           // count
      {"1,1.0,a,,,100,,1,\"[[1,2,3]\"", ErrorCode::kBadSyntax},           // bracket
      {"1,1.0,a,,,100,,1,\"[[1,2,3]]", ErrorCode::kBadSyntax},            // quote
      {"1,1.0,a,,,100,,1,\"[[1,-2,3]]\"", ErrorCode::kBadSyntax},         // negative
      {"1,1.0,a,,,100,,2,\"[[1,2,3],[1,5,3]]\"", ErrorCode::kBadSyntax},  // duplicate
      {"1,1.0,a,,,100,,1,\"[[1,99999999999999999999,3]]\"", ErrorCode::kBadSyntax},
      {"1,1.0,a,,,100,,1,\"[[1,2,nan]]\"", ErrorCode::kBadSyntax},
      {"1,1.0,a,,,100,,1,\"[[1,2,3]]x\"", ErrorCode::kBadSyntax},
      {"1,1.0,a,47,8,,,1,\"[[1,2,3]]\"", ErrorCode::kMissingField},        // no altitude
      {"1,1.0,a,,,100,,1,\"[[4294967296,2,3]]\"", ErrorCode::kBadSyntax},  // id > 32 bit
  };
  std::int64_t line = 10;
  for (const Case& c : cases) {
    const auto r = parse_measurement_line(c.line, line);
    ASSERT_FALSE(r) << c.line;
    EXPECT_EQ(r.error().code, c.code) << c.line << ": " << r.error().detail;
    EXPECT_EQ(r.error().offset, line) << c.line;
    ++line;
  }
}

TEST(LocardsCsv, FileReaderCountsBadLinesAndKeepsGoodOnes) {
  std::stringstream in;
  in << kHeader << "\n"
     << "1,1.0,a,47,8,1000,1010,3,\"[[1,100,1],[2,200,2],[3,300,3]]\"\n"  // line 2
     << "garbage\n"                                                       // line 3
     << "\n"                                                              // line 4 (skipped)
     << "2,2.0,b,,,1000,,3,\"[[1,100,1],[2,200,2],[3,300,3]]\"\r\n"       // line 5, CRLF
     << "3,3.0,c,,,1000,,3,\"[[1,100,1],[2,200,2]]\"\n";                  // line 6: count
  const MeasurementFile f = read_measurements(in);
  ASSERT_EQ(f.messages.size(), 2u);
  EXPECT_TRUE(f.messages[0].reference);
  EXPECT_FALSE(f.messages[1].reference);
  ASSERT_EQ(f.errors.size(), 2u);
  EXPECT_EQ(f.errors[0].offset, 3);
  EXPECT_EQ(f.errors[1].offset, 6);
}

TEST(LocardsCsv, ReceiverList) {
  std::stringstream in;
  in << "serial,latitude,longitude,height,type,good\n"
     << "10,47.40017,8.63068,430.6824,Radarcape,TRUE\n"
     << "3,0,0,0,SBS-3,FALSE\n"  // position unknown
     << "20,47.0,8.0,500,dump1090,FALSE\n"
     << "21,47.0,8.0,500,SBS-3,TRUE\n"
     << "22,47.0,8.0,500,Mystery,TRUE\n"
     << "23,abc,8.0,500,Radarcape,TRUE\n";
  const ReceiverFile f = read_receivers(in);
  EXPECT_EQ(f.receivers.size(), 3u);
  ASSERT_NE(f.receivers.find(10), nullptr);
  EXPECT_EQ(f.receivers.find(10)->clock, ClockKind::kGps);
  EXPECT_TRUE(f.receivers.find(10)->good);
  EXPECT_GT(f.receivers.find(10)->ecef_m.norm(), 6.3e6);
  EXPECT_EQ(f.receivers.find(20)->clock, ClockKind::kBeast);
  EXPECT_FALSE(f.receivers.find(20)->good);
  EXPECT_EQ(f.receivers.find(21)->clock, ClockKind::kSbs);
  ASSERT_EQ(f.errors.size(), 3u);
  EXPECT_EQ(f.errors[0].offset, 3);
  EXPECT_EQ(f.errors[1].offset, 6);
  EXPECT_EQ(f.errors[1].code, ErrorCode::kUnsupported);
  EXPECT_EQ(f.errors[2].offset, 7);
}

}  // namespace
}  // namespace skyfuse::mlat
