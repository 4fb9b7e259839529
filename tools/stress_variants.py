#!/usr/bin/env python3
"""Stress variants of an independent scenario's ASTERIX inputs (issue #18).

Not tuning data: these make harder versions of data skyfuse did not write, to
see how the picture degrades. Each variant is written next to the others in
OUT; point a copy of the scenario's sensor configuration at them.

  tools/stress_variants.py drop-adsb  SCENARIO OUT/adsb.ast  [--drop-every 2]
      drops the CAT021 records of every other ADS-B aircraft (objects.json),
      so those fly as radar-only targets.
  tools/stress_variants.py clutter  IN.ast OUT.ast --per-plot K --max-nm R [--near]
      adds K false plots per PSR-only CAT048 record (same time, azimuth within
      +-0.5 deg, so the antenna's timing stays consistent), uniform in area out
      to R NM, or with --near uniform in range (clutter concentrated near the
      site, as ground clutter is).

CAT021: records of one fixed layout (53 bytes, address at byte 22) as in the
independent scenarios; CAT048: items 010/140/020/040 parsed per the UAP.
"""
import argparse
import json
import math
import os
import random


def fx_len(b, i):
    n = 1
    while b[i + n - 1] & 1:
        n += 1
    return n


def _c130(b, i):
    n = fx_len(b, i)
    return n + bin(b[i] & 0xFE).count('1')


def _c120(b, i):
    p, n = b[i], 1
    if p & 0x80:
        n += 2
    if p & 0x40:
        n += 1 + 7 * b[i + n]
    return n


# CAT048 UAP: FRN -> length (int), 'fx' (extensible) or a function.
_UAP48 = {1: 2, 2: 3, 3: 'fx', 4: 4, 5: 2, 6: 2, 7: _c130, 8: 3, 9: 6, 10: lambda b, i: 1 + 8 * b[i],
          11: 2, 12: 4, 13: 4, 14: 'fx', 15: 4, 16: 'fx', 17: 2, 18: 4, 19: 2, 20: _c120, 21: 2,
          22: 7, 23: 1, 24: 2, 25: 1, 26: 2}


def parse48(b, i):
    """(end, {frn: (offset, length)}) of the CAT048 record at i."""
    n = fx_len(b, i)
    frns = [m * 7 + k + 1 for m in range(n) for k in range(7) if b[i + m] & (0x80 >> k)]
    pos, items = i + n, {}
    for f in frns:
        ln = _UAP48[f]
        ln = fx_len(b, pos) if ln == 'fx' else ln(b, pos) if callable(ln) else ln
        items[f] = (pos, ln)
        pos += ln
    return pos, items


def blocks(d):
    i = 0
    while i + 3 <= len(d):
        ln = (d[i + 1] << 8) | d[i + 2]
        if ln < 3:
            raise SystemExit(f'bad block length at {i}')
        yield i, ln
        i += ln


def block(cat, body):
    n = len(body) + 3
    if n > 65535:
        raise SystemExit('data block over 65535 bytes')
    return bytes([cat, n >> 8, n & 255]) + body


def drop_adsb(scenario, out, drop_every):
    objs = json.load(open(os.path.join(scenario, 'objects.json')))
    ads = sorted(o['id'] for o in objs if o.get('adsb'))
    drop = {bytes.fromhex(x) for x in ads[::drop_every]}
    d = open(os.path.join(scenario, 'adsb.ast'), 'rb').read()
    res, kept, dropped = bytearray(), 0, 0
    for i, ln in blocks(d):
        rs = [d[j:j + 53] for j in range(i + 3, i + ln, 53)]
        keep = [r for r in rs if r[22:25] not in drop]
        kept, dropped = kept + len(keep), dropped + len(rs) - len(keep)
        if keep:
            res += block(d[i], b''.join(keep))
    open(out, 'wb').write(res)
    print(f'{len(drop)} of {len(ads)} ADS-B aircraft dropped: {dropped} records, {kept} kept')


def clutter(src, dst, per_plot, max_nm, near, seed):
    rnd = random.Random(seed)
    d = open(src, 'rb').read()
    res, added = bytearray(), 0
    for i, ln in blocks(d):
        body, j = bytearray(), i + 3
        while j < i + ln:
            e, items = parse48(d, j)
            rec = d[j:e]
            body += rec
            if set(items) == {1, 2, 3, 4}:  # a PSR-only plot
                p = items[4][0] - j
                th = (rec[p + 2] << 8) | rec[p + 3]
                k = int(per_plot) + (1 if rnd.random() < per_plot - int(per_plot) else 0)
                for _ in range(k):
                    r = rnd.uniform(0.5, max_nm) if near else max_nm * math.sqrt(rnd.random())
                    rho, t = int(r * 256), (th + rnd.randint(-91, 91)) % 65536
                    c = bytearray(rec)
                    c[p:p + 4] = bytes([rho >> 8, rho & 255, t >> 8, t & 255])
                    body += c
                    added += 1
            j = e
        res += block(d[i], bytes(body))
    open(dst, 'wb').write(res)
    print(f'{added} clutter plots added')


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest='cmd', required=True)
    a = sub.add_parser('drop-adsb')
    a.add_argument('scenario')
    a.add_argument('out')
    a.add_argument('--drop-every', type=int, default=2)
    c = sub.add_parser('clutter')
    c.add_argument('src')
    c.add_argument('dst')
    c.add_argument('--per-plot', type=float, required=True)
    c.add_argument('--max-nm', type=float, required=True)
    c.add_argument('--near', action='store_true')
    c.add_argument('--seed', type=int, default=7)
    args = ap.parse_args()
    if args.cmd == 'drop-adsb':
        drop_adsb(args.scenario, args.out, args.drop_every)
    else:
        clutter(args.src, args.dst, args.per_plot, args.max_nm, args.near, args.seed)


if __name__ == '__main__':
    main()
