"""The emulated load balancers and Lightsail endpoints, served on loopback: what a tester's browser reaches.

Test equipment only: the playbooks and roles know nothing of it. It reads back what they made through the AWS
API of the emulator (DescribeLoadBalancers, DescribeListeners, DescribeRules, DescribeTargetHealth, ACM's
certificates, Route 53's records, Lightsail's container services) and serves it as AWS would:

- every listener of every application load balancer on a loopback port of its own: rules by priority (path
  patterns, host headers, HTTP headers, methods, query strings), then the default action; forward (round robin
  over the target group's healthy targets: all registered ones when none is healthy, as the ALB "fails open";
  503 with none registered), redirect (``#{protocol}``, ``#{host}``, ``#{port}``, ``#{path}``, ``#{query}``),
  fixed responses; the ``X-Forwarded-For/-Proto/-Port`` headers; requests whose header names are not valid
  HTTP lose those headers when ``routing.http.drop_invalid_header_fields.enabled`` is on; 502 when a target
  refuses, 504 past the idle timeout;
- HTTPS listeners with a certificate for the names of their ACM certificate, issued by a throwaway local CA
  (``LocalCA``) in place of Amazon's;
- a Lightsail container service's public endpoint: HTTPS on its own name (``*.cs.amazonlightsail.com``) to the
  public endpoint's container of the current deployment, HTTP redirected to HTTPS;
- a forward proxy (``Sites.proxy``) that takes a browser's requests by name, as DNS would: a load balancer's
  DNS name, a Route 53 record aliased to one (the team's domain), or a Lightsail service's name. It goes nowhere
  else: any other name is refused, so a browser behind it reaches only this machine's emulated sites.

    with Sites(emulator, tmp_path) as sites:
        status, body, headers = sites.fetch("https://app.precedentum.example/api/health/")
        sites.proxy                    # "127.0.0.1:PORT", for Chromium's --proxy-server
        sites.ca.spki_sha256           # for Chromium's --ignore-certificate-errors-spki-list
"""

from __future__ import annotations

import base64
import datetime
import fnmatch
import hashlib
import http.client
import http.server
import itertools
import json
import os
import re
import select
import socket
import ssl
import threading
import time
import urllib.parse
from pathlib import Path

from .emulator import HOST

HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "proxy-connection", "te",
              "trailer", "transfer-encoding", "upgrade"}
VALID_HEADER_NAME = re.compile(r"^[A-Za-z0-9-]+$")
REFRESH_SECONDS = 1.0


# --- certificates ---------------------------------------------------------------------------------------------

class LocalCA:
    """A throwaway certificate authority for the served HTTPS listeners (never trusted beyond the test)."""

    def __init__(self, directory: Path):
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID

        self._x509, self._hashes, self._serialization, self._ec, self._oid = x509, hashes, serialization, ec, NameOID
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "precedentum test CA (throwaway)")])
        now = datetime.datetime.now(datetime.UTC)
        self.cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
                     .public_key(self.key.public_key()).serial_number(x509.random_serial_number())
                     .not_valid_before(now - datetime.timedelta(hours=1))
                     .not_valid_after(now + datetime.timedelta(days=2))
                     .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
                     .add_extension(x509.SubjectKeyIdentifier.from_public_key(self.key.public_key()), critical=False)
                     .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                                  content_commitment=False, key_encipherment=False,
                                                  data_encipherment=False, key_agreement=False,
                                                  encipher_only=False, decipher_only=False), critical=True)
                     .sign(self.key, hashes.SHA256()))
        self.ca_file = self.directory / "ca.pem"
        self.ca_file.write_bytes(self.cert.public_bytes(serialization.Encoding.PEM))
        self._issued: dict[tuple, tuple[Path, Path]] = {}

    @property
    def spki_sha256(self) -> str:
        """Base64 SHA-256 of the CA's public key: Chromium's --ignore-certificate-errors-spki-list."""
        spki = self.cert.public_key().public_bytes(self._serialization.Encoding.DER,
                                                   self._serialization.PublicFormat.SubjectPublicKeyInfo)
        return base64.b64encode(hashlib.sha256(spki).digest()).decode()

    def issue(self, names: list[str]) -> tuple[Path, Path]:
        """A server certificate for ``names`` (wildcards allowed): (certificate file, key file)."""
        names = sorted({n.lower().rstrip(".") for n in names if n})
        if tuple(names) in self._issued:
            return self._issued[tuple(names)]
        x509, serialization = self._x509, self._serialization
        key = self._ec.generate_private_key(self._ec.SECP256R1())
        now = datetime.datetime.now(datetime.UTC)
        cert = (x509.CertificateBuilder()
                .subject_name(x509.Name([x509.NameAttribute(self._oid.COMMON_NAME, names[0])]))
                .issuer_name(self.cert.subject).public_key(key.public_key())
                .serial_number(x509.random_serial_number())
                .not_valid_before(now - datetime.timedelta(hours=1)).not_valid_after(now + datetime.timedelta(days=1))
                .add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), critical=False)
                .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
                .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()),
                               critical=False)
                .sign(self.key, self._hashes.SHA256()))
        stem = hashlib.sha256(",".join(names).encode()).hexdigest()[:12]
        cert_file, key_file = self.directory / f"{stem}.pem", self.directory / f"{stem}.key"
        cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM) +
                              self.cert.public_bytes(serialization.Encoding.PEM))
        key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                               serialization.NoEncryption()))
        self._issued[tuple(names)] = (cert_file, key_file)
        return cert_file, key_file

    def client_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.ca_file))


# --- what a listener does with a request ---------------------------------------------------------------------

def _wildcard(pattern: str, value: str, case: bool) -> bool:
    """AWS's condition values: ``*`` any characters, ``?`` one character."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, 0 if case else re.IGNORECASE) is not None


def _values(condition: dict, config: str) -> list[str]:
    return list((condition.get(config) or {}).get("Values") or condition.get("Values") or [])


def condition_matches(condition: dict, request: dict) -> bool:
    field = condition.get("Field")
    if field == "path-pattern":
        return any(_wildcard(v, request["path"], True) for v in _values(condition, "PathPatternConfig"))
    if field == "host-header":
        host = request["host"].split(":")[0]
        return any(_wildcard(v, host, False) for v in _values(condition, "HostHeaderConfig"))
    if field == "http-request-method":
        return request["method"] in _values(condition, "HttpRequestMethodConfig")
    if field == "http-header":
        config = condition.get("HttpHeaderConfig") or {}
        name = (config.get("HttpHeaderName") or "").lower()
        found = [v for k, v in request["headers"] if k.lower() == name]
        return any(_wildcard(p, v, False) for p in config.get("Values") or [] for v in found)
    if field == "query-string":
        pairs = urllib.parse.parse_qsl(request["query"], keep_blank_values=True)
        return any(any((kv.get("Key") is None or _wildcard(kv["Key"], k, False)) and _wildcard(kv["Value"], v, False)
                       for k, v in pairs)
                   for kv in (condition.get("QueryStringConfig") or {}).get("Values") or [])
    if field == "source-ip":
        return True  # every request here comes from this machine
    return False


def choose_rule(rules: list[dict], request: dict) -> dict:
    """The first rule by priority whose conditions all hold; the default rule last."""
    def order(rule):
        return (1, 0) if rule.get("IsDefault") or rule.get("Priority") == "default" else (0, int(rule["Priority"]))
    for rule in sorted(rules, key=order):
        if all(condition_matches(c, request) for c in rule.get("Conditions") or []):
            return rule
    raise LookupError("no default rule")


def redirect_location(config: dict, request: dict, listener_port: int) -> str:
    """Where an ALB redirect action sends the client (its #{...} placeholders filled in)."""
    values = {"protocol": request["scheme"].upper(), "host": request["host"].split(":")[0],
              "port": str(listener_port), "path": request["path"], "query": request["query"]}

    def fill(text: str) -> str:
        return re.sub(r"#\{(protocol|host|port|path|query)\}", lambda m: values[m.group(1)], text)
    protocol = fill(config.get("Protocol", "#{protocol}")).lower()
    host = fill(config.get("Host", "#{host}"))
    port = fill(config.get("Port", "#{port}"))
    path = fill(config.get("Path", "/#{path}"))
    path = "/" + path.lstrip("/") if not path.startswith("/") or path.startswith("//") else path
    query = fill(config.get("Query", "#{query}"))
    default = {"http": "80", "https": "443"}[protocol]
    netloc = host if port == default else f"{host}:{port}"
    return urllib.parse.urlunsplit((protocol, netloc, path, query, ""))


def usable_targets(health: list[dict]) -> list[tuple[str, int]]:
    """The targets a request may go to: the healthy ones; when none is, every registered one (fail open)."""
    def pick(states):
        return [(d["Target"]["Id"], int(d["Target"]["Port"])) for d in health
                if d["TargetHealth"]["State"] in states]
    return pick({"healthy"}) or pick({"unhealthy", "initial", "unavailable"})


def _status_text(code: int) -> str:
    try:
        return http.HTTPStatus(code).phrase
    except ValueError:
        return ""


# --- serving ---------------------------------------------------------------------------------------------------

class _AnyMethod(http.server.BaseHTTPRequestHandler):
    """HTTP/1.1 with keep-alive; every method goes to ``_do``; quiet (the tests say what failed)."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:
        pass

    def __getattr__(self, name: str):
        if name.startswith("do_"):
            return self._do
        raise AttributeError(name)

    def handle_one_request(self) -> None:
        try:
            super().handle_one_request()
        except (ConnectionError, TimeoutError, ssl.SSLError):
            self.close_connection = True

    def _answer(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
        self.send_response_only(status, _status_text(status))
        seen = set()
        for name, value in headers:
            if name.lower() in HOP_BY_HOP or name.lower() == "content-length":
                continue
            seen.add(name.lower())
            self.send_header(name, value)
        if "date" not in seen:
            self.send_header("Date", self.date_time_string())
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


class _Handler(_AnyMethod):
    server_version = "awselb/2.0"

    def _request(self) -> dict:
        path = self.path
        host = self.headers.get("Host", "")
        if "://" in path:  # absolute form (through the proxy)
            parts = urllib.parse.urlsplit(path)
            host = host or parts.netloc
            path = urllib.parse.urlunsplit(("", "", parts.path or "/", parts.query, ""))
        split = urllib.parse.urlsplit(path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        return {"method": self.command, "path": split.path or "/", "query": split.query, "host": host,
                "headers": list(self.headers.items()), "body": body, "client": self.client_address[0]}

    def _do(self) -> None:
        request = self._request()
        status, headers, body = self.server.site.respond(request)
        self._answer(status, headers, body)


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, site, context: ssl.SSLContext | None, port: int = 0):
        self.site = site
        self.context = context
        try:
            super().__init__((HOST, port), _Handler)
        except OSError:  # the preferred port is taken: any free one
            super().__init__((HOST, 0), _Handler)

    def get_request(self):
        sock, address = super().get_request()
        if self.context is not None:
            sock = self.context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        return sock, address

    def finish_request(self, request, client_address) -> None:
        if self.context is not None:
            try:
                request.settimeout(10)
                request.do_handshake()
                request.settimeout(None)
            except (OSError, ssl.SSLError):
                return
        super().finish_request(request, client_address)


def _relay(address: tuple[str, int], request: dict, headers: list[tuple[str, str]], timeout: float):
    """One request to a target; (status, headers, body), 502 when it refuses, 504 past the timeout."""
    connection = http.client.HTTPConnection(*address, timeout=timeout)
    try:
        target = request["path"] + (f"?{request['query']}" if request["query"] else "")
        connection.putrequest(request["method"], target, skip_host=True, skip_accept_encoding=True)
        for name, value in headers:
            if name.lower() != "content-length":  # set once below (gunicorn refuses a request with two)
                connection.putheader(name, value)
        if request["body"] or request["method"] in ("POST", "PUT", "PATCH"):
            connection.putheader("Content-Length", str(len(request["body"])))
        connection.putheader("Connection", "close")
        connection.endheaders(request["body"] or None)
        answer = connection.getresponse()
        return answer.status, answer.getheaders(), answer.read()
    except TimeoutError:
        return 504, [("Content-Type", "text/html")], b"<html><body><h1>504 Gateway Time-out</h1></body></html>"
    except OSError:
        return 502, [("Content-Type", "text/html")], b"<html><body><h1>502 Bad Gateway</h1></body></html>"
    finally:
        connection.close()


class _Listener:
    """One ALB listener, served: its rules and target groups read back from the emulator (at most once a second)."""

    def __init__(self, sites: Sites, lb: dict, listener: dict):
        self.sites, self.lb, self.arn = sites, lb, listener["ListenerArn"]
        self.port, self.protocol = int(listener["Port"]), listener["Protocol"].lower()
        context = None
        if self.protocol == "https":
            names = sites.certificate_names([c["CertificateArn"] for c in listener.get("Certificates") or []])
            cert_file, key_file = sites.ca.issue(names or [lb["DNSName"]])
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(cert_file, key_file)
        self.server = _Server(self, context, sites.preferred_ports.get(self.port, 0))
        self.local_port = self.server.server_address[1]
        self._cache: tuple[float, list, dict] = (0.0, [], {})
        self._turn = itertools.count()
        self._lock = threading.Lock()
        threading.Thread(target=self.server.serve_forever, daemon=True, name=f"alb-{self.port}").start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _state(self) -> tuple[list, dict]:
        with self._lock:
            at, rules, attributes = self._cache
            if time.monotonic() - at > REFRESH_SECONDS:
                elbv2 = self.sites.client("elbv2")
                rules = elbv2.describe_rules(ListenerArn=self.arn)["Rules"]
                attributes = {a["Key"]: a["Value"] for a in elbv2.describe_load_balancer_attributes(
                    LoadBalancerArn=self.lb["LoadBalancerArn"])["Attributes"]}
                self._cache = (time.monotonic(), rules, attributes)
            return rules, attributes

    def respond(self, request: dict) -> tuple[int, list, bytes]:
        request["scheme"] = self.protocol
        rules, attributes = self._state()
        if attributes.get("routing.http.drop_invalid_header_fields.enabled") == "true":
            request["headers"] = [(k, v) for k, v in request["headers"] if VALID_HEADER_NAME.match(k)]
        try:
            rule = choose_rule(rules, request)
        except LookupError:
            return 503, [("Content-Type", "text/plain")], b"no rule"
        action = sorted((a for a in rule.get("Actions") or [] if not a["Type"].startswith("authenticate")),
                        key=lambda a: a.get("Order", 0))[0]
        if action["Type"] == "redirect":
            config = action["RedirectConfig"]
            code = 301 if config.get("StatusCode") == "HTTP_301" else 302
            return code, [("Location", redirect_location(config, request, self.port)),
                          ("Content-Type", "text/html")], b""
        if action["Type"] == "fixed-response":
            config = action["FixedResponseConfig"]
            return (int(config["StatusCode"]), [("Content-Type", config.get("ContentType", "text/plain"))],
                    (config.get("MessageBody") or "").encode())
        groups = [g["TargetGroupArn"] for g in (action.get("ForwardConfig") or {}).get("TargetGroups") or []]
        group = action.get("TargetGroupArn") or groups[0]
        health = self.sites.client("elbv2").describe_target_health(TargetGroupArn=group)["TargetHealthDescriptions"]
        targets = usable_targets(health)
        if not targets:
            return 503, [("Content-Type", "text/html")], \
                b"<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>"
        target = targets[next(self._turn) % len(targets)]
        forwarded = [(k, v) for k, v in request["headers"] if k.lower() not in HOP_BY_HOP
                     and k.lower() not in ("x-forwarded-for", "x-forwarded-proto", "x-forwarded-port")]
        before = [v for k, v in request["headers"] if k.lower() == "x-forwarded-for"]
        forwarded += [("X-Forwarded-For", ", ".join([*before, request["client"]])),
                      ("X-Forwarded-Proto", self.protocol), ("X-Forwarded-Port", str(self.port)),
                      ("X-Amzn-Trace-Id", f"Root=1-{int(time.time()):08x}-{os.urandom(12).hex()}")]
        if not any(k.lower() == "host" for k, _unused in forwarded):
            forwarded.insert(0, ("Host", request["host"]))
        timeout = float(attributes.get("idle_timeout.timeout_seconds", 60))
        return _relay(target, request, forwarded, timeout)


class _LightsailEndpoint:
    """A Lightsail container service's public endpoint: HTTPS to the current deployment's public container."""

    def __init__(self, sites: Sites, name: str, host: str, protocol: str):
        self.sites, self.name, self.host, self.protocol = sites, name, host, protocol
        self.port = 443 if protocol == "https" else 80
        context = None
        if protocol == "https":
            cert_file, key_file = sites.ca.issue([host])
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(cert_file, key_file)
        self.server = _Server(self, context, sites.preferred_ports.get(self.port, 0))
        self.local_port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True, name=f"lightsail-{protocol}").start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def respond(self, request: dict) -> tuple[int, list, bytes]:
        request["scheme"] = self.protocol
        if self.protocol == "http":
            return 301, [("Location", f"https://{self.host}{request['path']}"
                                      f"{'?' + request['query'] if request['query'] else ''}")], b""
        service = self.sites.client("lightsail").get_container_services(serviceName=self.name)["containerServices"][0]
        deployment = service.get("currentDeployment") or {}
        endpoint = deployment.get("publicEndpoint") or {}
        address = self.sites.lightsail_address(self.name, deployment.get("version"))
        if not address or not endpoint:
            return 503, [("Content-Type", "text/html")], b"<html><body><h1>503 Service Unavailable</h1></body></html>"
        forwarded = [(k, v) for k, v in request["headers"] if k.lower() not in HOP_BY_HOP]
        forwarded += [("X-Forwarded-For", request["client"]), ("X-Forwarded-Proto", "https"),
                      ("X-Forwarded-Port", "443")]
        return _relay((address, int(endpoint["containerPort"])), request, forwarded, 60.0)


# --- the forward proxy a browser uses ----------------------------------------------------------------------------

class _ProxyHandler(_AnyMethod):
    def do_CONNECT(self) -> None:  # noqa: N802
        host, _unused, port = self.path.rpartition(":")
        local = self.server.sites.local_port(host, int(port or 443))
        if local is None:
            self.server.sites.refused.append(self.path)
            self.send_error(502, f"{host} is not an emulated site")
            return
        upstream = socket.create_connection((HOST, local), timeout=10)
        self.send_response_only(200, "Connection established")
        self.end_headers()
        self.wfile.flush()
        sockets = [self.connection, upstream]
        try:
            while True:
                readable, _unused, broken = select.select(sockets, [], sockets, 120)
                if broken or not readable:
                    break
                for source in readable:
                    data = source.recv(65536)
                    if not data:
                        return
                    (upstream if source is self.connection else self.connection).sendall(data)
        except OSError:
            pass
        finally:
            upstream.close()
            self.close_connection = True

    def _do(self) -> None:
        parts = urllib.parse.urlsplit(self.path)
        local = self.server.sites.local_port(parts.hostname or "", parts.port or 80) if parts.scheme == "http" else None
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if local is None:
            self.server.sites.refused.append(self.path)
            self.send_error(502, f"{parts.hostname} is not an emulated site")
            return
        headers = [(k, v) for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP]
        request = {"method": self.command, "path": parts.path or "/", "query": parts.query, "body": body}
        self._answer(*_relay((HOST, local), request, headers, 120))


class Sites:
    """The emulator's load balancers and Lightsail endpoints, served; refreshed whenever a name is asked for."""

    def __init__(self, emulator, directory: Path, preferred_ports: dict[int, int] | None = None):
        self.emulator = emulator
        # listener port -> the loopback port to serve it on when free (the first such listener gets it)
        self.preferred_ports = dict(preferred_ports or {})
        self.ca = LocalCA(Path(directory) / "local-ca")
        self.listeners: dict[str, _Listener | _LightsailEndpoint] = {}
        self.names: dict[tuple[str, int], int] = {}  # (name, port) -> local port
        self.refused: list[str] = []  # what the proxy turned away (a page that asked for another site)
        self._clients: dict[str, object] = {}
        self._lock = threading.RLock()
        self._refreshed = 0.0
        self._proxy: http.server.ThreadingHTTPServer | None = None

    def __enter__(self) -> Sites:
        handler = type("ProxyHandler", (_ProxyHandler,), {})
        self._proxy = http.server.ThreadingHTTPServer((HOST, 0), handler)
        self._proxy.daemon_threads = True
        self._proxy.sites = self
        threading.Thread(target=self._proxy.serve_forever, daemon=True, name="sites-proxy").start()
        return self

    def __exit__(self, *exc) -> None:
        if self._proxy is not None:
            self._proxy.shutdown()
            self._proxy.server_close()
        for listener in self.listeners.values():
            listener.close()
        self.listeners.clear()

    @property
    def proxy(self) -> str:
        return f"{HOST}:{self._proxy.server_address[1]}"

    def client(self, service: str):
        with self._lock:
            if service not in self._clients:
                self._clients[service] = self.emulator.client(service)
            return self._clients[service]

    def certificate_names(self, arns: list[str]) -> list[str]:
        names = []
        for arn in arns:
            certificate = self.client("acm").describe_certificate(CertificateArn=arn)["Certificate"]
            names += [certificate["DomainName"], *(certificate.get("SubjectAlternativeNames") or [])]
        return names

    def lightsail_address(self, service: str, version) -> str:
        """The address of a Lightsail deployment's containers (they share one network namespace)."""
        from .docker_engine import docker

        label = f"precedentum.lightsail={service}:{version}"
        for cid in docker("ps", "-q", "--filter", f"label={label}", check=False).stdout.split():
            info = json.loads(docker("inspect", cid, check=False).stdout or "[{}]")[0]
            for network in (info.get("NetworkSettings") or {}).get("Networks", {}).values():
                if network.get("IPAddress"):
                    return network["IPAddress"]
        return ""

    def refresh(self) -> None:
        """Serve what is new since the last look (listeners, certificates, Route 53 names, Lightsail services)."""
        with self._lock:
            self._refreshed = time.monotonic()
            elbv2 = self.client("elbv2")
            live = set()
            for lb in elbv2.describe_load_balancers()["LoadBalancers"]:
                if lb.get("Type", "application") != "application":
                    continue
                for listener in elbv2.describe_listeners(LoadBalancerArn=lb["LoadBalancerArn"])["Listeners"]:
                    arn = listener["ListenerArn"]
                    live.add(arn)
                    if arn not in self.listeners:
                        self.listeners[arn] = _Listener(self, lb, listener)
                    self.names[(lb["DNSName"].lower(), int(listener["Port"]))] = self.listeners[arn].local_port
            live |= self._refresh_lightsail()
            for arn in [a for a in self.listeners if a not in live]:
                self.listeners.pop(arn).close()
            self._refresh_route53()
            served = {listener.local_port for listener in self.listeners.values()}
            self.names = {key: port for key, port in self.names.items() if port in served}

    def _refresh_lightsail(self) -> set:
        live = set()
        if not getattr(self.emulator, "lightsail_port", None):
            return live
        for service in self.client("lightsail").get_container_services()["containerServices"]:
            host = urllib.parse.urlsplit(service.get("url") or "").hostname
            if not host:
                continue
            for protocol in ("https", "http"):
                key = f"lightsail:{service['containerServiceName']}:{protocol}"
                live.add(key)
                if key not in self.listeners:
                    self.listeners[key] = _LightsailEndpoint(self, service["containerServiceName"], host, protocol)
                self.names[(host.lower(), self.listeners[key].port)] = self.listeners[key].local_port
        return live

    def _refresh_route53(self) -> None:
        route53 = self.client("route53")
        for zone in route53.list_hosted_zones()["HostedZones"]:
            for record in route53.list_resource_record_sets(HostedZoneId=zone["Id"])["ResourceRecordSets"]:
                if record["Type"] not in ("A", "AAAA", "CNAME"):
                    continue
                target = (record.get("AliasTarget") or {}).get("DNSName") or next(
                    (r["Value"] for r in record.get("ResourceRecords") or [] if record["Type"] == "CNAME"), "")
                target = target.lower().rstrip(".").removeprefix("dualstack.")
                name = record["Name"].lower().rstrip(".").replace("\\052", "*")
                for (known, port), local in list(self.names.items()):
                    if known == target:
                        self.names[(name, port)] = local

    def local_port(self, host: str, port: int) -> int | None:
        """The loopback port serving ``host``:``port``; None for a name that is not an emulated site."""
        host = host.lower().rstrip(".")
        with self._lock:  # the proxy's threads ask while another may be refreshing
            for attempt in range(2):
                found = self.names.get((host, port))
                if found is None:
                    found = next((local for (name, p), local in self.names.items()
                                  if p == port and name.startswith("*.") and fnmatch.fnmatch(host, name)), None)
                if found is not None or attempt:
                    return found
                # A name made since the last look? Look again, at most once a second (a browser asks often).
                time.sleep(max(0.0, REFRESH_SECONDS - (time.monotonic() - self._refreshed)))
                self.refresh()
        return None

    def fetch(self, url: str, data: bytes | None = None, headers: dict | None = None, method: str | None = None,
              timeout: float = 60) -> tuple[int, str, dict]:
        """One request through the proxy, as a browser would make it (redirects not followed)."""
        parts = urllib.parse.urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        local = self.local_port(parts.hostname or "", port)
        if local is None:
            raise LookupError(f"{parts.hostname}:{port} is not served (no such load balancer, record or service)")
        if parts.scheme == "https":
            connection = _NamedHTTPS(parts.hostname, HOST, local, timeout=timeout, context=self.ca.client_context())
        else:
            connection = http.client.HTTPConnection(HOST, local, timeout=timeout)
        try:
            target = urllib.parse.urlunsplit(("", "", parts.path or "/", parts.query, ""))
            connection.putrequest(method or ("POST" if data is not None else "GET"), target, skip_host=True)
            connection.putheader("Host", parts.netloc)
            for name, value in (headers or {}).items():
                connection.putheader(name, value)
            if data is not None:
                connection.putheader("Content-Length", str(len(data)))
            connection.endheaders(data)
            answer = connection.getresponse()
            return answer.status, answer.read().decode("utf-8", "replace"), dict(answer.getheaders())
        finally:
            connection.close()


class _NamedHTTPS(http.client.HTTPSConnection):
    """HTTPS to a loopback port, the certificate checked for the site's name (as the browser checks it)."""

    def __init__(self, name: str, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._name = name

    def connect(self) -> None:
        http.client.HTTPConnection.connect(self)
        self.sock = self._context.wrap_socket(self.sock, server_hostname=self._name)


__all__ = ["LocalCA", "Sites", "choose_rule", "condition_matches", "redirect_location",
           "usable_targets"]
