#include "record/asterix_export.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string>

namespace skyfuse::record {

namespace {
void le32(std::string& o, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) o += static_cast<char>((v >> (8 * i)) & 0xff);
}
void le16(std::string& o, std::uint16_t v) {
  o += static_cast<char>(v & 0xff);
  o += static_cast<char>(v >> 8);
}
void be16(std::string& o, std::uint16_t v) {
  o += static_cast<char>(v >> 8);
  o += static_cast<char>(v & 0xff);
}
std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  return a / b - (a % b != 0 && a < 0 ? 1 : 0);
}
}  // namespace

PcapWriter::PcapWriter(std::ostream& out) : out_(out) {
  std::string h;
  le32(h, 0xa1b2c3d4);  // microsecond time stamps
  le16(h, 2);           // version 2.4
  le16(h, 4);
  le32(h, 0);       // this zone: UTC
  le32(h, 0);       // sigfigs
  le32(h, 262144);  // snap length: every frame whole
  le32(h, 1);       // LINKTYPE_ETHERNET
  out_.write(h.data(), static_cast<std::streamsize>(h.size()));
}

bool PcapWriter::write(Time t, const UdpEndpoints& ep, std::span<const std::uint8_t> payload) {
  if (payload.size() > kMaxPayload) return false;
  const auto n = static_cast<std::uint16_t>(payload.size());
  std::string f;
  f.reserve(14 + 20 + 8 + payload.size() + 16);
  // Ethernet II: locally administered addresses, IPv4.
  const char dst_mac[6] = {0x02, 0, 0, 0, 0, 0x02}, src_mac[6] = {0x02, 0, 0, 0, 0, 0x01};
  f.append(dst_mac, 6);
  f.append(src_mac, 6);
  be16(f, 0x0800);
  const std::size_t ip = f.size();
  f += static_cast<char>(0x45);  // IPv4, 5 words
  f += '\0';
  be16(f, static_cast<std::uint16_t>(20 + 8 + n));
  be16(f, ip_id_++);
  be16(f, 0x4000);  // don't fragment
  f += static_cast<char>(64);
  f += static_cast<char>(17);  // UDP
  be16(f, 0);                  // checksum, below
  for (auto b : ep.src_ip) f += static_cast<char>(b);
  for (auto b : ep.dst_ip) f += static_cast<char>(b);
  std::uint32_t sum = 0;
  for (std::size_t i = ip; i < ip + 20; i += 2)
    sum += (static_cast<std::uint32_t>(static_cast<std::uint8_t>(f[i])) << 8) |
           static_cast<std::uint8_t>(f[i + 1]);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  const auto check = static_cast<std::uint16_t>(~sum & 0xffff);
  f[ip + 10] = static_cast<char>(check >> 8);
  f[ip + 11] = static_cast<char>(check & 0xff);
  be16(f, ep.src_port);
  be16(f, ep.dst_port);
  be16(f, static_cast<std::uint16_t>(8 + n));
  be16(f, 0);  // no UDP checksum
  f.append(reinterpret_cast<const char*>(payload.data()), payload.size());
  std::string rec;
  const std::int64_t us = floor_div(t.ns, 1000);
  const std::int64_t s = std::clamp<std::int64_t>(floor_div(us, 1000000), 0, UINT32_MAX);
  le32(rec, static_cast<std::uint32_t>(s));
  le32(rec, static_cast<std::uint32_t>(us - floor_div(us, 1000000) * 1000000));
  le32(rec, static_cast<std::uint32_t>(f.size()));
  le32(rec, static_cast<std::uint32_t>(f.size()));
  out_.write(rec.data(), static_cast<std::streamsize>(rec.size()));
  out_.write(f.data(), static_cast<std::streamsize>(f.size()));
  return true;
}

bool FinalWriter::write(Time t, std::uint8_t board, std::uint8_t line,
                        std::span<const std::uint8_t> blocks) {
  if (blocks.size() > kMaxPayload) return false;
  constexpr std::int64_t kDay = 86400LL * 100;  // 1/100 s
  const std::int64_t cs = floor_div(t.ns, 10'000'000);
  const std::int64_t day = floor_div(cs, kDay);
  const auto tod = static_cast<std::uint32_t>(cs - day * kDay);
  const std::chrono::year_month_day ymd{std::chrono::sys_days{std::chrono::days{day}}};
  std::string f;
  be16(f, static_cast<std::uint16_t>(8 + blocks.size() + 4));
  f += static_cast<char>(board);
  f += static_cast<char>(line);
  f += static_cast<char>(static_cast<unsigned>(ymd.day()));
  f += static_cast<char>((tod >> 16) & 0xff);
  f += static_cast<char>((tod >> 8) & 0xff);
  f += static_cast<char>(tod & 0xff);
  f.append(reinterpret_cast<const char*>(blocks.data()), blocks.size());
  f.append(4, static_cast<char>(0xA5));
  out_.write(f.data(), static_cast<std::streamsize>(f.size()));
  return true;
}

}  // namespace skyfuse::record
