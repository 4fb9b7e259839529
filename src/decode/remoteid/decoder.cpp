#include "decode/remoteid/decoder.hpp"

namespace skyfuse::decode::remoteid {

namespace {
constexpr std::size_t kMaxAdvData = 1650;  // Bluetooth's limit for extended advertising data
}

void Decoder::error(std::int64_t frame, Error e) {
  ++stats_.errors;
  if (stats_.first_errors.size() < cfg_.kept_errors)
    stats_.first_errors.push_back({frame, std::move(e)});
}

void Decoder::count(const Decoded& d) {
  ++stats_.messages;
  ++stats_.messages_per_transport[static_cast<std::size_t>(d.transport)];
  ++stats_.messages_per_type[static_cast<std::size_t>(d.message.type())];
  if (d.message.protocol_version > 2) ++stats_.unknown_version;
}

Result<Bytes> Decoder::assemble(const Frame& f) {
  const SetKey key{f.mac.value_or(Mac{}), f.address_type, f.sid};
  auto it = pending_.find(key);
  if (f.fragment == Fragment::kTruncated) {
    if (it != pending_.end()) pending_.erase(it);
    return Error{ErrorCode::kTruncated, -1, "advertising data truncated by the controller"};
  }
  Bytes data = f.adv_data;
  if (it != pending_.end() || f.fragment == Fragment::kMore) {
    if (it == pending_.end()) {
      if (pending_.size() >= cfg_.max_pending_sets) pending_.clear();  // bounded state
      it = pending_.emplace(key, std::vector<std::uint8_t>{}).first;
    }
    std::vector<std::uint8_t>& buf = it->second;
    if (buf.size() + data.size() > kMaxAdvData) {
      pending_.erase(it);
      return Error{ErrorCode::kBadValue, -1, "advertising data fragments exceed 1650 bytes"};
    }
    buf.insert(buf.end(), data.begin(), data.end());
    if (f.fragment == Fragment::kMore) return Bytes{};
    assembled_ = std::move(buf);
    pending_.erase(it);
    data = assembled_;
  }
  return find_ble_odid(data);
}

}  // namespace skyfuse::decode::remoteid
