"""The connection loop under the routes: requests pipelined on one connection are all
answered, in order; a body the server refused without reading ends the connection after the
answer (it is not read as the next request); a large refused body still lets the client read
its 413; an idle kept-alive connection is closed after the keep-alive timeout's worth of
nothing only, and a stopping server does not wait for it; clients holding threads with
requests they never finish do not keep a short request waiting."""
import os
import socket
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from servelib import Server, gen, main  # noqa: E402


def read_responses(c, count, timeout=20):
    """Reads count HTTP responses (each with a Content-Length) from socket c: [(status, headers, body)]."""
    c.settimeout(timeout)
    buf, out = b"", []
    while len(out) < count:
        while b"\r\n\r\n" not in buf:
            chunk = c.recv(65536)
            if not chunk:
                return out
            buf += chunk
        head, _, buf = buf.partition(b"\r\n\r\n")
        lines = head.decode().split("\r\n")
        status = int(lines[0].split()[1])
        headers = {}
        for line in lines[1:]:
            k, _, v = line.partition(":")
            headers.setdefault(k.strip().lower(), []).append(v.strip())
        length = int(headers.get("content-length", ["0"])[0])
        while len(buf) < length:
            chunk = c.recv(65536)
            if not chunk:
                break
            buf += chunk
        out.append((status, headers, buf[:length]))
        buf = buf[length:]
    return out


class Connection(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.s = Server("--uploads-per-minute", "0")
        cls.alice = cls.s.token("alice", "read,process")
        cls.s.start()
        wav = gen(["sine", "--frequency", "440", "--duration", "1", "--rate", "8000"],
                  os.path.join(cls.s.tmp.name, "a.wav"))
        cls.wav = wav
        cls.item = cls.s.upload(cls.alice, wav).json()["id"]

    @classmethod
    def tearDownClass(cls):
        cls.s.stop()

    def connect(self):
        return socket.create_connection(("127.0.0.1", self.s.port), timeout=20)

    def test_pipelined_requests_are_answered_in_order(self):
        auth = "Authorization: Bearer %s\r\n" % self.alice
        reqs = ("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
                "GET /api/v1/items/%s/media HTTP/1.1\r\nHost: x\r\n%sRange: bytes=0-99\r\n\r\n"
                "GET /api/v1/items/%s HTTP/1.1\r\nHost: x\r\n%s\r\n"
                "GET /api/v1/nothing HTTP/1.1\r\nHost: x\r\n\r\n") % (self.item, auth, self.item, auth)
        c = self.connect()
        try:
            c.sendall(reqs.encode())  # all four in one send
            got = read_responses(c, 4)
        finally:
            c.close()
        self.assertEqual([g[0] for g in got], [200, 206, 200, 404])
        self.assertEqual(got[1][2], self.wav[:100])
        self.assertEqual(got[1][1]["content-range"], ["bytes 0-99/%d" % len(self.wav)])
        self.assertIn(b'"id":"%s"' % self.item.encode(), got[2][2].replace(b" ", b""))

    def test_a_body_refused_unread_ends_the_connection(self):
        # No token: 401 before the body is read. The body must not be taken for a request.
        body = b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"  # would answer 200 if read as one
        c = self.connect()
        try:
            c.sendall(b"POST /api/v1/items HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\n"
                      b"Content-Length: %d\r\n\r\n" % len(body) + body)
            got = read_responses(c, 2)
            c.settimeout(5)
            rest = c.recv(100)
        finally:
            c.close()
        self.assertEqual([g[0] for g in got], [401])
        self.assertEqual(got[0][1]["connection"], ["close"])
        self.assertEqual(rest, b"")

    def test_a_read_body_keeps_the_connection(self):
        patch = b'{"title": "kept"}'
        c = self.connect()
        try:
            c.sendall(b"PATCH /api/v1/items/%s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
                      b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n"
                      % (self.item.encode(), self.alice.encode(), len(patch)) + patch +
                      b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            got = read_responses(c, 2)
        finally:
            c.close()
        self.assertEqual([g[0] for g in got], [200, 200])
        self.assertNotIn("connection", got[0][1])
        self.assertIn(b'"title":"kept"', got[0][2].replace(b" ", b""))

    def test_a_large_refused_body_still_gets_its_answer(self):
        # 3 MiB of JSON over the 1 MiB JSON cap: 413 after the first MiB; the client, still
        # sending, reads the answer rather than a reset.
        big = b"x" * (3 << 20)
        c = self.connect()
        try:
            c.sendall(b"PATCH /api/v1/items/%s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
                      b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n"
                      % (self.item.encode(), self.alice.encode(), len(big)) + big)
            got = read_responses(c, 1)
        finally:
            c.close()
        self.assertEqual([g[0] for g in got], [413])
        self.assertEqual(self.s.request("GET", "/healthz").status, 200)

    def test_an_idle_connection_is_closed_after_the_keep_alive_timeout(self):
        c = self.connect()
        try:
            c.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            self.assertEqual(read_responses(c, 1)[0][0], 200)
            time.sleep(2)  # idle for less than the 5 s timeout: still served
            c.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            self.assertEqual(read_responses(c, 1)[0][0], 200)
            t0 = time.time()
            c.settimeout(20)
            self.assertEqual(c.recv(1), b"")  # closed by the server
            self.assertGreater(time.time() - t0, 4.5)
            self.assertLess(time.time() - t0, 8)
        finally:
            c.close()

    def test_unfinished_requests_do_not_hold_up_a_short_one(self):
        # 24 clients send half a request head and wait: each holds a thread in its read
        # (more than the threads the server starts with); a new client is still answered.
        held = []
        try:
            for _ in range(24):
                c = self.connect()
                c.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
                held.append(c)
            time.sleep(0.3)
            t0 = time.time()
            c = self.connect()
            try:
                c.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
                self.assertEqual(read_responses(c, 1)[0][0], 200)
            finally:
                c.close()
            self.assertLess(time.time() - t0, 2)
            # and the held ones are answered once they finish their heads
            for c in held[:3]:
                c.sendall(b"\r\n")
                self.assertEqual(read_responses(c, 1)[0][0], 200)
        finally:
            for c in held:
                c.close()

    def test_an_idle_connection_does_not_hold_a_stopping_server(self):
        s = Server()
        s.start()
        c = socket.create_connection(("127.0.0.1", s.port), timeout=20)
        try:
            c.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            self.assertEqual(read_responses(c, 1)[0][0], 200)
            t0 = time.time()
            s.stop()  # the connection stays open and idle
            self.assertLess(time.time() - t0, 3)
        finally:
            c.close()


if __name__ == "__main__":
    main()
