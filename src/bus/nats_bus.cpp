#include "bus/nats_bus.hpp"

#include <fmt/format.h>
#include <nats/nats.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

#include "core/error.hpp"

namespace skyfuse::bus {

namespace {

constexpr const char* kInputSubjects = "skyfuse.in.>";
constexpr const char* kTracksSubjects = "skyfuse.tracks.>";

std::string text(natsStatus s) {
  const char* last = nats_GetLastError(nullptr);
  return last && *last ? fmt::format("{} ({})", natsStatus_GetText(s), last)
                       : std::string(natsStatus_GetText(s));
}

std::string servers_text(const BusConfig& c) {
  std::string s;
  for (const auto& u : c.servers) s += (s.empty() ? "" : ", ") + u;
  return s;
}

}  // namespace

struct NatsBus::Impl {
  BusConfig cfg;
  natsOptions* opts = nullptr;
  natsConnection* nc = nullptr;
  jsCtx* js = nullptr;
  jsPubOptions pub{};
  BusCounters counters;
  std::string id_prefix;
  std::uint64_t next_id = 0;
  std::mutex failed_mu;
  std::vector<std::pair<std::uint64_t, natsMsg*>> failed;  // (publish order, message)

  ~Impl() {
    // The library calls the connection's callbacks on its own thread, after
    // Close returns: wait for the closed callback (the last one) before this
    // object goes, then nothing can add to `failed` any more.
    if (nc) {
      natsConnection_Close(nc);
      std::unique_lock lock(closed_mu);
      closed_cv.wait_for(lock, std::chrono::seconds(5), [this] { return closed; });
    }
    if (js) jsCtx_Destroy(js);
    if (nc) natsConnection_Destroy(nc);
    {
      std::lock_guard lock(failed_mu);
      for (auto& f : failed) natsMsg_Destroy(f.second);
      failed.clear();
    }
    if (opts) natsOptions_Destroy(opts);
  }

  std::mutex closed_mu;
  std::condition_variable closed_cv;
  bool closed = false;
  static void on_closed(natsConnection*, void* closure) {
    auto* im = static_cast<Impl*>(closure);
    std::lock_guard lock(im->closed_mu);
    im->closed = true;
    im->closed_cv.notify_all();
  }

  void check(natsStatus s, const char* what) const {
    if (s != NATS_OK)
      throw ConfigError(fmt::format("NATS ({}): {}: {}", servers_text(cfg), what, text(s)));
  }

  static void on_disconnected(natsConnection*, void* closure) {
    ++static_cast<Impl*>(closure)->counters.disconnects;
  }
  static void on_reconnected(natsConnection*, void* closure) {
    ++static_cast<Impl*>(closure)->counters.reconnects;
  }
  // An acknowledgement that failed: a time-out or no responder (a server of
  // the cluster went away) is kept and resent by resend_failed(), in publish
  // order, under its message id (the stream's de-duplication keeps one copy
  // of what did arrive); a refusal by JetStream itself is counted as lost.
  static void on_publish_error(jsCtx*, jsPubAckErr* pae, void* closure) {
    auto* im = static_cast<Impl*>(closure);
    const bool transient =
        pae->ErrCode == 0 && (pae->Err == NATS_TIMEOUT || pae->Err == NATS_NO_RESPONDERS ||
                              pae->Err == NATS_CONNECTION_DISCONNECTED);
    if (!transient || !pae->Msg) {
      ++im->counters.lost;
      return;
    }
    std::uint64_t order = 0;
    const char* id = nullptr;
    if (natsMsgHeader_Get(pae->Msg, "Nats-Msg-Id", &id) == NATS_OK && id) {
      const std::string_view v(id);
      const std::size_t cut = v.find_last_of("-:");
      if (cut != std::string_view::npos)
        std::from_chars(v.data() + cut + 1, v.data() + v.size(), order);
    }
    std::lock_guard lock(im->failed_mu);
    im->failed.emplace_back(order, pae->Msg);
    pae->Msg = nullptr;  // ours now: not destroyed by the library
  }

  void resend_failed() {
    std::vector<std::pair<std::uint64_t, natsMsg*>> again;
    {
      std::lock_guard lock(failed_mu);
      if (failed.empty()) return;
      if (natsConnection_Status(nc) != NATS_CONN_STATUS_CONNECTED) return;
      again.swap(failed);
    }
    std::stable_sort(again.begin(), again.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    std::size_t i = 0;
    for (; i < again.size(); ++i) {
      if (js_PublishMsgAsync(js, &again[i].second, &pub) != NATS_OK) break;
      ++counters.resent;
    }
    if (i < again.size()) {
      std::lock_guard lock(failed_mu);
      failed.insert(failed.end(), again.begin() + static_cast<std::ptrdiff_t>(i), again.end());
    }
  }

  std::size_t failed_count() {
    std::lock_guard lock(failed_mu);
    return failed.size();
  }

  bool publish(const std::string& subject, const void* data, std::size_t size,
               const std::vector<std::pair<std::string, std::string>>& headers, std::string& why,
               const std::string& msg_id) {
    natsMsg* msg = nullptr;
    natsStatus s =
        natsMsg_Create(&msg, subject.c_str(), nullptr, size ? static_cast<const char*>(data) : "",
                       static_cast<int>(size));
    for (const auto& [k, v] : headers)
      if (s == NATS_OK) s = natsMsgHeader_Set(msg, k.c_str(), v.c_str());
    if (s == NATS_OK) s = natsMsgHeader_Set(msg, "Nats-Msg-Id", msg_id.c_str());
    if (s == NATS_OK) s = js_PublishMsgAsync(js, &msg, &pub);
    if (msg) natsMsg_Destroy(msg);  // still ours: not accepted
    if (s != NATS_OK) {
      why = text(s);
      return false;
    }
    ++counters.published;
    return true;
  }

  // The stream's last sequence number (0: empty); ConfigError if it cannot tell.
  std::uint64_t last_sequence(const std::string& stream) {
    jsStreamInfo* si = nullptr;
    jsErrCode jerr = static_cast<jsErrCode>(0);
    natsStatus s = NATS_TIMEOUT;
    // A stream whose leader is being elected (a node went away) answers late.
    for (int attempt = 0; attempt < 5 && s == NATS_TIMEOUT; ++attempt)
      s = js_GetStreamInfo(&si, js, stream.c_str(), nullptr, &jerr);
    if (s != NATS_OK)
      throw ConfigError(
          fmt::format("NATS ({}): stream {}: {}", servers_text(cfg), stream, text(s)));
    const std::uint64_t last = si->State.LastSeq;
    jsStreamInfo_Destroy(si);
    return last;
  }

  // The last message of `subject` in the tracks stream: true with *msg set
  // (the caller destroys it), true with *msg null if there is none, false
  // with `why` if the stream cannot tell now.
  bool last_track_message(const std::string& subject, natsMsg** msg, std::string& why) {
    *msg = nullptr;
    jsErrCode jerr = static_cast<jsErrCode>(0);
    natsStatus s = NATS_TIMEOUT;
    for (int attempt = 0; attempt < 5 && s == NATS_TIMEOUT; ++attempt)  // as last_sequence
      s = js_GetLastMsg(msg, js, cfg.tracks_stream.c_str(), subject.c_str(), nullptr, &jerr);
    if (s == NATS_NOT_FOUND || jerr == JSNoMessageFoundErr) {
      *msg = nullptr;
      return true;
    }
    if (s != NATS_OK) {
      why = fmt::format("last message of {}: {}", subject, text(s));
      return false;
    }
    return true;
  }

  static std::optional<std::pair<std::string, std::uint64_t>> track_id_of(natsMsg* msg) {
    const char* id = nullptr;
    if (natsMsgHeader_Get(msg, "Nats-Msg-Id", &id) != NATS_OK || !id) return std::nullopt;
    return parse_track_message_id(id);
  }

  void add_or_update(const std::string& name, const char* subjects) {
    const char* subj[1] = {subjects};
    jsStreamConfig sc;
    jsStreamConfig_Init(&sc);
    sc.Name = name.c_str();
    sc.Subjects = subj;
    sc.SubjectsLen = 1;
    sc.Storage = js_FileStorage;
    sc.Replicas = cfg.replicas;
    sc.MaxAge = static_cast<std::int64_t>(cfg.max_age_s * 1e9);
    sc.MaxBytes = static_cast<std::int64_t>(cfg.max_mb * 1048576.0);
    sc.Duplicates = static_cast<std::int64_t>(120e9);  // de-duplication window of resends
    jsStreamInfo* si = nullptr;
    jsErrCode jerr = static_cast<jsErrCode>(0);
    // A cluster that is still electing or forming (no peers to place the
    // replicas on yet), or two instances creating the same stream at once,
    // answers late or "not found" (the other's creation not yet done): asked
    // again, for up to 5 s.
    natsStatus s = NATS_TIMEOUT;
    for (int attempt = 0; attempt < 25; ++attempt) {
      if (si) jsStreamInfo_Destroy(si);
      si = nullptr;
      jerr = static_cast<jsErrCode>(0);
      s = js_AddStream(&si, js, &sc, nullptr, &jerr);
      if (s != NATS_OK && jerr == JSStreamNameExistErr)
        s = js_UpdateStream(&si, js, &sc, nullptr, &jerr);
      const bool again = s == NATS_TIMEOUT || s == NATS_NOT_FOUND || jerr == JSStreamNotFoundErr ||
                         jerr == JSClusterNoPeersErr;
      if (s == NATS_OK || !again) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    if (si) jsStreamInfo_Destroy(si);
    if (s != NATS_OK)
      throw ConfigError(fmt::format("NATS ({}): stream {}: {} (JetStream error {})",
                                    servers_text(cfg), name, text(s), static_cast<int>(jerr)));
  }
};

NatsBus::NatsBus(const BusConfig& cfg, const std::string& client_name)
    : impl_(std::make_unique<Impl>()) {
  Impl& m = *impl_;
  m.cfg = cfg;
  if (m.cfg.token.empty())
    if (const char* t = std::getenv("SKYFUSE_NATS_TOKEN")) m.cfg.token = t;
  m.id_prefix = fmt::format("{}-{}", client_name,
                            std::chrono::system_clock::now().time_since_epoch().count());
  for (char& c : m.id_prefix)
    if (c == ' ') c = '_';
  m.check(natsOptions_Create(&m.opts), "options");
  std::vector<const char*> urls;
  for (const auto& u : m.cfg.servers) urls.push_back(u.c_str());
  m.check(natsOptions_SetServers(m.opts, urls.data(), static_cast<int>(urls.size())), "servers");
  m.check(natsOptions_SetName(m.opts, client_name.c_str()), "name");
  m.check(natsOptions_SetTimeout(m.opts, static_cast<std::int64_t>(m.cfg.connect_timeout_s * 1e3)),
          "timeout");
  m.check(natsOptions_SetMaxReconnect(m.opts, -1), "reconnect");  // forever
  m.check(natsOptions_SetReconnectWait(m.opts, 250), "reconnect wait");
  m.check(natsOptions_SetReconnectBufSize(m.opts, 64 * 1024 * 1024), "reconnect buffer");
  m.check(natsOptions_SetDisconnectedCB(m.opts, &Impl::on_disconnected, &m), "callback");
  m.check(natsOptions_SetReconnectedCB(m.opts, &Impl::on_reconnected, &m), "callback");
  m.check(natsOptions_SetClosedCB(m.opts, &Impl::on_closed, &m), "callback");
  if (!m.cfg.token.empty()) m.check(natsOptions_SetToken(m.opts, m.cfg.token.c_str()), "token");
  if (!m.cfg.creds_file.empty())
    m.check(natsOptions_SetUserCredentialsFromFiles(m.opts, m.cfg.creds_file.c_str(), nullptr),
            "credentials");
  if (!m.cfg.nkey.empty())
    m.check(natsOptions_SetNKeyFromSeed(m.opts, m.cfg.nkey.c_str(), m.cfg.nkey_seed_file.c_str()),
            "nkey");
  m.check(natsConnection_Connect(&m.nc, m.opts), "connect");
  jsOptions jo;
  jsOptions_Init(&jo);
  jo.Wait = 10000;  // JetStream API requests (a replicated stream's creation)
  jo.PublishAsync.MaxPending = m.cfg.max_pending_publishes;
  jo.PublishAsync.ErrHandler = &Impl::on_publish_error;
  jo.PublishAsync.ErrHandlerClosure = &m;
  jo.PublishAsync.StallWait = 10000;
  m.check(natsConnection_JetStream(&m.js, m.nc, &jo), "JetStream");
  jsPubOptions_Init(&m.pub);
  m.pub.MaxWait = 5000;  // an acknowledgement not back by then is resent
}

NatsBus::~NatsBus() = default;

void NatsBus::ensure_streams() {
  impl_->add_or_update(impl_->cfg.input_stream, kInputSubjects);
  impl_->add_or_update(impl_->cfg.tracks_stream, kTracksSubjects);
}

bool NatsBus::publish_input(InputMessage& m, std::string& why) {
  impl_->resend_failed();
  m.ingest = impl_->id_prefix;
  m.sequence = ++impl_->next_id;
  if (impl_->publish(input_subject(m.sensor), m.bytes.data(), m.bytes.size(), input_headers(m), why,
                     fmt::format("{}-{}", m.ingest, m.sequence)))
    return true;
  --impl_->next_id;  // refused before it left: its number is given to the next, no gap
  return false;
}

RegionLease::RegionLease(NatsBus& bus, std::string region, std::string holder)
    : bus_(bus), region_(std::move(region)), holder_(std::move(holder)) {
  // A key-value key allows [-/_=.a-zA-Z0-9]: the subject token with '%' as '='.
  key_ = subject_token(region_);
  for (char& c : key_)
    if (c == '%') c = '=';
  const NatsBus::Impl& b = *bus_.impl_;
  kvConfig kc;
  kvConfig_Init(&kc);
  kc.Bucket = b.cfg.lease_bucket.c_str();
  kc.History = 1;
  kc.TTL = static_cast<std::int64_t>(b.cfg.lease_s * 1e9);
  kc.Replicas = b.cfg.replicas;
  kc.StorageType = js_MemoryStorage;
  kvStore* kv = nullptr;
  natsStatus s = NATS_TIMEOUT;
  // As for the streams: another instance may be creating the bucket now.
  for (int attempt = 0; attempt < 25; ++attempt) {
    s = js_CreateKeyValue(&kv, b.js, &kc);
    if (s != NATS_OK && s != NATS_TIMEOUT)
      s = js_KeyValue(&kv, b.js, kc.Bucket);  // exists (another lease time?)
    if (s == NATS_OK) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  if (s != NATS_OK)
    throw ConfigError(fmt::format("NATS ({}): lease bucket {}: {}", servers_text(b.cfg),
                                  b.cfg.lease_bucket, text(s)));
  kv_ = kv;
  worker_ = std::jthread([this](std::stop_token stop) { keep(stop); });
}

RegionLease::~RegionLease() {
  worker_.request_stop();
  if (worker_.joinable()) worker_.join();
  auto* kv = static_cast<kvStore*>(kv_);
  // A clean stop hands the region over at once instead of after lease_s.
  // Only if still ours: renewed by compare-and-set first (an owner whose lease
  // expired unnoticed must not delete its successor's).
  std::uint64_t rev = 0;
  if (held() && kvStore_Update(&rev, kv, key_.c_str(), holder_.data(),
                               static_cast<int>(holder_.size()), revision_) == NATS_OK)
    kvStore_Delete(kv, key_.c_str());
  kvStore_Destroy(kv);
}

void RegionLease::keep(std::stop_token stop) {
  // The owner renews every lease_s / 4; a standby tries every lease_s / 10, so
  // it takes a dead owner's region at most lease_s / 10 after the entry expired.
  const double lease_s = bus_.impl_->cfg.lease_s;
  auto* kv = static_cast<kvStore*>(kv_);
  std::mutex m;
  std::condition_variable_any wake;
  while (!stop.stop_requested()) {
    const bool was = held_.load(std::memory_order_relaxed);
    std::uint64_t rev = 0;
    const natsStatus s = was ? kvStore_Update(&rev, kv, key_.c_str(), holder_.data(),
                                              static_cast<int>(holder_.size()), revision_)
                             : kvStore_Create(&rev, kv, key_.c_str(), holder_.data(),
                                              static_cast<int>(holder_.size()));
    if (s == NATS_OK) revision_ = rev;
    held_.store(s == NATS_OK, std::memory_order_release);
    std::unique_lock lock(m);
    wake.wait_for(lock, stop, std::chrono::duration<double>(lease_s / (s == NATS_OK ? 4 : 10)),
                  [] { return false; });
  }
}

bool NatsBus::publish_track(std::string_view region, std::uint64_t index,
                            std::string_view json_line, std::string& why, std::int64_t arrival_ns) {
  impl_->resend_failed();
  std::vector<std::pair<std::string, std::string>> headers;
  if (arrival_ns > 0) headers.emplace_back("Skyfuse-Arrival-Ns", std::to_string(arrival_ns));
  return impl_->publish(tracks_subject(region), json_line.data(), json_line.size(), headers, why,
                        track_message_id(region, index));
}

std::optional<std::uint64_t> NatsBus::last_track_index(std::string_view region, std::string& why) {
  natsMsg* msg = nullptr;
  if (!impl_->last_track_message(tracks_subject(region), &msg, why)) return std::nullopt;
  if (!msg) return 0;
  const auto id = Impl::track_id_of(msg);
  natsMsg_Destroy(msg);
  return id && id->first == region ? id->second : 0;
}

bool NatsBus::flush(double timeout_s, std::string& why) {
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::milliseconds(static_cast<long>(timeout_s * 1e3));
  while (true) {
    impl_->resend_failed();
    jsPubOptions o;
    jsPubOptions_Init(&o);
    o.MaxWait = 200;
    const natsStatus s = js_PublishAsyncComplete(impl_->js, &o);
    if (s == NATS_OK && impl_->failed_count() == 0) return true;
    if (std::chrono::steady_clock::now() >= deadline) {
      why = s != NATS_OK ? text(s)
                         : fmt::format("{} messages not acknowledged", impl_->failed_count());
      return false;
    }
  }
}

void NatsBus::resend_failed() { impl_->resend_failed(); }

std::uint64_t NatsBus::input_last_sequence() {
  return impl_->last_sequence(impl_->cfg.input_stream);
}

const BusConfig& NatsBus::config() const { return impl_->cfg; }
const BusCounters& NatsBus::counters() const { return impl_->counters; }

std::string NatsBus::connected_url() const {
  char buf[256] = {0};
  if (natsConnection_GetConnectedUrl(impl_->nc, buf, sizeof buf) != NATS_OK) return "";
  return buf;
}

namespace {

class MsgHeaders final : public HeaderLookup {
 public:
  explicit MsgHeaders(natsMsg* m) : m_(m) {}
  std::optional<std::string> get(const char* key) const override {
    const char* v = nullptr;
    if (natsMsgHeader_Get(m_, key, &v) != NATS_OK || !v) {
      return std::nullopt;
    }
    return std::string(v);
  }

 private:
  natsMsg* m_;
};

}  // namespace

// An ordered consumer's subscription (shared by the readers).
struct Subscription {
  natsSubscription* sub = nullptr;
  Subscription(const NatsBus::Impl& b, const std::string& stream, const std::string& subjects,
               const std::string& start) {
    jsSubOptions so;
    jsSubOptions_Init(&so);
    so.Stream = stream.c_str();
    so.Ordered = true;
    if (start == "all") {
      so.Config.DeliverPolicy = js_DeliverAll;
    } else if (start == "new") {
      so.Config.DeliverPolicy = js_DeliverNew;
    } else {
      so.Config.DeliverPolicy = js_DeliverByStartTime;
      so.Config.OptStartTime = static_cast<std::int64_t>(std::stod(start) * 1e9);
    }
    jsErrCode jerr = static_cast<jsErrCode>(0);
    natsStatus s = NATS_TIMEOUT;
    // A cluster that just lost a node answers the consumer's creation late.
    for (int attempt = 0; attempt < 5 && s == NATS_TIMEOUT; ++attempt)
      s = js_SubscribeSync(&sub, b.js, subjects.c_str(), nullptr, &so, &jerr);
    if (s != NATS_OK)
      throw ConfigError(fmt::format("NATS ({}): reading stream {}: {} (JetStream error {})",
                                    servers_text(b.cfg), stream, text(s), static_cast<int>(jerr)));
  }
  ~Subscription() {
    if (sub) {
      natsSubscription_Unsubscribe(sub);
      natsSubscription_Destroy(sub);
    }
  }
  // The next message (the caller destroys it) or a verdict.
  enum class Got { kMessage, kTimeout, kBad, kClosed };
  Got next(natsMsg** msg, int timeout_ms, std::string& why, std::uint64_t& sequence) {
    const natsStatus s = natsSubscription_NextMsg(msg, sub, timeout_ms);
    if (s == NATS_TIMEOUT) return Got::kTimeout;
    if (s == NATS_CONNECTION_CLOSED || s == NATS_INVALID_SUBSCRIPTION) {
      why = text(s);
      return Got::kClosed;
    }
    if (s != NATS_OK) {
      why = text(s);
      return Got::kBad;
    }
    sequence = 0;
    jsMsgMetaData* meta = nullptr;
    if (natsMsg_GetMetaData(&meta, *msg) == NATS_OK) {
      sequence = meta->Sequence.Stream;
      jsMsgMetaData_Destroy(meta);
    }
    return Got::kMessage;
  }
};

struct InputReader::Impl : Subscription {
  using Subscription::Subscription;
};

InputReader::InputReader(NatsBus& bus, const std::string& start)
    : impl_(
          std::make_unique<Impl>(*bus.impl_, bus.impl_->cfg.input_stream, kInputSubjects, start)) {}

InputReader::~InputReader() = default;

InputReader::Next InputReader::next(InputMessage& m, int timeout_ms, std::string& why) {
  natsMsg* msg = nullptr;
  switch (impl_->next(&msg, timeout_ms, why, m.stream_sequence)) {
    case Subscription::Got::kTimeout:
      return Next::kTimeout;
    case Subscription::Got::kClosed:
      return Next::kClosed;
    case Subscription::Got::kBad:
      return Next::kBad;
    case Subscription::Got::kMessage:
      break;
  }
  Next r = Next::kMessage;
  const auto sensor = sensor_of_subject(natsMsg_GetSubject(msg));
  if (!sensor) {
    why = fmt::format("subject \"{}\" names no sensor", natsMsg_GetSubject(msg));
    r = Next::kBad;
  } else if (m.sensor = *sensor; !parse_input_headers(MsgHeaders(msg), m, why)) {
    r = Next::kBad;
  } else {
    const auto* d = reinterpret_cast<const std::uint8_t*>(natsMsg_GetData(msg));
    m.bytes.assign(d, d + natsMsg_GetDataLength(msg));
  }
  natsMsg_Destroy(msg);
  return r;
}

struct TrackReader::Impl : Subscription {
  using Subscription::Subscription;
};

TrackReader::TrackReader(NatsBus& bus, const std::string& region, const std::string& start)
    : impl_(std::make_unique<Impl>(
          *bus.impl_, bus.impl_->cfg.tracks_stream,
          region.empty() ? std::string(kTracksSubjects) : tracks_subject(region), start)) {}

TrackReader::~TrackReader() = default;

InputReader::Next TrackReader::next(TrackUpdate& u, int timeout_ms, std::string& why) {
  std::uint64_t& sequence = u.stream_sequence;
  natsMsg* msg = nullptr;
  switch (impl_->next(&msg, timeout_ms, why, sequence)) {
    case Subscription::Got::kTimeout:
      return InputReader::Next::kTimeout;
    case Subscription::Got::kClosed:
      return InputReader::Next::kClosed;
    case Subscription::Got::kBad:
      return InputReader::Next::kBad;
    case Subscription::Got::kMessage:
      break;
  }
  u.line.assign(natsMsg_GetData(msg), static_cast<std::size_t>(natsMsg_GetDataLength(msg)));
  // The region and the message's number, from the id publish_track gave it.
  const auto id = NatsBus::Impl::track_id_of(msg);
  u.region = id ? id->first : "";
  u.index = id ? id->second : 0;
  u.arrival_ns = 0;
  const char* arrival = nullptr;
  if (natsMsgHeader_Get(msg, "Skyfuse-Arrival-Ns", &arrival) == NATS_OK && arrival) {
    std::int64_t v = 0;
    const std::string_view text(arrival);
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec == std::errc{} && end == text.data() + text.size() && v > 0) u.arrival_ns = v;
  }
  natsMsg_Destroy(msg);
  return InputReader::Next::kMessage;
}

std::uint64_t NatsBus::tracks_last_sequence(std::string_view region) {
  if (region.empty()) return impl_->last_sequence(impl_->cfg.tracks_stream);
  // The stream's sequence of the region's own last message (0: none).
  natsMsg* msg = nullptr;
  std::string why;
  if (!impl_->last_track_message(tracks_subject(region), &msg, why))
    throw ConfigError(fmt::format("NATS ({}): {}", servers_text(impl_->cfg), why));
  if (!msg) return 0;
  const std::uint64_t seq = natsMsg_GetSequence(msg);
  natsMsg_Destroy(msg);
  return seq;
}

}  // namespace skyfuse::bus
