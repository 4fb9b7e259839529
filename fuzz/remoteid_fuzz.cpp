// Fuzz targets for the Remote ID receiver, one per entry point, chosen by
// SKYFUSE_FUZZ_ENTRY (fuzz/CMakeLists.txt builds this file once per entry):
//   0 message     decode_message          7 ble_ll        parse_ble_ll (DLT 251)
//   1 payload     parse_payload + msgs    8 ble_ll_phdr   parse_ble_ll_phdr (DLT 256)
//   2 beacon      find_beacon_odid        9 nordic        parse_nordic_ble (DLT 272)
//   3 nan         find_nan_odid          10 hci_h4        parse_hci_h4 (DLT 187)
//   4 ble_ad      find_ble_odid          11 hci_h4_phdr   parse_hci_h4_phdr (DLT 201)
//   5 ieee80211   parse_ieee80211        12 decoder       Decoder over a packet stream
//   6 radiotap    parse_radiotap         13 capture       a pcap/pcapng file via libpcap
// Beyond not crashing: every span returned lies inside the input, and decoded
// values stay in their documented ranges.
#include <cstddef>
#include <cstdint>

#include "decode/remoteid/capture.hpp"

namespace {

using namespace skyfuse::decode::remoteid;
using skyfuse::Result;

void require(bool ok) {
  if (!ok) __builtin_trap();
}

void inside(Bytes part, Bytes whole) {
  if (part.empty()) return;
  require(part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size());
}

void check_message(const Message& m) {
  if (const auto* l = std::get_if<Location>(&m.body)) {
    if (l->direction_deg) require(*l->direction_deg >= 0 && *l->direction_deg <= 360);
    if (l->speed_h_mps) require(*l->speed_h_mps >= 0 && *l->speed_h_mps <= 254.25);
    if (l->speed_v_mps) require(*l->speed_v_mps >= -64 && *l->speed_v_mps <= 63.5);
    if (l->lat_deg) require(l->lon_deg.has_value());
    if (l->timestamp_s) require(*l->timestamp_s >= 0 && *l->timestamp_s <= 3600);
    if (l->height_m) require(*l->height_m > -1000 && *l->height_m <= 31767.5);
  }
  if (const auto* b = std::get_if<BasicId>(&m.body)) require(b->uas_id.size <= 20);
  if (const auto* a = std::get_if<Auth>(&m.body)) require(a->data_size == 17 || a->data_size == 23);
  if (const auto* s = std::get_if<System>(&m.body)) require(s->area_radius_m <= 2550);
}

void payload(Bytes odid, Bytes whole) {
  inside(odid, whole);
  auto p = parse_payload(odid);
  if (!p) return;
  inside(p->bytes, whole);
  require(p->count() >= 1 && p->count() <= kMaxPackMessages);
  for (std::size_t i = 0; i < p->count(); ++i)
    if (auto m = decode_message(p->message(i))) check_message(*m);
}

void link(const Result<LinkResult>& r, Bytes whole) {
  if (!r) return;
  require(r->frames().size() <= kMaxFramesPerPacket);
  for (const Frame& f : r->frames()) {
    inside(f.adv_data, whole);
    if (auto a = find_ble_odid(f.adv_data)) payload(*a, whole);
    if (!f.odid.empty()) payload(f.odid, whole);
  }
}

void found(const Result<Bytes>& r, Bytes whole) {
  if (r) payload(*r, whole);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const Bytes in(data, size);
#if SKYFUSE_FUZZ_ENTRY == 0
  if (auto m = decode_message(in)) check_message(*m);
#elif SKYFUSE_FUZZ_ENTRY == 1
  payload(in, in);
#elif SKYFUSE_FUZZ_ENTRY == 2
  found(find_beacon_odid(in), in);
#elif SKYFUSE_FUZZ_ENTRY == 3
  found(find_nan_odid(in), in);
#elif SKYFUSE_FUZZ_ENTRY == 4
  found(find_ble_odid(in), in);
#elif SKYFUSE_FUZZ_ENTRY == 5
  link(parse_ieee80211(in), in);
#elif SKYFUSE_FUZZ_ENTRY == 6
  link(parse_radiotap(in), in);
#elif SKYFUSE_FUZZ_ENTRY == 7
  link(parse_ble_ll(in), in);
#elif SKYFUSE_FUZZ_ENTRY == 8
  link(parse_ble_ll_phdr(in), in);
#elif SKYFUSE_FUZZ_ENTRY == 9
  link(parse_nordic_ble(in), in);
#elif SKYFUSE_FUZZ_ENTRY == 10
  link(parse_hci_h4(in), in);
#elif SKYFUSE_FUZZ_ENTRY == 11
  link(parse_hci_h4_phdr(in), in);
#elif SKYFUSE_FUZZ_ENTRY == 12
  // First byte: the link type; then packets, each a length byte and its bytes
  // (HCI fragments of one advertising set across packets exercise reassembly).
  if (size < 1) return 0;
  static constexpr int kDlts[] = {kDltIeee80211, kDltRadiotap,      kDltHciH4,    kDltHciH4WithPhdr,
                                  kDltBleLl,     kDltBleLlWithPhdr, kDltNordicBle};
  const int dlt = kDlts[data[0] % 7];
  Decoder dec({.kept_errors = 4, .max_pending_sets = 3});
  std::size_t i = 1;
  std::int64_t frame = 0;
  long messages = 0;
  while (i < size) {
    const std::size_t n = std::min<std::size_t>(data[i], size - i - 1);
    ++frame;
    dec.decode(dlt, skyfuse::Time{frame}, frame, in.subspan(i + 1, n), [&](const Decoded& d) {
      ++messages;
      check_message(d.message);
    });
    i += 1 + n;
  }
  const DecoderStats& s = dec.stats();
  require(s.messages == messages && s.packets == frame && s.first_errors.size() <= 4);
  require(s.rid_packets + s.other_packets + s.check_failed <= s.packets);
#elif SKYFUSE_FUZZ_ENTRY == 13
  auto reader = CaptureReader::open_memory(in);
  if (!reader) return 0;
  long messages = 0;
  auto st = decode_capture(*reader, [&](const Decoded& d) {
    ++messages;
    check_message(d.message);
  });
  if (st) require(st->messages == messages);
#else
#error "SKYFUSE_FUZZ_ENTRY must be 0..13"
#endif
  return 0;
}
