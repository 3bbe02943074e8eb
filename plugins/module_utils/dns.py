# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Ask a DNS resolver which name servers serve a zone (an NS query), with the standard library only.

Used before waiting for ACM's DNS validation: a zone nobody delegated to cannot validate, and saying so
at once beats a 15-minute wait. Only what an NS lookup needs: one question, UDP with a TCP retry when the
answer is truncated, name compression in answers.
"""

from __future__ import annotations

import random
import socket
import struct

NS, SOA = 2, 6
RCODES = {0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN", 4: "NOTIMP", 5: "REFUSED"}
RESOLV_CONF = "/etc/resolv.conf"


class DnsError(Exception):
    """The resolver could not be asked, or its answer could not be read."""


def normalize(name: str) -> str:
    return name.strip().rstrip(".").lower()


def system_resolvers(path: str = RESOLV_CONF) -> list[str]:
    """The machine's resolvers (``nameserver`` lines of resolv.conf), in order."""
    try:
        with open(path, encoding="utf-8") as handle:
            lines = handle.read().splitlines()
    except OSError:
        return []
    return [parts[1] for parts in (line.split() for line in lines) if len(parts) >= 2 and parts[0] == "nameserver"]


def parse_resolver(text: str) -> tuple[str, int]:
    """``host``, ``host:port`` or ``[v6]:port`` to (host, port); port 53 by default."""
    text = text.strip()
    if text.startswith("["):
        host, _unused, rest = text[1:].partition("]")
        port = rest.lstrip(":") or "53"
    elif text.count(":") == 1:
        host, port = text.split(":")
    else:
        host, port = text, "53"
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"{text!r} is not a resolver address (host, host:port or [v6]:port)")
    return host, int(port)


def encode_name(name: str) -> bytes:
    out = b""
    for label in normalize(name).split("."):
        raw = label.encode("idna") if label else b""
        if not 0 < len(raw) < 64:
            raise ValueError(f"{name!r} is not a domain name")
        out += bytes([len(raw)]) + raw
    return out + b"\0"


def build_query(name: str, qtype: int = NS, query_id: int | None = None) -> tuple[int, bytes]:
    query_id = random.randrange(1 << 16) if query_id is None else query_id
    # Recursion desired; one question of class IN.
    header = struct.pack("!HHHHHH", query_id, 0x0100, 1, 0, 0, 0)
    return query_id, header + encode_name(name) + struct.pack("!HH", qtype, 1)


def read_name(data: bytes, offset: int) -> tuple[str, int]:
    """The name at ``offset`` (following compression pointers) and the offset after it."""
    labels, end, seen = [], None, 0
    while True:
        if offset >= len(data):
            raise DnsError("the answer ends inside a name")
        length = data[offset]
        if length & 0xC0 == 0xC0:
            if offset + 1 >= len(data):
                raise DnsError("the answer ends inside a name")
            if end is None:
                end = offset + 2
            offset = ((length & 0x3F) << 8) | data[offset + 1]
            seen += 1
            if seen > 64:
                raise DnsError("the answer's names loop")
            continue
        if length == 0:
            return ".".join(labels).lower(), (end if end is not None else offset + 1)
        labels.append(data[offset + 1:offset + 1 + length].decode("ascii", "replace"))
        offset += 1 + length


def parse_response(data: bytes, query_id: int) -> dict:
    """rcode, truncated, and the NS names of the answer section."""
    if len(data) < 12:
        raise DnsError("the answer is shorter than a DNS header")
    rid, flags, qdcount, ancount, _nscount, _arcount = struct.unpack("!HHHHHH", data[:12])
    if rid != query_id:
        raise DnsError("the answer is for another question")
    offset = 12
    for _unused in range(qdcount):
        _unused, offset = read_name(data, offset)
        offset += 4
    name_servers = []
    for _unused in range(ancount):
        _unused, offset = read_name(data, offset)
        if offset + 10 > len(data):
            raise DnsError("the answer ends inside a record")
        rtype, _rclass, _ttl, rdlength = struct.unpack("!HHIH", data[offset:offset + 10])
        offset += 10
        if rtype == NS:
            target, _unused = read_name(data, offset)
            name_servers.append(target)
        offset += rdlength
    return {"rcode": RCODES.get(flags & 0xF, str(flags & 0xF)), "truncated": bool(flags & 0x0200),
            "name_servers": sorted(set(name_servers))}


def _ask_udp(host: str, port: int, packet: bytes, timeout: float) -> bytes:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_DGRAM) as sock:
        sock.settimeout(timeout)
        sock.sendto(packet, (host, port))
        data, _unused = sock.recvfrom(65535)
        return data


def _ask_tcp(host: str, port: int, packet: bytes, timeout: float) -> bytes:
    with socket.create_connection((host, port), timeout=timeout) as sock:
        sock.sendall(struct.pack("!H", len(packet)) + packet)
        head = _recv_exactly(sock, 2)
        return _recv_exactly(sock, struct.unpack("!H", head)[0])


def _recv_exactly(sock, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise DnsError("the resolver closed the connection mid-answer")
        data += chunk
    return data


def query_ns(zone: str, resolver: str, timeout: float = 3.0) -> dict:
    """Ask ``resolver`` for the NS records of ``zone``: {rcode, name_servers}. Raises DnsError when it
    does not answer (timeout, refused connection) or answers something unreadable."""
    host, port = parse_resolver(resolver)
    query_id, packet = build_query(zone)
    try:
        answer = parse_response(_ask_udp(host, port, packet, timeout), query_id)
        if answer["truncated"]:
            answer = parse_response(_ask_tcp(host, port, packet, timeout), query_id)
    except TimeoutError as exc:
        raise DnsError(f"no answer within {timeout:g} s") from exc
    except OSError as exc:
        raise DnsError(str(exc) or type(exc).__name__) from exc
    return {"rcode": answer["rcode"], "name_servers": answer["name_servers"]}


def delegation(zone: str, expected: list[str], resolvers: list[str], timeout: float = 3.0) -> dict:
    """What public DNS says about ``zone`` through the first resolver that answers.

    answered: a resolver answered (NOERROR or NXDOMAIN); name_servers: the zone's NS as it sees them;
    delegated: whether they include one of ``expected`` (None when nothing answered or nothing expected);
    errors: one line a resolver that did not answer.
    """
    errors = []
    wanted = {normalize(name) for name in expected}
    for resolver in resolvers:
        try:
            answer = query_ns(zone, resolver, timeout)
        except DnsError as exc:
            errors.append(f"{resolver}: {exc}")
            continue
        if answer["rcode"] not in ("NOERROR", "NXDOMAIN"):
            errors.append(f"{resolver}: answered {answer['rcode']}")
            continue
        seen = answer["name_servers"]
        return {"answered": True, "resolver": resolver, "rcode": answer["rcode"], "name_servers": seen,
                "delegated": bool(wanted & set(seen)) if wanted else None, "errors": errors}
    return {"answered": False, "resolver": None, "rcode": None, "name_servers": [], "delegated": None,
            "errors": errors or ["no resolver to ask"]}
