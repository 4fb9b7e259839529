#include "decode/modes/message.hpp"

#include <cmath>
#include <cstring>

#include "decode/modes/bits.hpp"
#include "decode/modes/commb.hpp"
#include "decode/modes/crc.hpp"

namespace skyfuse::decode::modes {

using detail::bits32;
using detail::kCharset;
using detail::me;

namespace {

// 13-bit AC/ID field -> the 0xABCD nibble layout (A4 A2 A1 = 0x4000 0x2000 0x1000 ...).
std::uint32_t to_nibbles(std::uint32_t f) {
  std::uint32_t n = 0;
  if (f & 0x1000) n |= 0x0010;  // C1
  if (f & 0x0800) n |= 0x1000;  // A1
  if (f & 0x0400) n |= 0x0020;  // C2
  if (f & 0x0200) n |= 0x2000;  // A2
  if (f & 0x0100) n |= 0x0040;  // C4
  if (f & 0x0080) n |= 0x4000;  // A4
  if (f & 0x0020) n |= 0x0100;  // B1
  if (f & 0x0010) n |= 0x0001;  // D1
  if (f & 0x0008) n |= 0x0200;  // B2
  if (f & 0x0004) n |= 0x0002;  // D2
  if (f & 0x0002) n |= 0x0400;  // B4
  if (f & 0x0001) n |= 0x0004;  // D4
  return n;
}

// Gillham (Mode C) code in nibble layout -> hundreds of feet.
std::optional<int> gillham(std::uint32_t a) {
  if ((a & 0xFFFF8889u) != 0 || (a & 0x00F0u) == 0) return std::nullopt;
  int one = 0, five = 0;
  if (a & 0x0010) one ^= 0x007;
  if (a & 0x0020) one ^= 0x003;
  if (a & 0x0040) one ^= 0x001;
  if ((one & 5) == 5) one ^= 2;
  if (one > 5) return std::nullopt;
  if (a & 0x0002) five ^= 0x0FF;
  if (a & 0x0004) five ^= 0x07F;
  if (a & 0x1000) five ^= 0x03F;
  if (a & 0x2000) five ^= 0x01F;
  if (a & 0x4000) five ^= 0x00F;
  if (a & 0x0100) five ^= 0x007;
  if (a & 0x0200) five ^= 0x003;
  if (a & 0x0400) five ^= 0x001;
  if (five & 1) one = 6 - one;
  return five * 5 + one - 13;
}

std::string callsign_of(const std::uint8_t* b) {
  // Spaces (padding) are dropped; invalid codes stay visible as '#'.
  char out[9] = {0};
  int n = 0;
  for (int i = 0; i < 8; ++i) {
    const char c = kCharset[me(b, 9 + 6 * i, 14 + 6 * i)];
    if (c != ' ') out[n++] = c;
  }
  return std::string(out, static_cast<std::size_t>(n));
}

std::uint8_t nic_from_tc(std::uint8_t tc) {
  switch (tc) {
    case 9:
    case 20:
      return 11;
    case 10:
    case 21:
      return 10;
    case 11:
      return 8;
    case 12:
      return 7;
    case 13:
      return 6;
    case 14:
      return 5;
    case 15:
      return 4;
    case 16:
      return 2;
    case 17:
      return 1;
    default:
      return 0;
  }
}

void decode_velocity(const std::uint8_t* b, Message& m) {
  Velocity v;
  v.subtype = static_cast<std::uint8_t>(me(b, 6, 8));
  v.nacv = static_cast<std::uint8_t>(me(b, 11, 13));
  if (v.subtype == 1 || v.subtype == 2) {
    const std::uint32_t vew = me(b, 15, 24), vns = me(b, 26, 35);
    if (vew != 0 && vns != 0) {
      const double k = v.subtype == 2 ? 4.0 : 1.0;
      const double e = (me(b, 14, 14) ? -1.0 : 1.0) * (vew - 1.0) * k;
      const double n = (me(b, 25, 25) ? -1.0 : 1.0) * (vns - 1.0) * k;
      v.gs_kt = std::hypot(e, n);
      double trk = std::atan2(e, n) * 180.0 / M_PI;
      if (trk < 0) trk += 360.0;
      v.track_deg = trk;
    }
  } else if (v.subtype == 3 || v.subtype == 4) {
    if (me(b, 14, 14)) v.heading_deg = me(b, 15, 24) * 360.0 / 1024.0;
    const std::uint32_t as = me(b, 26, 35);
    if (as != 0) v.airspeed_kt = (as - 1.0) * (v.subtype == 4 ? 4.0 : 1.0);
    v.airspeed_is_tas = me(b, 25, 25) != 0;
  } else {
    return;
  }
  v.vrate_from_gnss = me(b, 36, 36) == 0;
  const std::uint32_t vr = me(b, 38, 46);
  if (vr != 0) v.vrate_fpm = (me(b, 37, 37) ? -1 : 1) * static_cast<int>(vr - 1) * 64;
  const std::uint32_t da = me(b, 50, 56);
  if (da != 0) v.geo_minus_baro_ft = (me(b, 49, 49) ? -1 : 1) * static_cast<int>(da - 1) * 25;
  m.velocity = v;
}

void decode_es(const std::uint8_t* b, Message& m) {
  const std::uint8_t tc = static_cast<std::uint8_t>(me(b, 1, 5));
  m.tc = tc;
  if (tc >= 1 && tc <= 4) {
    m.category = static_cast<std::uint8_t>((tc - 1) * 8 + me(b, 6, 8));
    m.callsign = callsign_of(b);
  } else if (tc >= 5 && tc <= 8) {
    m.on_ground = true;
    m.position_extras = PositionExtras{0, 0, static_cast<std::uint8_t>(me(b, 6, 12)),
                                       static_cast<std::uint8_t>(me(b, 13, 13))};
    m.cpr = CprFix{me(b, 22, 22) != 0, true, me(b, 23, 39), me(b, 40, 56)};
    m.nic = static_cast<std::uint8_t>(tc == 5 ? 11 : tc == 6 ? 10 : tc == 7 ? 8 : 0);
    const std::uint32_t mov = me(b, 6, 12);
    Velocity v;
    if (mov == 1)
      v.gs_kt = 0;
    else if (mov >= 2 && mov <= 8)
      v.gs_kt = 0.125 + (mov - 2) * 0.125;
    else if (mov >= 9 && mov <= 12)
      v.gs_kt = 1 + (mov - 9) * 0.25;
    else if (mov >= 13 && mov <= 38)
      v.gs_kt = 2 + (mov - 13) * 0.5;
    else if (mov >= 39 && mov <= 93)
      v.gs_kt = 15 + (mov - 39) * 1.0;
    else if (mov >= 94 && mov <= 108)
      v.gs_kt = 70 + (mov - 94) * 2.0;
    else if (mov >= 109 && mov <= 123)
      v.gs_kt = 100 + (mov - 109) * 5.0;
    else if (mov == 124)
      v.gs_kt = 175;
    if (me(b, 13, 13)) v.track_deg = me(b, 14, 20) * 360.0 / 128.0;
    if (v.gs_kt || v.track_deg) m.velocity = v;
  } else if ((tc >= 9 && tc <= 18) || (tc >= 20 && tc <= 22)) {
    m.position_extras = PositionExtras{static_cast<std::uint8_t>(me(b, 6, 7)),
                                       static_cast<std::uint8_t>(me(b, 8, 8)), 0, 0};
    m.cpr = CprFix{me(b, 22, 22) != 0, false, me(b, 23, 39), me(b, 40, 56)};
    m.nic = nic_from_tc(tc);
    const std::uint32_t ac = me(b, 9, 20);
    if (tc <= 18) {
      m.altitude_ft = decode_ac12(ac);
    } else if (ac != 0) {
      m.gnss_altitude_ft = static_cast<int>(std::lround(ac * 3.28084));
    }
  } else if (tc == 19) {
    decode_velocity(b, m);
  } else if (tc == 28) {
    m.subtype = static_cast<std::uint8_t>(me(b, 6, 8));
    if (m.subtype == 1) {
      m.emergency = static_cast<std::uint8_t>(me(b, 9, 11));
      m.squawk = decode_id13(me(b, 12, 24));
    }
  } else if (tc == 29) {
    m.subtype = static_cast<std::uint8_t>(me(b, 6, 7));
    if (m.subtype == 1) {
      TargetState t;
      t.selected_altitude_from_fms = me(b, 9, 9) != 0;
      const std::uint32_t alt = me(b, 10, 20);
      if (alt != 0) t.selected_altitude_ft = static_cast<int>(alt - 1) * 32;
      const std::uint32_t baro = me(b, 21, 29);
      if (baro != 0) t.baro_setting_hpa = 800.0 + (baro - 1) * 0.8;
      if (me(b, 30, 30))
        t.selected_heading_deg = me(b, 32, 39) * 180.0 / 256.0 + (me(b, 31, 31) ? 180.0 : 0.0);
      t.nacp = static_cast<std::uint8_t>(me(b, 40, 43));
      t.nic_baro = static_cast<std::uint8_t>(me(b, 44, 44));
      t.sil = static_cast<std::uint8_t>(me(b, 45, 46));
      if (me(b, 47, 47)) {
        t.modes_valid = true;
        t.autopilot = me(b, 48, 48) != 0;
        t.vnav = me(b, 49, 49) != 0;
        t.altitude_hold = me(b, 50, 50) != 0;
        t.approach = me(b, 52, 52) != 0;
        t.lnav = me(b, 54, 54) != 0;
      }
      t.tcas_operational = me(b, 53, 53) != 0;
      m.target_state = t;
    }
  } else if (tc == 31) {
    m.subtype = static_cast<std::uint8_t>(me(b, 6, 8));
    OperationalStatus o;
    o.subtype = m.subtype;
    o.version = static_cast<std::uint8_t>(me(b, 41, 43));
    o.nic_supplement_a = static_cast<std::uint8_t>(me(b, 44, 44));
    o.nacp = static_cast<std::uint8_t>(me(b, 45, 48));
    o.sil = static_cast<std::uint8_t>(me(b, 51, 52));
    if (m.subtype == 0) {
      o.nic_baro = static_cast<std::uint8_t>(me(b, 53, 53));
      o.capability_class = static_cast<std::uint16_t>(me(b, 9, 24));
      o.gva = static_cast<std::uint8_t>(me(b, 49, 50));
    } else {
      o.capability_class = static_cast<std::uint16_t>(me(b, 9, 20));
    }
    o.operational_mode = static_cast<std::uint16_t>(me(b, 25, 40));
    o.hrd = static_cast<std::uint8_t>(me(b, 54, 54));
    o.sil_supplement = static_cast<std::uint8_t>(me(b, 55, 55));
    m.opstatus = o;
  }
}

SurveillanceFields surveillance_fields(const std::uint8_t* b, std::uint8_t df) {
  SurveillanceFields f;
  if (df == 0 || df == 16) {
    f.vs = static_cast<std::uint8_t>(bits32(b, 6, 6));
    if (df == 0) f.cc = static_cast<std::uint8_t>(bits32(b, 7, 7));
    f.sl = static_cast<std::uint8_t>(bits32(b, 9, 11));
    f.ri = static_cast<std::uint8_t>(bits32(b, 14, 17));
  } else {
    f.fs = static_cast<std::uint8_t>(bits32(b, 6, 8));
    f.dr = static_cast<std::uint8_t>(bits32(b, 9, 13));
    f.um = static_cast<std::uint8_t>(bits32(b, 14, 19));
  }
  return f;
}

}  // namespace

const char* capability_text(std::uint8_t ca) {
  static const char* kText[8] = {"Level 1",
                                 "Reserved",
                                 "Reserved",
                                 "Reserved",
                                 "Level 2+, on-ground",
                                 "Level 2+, airborne",
                                 "Level 2+, airborne or on-ground",
                                 "DR != 0 or FS in (2,3,4,5), airborne or on-ground"};
  return kText[ca & 7];
}

const char* flight_status_text(std::uint8_t fs) {
  static const char* kText[8] = {"No alert, no SPI, airborne",
                                 "No alert, no SPI, on-ground",
                                 "Alert, no SPI, airborne",
                                 "Alert, no SPI, on-ground",
                                 "Alert, SPI, airborne or on-ground",
                                 "No alert, SPI, airborne or on-ground",
                                 "Reserved",
                                 "Not assigned"};
  return kText[fs & 7];
}

const char* wake_vortex_text(std::uint8_t category) {
  const int set = category / 8, code = category % 8;  // set 0: TC1 (D) ... 3: TC4 (A)
  if (code == 0) return "No category information";
  static const char* kA[8] = {"",
                              "Light",
                              "Medium 1",
                              "Medium 2",
                              "High vortex aircraft",
                              "Heavy",
                              "High performance",
                              "Rotorcraft"};
  static const char* kB[8] = {
      "",    "Glider/sailplane", "Lighter-than-air", "Parachutist", "Ultralight", "Reserved",
      "UAV", "Space vehicle"};
  static const char* kC[8] = {"",
                              "Surface emergency vehicle",
                              "Reserved",
                              "Surface service vehicle",
                              "Ground obstruction",
                              "Ground obstruction",
                              "Ground obstruction",
                              "Ground obstruction"};
  switch (set) {
    case 3:
      return kA[code];
    case 2:
      return kB[code];
    case 1:
      return kC[code];
    default:
      return "Reserved";
  }
}

std::optional<int> decode_ac13(std::uint32_t ac) {
  if (ac == 0) return std::nullopt;
  if (ac & 0x40) return std::nullopt;  // M bit: metric altitude, unused in practice and not decoded
  if (ac & 0x10) {                     // Q bit: 25 ft steps
    const std::uint32_t n = ((ac & 0x1F80) >> 2) | ((ac & 0x20) >> 1) | (ac & 0x0F);
    return static_cast<int>(n) * 25 - 1000;
  }
  const auto h = gillham(to_nibbles(ac));
  if (!h) return std::nullopt;
  return *h * 100;
}

std::optional<int> decode_ac12(std::uint32_t ac) {
  if (ac == 0) return std::nullopt;
  // Insert the M bit (0) to form the 13-bit code.
  return decode_ac13(((ac & 0xFC0) << 1) | (ac & 0x3F));
}

std::uint16_t decode_id13(std::uint32_t id) {
  const std::uint32_t n = to_nibbles(id);
  const std::uint32_t a = (n >> 12) & 7, b = (n >> 8) & 7, c = (n >> 4) & 7, d = n & 7;
  return static_cast<std::uint16_t>((a << 9) | (b << 6) | (c << 3) | d);
}

std::string to_hex(const std::uint8_t* bytes, std::size_t n) {
  static const char* kHex = "0123456789ABCDEF";
  std::string s(2 * n, '0');
  for (std::size_t i = 0; i < n; ++i) {
    s[2 * i] = kHex[bytes[i] >> 4];
    s[2 * i + 1] = kHex[bytes[i] & 15];
  }
  return s;
}

Message decode_frame(const std::uint8_t* bytes, std::size_t n_bytes, const DecodeOptions& opt) {
  Message m;
  if (n_bytes != 7 && n_bytes != 14) return m;
  m.n_bytes = static_cast<std::uint8_t>(n_bytes);
  std::memcpy(m.bytes.data(), bytes, n_bytes);
  std::uint8_t* b = m.bytes.data();
  m.df = static_cast<std::uint8_t>(b[0] >> 3);
  m.syndrome = syndrome(b, n_bytes);
  const bool long_df = m.df >= 16;
  if (long_df != (n_bytes == 14)) {  // length does not fit the DF: parity cannot be trusted
    m.icao = m.syndrome;
    return m;
  }
  switch (m.df) {
    case 11:
    case 17:
    case 18: {
      std::uint32_t s = m.syndrome;
      if (m.df == 11 && s != 0 && s < 0x80) s = 0;  // PI carries the interrogator code
      if (s != 0 && opt.max_corrected_bits > 0) {
        const Correction c =
            correction_for(m.syndrome, static_cast<int>(n_bytes * 8), opt.max_corrected_bits);
        if (c.count > 0) {
          for (int k = 0; k < c.count; ++k)
            b[c.bits[k] / 8] ^= static_cast<std::uint8_t>(0x80 >> (c.bits[k] % 8));
          m.corrected_bits = static_cast<std::uint8_t>(c.count);
          s = 0;
        }
      }
      m.crc_ok = s == 0;
      m.ca = static_cast<std::uint8_t>(bits32(b, 6, 8));
      m.icao = bits32(b, 9, 32);
      if (m.df != 11) {
        // DF18 with CF 1 carries a non-ICAO address; CF >= 2 is TIS-B/ADS-R of the same layout.
        decode_es(b, m);
      }
      break;
    }
    case 0:
    case 4:
    case 16:
    case 20:
      m.icao = m.syndrome;  // address/parity: verified against known aircraft by Decoder
      m.ca = static_cast<std::uint8_t>(bits32(b, 6, 8));
      m.surveillance = surveillance_fields(b, m.df);
      if (m.df == 16) m.mv_hex = to_hex(b + 4, 7);
      m.altitude_ft = decode_ac13(bits32(b, 20, 32));
      m.on_ground = (m.df == 0 || m.df == 16) ? bits32(b, 6, 6) != 0 : (m.ca == 1 || m.ca == 3);
      if (m.df == 20) m.commb = infer_commb(b);
      break;
    case 5:
    case 21:
      m.icao = m.syndrome;
      m.ca = static_cast<std::uint8_t>(bits32(b, 6, 8));
      m.surveillance = surveillance_fields(b, m.df);
      m.squawk = decode_id13(bits32(b, 20, 32));
      m.on_ground = m.ca == 1 || m.ca == 3;
      if (m.df == 21) m.commb = infer_commb(b);
      break;
    default:
      m.icao = m.syndrome;
      break;
  }
  return m;
}

}  // namespace skyfuse::decode::modes
