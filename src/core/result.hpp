// File: core/result.hpp
//
// `Result<T>`: a value or an `Error`, shaped like C++23 `std::expected` so it can
// be swapped for it later.
//
//   Result<double> parse_speed(std::string_view s);
//   if (auto r = parse_speed("12"); r) use(*r); else count(r.error());
#pragma once

#include <utility>
#include <variant>

#include "core/assert.hpp"
#include "core/error.hpp"

namespace skyfuse {

template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool has_value() const { return v_.index() == 0; }
  explicit operator bool() const { return has_value(); }

  T& value() & {
    SKYFUSE_ASSERT(has_value(), "Result::value() on an error");
    return std::get<0>(v_);
  }
  const T& value() const& {
    SKYFUSE_ASSERT(has_value(), "Result::value() on an error");
    return std::get<0>(v_);
  }
  T&& value() && {
    SKYFUSE_ASSERT(has_value(), "Result::value() on an error");
    return std::get<0>(std::move(v_));
  }
  const Error& error() const {
    SKYFUSE_ASSERT(!has_value(), "Result::error() on a value");
    return std::get<1>(v_);
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Error> v_;
};

}  // namespace skyfuse
