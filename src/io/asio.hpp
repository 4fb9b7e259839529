// File: io/asio.hpp
//
// Boost.Asio, included the one way that builds with Boost 1.74 and GCC 12 in
// C++20: its awaitable.hpp uses std::exchange without including <utility>.
#pragma once

// clang-format off
#include <utility>
#include <boost/asio.hpp>
// clang-format on
