// File: bus/bus_message.hpp
//
// What travels on the bus, as plain values, and its wire form. A sensor's raw
// input is published once on `skyfuse.in.<sensor>`: the bytes exactly as the
// source delivered them, with the arrival time, offset, time shift and input
// index in NATS headers, i.e. exactly what a recording keeps, so a tracker fed
// from the stream computes what `run` computes from the source itself.
// Sensor and region names become one subject token each (bytes outside
// [A-Za-z0-9_-] escaped as %XX), so any name is a valid, unambiguous subject.
//
//   InputMessage m{.sensor = "LFPG radar", .arrival_ns = t, .bytes = b};
//   std::string subj = input_subject(m.sensor);    // "skyfuse.in.LFPG%20radar"
//   auto back = sensor_of_subject(subj);           // "LFPG radar"
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace skyfuse::bus {

struct InputMessage {
  std::string sensor;       // the sensor's name in the configuration
  std::uint16_t input = 0;  // the receiver within the sensor
  std::int64_t arrival_ns = 0;
  std::int64_t offset = 0;    // of bytes[0] in the source
  std::int64_t shift_ns = 0;  // added to report times (a file replayed on a new epoch)
  bool end = false;           // the source has ended (no bytes)
  std::vector<std::uint8_t> bytes;
  // The publishing ingest process and its count of messages (1, 2, ...): a
  // message resent after a server failed lands later in the stream, and the
  // reader puts it back in its place (Resequencer). Empty / 0: not counted.
  std::string ingest;
  std::uint64_t sequence = 0;
  std::uint64_t stream_sequence = 0;  // set when read from the stream
};

// Puts each ingest's messages back in the order it published them, as a
// function of the stream alone (so replay stays exact): a message is held
// while an earlier one of its ingest is missing, until `window` further
// messages have been read or more than `max_bytes` are held (then the gap is
// given up and counted), or the end.
// Messages without an ingest sequence pass straight through.
//
//   Resequencer r(50000);
//   r.push(std::move(m), [&](InputMessage&& in) { deliver(in); });  ...  r.flush(deliver);
class Resequencer {
 public:
  using Emit = std::function<void(InputMessage&&)>;
  // Held messages are also bounded by their bytes (a publisher that never
  // fills its gap cannot make the reader hold more than `max_bytes`).
  explicit Resequencer(std::size_t window, std::size_t max_bytes = std::size_t{256} << 20)
      : window_(window), max_bytes_(max_bytes) {}
  // Where an ingest starts is the first of its messages seen, unless this is
  // set (a reader at the stream's first message): then an ingest whose first
  // message seen is not its first published (sequence 1; the first was resent
  // and landed later, or the stream lost its oldest) is held until `messages`
  // of it have been read (or its sequence 1 arrives, or the first held has
  // waited `window` reads), and starts at the earliest of them.
  void hold_start(std::size_t messages) { start_window_ = messages; }
  void push(InputMessage&& m, const Emit& emit);
  // End of the stream: everything held, in order (gaps counted).
  void flush(const Emit& emit);
  std::uint64_t reordered() const { return reordered_; }    // delivered later than read
  std::uint64_t gaps() const { return gaps_; }              // messages never seen
  std::uint64_t duplicates() const { return duplicates_; }  // held twice (dropped)
  std::uint64_t late() const { return late_; }  // after its gap was given up (delivered)
  std::size_t held() const { return held_; }
  std::size_t held_bytes() const { return held_bytes_; }
  // Messages of ingests beyond the first kMaxIngests, passed on unordered.
  std::uint64_t unordered() const { return unordered_; }
  static constexpr std::size_t kMaxIngests = 256;

 private:
  struct Ingest {
    std::uint64_t next = 0;   // the sequence expected next (0: none seen yet)
    std::uint64_t reads = 0;  // messages of it read
    bool tentative = false;   // its start not known yet (hold_start)
    std::map<std::uint64_t, std::pair<std::uint64_t, InputMessage>> waiting;  // seq -> (read#, m)
  };
  void release(Ingest& in, const Emit& emit);
  std::size_t window_, max_bytes_;
  std::size_t start_window_ = 0;
  std::size_t held_bytes_ = 0;
  std::map<std::string, Ingest> ingests_;
  std::uint64_t read_ = 0;
  std::size_t held_ = 0;
  std::uint64_t reordered_ = 0, gaps_ = 0, duplicates_ = 0, late_ = 0, unordered_ = 0;
};

inline constexpr std::string_view kInputPrefix = "skyfuse.in.";
inline constexpr std::string_view kTracksPrefix = "skyfuse.tracks.";

// One subject token for any name (empty: "%").
std::string subject_token(std::string_view name);
// The name back from a token; nullopt if it is not one subject_token makes.
std::optional<std::string> name_of_token(std::string_view token);

std::string input_subject(std::string_view sensor);
std::string tracks_subject(std::string_view region);
std::optional<std::string> sensor_of_subject(std::string_view subject);

// A region's track message id, "<region token>:<n>" (n >= 1: the message's
// number in the region's output), and the pair read back from one.
std::string track_message_id(std::string_view region, std::uint64_t index);
std::optional<std::pair<std::string, std::uint64_t>> parse_track_message_id(std::string_view id);

// The header values of an input message (name, value), and the message read
// back from them: nullopt with `why` set if a header is missing or malformed.
std::vector<std::pair<std::string, std::string>> input_headers(const InputMessage& m);
struct HeaderLookup {
  virtual ~HeaderLookup() = default;
  virtual std::optional<std::string> get(const char* key) const = 0;
};
bool parse_input_headers(const HeaderLookup& h, InputMessage& m, std::string& why);

}  // namespace skyfuse::bus
