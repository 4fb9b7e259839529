#!/usr/bin/env python3
"""Converts an asterix-specs category definition from its source syntax (.ast,
the indentation language the asterix-specs project edits by hand) to the JSON
that project publishes and skyfuse loads (specs/asterix/catNNN/catNNN-X.Y.json).

Usage: tools/asterix_ast2json.py IN.ast OUT.json

asterix-specs publishes JSON for most categories; CAT015 and CAT016 (drone and
other non-cooperative sensors) exist only as .ast here, so they are converted
with this script. It is checked in tests/decode/asterix_ast2json_test.py: on
every category that has both forms, the converted JSON equals the published one
in everything a decoder reads (structure, names, sizes, contents, units,
scaling, UAPs), documentation text aside.
"""
import json
import re
import sys


class Line:
    def __init__(self, indent, text, no):
        self.indent, self.text, self.no = indent, text, no
        self.children = []


def tree(src):
    """Lines as a tree by indentation; documentation blocks are kept as text."""
    root = Line(-1, "", 0)
    stack = [root]
    lines = src.split("\n")
    i = 0
    while i < len(lines):
        raw = lines[i].rstrip()
        i += 1
        if not raw.strip():
            continue
        indent = len(raw) - len(raw.lstrip(" "))
        node = Line(indent, raw.strip(), i)
        while stack[-1].indent >= indent:
            stack.pop()
        stack[-1].children.append(node)
        if node.text in ("definition", "description", "remark", "preamble"):
            # Free text: every following line that is blank or deeper.
            text = []
            while i < len(lines):
                nxt = lines[i].rstrip()
                if nxt.strip() and len(nxt) - len(nxt.lstrip(" ")) <= indent:
                    break
                text.append(nxt)
                i += 1
            while text and not text[-1].strip():
                text.pop()
            width = min((len(t) - len(t.lstrip(" ")) for t in text if t.strip()), default=0)
            node.doc = "\n".join(t[width:] for t in text) + "\n"
            continue
        stack.append(node)
    return root


def fail(node, what):
    raise SystemExit(f"line {node.no}: {what}: {node.text!r}")


def number(s):
    """'1/2^7', '180/2^31', '25/2^2', '16', '-90', '13107/20', '10^3' as asterix-specs numbers."""
    def atom(a):
        if "^" in a:
            b, e = a.split("^")
            return {"contents": {"base": int(b), "exponent": int(e)}, "tag": "NumPow"}
        return {"contents": int(a), "tag": "NumInt"}
    if "/" in s:
        n, d = s.split("/")
        return {"contents": {"denominator": atom(d), "numerator": atom(n)}, "tag": "NumDiv"}
    return atom(s)


CONSTRAINT = {"<": "LessThan", "<=": "LessThanOrEqualTo", ">": "GreaterThan",
              ">=": "GreaterThanOrEqualTo", "==": "EqualTo"}


def constraints(tokens):
    out = []
    for k in range(0, len(tokens), 2):
        out.append({"contents": number(tokens[k + 1]), "tag": CONSTRAINT[tokens[k]]})
    return out


def content(node):
    t = node.text
    words = t.split()
    if t == "raw":
        return {"contents": [], "tag": "ContentRaw"}
    if t == "table":
        rows = []
        for c in node.children:
            m = re.match(r"(\d+):\s*(.*)$", c.text)
            if not m:
                fail(c, "table row")
            rows.append([int(m.group(1)), m.group(2)])
        return {"contents": rows, "tag": "ContentTable"}
    if words[0] == "string":
        kind = {"ascii": "StringAscii", "icao": "StringICAO", "octal": "StringOctal"}[words[1]]
        return {"contents": {"contents": [], "tag": kind}, "tag": "ContentString"}
    if words[0] == "bds":
        if len(words) == 1:
            return {"contents": {"contents": [], "tag": "BdsWithAddress"}, "tag": "ContentBds"}
        return {"contents": {"contents": int(words[1], 16), "tag": "BdsAt"}, "tag": "ContentBds"}
    if words[0] in ("signed", "unsigned"):
        sign = {"contents": [], "tag": "Signed" if words[0] == "signed" else "Unsigned"}
        if words[1] == "integer":
            return {"contents": {"constraints": constraints(words[2:]), "signedness": sign},
                    "tag": "ContentInteger"}
        if words[1] == "quantity":
            m = re.match(r'\S+ quantity (\S+) "([^"]*)"\s*(.*)$', t)
            if not m:
                fail(node, "quantity")
            return {"contents": {"constraints": constraints(m.group(3).split()),
                                 "lsb": number(m.group(1)), "signedness": sign,
                                 "unit": m.group(2)}, "tag": "ContentQuantity"}
    fail(node, "unknown content")


def rule_of_content(node):
    if node.text.startswith("case "):
        path = node.text.split()[1].split("/")
        cases, default = [], None
        for c in node.children:
            if c.text == "default:":
                default = content(c.children[0])
            else:
                m = re.match(r"(\d+):$", c.text)
                if not m:
                    fail(c, "case")
                cases.append([[int(m.group(1))], content(c.children[0])])
        return {"contents": {"cases": cases, "default": default, "path": [path]},
                "tag": "Dependent"}
    return {"contents": content(node), "tag": "ContextFree"}


DOC_WORDS = ("definition", "description", "remark")


def documentation(node):
    doc = {"definition": None, "description": None, "remark": None}
    for c in node.children:
        if c.text in DOC_WORDS:
            doc[c.text] = c.doc
    return doc


def variation_node(node):
    vs = [c for c in node.children if c.text not in DOC_WORDS]
    if len(vs) != 1:
        fail(node, "expected one variation")
    return vs[0]


def named(node):
    m = re.match(r'(\S+)\s+"(.*)"$', node.text)
    if not m:
        fail(node, "expected NAME \"title\"")
    return {"documentation": documentation(node), "name": m.group(1),
            "rule": {"contents": variation(variation_node(node)), "tag": "ContextFree"},
            "title": m.group(2)}


def members(node, fx_allowed):
    out = []
    for c in node.children:
        if c.text == "-":
            if not fx_allowed:
                fail(c, "FX in a group")
            out.append(None)
        elif c.text.startswith("spare "):
            out.append({"contents": int(c.text.split()[1]), "tag": "Spare"})
        else:
            out.append({"contents": named(c), "tag": "Item"})
    return out


def variation(node):
    words = node.text.split()
    kind = words[0]
    if kind == "element":
        if len(node.children) != 1:
            fail(node, "element wants one content")
        return {"contents": {"bitSize": int(words[1]), "rule": rule_of_content(node.children[0])},
                "tag": "Element"}
    if kind == "group":
        return {"contents": members(node, False), "tag": "Group"}
    if kind == "extended":
        return {"contents": members(node, True), "tag": "Extended"}
    if kind == "repetitive":
        typ = ({"contents": [], "tag": "RepetitiveFx"} if words[1] == "fx"
               else {"contents": {"byteSize": int(words[1])}, "tag": "RepetitiveRegular"})
        return {"contents": {"type": typ, "variation": variation(node.children[0])},
                "tag": "Repetitive"}
    if kind == "explicit":
        tag = {"re": "ReservedExpansion", "sp": "SpecialPurpose"}.get(words[1] if len(words) > 1 else "")
        return {"contents": None if tag is None else {"contents": [], "tag": tag}, "tag": "Explicit"}
    if kind == "compound":
        return {"contents": [None if c.text == "-" else named(c) for c in node.children],
                "tag": "Compound"}
    fail(node, "unknown variation")


def uap_entries(nodes):
    out = []
    for c in nodes:
        if c.text == "-":
            out.append({"contents": [], "tag": "UapItemSpare"})
        elif c.text == "rfs":
            out.append({"contents": [], "tag": "UapItemRFS"})
        else:
            out.append({"contents": c.text, "tag": "UapItem"})
    return out


def convert(src):
    root = tree(src)
    top = {c.text.split()[0]: c for c in root.children}
    head = re.match(r'asterix (\d+) "(.*)"$', root.children[0].text)
    if not head:
        fail(root.children[0], "expected 'asterix NNN \"title\"'")
    major, minor = top["edition"].text.split()[1].split(".")
    y, mo, d = top["date"].text.split()[1].split("-")
    catalogue = [named(c) for c in top["items"].children]
    if "uap" in top:
        uap = {"contents": uap_entries(top["uap"].children), "tag": "Uap"}
    else:
        u = top["uaps"]
        var = next(c for c in u.children if c.text == "variations")
        case = next(c for c in u.children if c.text.startswith("case "))
        sel = {"cases": [], "item": case.text.split()[1].split("/")}
        for c in case.children:
            m = re.match(r"(\d+):\s*(\S+)$", c.text)
            sel["cases"].append([int(m.group(1)), m.group(2)])
        uap = {"contents": {"cases": [[v.text, uap_entries(v.children)] for v in var.children],
                            "selector": sel}, "tag": "Uaps"}
    return {"contents": {"catalogue": catalogue, "category": int(head.group(1)),
                         "date": {"day": int(d), "month": int(mo), "year": int(y)},
                         "edition": {"major": int(major), "minor": int(minor)},
                         "preamble": top["preamble"].doc if "preamble" in top else None,
                         "title": head.group(2), "uap": uap},
            "tag": "AsterixBasic"}


def main():
    spec = convert(open(sys.argv[1], encoding="utf-8").read())
    with open(sys.argv[2], "w", encoding="utf-8") as f:
        json.dump(spec, f, indent=1, ensure_ascii=False, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
