#include "decode/asterix/spec.hpp"

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/error.hpp"

namespace skyfuse::decode::asterix {

namespace {
using nlohmann::json;

[[noreturn]] void bad(const std::string& file, const std::string& why) {
  throw ConfigError(file + ": " + why);
}

double number(const json& n) {
  const std::string tag = n.at("tag");
  if (tag == "NumInt") return n.at("contents").get<double>();
  if (tag == "NumDiv")
    return number(n["contents"]["numerator"]) / number(n["contents"]["denominator"]);
  if (tag == "NumPow")
    return std::pow(n["contents"]["base"].get<double>(), n["contents"]["exponent"].get<double>());
  throw std::runtime_error("unknown number " + tag);
}

Content content_of(const json& c) {
  Content out;
  const std::string tag = c.at("tag");
  const json& x = c["contents"];
  if (tag == "ContentRaw") {
    out.kind = Content::Kind::kRaw;
  } else if (tag == "ContentTable") {
    out.kind = Content::Kind::kTable;
    for (const auto& row : x) out.table.emplace_back(row[0].get<long>(), row[1].get<std::string>());
  } else if (tag == "ContentString") {
    out.kind = Content::Kind::kString;
    const std::string s = x.at("tag");
    out.str = s == "StringICAO"    ? Content::Str::kIcao
              : s == "StringOctal" ? Content::Str::kOctal
                                   : Content::Str::kAscii;
  } else if (tag == "ContentInteger") {
    out.kind = Content::Kind::kInteger;
    out.is_signed = x["signedness"]["tag"] == "Signed";
  } else if (tag == "ContentQuantity") {
    out.kind = Content::Kind::kQuantity;
    out.is_signed = x["signedness"]["tag"] == "Signed";
    out.lsb = number(x["lsb"]);
    out.unit = x.value("unit", "");
  } else if (tag == "ContentBds") {
    out.kind = Content::Kind::kBds;
  } else {
    throw std::runtime_error("unknown content " + tag);
  }
  return out;
}

VariationPtr variation_of(const json& rule);

Member member_of(const json& m) {
  Member out;
  if (m.is_null()) {
    out.kind = Member::Kind::kFx;
    return out;
  }
  const std::string tag = m.at("tag");
  if (tag == "Spare") {
    out.kind = Member::Kind::kSpare;
    out.spare_bits = m["contents"].get<int>();
    return out;
  }
  const json& item = m["contents"];
  out.name = item.at("name");
  out.variation = variation_of(item.at("rule"));
  return out;
}

// A rule is ContextFree (one variation) or Dependent (cases): for a variation
// the default case is taken.
const json& pick_rule(const json& rule) {
  if (rule.at("tag") == "ContextFree") return rule["contents"];
  return rule["contents"].at("default");
}

VariationPtr variation_of(const json& rule) {
  const json& v = pick_rule(rule);
  auto out = std::make_shared<Variation>();
  const std::string tag = v.at("tag");
  const json& x = v["contents"];
  if (tag == "Element") {
    out->kind = Variation::Kind::kElement;
    out->bit_size = x.at("bitSize");
    const json& r = x.at("rule");
    if (r.at("tag") == "ContextFree") {
      out->content = content_of(r["contents"]);
    } else {
      DependentContent dc;
      for (const auto& p : r["contents"]["path"][0]) dc.path.push_back(p.get<std::string>());
      for (const auto& cs : r["contents"]["cases"])
        dc.cases.emplace_back(cs[0][0].get<long>(), content_of(cs[1]));
      dc.fallback = content_of(r["contents"]["default"]);
      out->content = dc.fallback;
      out->dependent = std::move(dc);
    }
  } else if (tag == "Group" || tag == "Extended") {
    out->kind = tag == "Group" ? Variation::Kind::kGroup : Variation::Kind::kExtended;
    for (const auto& m : x) out->members.push_back(member_of(m));
  } else if (tag == "Repetitive") {
    out->kind = Variation::Kind::kRepetitive;
    const json& t = x.at("type");
    out->rep_bytes = t.at("tag") == "RepetitiveRegular" ? t["contents"]["byteSize"].get<int>() : 0;
    out->element = variation_of(json{{"tag", "ContextFree"}, {"contents", x.at("variation")}});
  } else if (tag == "Explicit") {
    out->kind = Variation::Kind::kExplicit;
    if (!x.is_null() && x.contains("tag")) out->explicit_kind = x["tag"];
  } else if (tag == "Compound") {
    out->kind = Variation::Kind::kCompound;
    for (const auto& m : x) {
      if (m.is_null()) {
        out->slots.emplace_back(std::nullopt);
      } else {
        Member mem;
        mem.name = m.at("name");
        mem.variation = variation_of(m.at("rule"));
        out->slots.emplace_back(mem);
      }
    }
  } else {
    throw std::runtime_error("unknown variation " + tag);
  }
  return out;
}

std::vector<std::string> uap_list(const json& list) {
  std::vector<std::string> out;
  for (const auto& e : list) {
    const std::string tag = e.at("tag");
    if (tag == "UapItem")
      out.push_back(e["contents"]);
    else if (tag == "UapItemRFS")
      out.push_back("RFS");
    else
      out.push_back("");
  }
  return out;
}
}  // namespace

Category load_category(const std::string& path) {
  std::ifstream in(path);
  if (!in) bad(path, "cannot open file");
  json doc;
  try {
    doc = json::parse(in);
  } catch (const json::exception& e) {
    bad(path, std::string("not valid JSON: ") + e.what());
  }
  Category cat;
  try {
    const json& c = doc.at("contents");
    cat.number = c.at("category");
    cat.edition = std::to_string(c["edition"]["major"].get<int>()) + "." +
                  std::to_string(c["edition"]["minor"].get<int>());
    for (const auto& item : c.at("catalogue"))
      cat.items[item.at("name")] = variation_of(item.at("rule"));
    const json& uap = c.at("uap");
    if (uap.at("tag") == "Uap") {
      cat.uaps["default"] = uap_list(uap["contents"]);
      cat.default_uap = "default";
    } else {
      for (const auto& u : uap["contents"]["cases"])
        cat.uaps[u[0].get<std::string>()] = uap_list(u[1]);
      const json& sel = uap["contents"]["selector"];
      for (const auto& p : sel["item"]) cat.selector_path.push_back(p);
      for (const auto& cs : sel["cases"])
        cat.selector.emplace_back(cs[0].get<long>(), cs[1].get<std::string>());
      cat.default_uap =
          cat.selector.empty() ? cat.uaps.begin()->first : cat.selector.front().second;
    }
  } catch (const std::exception& e) {
    bad(path, std::string("not an asterix-specs category definition: ") + e.what());
  }
  return cat;
}

}  // namespace skyfuse::decode::asterix
