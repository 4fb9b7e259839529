// File: output/track_sink.hpp
//
// Where system track updates go, one interface for every consumer: the
// pipeline (`run`, `replay`) and the batch tracker (`track`) hand each update
// to their sinks by reference, in processing order, and tell them each
// publication period of data time and the end. A sink copies an update at
// most once, if it keeps it.
//   JsonLinesSink   track lines to a file and/or the recording
//   Cat062Sink      CAT062 data blocks (a file or UDP), CAT065 each period
//   PictureSink     the latest state of each live track (safety nets) and
//                   the live store (map, API)
//
//   std::vector<TrackSink*> sinks = {&lines, &cat062};
//   tracker.drain([&](const ObjectState& s) { for (TrackSink* k : sinks) k->update(s); });
#pragma once

#include "core/types.hpp"

namespace skyfuse::output {

class TrackSink {
 public:
  virtual ~TrackSink() = default;
  // One track update (a `deleted` status ends the track).
  virtual void update(const ObjectState& s) = 0;
  // A publication period of data time ended at `now` (run: once a second).
  virtual void period(Time /*now*/) {}
  // The wall-clock arrival of the input just processed (run, replay): for a
  // sink that measures latency downstream (the bus's tracks publisher); it
  // must not change what a sink outputs.
  virtual void input_arrived(Time /*arrival*/) {}
  // End of data: flush what is buffered.
  virtual void finish() {}
};

}  // namespace skyfuse::output
