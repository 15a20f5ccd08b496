"""Uploads as a stream: a 48 MB body is stored byte for byte with the SHA-1 hashed as it arrived;
a Content-Length over --max-upload is refused with 413 before any of the body is read; a body
that ends early leaves nothing behind."""
import hashlib
import json
import os
import socket
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from servelib import Server, _validate, gen, main  # noqa: E402


class Upload(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.s = Server("--max-upload", "64", "--uploads-per-minute", "0")
        cls.alice = cls.s.token("alice", "read,process")
        cls.s.start()

    @classmethod
    def tearDownClass(cls):
        cls.s.stop()

    def tmp_files(self):
        return os.listdir(os.path.join(self.s.data, "tmp"))

    def raw(self, head, body=b""):
        """Sends a request by hand (headers, then as much body as given) and reads the answer."""
        c = socket.create_connection(("127.0.0.1", self.s.port), timeout=20)
        try:
            c.sendall(head.encode() + body)
            c.shutdown(socket.SHUT_WR) if body else None
            data = b""
            while True:
                chunk = c.recv(65536)
                if not chunk:
                    break
                data += chunk
                if b"\r\n\r\n" in data:
                    headers = data.split(b"\r\n\r\n", 1)[0].decode()
                    length = [int(l.split(":")[1]) for l in headers.split("\r\n") if l.lower().startswith("content-length:")]
                    if length and len(data.split(b"\r\n\r\n", 1)[1]) >= length[0]:
                        break
            return data
        finally:
            c.close()

    def test_large_upload_streamed(self):
        wav = gen(["noise", "--rate", "48000", "--channels", "2", "--duration", "250"],
                  os.path.join(self.s.tmp.name, "big.wav"))
        self.assertGreater(len(wav), 48_000_000)
        item = self.s.upload(self.alice, wav).json()
        self.assertEqual((item["size"], item["sha1"]), (len(wav), hashlib.sha1(wav).hexdigest()))
        got = self.s.request("GET", "/api/v1/items/%s/media" % item["id"], token=self.alice)
        self.assertEqual(hashlib.sha1(got.body).hexdigest(), item["sha1"])
        self.assertEqual(self.tmp_files(), [])

    def test_over_the_cap_is_refused_unread(self):
        before = len(self.s.request("GET", "/api/v1/items", token=self.alice).json()["items"])
        # 100 MiB announced, none sent: the answer comes at once, from the headers alone
        head = ("POST /api/v1/items HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
                "Content-Type: application/octet-stream\r\nContent-Length: %d\r\n\r\n") % (self.alice, 100 << 20)
        data = self.raw(head)
        status = int(data.split(b" ", 2)[1])
        self.assertEqual(status, 413, data[:300])
        body = data.split(b"\r\n\r\n", 1)[1]
        _validate("POST", "/api/v1/items", 413, "application/problem+json", body)
        self.assertIn("at most %d bytes" % (64 << 20), json.loads(body)["detail"])
        # a body cut short (1 MiB announced, 1000 bytes sent): no item, no temporary file
        head = head.replace("Content-Length: %d" % (100 << 20), "Content-Length: %d" % (1 << 20))
        self.raw(head, b"\0" * 1000)
        self.assertEqual(len(self.s.request("GET", "/api/v1/items", token=self.alice).json()["items"]), before)
        self.assertEqual(self.tmp_files(), [])


if __name__ == "__main__":
    main()
