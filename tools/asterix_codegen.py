#!/usr/bin/env python3
"""Generates typed C++ decoders from asterix-specs category definitions.

Usage: tools/asterix_codegen.py SPEC.json OUT.hpp

For each item of the category it emits a struct (groups become structs,
elements become typed fields: quantities as double in the spec's unit, raw,
table and integer values as integers, strings as fixed char arrays, repetitive
items as vectors, explicit items as byte vectors) and one record struct with an
optional member per item, plus a decode function that reads a record (FSPEC and
items) with the UAP of the definition. The generated code is checked against
the interpreting decoder (decode/asterix/decoder.hpp) on real recordings.
Adding an edition: add its JSON under specs/asterix/ and rerun this script
(see src/decode/asterix/generated/README.md).
"""
import json
import re
import sys


def number(n):
    t = n["tag"]
    if t == "NumInt":
        return float(n["contents"])
    if t == "NumDiv":
        return number(n["contents"]["numerator"]) / number(n["contents"]["denominator"])
    if t == "NumPow":
        return float(n["contents"]["base"]) ** n["contents"]["exponent"]
    raise ValueError(t)


def pick(rule):
    return rule["contents"] if rule["tag"] == "ContextFree" else rule["contents"]["default"]


def ident(name):
    s = re.sub(r"[^A-Za-z0-9_]", "_", name)
    if s[0].isdigit():
        s = "i" + s
    return s


class Gen:
    def __init__(self, cat, ed):
        self.cat = cat
        self.ed = ed
        self.structs = []  # (name, body lines)
        self.funcs = []
        self.n = 0

    def fresh(self, base):
        self.n += 1
        return f"{base}_{self.n}"

    # Returns (cpp type, decode-statement generator(target_expr) -> lines)
    def variation(self, rule, hint):
        v = pick(rule)
        t = v["tag"]
        c = v["contents"]
        if t == "Element":
            bits = c["bitSize"]
            r = c["rule"]
            content = r["contents"] if r["tag"] == "ContextFree" else r["contents"]["default"]
            ct = content["tag"]
            if ct == "ContentQuantity":
                signed = content["contents"]["signedness"]["tag"] == "Signed"
                lsb = number(content["contents"]["lsb"])
                def dec(target, bits=bits, signed=signed, lsb=lsb):
                    if signed:
                        return [f"{target} = static_cast<double>(sx(r.take({bits}), {bits})) * {lsb!r};"]
                    return [f"{target} = static_cast<double>(r.take({bits})) * {lsb!r};"]
                return "double", dec
            if ct == "ContentString":
                kind = content["contents"]["tag"]
                width = bits // 8 if kind == "StringAscii" else bits // 6 if kind == "StringICAO" else bits // 3
                def dec(target, bits=bits, kind=kind, width=width):
                    if kind == "StringAscii":
                        return [f"for (int k = 0; k < {width}; ++k) {target}[k] = static_cast<char>(r.take(8));"]
                    if kind == "StringICAO":
                        return [f"for (int k = 0; k < {width}; ++k) {target}[k] = detail::kIcao[r.take(6)];"]
                    return [f"for (int k = 0; k < {width}; ++k) {target}[k] = static_cast<char>('0' + r.take(3));"]
                return f"std::array<char, {width}>", dec
            if ct == "ContentInteger" and content["contents"]["signedness"]["tag"] == "Signed":
                return "std::int64_t", (lambda target, bits=bits: [f"{target} = sx(r.take({bits}), {bits});"])
            if bits > 64:
                nbytes = (bits + 7) // 8
                def dec(target, bits=bits, nbytes=nbytes):
                    return [f"for (int k = 0; k < {bits // 8}; ++k) {target}[k] = static_cast<std::uint8_t>(r.take(8));",
                            f"r.take({bits % 8});"]
                return f"std::array<std::uint8_t, {nbytes}>", dec
            typ = "std::uint64_t" if bits > 32 else "std::uint32_t" if bits > 16 else "std::uint16_t" if bits > 8 else "std::uint8_t"
            return typ, (lambda target, bits=bits, typ=typ: [f"{target} = static_cast<{typ}>(r.take({bits}));"])
        if t in ("Group", "Extended"):
            name = ident(f"{hint}")
            sname = self.fresh(f"G_{name}")
            fields = []
            steps = []  # list of ("item", field, decfn) | ("spare", bits) | ("fx",)
            for m in c:
                if m is None:
                    steps.append(("fx",))
                elif m["tag"] == "Spare":
                    steps.append(("spare", m["contents"]))
                else:
                    it = m["contents"]
                    fname = ident(it["name"])
                    typ, dec = self.variation(it["rule"], f"{hint}_{it['name']}")
                    fields.append((typ, fname))
                    steps.append(("item", fname, dec))
            body = [f"  {typ} {f}{{}};" for typ, f in fields]
            if t == "Extended":
                body.append("  std::uint8_t parts = 0;  // extents present")
            self.structs.append((sname, body))
            extended = t == "Extended"
            def dec(target, steps=steps, extended=extended):
                lines = []
                if extended:
                    lines.append(f"{target}.parts = 1;")
                    lines.append("do {")
                for s in steps:
                    if s[0] == "spare":
                        lines.append(f"r.take({s[1]});")
                    elif s[0] == "fx":
                        lines.append("if (r.take(1) == 0) {")
                        lines.append("  break;")
                        lines.append("}")
                        lines.append(f"++{target}.parts;")
                    else:
                        lines.extend(s[2](f"{target}.{s[1]}"))
                if extended:
                    lines.append("} while (false);")
                return lines
            return sname, dec
        if t == "Repetitive":
            rt = c["type"]
            etyp, edec = self.variation({"tag": "ContextFree", "contents": c["variation"]}, f"{hint}_E")
            if rt["tag"] == "RepetitiveRegular":
                nb = rt["contents"]["byteSize"]
                def dec(target, nb=nb, edec=edec, etyp=etyp):
                    return [f"{{ const auto count = r.take({8 * nb}); {target}.resize(count);",
                            f"for (std::uint64_t k = 0; k < count; ++k) {{"] + edec(f"{target}[k]") + ["} }"]
            else:
                def dec(target, edec=edec, etyp=etyp):
                    return [f"for (int guard = 0; guard < 1024; ++guard) {{ {target}.emplace_back();"] + \
                        edec(f"{target}.back()") + ["if (r.take(1) == 0) {", "  break;", "}", "}"]
            return f"std::vector<{etyp}>", dec
        if t == "Explicit":
            def dec(target):
                return ["{ const auto len = r.take(8);", "if (len < 1) {", "  throw Fault();", "}", target + ".resize(len - 1);",
                        "for (auto& b : " + target + ") b = static_cast<std::uint8_t>(r.take(8)); }"]
            return "std::vector<std::uint8_t>", dec
        if t == "Compound":
            sname = self.fresh(f"C_{ident(hint)}")
            fields = []
            slots = []
            for m in c:
                if m is None:
                    slots.append(None)
                    continue
                fname = ident(m["name"])
                typ, dec = self.variation(m["rule"], f"{hint}_{m['name']}")
                fields.append((typ, fname))
                slots.append((fname, dec))
            self.structs.append((sname, [f"  std::optional<{typ}> {f};" for typ, f in fields]))
            def dec(target, slots=slots):
                lines = ["{ std::uint64_t present = 0; int np = 0;",
                         "for (;;) { for (int k = 0; k < 7; ++k) present |= r.take(1) << (np++); if (r.take(1) == 0) break; if (np > 56) throw Fault(); }"]
                for i, s in enumerate(slots):
                    if s is None:
                        lines.append(f"if (present >> {i} & 1) throw Fault();")
                        continue
                    lines.append(f"if (present >> {i} & 1) {{ {target}.{s[0]}.emplace();")
                    lines.extend(s[1](f"(*{target}.{s[0]})"))
                    lines.append("}")
                lines.append(f"if (present >> {len(slots)}) throw Fault(); }}")
                return lines
            return sname, dec
        raise ValueError(t)


def main():
    spec = json.load(open(sys.argv[1]))["contents"]
    cat = spec["category"]
    ed = f"{spec['edition']['major']}.{spec['edition']['minor']}"
    edid = ed.replace(".", "_")
    g = Gen(cat, ed)
    items = {}
    for it in spec["catalogue"]:
        typ, dec = g.variation(it["rule"], f"I{cat:03d}_{it['name']}")
        items[it["name"]] = (typ, dec)
    uap = spec["uap"]
    if uap["tag"] != "Uap":
        raise SystemExit("multiple UAPs are not generated yet")
    order = []
    for e in uap["contents"]:
        order.append(e["contents"] if e["tag"] == "UapItem" else None)
    ns = f"cat{cat:03d}_{edid}"
    out = []
    out.append(f"// Generated by tools/asterix_codegen.py from specs/asterix/cat{cat:03d}/cat{cat:03d}-{ed}.json.")
    out.append("// Do not edit: change the definition or the generator and regenerate.")
    out.append("#pragma once\n")
    out.append("#include <array>\n#include <cstdint>\n#include <optional>\n#include <vector>\n")
    out.append('#include "decode/asterix/generated/runtime.hpp"\n')
    out.append(f"namespace skyfuse::decode::asterix::{ns} {{\n")
    out.append(f"inline constexpr int kCategory = {cat};")
    out.append(f'inline constexpr const char* kEdition = "{ed}";\n')
    for sname, body in g.structs:
        out.append(f"struct {sname} {{")
        out.extend(body)
        out.append("};\n")
    out.append("struct Record {")
    for name, (typ, _) in items.items():
        out.append(f"  std::optional<{typ}> {ident('i' + name)};")
    out.append("};\n")
    out.append("// Decodes one record from p[0, n) into rec (every item is set or reset, so rec")
    out.append("// can be reused without clearing); returns its length, or 0 if it is malformed.")
    out.append("inline std::size_t decode(const std::uint8_t* p, std::size_t n, Record& rec) {")
    out.append("  using detail::Fault; using detail::sx;")
    out.append("  detail::Reader r(p, n);")
    out.append("  try {")
    out.append("    std::uint64_t fspec[2] = {0, 0}; int nf = 0;")
    out.append("    for (;;) { for (int k = 0; k < 7; ++k, ++nf) if (r.take(1)) fspec[nf / 64] |= 1ULL << (nf % 64); if (r.take(1) == 0) break; if (nf >= 112) throw Fault(); }")
    out.append("    auto has = [&](int frn) { return (fspec[frn / 64] >> (frn % 64)) & 1; };")
    out.append(f"    for (int k = {len(order)}; k < nf; ++k) if (has(k)) throw Fault();")
    for frn, name in enumerate(order):
        if name is None:
            out.append(f"    if (has({frn})) throw Fault();")
            continue
        typ, dec = items[name]
        field = ident("i" + name)
        out.append(f"    if (has({frn})) {{")
        out.append(f"      rec.{field}.emplace();")
        for line in dec(f"(*rec.{field})"):
            out.append("      " + line)
        out.append("    } else {")
        out.append(f"      rec.{field}.reset();")
        out.append("    }")
    out.append("    return r.bytes_used();")
    out.append("  } catch (const Fault&) {")
    out.append("    return 0;")
    out.append("  }")
    out.append("}\n")
    out.append(f"}}  // namespace skyfuse::decode::asterix::{ns}")
    open(sys.argv[2], "w").write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
