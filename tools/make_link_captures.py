#!/usr/bin/python3
"""Captures of ASTERIX over UDP with the link layers and IP features that
operational captures have (tests/data/asterix/links/; their origin is in
tests/data/asterix/README.md).

Two are real captures made by tcpdump on this machine's loopback while this
script sends the datagrams: `any_sll2.pcap` (`tcpdump -i any`, which libpcap
>= 1.10 writes as Linux cooked v2) and `lo_ethernet.pcap` (`tcpdump -i lo`).
Two are written by scapy 2.5 (Debian's python3-scapy), for what a loopback
cannot carry: `vlan_fragments.pcap` (802.1Q and 802.1ad tags, IPv4 fragments
out of order and interleaved, IPv6 with extension headers and fragments,
link-layer padding, a datagram whose fragments never all come, and packets
that are not UDP) and `null_loopback.pcap` (BSD loopback, link type 0).
Then Wireshark's tools make `vlan_fragments.pcapng` (editcap -F pcapng),
`two_links.pcapng` (mergecap -F pcapng of the SLL2 and loopback captures: two
interfaces of two link types) and `snap300.pcap` (editcap -s 300 of the
Ethernet capture).

The payloads are the data blocks of tests/data/asterix/sim_cat048_034.ast.
Needs root (tcpdump), tcpdump, python3-scapy and Wireshark's editcap and
mergecap; run from the repository root:
  sudo /usr/bin/python3 tools/make_link_captures.py tests/data/asterix/links
"""
import os
import signal
import socket
import subprocess
import sys
import time

from scapy.all import (ARP, ICMP, IP, TCP, UDP, Dot1AD, Dot1Q, Ether, IPv6, IPv6ExtHdrDestOpt,
                       IPv6ExtHdrFragment, IPv6ExtHdrHopByHop, Loopback, Padding, Raw, fragment,
                       fragment6, wrpcap)


def blocks(path):
    data = open(path, "rb").read()
    out, pos = [], 0
    while pos + 3 <= len(data):
        n = (data[pos + 1] << 8) | data[pos + 2]
        out.append(data[pos:pos + n])
        pos += n
    return out


def datagrams(bs, sizes):
    """Consecutive groups of data blocks, one datagram per group size."""
    out, k = [], 0
    for s in sizes:
        out.append(b"".join(bs[k:k + s]))
        k += s
    return out, k


def capture(iface, path, send):
    p = subprocess.Popen(["tcpdump", "-i", iface, "-U", "-s", "0", "-w", path,
                          "udp port 8600 or udp port 8601 or icmp or icmp6"],
                         stderr=subprocess.DEVNULL)
    time.sleep(1.5)
    send()
    time.sleep(1.0)
    p.send_signal(signal.SIGINT)
    p.wait()


def main(out):
    os.makedirs(out, exist_ok=True)
    bs = blocks("tests/data/asterix/sim_cat048_034.ast")
    # Real captures: IPv4 and IPv6 datagrams on the loopback, one of 9 blocks
    # (about 3.5 kB). Nothing listens, so the kernel answers each with an ICMP
    # port unreachable that quotes the datagram: a quoted datagram is not data.
    for iface, name, first in (("any", "any_sll2.pcap", 0), ("lo", "lo_ethernet.pcap", 40)):
        dg, _ = datagrams(bs[first:], [1, 2, 1, 9, 3, 1, 2])

        def send():
            s4 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
            for i, d in enumerate(dg):
                if i % 2:
                    s6.sendto(d, ("::1", 8601))
                else:
                    s4.sendto(d, ("127.0.0.1", 8600))
                time.sleep(0.05)
        capture(iface, os.path.join(out, name), send)

    dg, k = datagrams(bs[80:], [1, 2, 1, 8, 1, 1, 6, 1, 1])
    e = Ether(src="02:00:00:00:00:01", dst="01:00:5e:01:02:03")
    ip = IP(src="10.1.2.3", dst="239.1.2.3", ttl=8)
    ip6 = IPv6(src="fd00::1", dst="ff15::8600", hlim=8)
    udp = UDP(sport=40000, dport=8600)
    pkts = [
        e / Dot1Q(vlan=10) / ip / udp / Raw(dg[0]),
        e / Dot1AD(vlan=100) / Dot1Q(vlan=20) / ip / udp / Raw(dg[1]),
        e / ARP(psrc="10.1.2.3", pdst="10.1.2.4"),
        e / ip / TCP(sport=40001, dport=8600, flags="PA") / Raw(dg[2]),  # not UDP: skipped
        e / IP(src="10.1.2.3", dst="10.1.2.4") / ICMP(),
    ]
    # IPv4 fragments of dg[3] (about 3 kB): last first, another datagram between.
    frags = fragment(IP(src="10.1.2.3", dst="239.1.2.3", id=4242, ttl=8) / udp / Raw(dg[3]),
                     fragsize=1200)
    pkts += [e / frags[-1], e / ip / udp / Raw(dg[4])] + [e / f for f in frags[:-1]]
    # A short datagram in a frame padded to Ethernet's 60 bytes.
    pkts.append(e / IP(src="10.1.2.3", dst="239.1.2.3", ttl=8) / udp / Raw(dg[5][:10])
                / Padding(b"\x00" * 8))
    # IPv6 with hop-by-hop and destination options, then IPv6 fragments.
    pkts.append(e / ip6 / IPv6ExtHdrHopByHop() / IPv6ExtHdrDestOpt() / udp / Raw(dg[7]))
    f6 = fragment6(ip6 / IPv6ExtHdrFragment(id=77) / udp / Raw(dg[6]), 1280)
    pkts += [e / f for f in f6[1:]] + [e / Dot1Q(vlan=30) / f6[0]]
    # The first fragment of a datagram whose other fragments never come.
    lost = fragment(IP(src="10.1.2.3", dst="239.1.2.3", id=4243, ttl=8) / udp / Raw(dg[3]),
                    fragsize=1200)
    pkts.append(e / lost[0])
    pkts.append(e / ip / udp / Raw(dg[8]))
    for i, p in enumerate(pkts):
        p.time = 1700000000 + i * 0.01
    wrpcap(os.path.join(out, "vlan_fragments.pcap"), pkts)

    lo = [Loopback(type=2) / IP(src="127.0.0.1", dst="127.0.0.1") / udp / Raw(d)
          for d in datagrams(bs[100:], [1, 2, 1])[0]]
    for i, p in enumerate(lo):
        p.time = 1700000000 + i * 0.01
    wrpcap(os.path.join(out, "null_loopback.pcap"), lo, linktype=0)

    def o(name):
        return os.path.join(out, name)
    subprocess.run(["editcap", "-F", "pcapng", o("vlan_fragments.pcap"),
                    o("vlan_fragments.pcapng")], check=True)
    subprocess.run(["mergecap", "-F", "pcapng", "-w", o("two_links.pcapng"), o("any_sll2.pcap"),
                    o("null_loopback.pcap")], check=True)
    subprocess.run(["editcap", "-s", "300", o("lo_ethernet.pcap"), o("snap300.pcap")], check=True)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "tests/data/asterix/links")
