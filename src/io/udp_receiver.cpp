#include "io/udp_receiver.hpp"

#include <fmt/format.h>
#include <linux/sock_diag.h>
#include <net/if.h>
#include <sys/socket.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <vector>

#include "core/error.hpp"
#include "io/asio.hpp"

namespace skyfuse::io {

namespace asio = boost::asio;
using asio::ip::udp;

namespace {
// An allowed sender: an address and a prefix length (bits), IPv4 or IPv6.
struct Prefix {
  asio::ip::address address;
  unsigned bits = 0;
  bool contains(const asio::ip::address& a) const {
    auto v = a;
    if (v.is_v6() && v.to_v6().is_v4_mapped() && address.is_v4())
      v = asio::ip::make_address_v4(asio::ip::v4_mapped, v.to_v6());
    if (v.is_v4() != address.is_v4()) return false;
    std::array<unsigned char, 16> x{}, y{};
    std::size_t n = 0;
    if (v.is_v4()) {
      const auto b1 = v.to_v4().to_bytes(), b2 = address.to_v4().to_bytes();
      std::copy(b1.begin(), b1.end(), x.begin());
      std::copy(b2.begin(), b2.end(), y.begin());
      n = 4;
    } else {
      x = v.to_v6().to_bytes();
      y = address.to_v6().to_bytes();
      n = 16;
    }
    unsigned left = bits;
    for (std::size_t i = 0; i < n && left > 0; ++i) {
      const unsigned take = left >= 8 ? 8 : left;
      const unsigned mask = (0xffu << (8 - take)) & 0xffu;
      if ((x[i] & mask) != (y[i] & mask)) return false;
      left -= take;
    }
    return true;
  }
};

Prefix parse_prefix(const std::string& text) {
  const auto slash = text.find('/');
  boost::system::error_code ec;
  Prefix p;
  p.address = asio::ip::make_address(text.substr(0, slash), ec);
  const unsigned max = p.address.is_v4() ? 32 : 128;
  p.bits = max;
  if (!ec && slash != std::string::npos) {
    const std::string b = text.substr(slash + 1);
    if (b.empty() || b.size() > 3 || b.find_first_not_of("0123456789") != std::string::npos ||
        std::stoul(b) > max)
      ec = asio::error::invalid_argument;
    else
      p.bits = static_cast<unsigned>(std::stoul(b));
  }
  if (ec)
    throw ConfigError(fmt::format("udp: allow_from entry '{}' is not an address or prefix", text));
  return p;
}
}  // namespace

struct UdpReceiver::Impl {
  UdpConfig cfg;
  asio::io_context ctx;
  udp::socket socket{ctx};
  std::vector<std::uint8_t> buffer;
  std::vector<Prefix> allowed;
  std::atomic<std::uint64_t> kernel_drops{0};
  std::atomic<std::uint64_t> filtered{0};
  bool overflow_counter = false;  // SO_RXQ_OVFL enabled
};

UdpReceiver::UdpReceiver(UdpConfig cfg) : impl_(std::make_unique<Impl>()) {
  Impl& m = *impl_;
  m.cfg = std::move(cfg);
  m.buffer.resize(m.cfg.max_datagram);
  for (const std::string& a : m.cfg.allow_from) m.allowed.push_back(parse_prefix(a));
  boost::system::error_code ec;
  const bool multicast = !m.cfg.group.empty();
  asio::ip::address listen =
      asio::ip::make_address(multicast ? std::string("0.0.0.0") : m.cfg.bind_address, ec);
  if (ec) throw ConfigError(fmt::format("udp: bad bind address '{}'", m.cfg.bind_address));
  const udp::endpoint ep(listen, m.cfg.port);
  m.socket.open(ep.protocol(), ec);
  if (ec) throw ConfigError(fmt::format("udp: cannot open a socket: {}", ec.message()));
  const int fd = m.socket.native_handle();
  m.socket.set_option(asio::socket_base::reuse_address(true), ec);
  if (!m.cfg.device.empty()) {
    if (m.cfg.device.size() >= IFNAMSIZ ||
        ::setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, m.cfg.device.c_str(),
                     static_cast<socklen_t>(m.cfg.device.size())) != 0)
      throw ConfigError(
          fmt::format("udp: cannot bind to device '{}': {}", m.cfg.device, std::strerror(errno)));
  }
  if (m.cfg.receive_buffer_bytes > 0) {
    // FORCE passes the system's rmem_max cap (with CAP_NET_ADMIN); else the
    // request is silently capped: receive_buffer() tells what was granted.
    const int want = m.cfg.receive_buffer_bytes;
    if (::setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &want, sizeof want) != 0)
      ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &want, sizeof want);
  }
  const int one = 1;
  m.overflow_counter = ::setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof one) == 0;
  m.socket.bind(ep, ec);
  if (ec)
    throw ConfigError(
        fmt::format("udp: cannot bind {}:{}: {}", listen.to_string(), m.cfg.port, ec.message()));
  if (multicast) {
    const auto group = asio::ip::make_address(m.cfg.group, ec);
    if (ec || !group.is_v4() || !group.is_multicast())
      throw ConfigError(fmt::format("udp: '{}' is not an IPv4 multicast group", m.cfg.group));
    asio::ip::address_v4 iface = asio::ip::address_v4::any();
    if (!m.cfg.interface_address.empty()) {
      const auto a = asio::ip::make_address(m.cfg.interface_address, ec);
      if (ec || !a.is_v4())
        throw ConfigError(fmt::format("udp: bad interface address '{}'", m.cfg.interface_address));
      iface = a.to_v4();
    }
    m.socket.set_option(asio::ip::multicast::join_group(group.to_v4(), iface), ec);
    if (ec)
      throw ConfigError(fmt::format("udp: cannot join {} on {}: {}", m.cfg.group, iface.to_string(),
                                    ec.message()));
  }
  m.socket.non_blocking(true, ec);
}

UdpReceiver::~UdpReceiver() = default;

std::uint16_t UdpReceiver::port() const { return impl_->socket.local_endpoint().port(); }

int UdpReceiver::receive_buffer() const {
  int v = 0;
  socklen_t n = sizeof v;
  ::getsockopt(const_cast<udp::socket&>(impl_->socket).native_handle(), SOL_SOCKET, SO_RCVBUF, &v,
               &n);
  return v;
}

std::uint64_t UdpReceiver::kernel_drops() const {
  // The socket's drop counter as it is now (SO_MEMINFO, Linux 4.6+); the
  // SO_RXQ_OVFL value seen on the last datagram otherwise.
  std::uint32_t info[SK_MEMINFO_VARS] = {};
  socklen_t n = sizeof info;
  if (::getsockopt(const_cast<udp::socket&>(impl_->socket).native_handle(), SOL_SOCKET, SO_MEMINFO,
                   info, &n) == 0 &&
      n > SK_MEMINFO_DROPS * sizeof(std::uint32_t))
    return std::max<std::uint64_t>(info[SK_MEMINFO_DROPS], impl_->kernel_drops.load());
  return impl_->kernel_drops.load();
}
std::uint64_t UdpReceiver::filtered() const { return impl_->filtered.load(); }

void UdpReceiver::stop() {
  asio::post(impl_->ctx, [this] { impl_->ctx.stop(); });
}

UdpStats UdpReceiver::run_for(std::chrono::steady_clock::duration duration, const Sink& sink) {
  Impl& m = *impl_;
  UdpStats stats;
  asio::steady_timer deadline(m.ctx);
  deadline.expires_after(duration);
  deadline.async_wait([&](const boost::system::error_code& ec) {
    if (!ec) m.ctx.stop();
  });
  const int fd = m.socket.native_handle();
  sockaddr_storage from{};
  iovec iov{m.buffer.data(), m.buffer.size()};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(std::uint32_t)) + 64];
  // Every datagram waiting, then wait again: recvmsg gives the sender, the
  // true length (MSG_TRUNC) and the kernel's drop counter.
  auto drain = [&] {
    for (;;) {
      msghdr msg{};
      msg.msg_name = &from;
      msg.msg_namelen = sizeof from;
      msg.msg_iov = &iov;
      msg.msg_iovlen = 1;
      msg.msg_control = control;
      msg.msg_controllen = sizeof control;
      const ssize_t got = ::recvmsg(fd, &msg, MSG_DONTWAIT | MSG_TRUNC);
      if (got < 0) {
        if (errno == EINTR) continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) ++stats.errors;
        return;
      }
      for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_RXQ_OVFL) {
          std::uint32_t dropped = 0;
          std::memcpy(&dropped, CMSG_DATA(c), sizeof dropped);
          m.kernel_drops.store(dropped);
        }
      }
      udp::endpoint sender;
      const std::size_t len = std::min<std::size_t>(msg.msg_namelen, sender.capacity());
      std::memcpy(sender.data(), &from, len);
      sender.resize(len);
      if (!m.allowed.empty()) {
        bool ok = false;
        for (const Prefix& p : m.allowed) ok = ok || p.contains(sender.address());
        if (!ok) {
          ++stats.filtered;
          ++m.filtered;
          continue;
        }
      }
      auto n = static_cast<std::size_t>(got);
      ++stats.datagrams;
      stats.bytes += n;
      if (n > m.buffer.size()) {
        ++stats.truncated;
        n = m.buffer.size();
      }
      sink(std::span<const std::uint8_t>(m.buffer.data(), n),
           fmt::format("{}:{}", sender.address().to_string(), sender.port()));
    }
  };
  std::function<void()> wait = [&] {
    m.socket.async_wait(udp::socket::wait_read, [&](const boost::system::error_code& ec) {
      if (ec == asio::error::operation_aborted) return;
      if (ec) ++stats.errors;
      drain();
      wait();
    });
  };
  wait();
  m.ctx.restart();
  m.ctx.run();
  m.socket.cancel();
  m.ctx.restart();
  m.ctx.poll();
  return stats;
}

}  // namespace skyfuse::io
