"""Helpers for the Wireshark round-trip tests: split a file of raw ASTERIX
data blocks, and wrap blocks as UDP/8600 payloads in a classic pcap
(Ethernet, IPv4 127.0.0.1:40000 -> 127.0.0.1:8600) that tshark reads."""
import struct


def split_blocks(data, max_blocks=None):
    blocks, i = [], 0
    while i + 3 <= len(data) and (max_blocks is None or len(blocks) < max_blocks):
        n = struct.unpack(">H", data[i + 1:i + 3])[0]
        blocks.append(data[i:i + n])
        i += n
    return blocks


def write_pcap(blocks, path):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for k, b in enumerate(blocks):
            udp = struct.pack(">HHHH", 40000, 8600, 8 + len(b), 0) + b
            ip = bytearray(struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), k & 0xFFFF, 0, 64, 17, 0,
                                       bytes([127, 0, 0, 1]), bytes([127, 0, 0, 1])))
            s = sum(struct.unpack(">10H", bytes(ip)))
            s = (s & 0xFFFF) + (s >> 16)
            s = (s & 0xFFFF) + (s >> 16)
            ip[10:12] = struct.pack(">H", ~s & 0xFFFF)
            frame = bytes(12) + b"\x08\x00" + bytes(ip) + udp
            f.write(struct.pack("<IIII", 1700000000 + k, 0, len(frame), len(frame)) + frame)
