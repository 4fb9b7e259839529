// File: live/source_status.hpp
//
// What a source thread tells the pipeline thread about its sensor, through
// atomics it writes and the main loop reads: its state, the packets it had to
// drop (queue full), and what the kernel dropped or refused before it.
//
//   std::vector<SourceStatus> status(n);
//   status[i].state = SourceState::kConnected;   // source thread
//   pipeline.set_source_state(i, to_string(status[i].state.load()));  // main loop
#pragma once

#include <atomic>
#include <cstdint>

namespace skyfuse::live {

enum class SourceState : int { kIdle, kConnected, kDisconnected, kEnded };

inline const char* to_string(SourceState s) {
  switch (s) {
    case SourceState::kIdle:
      return "idle";
    case SourceState::kConnected:
      return "connected";
    case SourceState::kDisconnected:
      return "disconnected";
    case SourceState::kEnded:
      return "ended";
  }
  return "?";
}

struct SourceStatus {
  std::atomic<SourceState> state{SourceState::kIdle};
  std::atomic<std::uint64_t> drops{0};         // queue full
  std::atomic<std::uint64_t> kernel_drops{0};  // the socket's receive buffer was full
  std::atomic<std::uint64_t> filtered{0};      // senders not allowed
};

}  // namespace skyfuse::live
