#include "decode/remoteid/transport.hpp"

#include <string>

#include "decode/remoteid/detail/bytes.hpp"

namespace skyfuse::decode::remoteid {

namespace {
constexpr std::uint8_t kAsdStanOui[3] = {0xFA, 0x0B, 0xBC};
constexpr std::uint8_t kWfaOui[3] = {0x50, 0x6F, 0x9A};
constexpr std::uint8_t kOdidType = 0x0D;  // ASD-STAN OUI type and Bluetooth app code
constexpr std::uint8_t kNanOuiType = 0x13;
// First 6 bytes of SHA-256("org.opendroneid.remoteid").
constexpr std::uint8_t kOdidServiceId[6] = {0x88, 0x69, 0x19, 0x9D, 0x92, 0x09};

bool same(const std::uint8_t* a, const std::uint8_t* b, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i)
    if (a[i] != b[i]) return false;
  return true;
}

Error bad(ErrorCode code, std::size_t offset, std::string what) {
  return Error{code, static_cast<std::int64_t>(offset), std::move(what)};
}
}  // namespace

Result<Bytes> find_beacon_odid(Bytes ies) {
  std::size_t i = 0;
  while (i < ies.size()) {
    if (i + 2 > ies.size()) return bad(ErrorCode::kTruncated, i, "information element header cut");
    const std::uint8_t id = ies[i], len = ies[i + 1];
    if (i + 2 + len > ies.size())
      return bad(ErrorCode::kTruncated, i,
                 "information element " + std::to_string(id) + " of " + std::to_string(len) +
                     " bytes runs past the frame");
    const std::uint8_t* body = ies.data() + i + 2;
    if (id == 221 && len >= 4 && same(body, kAsdStanOui, 3) && body[3] == kOdidType)
      return ies.subspan(i + 6, len - 4u);
    i += 2u + len;
  }
  return Bytes{};
}

Result<Bytes> find_nan_odid(Bytes a) {
  // Public Action (4), Vendor Specific (9), Wi-Fi Alliance OUI, NAN type.
  if (a.size() < 6 || a[0] != 4 || a[1] != 9 || !same(a.data() + 2, kWfaOui, 3) ||
      a[5] != kNanOuiType)
    return Bytes{};
  std::size_t i = 6;
  while (i < a.size()) {
    if (i + 3 > a.size()) return bad(ErrorCode::kTruncated, i, "NAN attribute header cut");
    const std::uint8_t id = a[i];
    const std::size_t len = detail::le16(a.data() + i + 1);
    if (i + 3 + len > a.size())
      return bad(ErrorCode::kTruncated, i,
                 "NAN attribute " + std::to_string(id) + " of " + std::to_string(len) +
                     " bytes runs past the frame");
    const Bytes attr = a.subspan(i + 3, len);
    i += 3 + len;
    if (id != 0x03 || attr.size() < 6 || !same(attr.data(), kOdidServiceId, 6)) continue;
    // Service Descriptor Attribute: service ID (6), instance ID, requestor
    // instance ID, service control, then the optional fields it announces.
    if (attr.size() < 9) return bad(ErrorCode::kTruncated, i, "service descriptor cut short");
    const std::uint8_t control = attr[8];
    std::size_t j = 9;
    if (control & 0x40) j += 2;  // binding bitmap
    for (const std::uint8_t present : {std::uint8_t{0x04}, std::uint8_t{0x08}}) {
      if (!(control & present)) continue;  // matching filter, service response filter
      if (j >= attr.size()) return bad(ErrorCode::kTruncated, i, "service descriptor filter cut");
      j += 1u + attr[j];
    }
    if (!(control & 0x10)) return bad(ErrorCode::kMissingField, i, "ODID service without info");
    if (j >= attr.size()) return bad(ErrorCode::kTruncated, i, "service info length missing");
    const std::size_t info = attr[j];
    if (j + 1 + info > attr.size())
      return bad(ErrorCode::kTruncated, i,
                 "service info of " + std::to_string(info) + " bytes runs past the attribute");
    return attr.subspan(j + 1, info);
  }
  return Bytes{};
}

Result<Bytes> find_ble_odid(Bytes d) {
  std::size_t i = 0;
  while (i < d.size()) {
    const std::size_t len = d[i];
    if (len == 0) break;  // early termination: padding follows
    if (i + 1 + len > d.size())
      return bad(ErrorCode::kTruncated, i,
                 "AD structure of " + std::to_string(len) + " bytes runs past the data");
    const std::uint8_t* s = d.data() + i + 1;
    if (len >= 4 && s[0] == 0x16 && s[1] == 0xFA && s[2] == 0xFF && s[3] == kOdidType)
      return d.subspan(i + 5, len - 4);
    i += 1 + len;
  }
  return Bytes{};
}

}  // namespace skyfuse::decode::remoteid
