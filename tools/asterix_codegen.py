#!/usr/bin/env python3
"""Generates typed C++ decoders from asterix-specs category definitions.

Usage: tools/asterix_codegen.py SPEC.json OUT.hpp

For each item of the category it emits a struct (groups become structs,
elements become typed fields: quantities as double in the spec's unit, raw,
table and integer values as integers, strings as fixed char arrays, repetitive
items as vectors, explicit items (RE, SP) as spans of the input) and one record struct with an
optional member per item, plus a decode function that reads a record (FSPEC and
items) with the UAP of the definition; a category with several UAPs (CAT001 plot
or track) switches UAP once the selector item is read, as the interpreter does.

Every item, sub-item, extent and repetition of ASTERIX starts on an octet, so
the generated code claims whole octets from a bounds-checked cursor once per
fixed-size part and extracts the fields inside it with shifts and masks known at
compile time (detail::get<offset, bits>). The generated code is checked against
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


class Var:
    """One variation: its C++ type, its size in bits when fixed, and emitters.

    fixed(target, q, off) -> lines reading it at bit `off` of the octets at `q`
    (only when `bits` is not None); var(target) -> lines reading it from the
    cursor `r` (which is on an octet boundary)."""

    def __init__(self, typ, bits, fixed=None, var=None):
        self.typ = typ
        self.bits = bits
        self.fixed = fixed
        self._var = var

    def var(self, gen, target):
        if self._var is not None:
            return self._var(target)
        if self.bits is None or self.bits % 8:
            raise ValueError("a part that is not whole octets at item level")
        q = gen.fresh("q")
        return [f"{{ const std::uint8_t* {q} = r.claim({self.bits // 8});"] + \
            self.fixed(target, q, 0) + ["}"]


class Gen:
    def __init__(self, cat, ed):
        self.cat = cat
        self.ed = ed
        self.structs = []  # (name, body lines)
        self.n = 0  # local variable names
        self.ns = 0  # struct names

    def struct_name(self, base):
        self.ns += 1
        return f"{base}_{self.ns}"

    def fresh(self, base):
        self.n += 1
        return f"{base}{self.n}"

    def element(self, c):
        bits = c["bitSize"]
        r = c["rule"]
        content = r["contents"] if r["tag"] == "ContextFree" else r["contents"]["default"]
        ct = content["tag"]
        if ct == "ContentQuantity":
            signed = content["contents"]["signedness"]["tag"] == "Signed"
            lsb = number(content["contents"]["lsb"])

            def fixed(target, q, off, bits=bits, signed=signed, lsb=lsb):
                g = f"detail::get<{off}, {bits}>({q})"
                if signed:
                    return [f"{target} = static_cast<double>(detail::sx({g}, {bits})) * {lsb!r};"]
                return [f"{target} = static_cast<double>({g}) * {lsb!r};"]
            return Var("double", bits, fixed)
        if ct == "ContentString":
            kind = content["contents"]["tag"]
            w = 8 if kind == "StringAscii" else 6 if kind == "StringICAO" else 3
            width = bits // w

            def fixed(target, q, off, kind=kind, w=w, width=width):
                lines = []
                for k in range(width):
                    g = f"detail::get<{off + w * k}, {w}>({q})"
                    if kind == "StringAscii":
                        lines.append(f"{target}[{k}] = static_cast<char>({g});")
                    elif kind == "StringICAO":
                        lines.append(f"{target}[{k}] = detail::kIcao[{g}];")
                    else:
                        lines.append(f"{target}[{k}] = static_cast<char>('0' + {g});")
                return lines
            return Var(f"std::array<char, {width}>", bits, fixed)
        if ct == "ContentInteger" and content["contents"]["signedness"]["tag"] == "Signed":
            return Var("std::int64_t", bits,
                       lambda target, q, off, bits=bits: [f"{target} = detail::sx(detail::get<{off}, {bits}>({q}), {bits});"])
        if bits > 64:
            nbytes = (bits + 7) // 8

            def fixed(target, q, off, bits=bits):
                return [f"{target}[{k}] = static_cast<std::uint8_t>(detail::get<{off + 8 * k}, 8>({q}));"
                        for k in range(bits // 8)]
            return Var(f"std::array<std::uint8_t, {nbytes}>", bits, fixed)
        typ = "std::uint64_t" if bits > 32 else "std::uint32_t" if bits > 16 else "std::uint16_t" if bits > 8 else "std::uint8_t"
        return Var(typ, bits,
                   lambda target, q, off, bits=bits, typ=typ: [f"{target} = static_cast<{typ}>(detail::get<{off}, {bits}>({q}));"])

    def members(self, c, hint):
        """(fields, steps) of a group or extended: steps are ("item", field, Var),
        ("spare", bits) or ("fx",)."""
        fields, steps = [], []
        for m in c:
            if m is None:
                steps.append(("fx",))
            elif m["tag"] == "Spare":
                steps.append(("spare", m["contents"]))
            else:
                it = m["contents"]
                fname = ident(it["name"])
                v = self.variation(it["rule"], f"{hint}_{it['name']}")
                fields.append((v.typ, fname))
                steps.append(("item", fname, v))
        return fields, steps

    def variation(self, rule, hint):
        v = pick(rule)
        t = v["tag"]
        c = v["contents"]
        if t == "Element":
            return self.element(c)
        if t == "Group":
            sname = self.struct_name(f"G_{ident(hint)}")
            fields, steps = self.members(c, hint)
            self.structs.append((sname, [f"  {typ} {f}{{}};" for typ, f in fields]))
            bits = 0
            for s in steps:
                if s[0] == "fx":
                    raise ValueError("FX in a group")
                if s[0] == "spare":
                    bits += s[1]
                elif s[2].bits is None:
                    raise ValueError("variable-size member of a group")
                else:
                    bits += s[2].bits

            def fixed(target, q, off, steps=steps):
                lines = []
                for s in steps:
                    if s[0] == "spare":
                        off += s[1]
                    else:
                        lines.extend(s[2].fixed(f"{target}.{s[1]}", q, off))
                        off += s[2].bits
                return lines
            return Var(sname, bits, fixed)
        if t == "Extended":
            sname = self.struct_name(f"G_{ident(hint)}")
            fields, steps = self.members(c, hint)
            self.structs.append((sname, [f"  {typ} {f}{{}};" for typ, f in fields] +
                                 ["  std::uint8_t parts = 0;  // extents present"]))
            extents = [[]]
            for s in steps:
                extents[-1].append(s)
                if s[0] == "fx":
                    extents.append([])
            if not extents[-1]:
                extents.pop()

            def var(target, extents=extents):
                lines = [f"{target} = {{}};", f"{target}.parts = 1;", "do {"]
                for i, ext in enumerate(extents):
                    bits = sum(s[1] if s[0] == "spare" else 1 if s[0] == "fx" else s[2].bits for s in ext)
                    if bits % 8:
                        raise ValueError("extent is not whole octets")
                    q = self.fresh("q")
                    lines.append(f"const std::uint8_t* {q} = r.claim({bits // 8});")
                    off = 0
                    for s in ext:
                        if s[0] == "spare":
                            off += s[1]
                        elif s[0] == "fx":
                            # An FX set on the last extent is ignored, as the interpreter does.
                            if i + 1 < len(extents):
                                lines.append(f"if (detail::get<{off}, 1>({q}) == 0) break;")
                                lines.append(f"++{target}.parts;")
                            off += 1
                        else:
                            lines.extend(s[2].fixed(f"{target}.{s[1]}", q, off))
                            off += s[2].bits
                lines.append("} while (false);")
                return lines
            return Var(sname, None, var=var)
        if t == "Repetitive":
            rt = c["type"]
            e = self.variation({"tag": "ContextFree", "contents": c["variation"]}, f"{hint}_E")
            typ = f"std::vector<{e.typ}>"
            if rt["tag"] == "RepetitiveRegular":
                nb = rt["contents"]["byteSize"]

                def var(target, nb=nb, e=e):
                    q = self.fresh("q")
                    k = self.fresh("k")
                    return [f"{{ const std::uint8_t* {q} = r.claim({nb}); const std::size_t count = detail::get<0, {8 * nb}>({q});",
                            f"{target}.resize(count);",
                            f"for (std::size_t {k} = 0; {k} < count; ++{k}) {{"] + e.var(self, f"{target}[{k}]") + ["} }"]
                return Var(typ, None, var=var)
            if e.bits is None or (e.bits + 1) % 8:
                raise ValueError("FX-repetitive element is not whole octets with its FX")

            def var(target, e=e):
                q = self.fresh("q")
                nb = (e.bits + 1) // 8
                return [f"{target}.clear();",
                        f"for (int guard = 0; guard < 1024; ++guard) {{ {target}.emplace_back();",
                        f"const std::uint8_t* {q} = r.claim({nb});"] + e.fixed(f"{target}.back()", q, 0) + \
                    [f"if (detail::get<{e.bits}, 1>({q}) == 0) break;", "}"]
            return Var(typ, None, var=var)
        if t == "Explicit":
            def var(target):
                q = self.fresh("q")
                # Zero-copy: the field's octets where they are in the input.
                return [f"{{ const std::size_t len = *r.claim(1);", "if (len < 1) throw detail::Fault();",
                        f"const std::uint8_t* {q} = r.claim(len - 1);",
                        f"{target} = std::span<const std::uint8_t>({q}, len - 1); }}"]
            return Var("std::span<const std::uint8_t>", None, var=var)
        if t == "Compound":
            sname = self.struct_name(f"C_{ident(hint)}")
            fields = []
            slots = []
            for m in c:
                if m is None:
                    slots.append(None)
                    continue
                fname = ident(m["name"])
                sv = self.variation(m["rule"], f"{hint}_{m['name']}")
                fields.append((sv.typ, fname))
                slots.append((fname, sv))
            self.structs.append((sname, [f"  std::optional<{typ}> {f};" for typ, f in fields]))

            def var(target, slots=slots):
                lines = ["{ std::uint64_t present = 0; int np = 0;",
                         "for (;;) { const std::uint8_t b = *r.claim(1); present |= static_cast<std::uint64_t>(b >> 1) << np; np += 7;",
                         "if ((b & 1) == 0) break; if (np > 56) throw detail::Fault(); }"]
                for i, s in enumerate(slots):
                    # presence bit i is bit (6 - i % 7) of octet i / 7, stored at 7 * (i / 7) + (6 - i % 7)
                    bit = 7 * (i // 7) + (6 - i % 7)
                    if s is None:
                        lines.append(f"if (present >> {bit} & 1) throw detail::Fault();")
                        continue
                    lines.append(f"if (present >> {bit} & 1) {{ if (!{target}.{s[0]}) {target}.{s[0]}.emplace();")
                    lines.extend(s[1].var(self, f"(*{target}.{s[0]})"))
                    lines.append(f"}} else {{ {target}.{s[0]}.reset(); }}")
                # presence bits past the defined slots are an error
                mask = 0
                for i in range(len(slots)):
                    mask |= 1 << (7 * (i // 7) + (6 - i % 7))
                lines.append(f"if (present & ~std::uint64_t{{{mask:#x}}}) throw detail::Fault(); }}")
                return lines
            return Var(sname, None, var=var)
        raise ValueError(t)


def uap_order(entries):
    out = []
    for e in entries:
        if e["tag"] == "UapItem":
            out.append(e["contents"])
        elif e["tag"] == "UapItemRFS":
            out.append("RFS")
        else:
            out.append(None)
    return out


def emit_items(g, items, order, only_from=0, reset_absent=True):
    """Lines decoding the items of one UAP from FRN `only_from` on."""
    out = []
    for frn, name in enumerate(order):
        if frn < only_from:
            continue
        if name is None or name == "RFS":
            # unused FRN, or random field sequencing (not supported, as in the interpreter)
            out.append(f"    if (has({frn})) throw detail::Fault();")
            continue
        v = items[name]
        field = ident("i" + name)
        out.append(f"    if (has({frn})) {{")
        # Reuse what the record held (every part below is overwritten or reset),
        # so vectors keep their capacity from record to record.
        out.append(f"      if (!rec.{field}) rec.{field}.emplace();")
        for line in v.var(g, f"(*rec.{field})"):
            out.append("      " + line)
        if reset_absent:
            out.append("    } else {")
            out.append(f"      rec.{field}.reset();")
        out.append("    }")
    out.append(f"    if (nf > {len(order)}) {{")
    out.append(f"      for (int k = {len(order)}; k < nf; ++k) if (has(k)) throw detail::Fault();")
    out.append("    }")
    return out


def main():
    spec = json.load(open(sys.argv[1]))["contents"]
    cat = spec["category"]
    ed = f"{spec['edition']['major']}.{spec['edition']['minor']}"
    edid = ed.replace(".", "_")
    g = Gen(cat, ed)
    items = {}
    for it in spec["catalogue"]:
        items[it["name"]] = g.variation(it["rule"], f"I{cat:03d}_{it['name']}")
    uap = spec["uap"]
    ns = f"cat{cat:03d}_{edid}"
    out = []
    out.append(f"// Generated by tools/asterix_codegen.py from specs/asterix/cat{cat:03d}/cat{cat:03d}-{ed}.json.")
    out.append("// Do not edit: change the definition or the generator and regenerate.")
    out.append("#pragma once\n")
    out.append("#include <array>\n#include <cstdint>\n#include <optional>\n#include <span>\n#include <vector>\n")
    out.append('#include "decode/asterix/generated/runtime.hpp"\n')
    out.append(f"namespace skyfuse::decode::asterix::{ns} {{\n")
    out.append(f"inline constexpr int kCategory = {cat};")
    out.append(f'inline constexpr const char* kEdition = "{ed}";\n')
    body = []
    body.append("// Decodes one record from p[0, n) into rec (every item is set or reset, so rec")
    body.append("// can be reused without clearing); returns its length, or 0 if it is malformed.")
    body.append("// Explicit items (RE, SP) are spans into p: valid while p's buffer is.")
    body.append("inline std::size_t decode(const std::uint8_t* p, std::size_t n, Record& rec) {")
    body.append("  detail::Cursor r(p, n);")
    body.append("  try {")
    body.append("    detail::Fspec fs;")
    body.append("    fs.read(r);")
    body.append("    const int nf = fs.frns();")
    body.append("    auto has = [&](int frn) { return fs.has(frn); };")
    if uap["tag"] == "Uap":
        body.extend(emit_items(g, items, uap_order(uap["contents"])))
    else:
        cases = uap["contents"]["cases"]
        sel = uap["contents"]["selector"]
        orders = {name: uap_order(entries) for name, entries in cases}
        sel_item, sel_field = sel["item"][0], sel["item"][-1]
        if len(sel["item"]) != 2:
            raise SystemExit("UAP selector deeper than item/field is not generated")
        first = next(iter(orders.values()))
        k = first.index(sel_item) + 1
        for o in orders.values():
            if o[:k] != first[:k]:
                raise SystemExit("the UAPs differ before the selector item")
        # Items up to the selector are common; the rest follows the selected UAP.
        for name in items:
            body.append(f"    rec.{ident('i' + name)}.reset();")
        body.extend(emit_items(g, items, first[:k], reset_absent=False)[:-3])
        body.append(f"    int uap = 0;  // {', '.join(f'{i}: {n}' for i, n in enumerate(orders))}")
        body.append(f"    if (rec.{ident('i' + sel_item)}) {{")
        body.append(f"      switch (rec.{ident('i' + sel_item)}->{ident(sel_field)}) {{")
        names = list(orders)
        for val, name in uap["contents"]["selector"]["cases"]:
            body.append(f"        case {val}: uap = {names.index(name)}; break;")
        body.append("        default: break;")
        body.append("      }")
        body.append("    }")
        body.append("    rec.uap = uap;")
        for i, name in enumerate(names):
            body.append(f"    if (uap == {i}) {{  // {name}")
            body.extend(emit_items(g, items, orders[name], only_from=k, reset_absent=False))
            body.append("    }")
    body.append("    return r.bytes_used();")
    body.append("  } catch (const detail::Fault&) {")
    body.append("    return 0;")
    body.append("  }")
    body.append("}\n")
    for sname, sbody in g.structs:
        out.append(f"struct {sname} {{")
        out.extend(sbody)
        out.append("};\n")
    out.append("struct Record {")
    for name, v in items.items():
        out.append(f"  std::optional<{v.typ}> {ident('i' + name)};")
    if uap["tag"] != "Uap":
        names = [n for n, _ in uap["contents"]["cases"]]
        out.append(f"  int uap = 0;  // the UAP the record was read with: {', '.join(f'{i} {n}' for i, n in enumerate(names))}")
    out.append("};\n")
    out.extend(body)
    out.append(f"}}  // namespace skyfuse::decode::asterix::{ns}")
    open(sys.argv[2], "w").write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
