"""A switchable loopback TCP relay in front of an emulator: an AWS endpoint that can go down and come
back with the account as it was (test equipment for "the endpoint went away mid-run").

    with Relay(emu.port) as relay:
        env = {**emu.env(), "AWS_ENDPOINT_URL": relay.endpoint}
        relay.down()   # new connections refused, open ones cut
        relay.up()     # back, on the same port, the emulator's state untouched
"""

from __future__ import annotations

import socket
import threading

HOST = "127.0.0.1"


class Relay:
    def __init__(self, target_port: int):
        self.target_port = target_port
        with socket.socket() as probe:
            probe.bind((HOST, 0))
            self.port = probe.getsockname()[1]
        self.listener: socket.socket | None = None
        self.connections: list[socket.socket] = []
        self.lock = threading.Lock()

    @property
    def endpoint(self) -> str:
        return f"http://{HOST}:{self.port}"

    def up(self) -> Relay:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((HOST, self.port))
        listener.listen(64)
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()
        return self

    def down(self) -> None:
        listener, self.listener = self.listener, None
        if listener:
            listener.close()
        with self.lock:
            for conn in self.connections:
                try:
                    conn.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                conn.close()
            self.connections.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _unused = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection((HOST, self.target_port))
            except OSError:
                client.close()
                continue
            with self.lock:
                self.connections += [client, upstream]
            pair = {"open": 2}
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b, pair), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket, pair: dict) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
            with self.lock:
                pair["open"] -= 1
                if pair["open"] == 0:  # both directions done: let the sockets go
                    for s in (source, sink):
                        if s in self.connections:
                            self.connections.remove(s)
                        s.close()

    def __enter__(self) -> Relay:
        return self.up()

    def __exit__(self, *exc) -> None:
        self.down()
