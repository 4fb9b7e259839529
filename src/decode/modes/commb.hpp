// File: decode/modes/commb.hpp
//
// Comm-B (DF20/21 MB field) register inference: each candidate register (BDS
// 1,0 1,7 2,0 3,0 4,0 5,0 6,0) is decoded and kept only when its status bits,
// reserved bits and value ranges are consistent (ICAO Doc 9871 layouts; the
// plausibility limits are the usual ones of open decoders such as pyModeS).
// When both 5,0 and 6,0 fit, the register is ambiguous and `bds` stays empty
// with both in `candidates` (Decoder can resolve it against known speeds).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "decode/modes/message.hpp"

namespace skyfuse::decode::modes {

// Infers the register in the MB field of a DF20/21 frame. `frame` must be
// readable for 24 bytes (Message::bytes is).
std::optional<CommB> infer_commb(const std::uint8_t* frame);

// Register candidates that pass their checks (for ambiguity reports).
std::vector<std::string> commb_candidates(const std::uint8_t* frame);

// Decoders of one register, without inference (nullopt when the checks fail).
std::optional<CommB> decode_bds10(const std::uint8_t* frame);
std::optional<CommB> decode_bds17(const std::uint8_t* frame, std::vector<std::string>* supported);
std::optional<CommB> decode_bds20(const std::uint8_t* frame);
std::optional<CommB> decode_bds30(const std::uint8_t* frame);
std::optional<CommB> decode_bds40(const std::uint8_t* frame);
std::optional<CommB> decode_bds50(const std::uint8_t* frame);
std::optional<CommB> decode_bds60(const std::uint8_t* frame);

}  // namespace skyfuse::decode::modes
