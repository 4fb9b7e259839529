// The aircraft database's two layouts (server/aircraft_db.hpp), by hand:
// readsb's / tar1090-db's aircraft.csv and OpenSky's aircraftDatabase.csv,
// plain and gzip-compressed, with bad lines counted and named.
#include "server/aircraft_db.hpp"

#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>

#include "core/error.hpp"

using namespace skyfuse;
using namespace skyfuse::server;

namespace {

// A file of this test run (the process id keeps concurrent build trees apart).
std::string temp_file(const std::string& name, const std::string& bytes) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("skyfuse_aircraft_db_" + std::to_string(::getpid()) + "_" + name);
  std::ofstream(path, std::ios::binary) << bytes;
  return path.string();
}

void remove_temp_files() {
  const std::string prefix = "skyfuse_aircraft_db_" + std::to_string(::getpid()) + "_";
  for (const auto& e : std::filesystem::directory_iterator(std::filesystem::temp_directory_path()))
    if (e.path().filename().string().starts_with(prefix)) std::filesystem::remove(e.path());
}

std::string gzip_bytes(const std::string& text) {
  z_stream z{};
  EXPECT_EQ(deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&z, text.size()), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  z.avail_in = static_cast<uInt>(text.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

const char* kReadsb =
    "4b1805;HB-JCA;BCS3;00;AIRBUS A-220-300;2016;Swiss International Air Lines;\n"
    "AE1234;12-3456;C30J;1000;LOCKHEED C-130J;;United States Air Force;\n"
    "a12b3c;N1234;C172;0011;;;;\r\n"  // PIA and LADD, CRLF
    "\n"
    "zz1234;D-ABCD;A320;;;;;\n"   // not hex
    "4b18;HB-XXX;A320;;;;;\n"     // 4 digits
    "3c6444;\n"                   // too few fields
    "3c6445;;;;;;;\n"             // nothing known: skipped, not an error
    "4B1805;HB-JCB;BCS3;;;;;\n";  // the same address again: the later line wins

}  // namespace

TEST(AircraftDb, ReadsReadsbLayout) {
  const AircraftDb db = AircraftDb::parse(kReadsb, "ac.csv");
  EXPECT_EQ(db.layout(), "readsb");
  EXPECT_EQ(db.size(), 3U);
  EXPECT_EQ(db.lines(), 8U);  // the blank one not counted
  EXPECT_EQ(db.error_count(), 3U);
  ASSERT_EQ(db.errors().size(), 3U);
  EXPECT_EQ(db.errors()[0], "ac.csv:5: the address is not 6 hex digits");
  EXPECT_EQ(db.errors()[1], "ac.csv:6: the address is not 6 hex digits");
  EXPECT_EQ(db.errors()[2], "ac.csv:7: 2 field(s), expected hex;registration;type;...");
  const AircraftRecord* swiss = db.find(0x4b1805);
  ASSERT_NE(swiss, nullptr);
  EXPECT_EQ(swiss->registration, "HB-JCB");
  EXPECT_EQ(swiss->type, "BCS3");
  EXPECT_EQ(swiss->flags, 0);
  const AircraftRecord* mil = db.find(0xae1234);
  ASSERT_NE(mil, nullptr);
  EXPECT_EQ(mil->registration, "12-3456");
  EXPECT_EQ(mil->description, "LOCKHEED C-130J");
  EXPECT_EQ(mil->owner_operator, "United States Air Force");
  EXPECT_EQ(mil->year, "");
  EXPECT_EQ(mil->flags, 1);  // military
  const AircraftRecord* ga = db.find(0xa12b3c);
  ASSERT_NE(ga, nullptr);
  EXPECT_EQ(ga->flags, 4 | 8);  // PIA, LADD
  EXPECT_EQ(db.find(0x3c6445), nullptr);
  EXPECT_EQ(db.find(0x000000), nullptr);
  // A line that gives only an owner or a year is kept too.
  const AircraftDb owners =
      AircraftDb::parse("780a5c;;;;;;Only Owner Ltd;\n504dd9;;;;;2001;;\n", "o");
  ASSERT_EQ(owners.size(), 2U);
  EXPECT_EQ(owners.find(0x780a5c)->owner_operator, "Only Owner Ltd");
  EXPECT_EQ(owners.find(0x504dd9)->year, "2001");
}

TEST(AircraftDb, ReadsOpenSkyLayoutWithEitherQuote) {
  const AircraftDb db = AircraftDb::parse(
      "\xEF\xBB\xBF\"icao24\",\"registration\",\"manufacturericao\",\"manufacturername\",\"model\","
      "\"typecode\",\"serialnumber\",\"owner\",\"operator\",\"built\"\n"
      "\"4b1805\",\"HB-JCA\",\"AIRBUS\",\"Airbus\",\"A220-300\",\"BCS3\",\"55010\",\"Swiss\","
      "\"\",\"2016-05-20\"\n"
      "'3c6444','D-EFGH','CESSNA','Cessna','172 \"Skyhawk\", S','C172','','Owner, Inc.','"
      "Club','1998'\n"
      "\"abc\",\"X\"\n"
      "\"3c6446\",\"D-EXXX\n",
      "opensky.csv");
  EXPECT_EQ(db.layout(), "opensky");
  EXPECT_EQ(db.size(), 2U);
  EXPECT_EQ(db.error_count(), 2U);
  ASSERT_EQ(db.errors().size(), 2U);
  EXPECT_EQ(db.errors()[0], "opensky.csv:4: the address is not 6 hex digits");
  EXPECT_EQ(db.errors()[1], "opensky.csv:5: unterminated quote");
  const AircraftRecord* a = db.find(0x4b1805);
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->registration, "HB-JCA");
  EXPECT_EQ(a->type, "BCS3");
  EXPECT_EQ(a->description, "Airbus A220-300");
  EXPECT_EQ(a->owner_operator, "Swiss");  // no operator: the owner
  EXPECT_EQ(a->year, "2016");
  const AircraftRecord* c = db.find(0x3c6444);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->description, "Cessna 172 \"Skyhawk\", S");
  EXPECT_EQ(c->owner_operator, "Club");
  EXPECT_EQ(c->year, "1998");
}

TEST(AircraftDb, FieldsAreCleanedAndBounded) {
  const AircraftDb db =
      AircraftDb::parse("4b1805;\x01  HB-\x01JCA\t;BCS3XXXXXXXX;;" + std::string(200, 'x') + ";;" +
                            std::string(79, 'e') + "\xC3\xA9;\n" + "3c6444;" +
                            std::string(70 * 1024, 'R') + ";C172;\n" +  // a line over 64 KiB
                            "3c6445;D-EFGH;C172" + std::string(60000, ';') + "\n",  // 60,000 fields
                        "x");
  const AircraftRecord* a = db.find(0x4b1805);
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->registration, "HB-JCA");
  EXPECT_EQ(a->type, "BCS3XXXX");
  EXPECT_EQ(a->description.size(), 80U);
  EXPECT_EQ(a->owner_operator, std::string(79, 'e'));  // the 2-byte character at 80 cut whole
  EXPECT_EQ(db.find(0x3c6444), nullptr);
  ASSERT_EQ(db.errors().size(), 1U);
  EXPECT_EQ(db.errors()[0], "x:2: longer than 64 KiB");
  ASSERT_NE(db.find(0x3c6445), nullptr);
  EXPECT_EQ(db.find(0x3c6445)->type, "C172");
}

TEST(AircraftDb, LoadsPlainAndGzipAndRefusesWhatItCannotRead) {
  const AircraftDb plain = AircraftDb::load(temp_file("plain.csv", kReadsb));
  const AircraftDb gz = AircraftDb::load(temp_file("gz.csv.gz", gzip_bytes(kReadsb)));
  EXPECT_EQ(plain.size(), 3U);
  EXPECT_EQ(gz.size(), 3U);
  ASSERT_NE(gz.find(0xae1234), nullptr);
  EXPECT_EQ(gz.find(0xae1234)->registration, "12-3456");
  // Two gzip members one after the other (cat a.gz b.gz): both read.
  const AircraftDb two = AircraftDb::load(
      temp_file("two.csv.gz", gzip_bytes(kReadsb) + gzip_bytes("c0ffee;C-GABC;DH8D;;;;;\n")));
  EXPECT_EQ(two.size(), 4U);
  ASSERT_NE(two.find(0xc0ffee), nullptr);
  EXPECT_EQ(two.find(0xc0ffee)->registration, "C-GABC");
  EXPECT_THROW(AircraftDb::load(temp_file("junk_after.csv.gz", gzip_bytes(kReadsb) + "junk")),
               ConfigError);
  // Zero padding after the last member (as tape and block devices leave): ignored, as gunzip does.
  EXPECT_EQ(
      AircraftDb::load(temp_file("padded.csv.gz", gzip_bytes(kReadsb) + std::string(1024, '\0')))
          .size(),
      3U);
  // Truncated gzip, not a database, no valid line, a directory, a device.
  std::string cut = gzip_bytes(kReadsb);
  cut.resize(cut.size() / 2);
  EXPECT_THROW(AircraftDb::load(temp_file("cut.csv.gz", cut)), ConfigError);
  try {
    AircraftDb::load(temp_file("junk.csv", "hello world\n"));
    FAIL() << "junk accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("junk.csv:1: not an aircraft database"), std::string::npos)
        << e.what();
  }
  EXPECT_THROW(AircraftDb::load(temp_file("bad.csv", "zz;a;b\n")), ConfigError);
  EXPECT_THROW(AircraftDb::load(std::filesystem::temp_directory_path().string()), ConfigError);
  EXPECT_THROW(AircraftDb::load("/dev/zero"), ConfigError);
  EXPECT_THROW(AircraftDb::load("/nonexistent/aircraft.csv"), ConfigError);
  remove_temp_files();
}
