// File: live/track_merge.hpp
//
// The merged air picture of several regions' trackers (docs/scale-out.md,
// docs/adr/0008-regions.md). Each region publishes the updates of the tracks
// it owns, numbered by its own tracker; the merge puts them in one data-time
// order and gives each a system track number that survives hand-over:
//
//   * a line more than an hour past every region's latest, or past the
//     caller's limit, is refused and counted: no line can move the merge's
//     time implausibly (once a region has published);
//   * order: each region's updates in its own order, all of them sorted by
//     (data time, region's place in the configuration, arrival in the
//     region), a region's time never taken to go back (its latest so far).
//     An update leaves the merge once every region has published one as
//     late or later (or has ended), or when it is `lag_s` of data time
//     behind the latest (a region that is quiet must not hold a live
//     picture), or at flush. Read region by region, the one furthest behind
//     first (`skyfuse subscribe --merged` without --follow), the lag bound
//     is never reached and the merged lines are a function of the regions'
//     streams alone. Live, an update older than the merge's time by more
//     than it remembers system tracks (600 s) is dropped and counted.
//   * numbers: a region's track seen for the first time continues the system
//     track updated within `handover_s` before that holds the same 24-bit
//     address (from any region, ended or not: the single process too keeps
//     an address's number when it finds the aircraft again), or, without an
//     address on either, the live one of another region within `gate_m` of
//     the new one's position after dead reckoning and within 60 m/s of its
//     velocity (the nearest); else it starts a new system track, named
//     after the region and its number there ("centre-17"), so a name does
//     not depend on the merge's order. The line's "id" becomes the
//     system track's and a "region" field names the region that published it.
//   * a region's "deleted" update ends the system track only when that
//     region holds it (the last to update it); one from a region that has
//     handed it on is dropped and counted. A system track no region has
//     updated for max(handover_s, 10 s) of data time is ended by the merge
//     (a "deleted" line made from its last one, at the current time), so no
//     picture keeps a track whose last region handed it on while another
//     named it anew (a region far behind, live).
//
//   TrackMerger m({"west", "centre", "rest"}, 30, 5000);
//   m.push(region_index, line, out);  ...  m.flush(out);
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace skyfuse::live {

class TrackMerger {
 public:
  using Out = std::function<void(const std::string&)>;
  struct Counts {
    std::uint64_t lines_in = 0, lines_out = 0;
    std::uint64_t system_tracks = 0;    // numbers given
    std::uint64_t handovers = 0;        // a region's track continuing another region's
    std::uint64_t bad = 0;              // unreadable lines (dropped)
    std::uint64_t late = 0;             // live: older than the merge's time by more than handover_s
    std::uint64_t implausible = 0;      // times past the limit or an hour past every region's
    std::uint64_t stale_deletions = 0;  // a deletion from a region that had handed the track on
    std::uint64_t expired = 0;  // ended here: no region updated it for max(handover_s, 10 s)
    std::uint64_t forced = 0;   // released by the lag bound, not by every region
  };

  TrackMerger(std::vector<std::string> regions, double handover_s, double gate_m,
              double lag_s = 60);

  // One line of region `region` (an index into the constructor's list);
  // merged lines that are complete go to `out`.
  void push(std::size_t region, std::string_view line, const Out& out);
  // Region `region` has no more lines: the others no longer wait for it.
  void end(std::size_t region, const Out& out);
  // Everything held, in order (end of the streams).
  void flush(const Out& out);
  // Live, nothing new for a while: the system tracks no region has updated
  // for handover_s before the latest time released are ended now (one a
  // late update brought back after the last expiry, data then stopping).
  void idle(const Out& out);
  // What is held up to this data time (microseconds), in order, whether or
  // not every region has caught up (a live picture's bound in wall time).
  void release_through(std::int64_t time_us, const Out& out);
  std::int64_t max_us() const { return max_us_; }  // the latest data time pushed
  // Lines later than this (Unix seconds) are refused, counted as
  // implausible. (Not the wall clock: a replay at 30 x real time runs ahead
  // of it.)
  void set_time_limit(double max_time_s) { time_limit_s_ = max_time_s; }
  // The region's latest data time so far (microseconds; none before its first line).
  std::optional<std::int64_t> latest_us(std::size_t region) const { return latest_us_[region]; }
  const Counts& counts() const { return counts_; }
  std::size_t held() const { return pending_.size(); }

 private:
  struct Line {
    std::string text;
    std::string id;
    std::optional<std::uint32_t> icao24;
    double time_s = 0, lat_deg = 0, lon_deg = 0, ve_mps = 0, vn_mps = 0;
    bool deleted = false;
  };
  struct System {
    std::string number;
    std::size_t holder = 0;  // the region that updated it last
    double last_s = 0, lat_deg = 0, lon_deg = 0, ve_mps = 0, vn_mps = 0;
    std::optional<std::uint32_t> icao24;
    bool deleted = false;
    std::string last_text;  // the last merged line (an expiry's deletion is made from it)
  };
  using Key = std::tuple<std::int64_t, std::size_t, std::uint64_t>;  // time us, region, arrival
  void release(const Line& l, std::size_t region, const Out& out);
  void expire(double now_s, const Out& out);
  void forget(double before_s, double now_s, const Out& out);
  void end_track(const std::string& number, System& s, double now_s, const Out& out);
  void drain(const Out& out);
  std::optional<std::string> continues(const Line& l, std::size_t region) const;

  std::vector<std::string> regions_;
  double handover_s_, gate_m_, lag_s_;
  std::vector<std::optional<std::int64_t>> latest_us_;  // per region
  std::vector<bool> ended_;
  std::int64_t max_us_ = 0;
  std::uint64_t arrival_ = 0;
  std::map<Key, Line> pending_;
  // (region, the region's track id) -> system number; system number -> track.
  std::map<std::pair<std::size_t, std::string>, std::string> regional_;
  std::map<std::string, System> systems_;
  double forget_before_s_ = 0;
  double expire_checked_s_ = 0;
  double released_s_ = -1e300;  // the latest data time released
  std::optional<double> time_limit_s_;
  std::size_t held_bytes_ = 0;
  Counts counts_;
};

}  // namespace skyfuse::live
