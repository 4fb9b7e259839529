#include "io/udp_sender.hpp"

#include <fmt/format.h>

#include "core/error.hpp"
#include "io/asio.hpp"

namespace skyfuse::io {

namespace asio = boost::asio;
using udp = asio::ip::udp;

struct UdpSender::Impl {
  asio::io_context ctx;
  udp::socket socket{ctx};
  udp::endpoint to;
  std::uint64_t sent = 0, errors = 0;
};

UdpSender::UdpSender(const std::string& host, std::uint16_t port)
    : impl_(std::make_unique<Impl>()) {
  boost::system::error_code ec;
  const auto addr = asio::ip::make_address(host, ec);
  if (ec) throw ConfigError(fmt::format("udp out: \"{}\" is not an IP address", host));
  impl_->to = udp::endpoint(addr, port);
  impl_->socket.open(impl_->to.protocol(), ec);
  if (ec) throw ConfigError(fmt::format("udp out: cannot open a socket: {}", ec.message()));
  if (addr.is_multicast()) impl_->socket.set_option(asio::ip::multicast::hops(8), ec);
}

UdpSender::~UdpSender() = default;

void UdpSender::send(std::span<const std::uint8_t> d) {
  if (d.empty()) return;
  boost::system::error_code ec;
  impl_->socket.send_to(asio::buffer(d.data(), d.size()), impl_->to, 0, ec);
  if (ec)
    ++impl_->errors;
  else
    ++impl_->sent;
}

std::uint64_t UdpSender::sent() const { return impl_->sent; }
std::uint64_t UdpSender::errors() const { return impl_->errors; }

}  // namespace skyfuse::io
