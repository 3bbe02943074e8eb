"""Public DNS as phase 3.1's delegation check sees it, on a loopback UDP port (test equipment).

No test may ask a real resolver, so the emulator answers NS queries itself: the zones file
(PRECEDENTUM_EMULATOR_DNS_FILE, JSON, re-read on each query) says what "the internet" serves:

    {"precedentum.example": {"ns": ["ns-1.awsdns-01.org", ...]},   # delegated to those name servers
     "parked.example": {"silent": true},                            # no answer: a resolver that times out
     "broken.example": {"rcode": 2}}                                # SERVFAIL

A name not in the file gets NXDOMAIN - as ".example" names really do. Emulator.delegate(zone) writes the
Route 53 zone's own name servers there, which is what a registrar does once the team has delegated.
"""

from __future__ import annotations

import json
import socket
import struct
import threading


def _name(data: bytes, offset: int) -> tuple[str, int]:
    labels = []
    while data[offset]:
        length = data[offset]
        labels.append(data[offset + 1:offset + 1 + length].decode("ascii").lower())
        offset += 1 + length
    return ".".join(labels), offset + 1


def _encode(name: str) -> bytes:
    return b"".join(bytes([len(label)]) + label.encode("ascii") for label in name.rstrip(".").split(".")) + b"\0"


def answer(query: bytes, zones: dict) -> bytes | None:
    """The response to one query (None: stay silent)."""
    query_id, _flags, qdcount = struct.unpack("!HHH", query[:6])
    name, end = _name(query, 12)
    qtype = struct.unpack("!H", query[end:end + 2])[0]
    question = query[12:end + 4]
    zone = zones.get(name.rstrip("."))
    if zone is not None and zone.get("silent"):
        return None
    rcode = 3 if zone is None else int(zone.get("rcode", 0))
    records = b""
    name_servers = zone.get("ns", []) if zone and qtype == 2 and rcode == 0 else []
    for server in name_servers:
        rdata = _encode(server)
        # The owner name as a pointer to the question's name (offset 12), as real servers compress it.
        records += struct.pack("!HHHIH", 0xC00C, 2, 1, 300, len(rdata)) + rdata
    # QR, RD copied, RA; the rcode.
    header = struct.pack("!HHHHHH", query_id, 0x8180 | rcode, qdcount, len(name_servers), 0, 0)
    return header + question + records


def serve(port: int, zones_path: str, host: str = "127.0.0.1") -> threading.Thread:
    """Answer NS queries on ``host:port`` (UDP) from ``zones_path``, in a daemon thread."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((host, port))

    def loop() -> None:
        while True:
            query, client = sock.recvfrom(4096)
            try:
                with open(zones_path, encoding="utf-8") as handle:
                    zones = {key.rstrip(".").lower(): value for key, value in json.load(handle).items()}
                response = answer(query, zones)
            except (OSError, ValueError, IndexError, struct.error):
                continue
            if response is not None:
                sock.sendto(response, client)

    thread = threading.Thread(target=loop, name="fake-dns", daemon=True)
    thread.start()
    return thread
