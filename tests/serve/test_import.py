"""Imports: off by default; an http URL on a loopback server (allowed for the test only), a
refused private address, a failing URL, and a fake provider command."""
import http.server
import os
import stat
import sys
import threading
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from servelib import Server, gen, main  # noqa: E402


class Files(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class Import(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.s = Server()
        cls.root = cls.s.tmp.name
        cls.wav = gen(["sine", "--duration", "1", "--rate", "8000"], os.path.join(cls.root, "tone.wav"))
        open(os.path.join(cls.root, "junk.bin"), "wb").write(os.urandom(3000))
        handler = lambda *a, **k: Files(*a, directory=cls.root, **k)  # noqa: E731
        cls.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=cls.httpd.serve_forever, daemon=True).start()
        cls.base = "http://127.0.0.1:%d" % cls.httpd.server_address[1]
        provider = os.path.join(cls.root, "fake-provider")
        # A yt-dlp stand-in: the URL after --; the media on stdout.
        open(provider, "w").write('#!/bin/sh\n[ "$1" = -- ] || exit 3\ncase "$2" in *tone*) cat "%s" ;; *) echo "no such video" >&2; exit 1 ;; esac\n'
                                  % os.path.join(cls.root, "tone.wav"))
        os.chmod(provider, stat.S_IRWXU)
        cls.s.args += ["--uploads-per-minute", "0", "--import-urls", "--import-allow-http", "--import-allow-private", "--provider", "fake=" + provider]
        cls.tok = cls.s.token("alice", "read,process")
        cls.s.start()

    @classmethod
    def tearDownClass(cls):
        cls.s.stop()
        cls.httpd.shutdown()

    def imp(self, body):
        return self.s.request("POST", "/api/v1/items/import", body=body, token=self.tok)

    def test_url(self):
        r = self.imp({"url": self.base + "/tone.wav", "title": "Fetched"})
        self.assertEqual(r.status, 201, r.body)
        item = r.json()
        self.assertEqual((item["origin"], item["title"], item["filename"], item["frames"], item["size"]),
                         ("url", "Fetched", "tone.wav", 8000, len(self.wav)))
        media = self.s.request("GET", "/api/v1/items/%s/media" % item["id"], token=self.tok)
        self.assertEqual(media.body, self.wav)

    def test_refused_and_failed(self):
        self.assertEqual(self.imp({"url": self.base + "/junk.bin"}).status, 415)
        self.assertEqual(self.imp({"url": self.base + "/missing.wav"}).status, 502)
        for bad in ("file:///etc/passwd", "ftp://x/y", "http://user@127.0.0.1/x", "gopher://x", "http://", "not a url"):
            self.assertEqual(self.imp({"url": bad}).status, 400, bad)
        self.assertEqual(self.imp({"url": self.base + "/tone.wav", "path": "/etc"}).status, 400)
        self.assertEqual(os.listdir(os.path.join(self.s.data, "tmp")), [])

    def test_provider(self):
        r = self.imp({"url": "https://video.example/watch?v=tone", "provider": "fake"})
        self.assertEqual(r.status, 201, r.body)
        self.assertEqual((r.json()["origin"], r.json()["frames"]), ("provider", 8000))
        self.assertEqual(self.imp({"url": "https://video.example/watch?v=other", "provider": "fake"}).status, 502)
        self.assertEqual(self.imp({"url": "https://x/y", "provider": "nope"}).status, 400)


class ImportDefaults(unittest.TestCase):
    def test_off_and_private_refused(self):
        with Server() as s:
            tok = s.token("bob", "read,process")
            r = s.request("POST", "/api/v1/items/import", body={"url": "https://127.0.0.1/x.wav"}, token=tok)
            self.assertEqual(r.status, 403)
        with Server("--import-urls") as s:
            tok = s.token("bob", "read,process")
            for url in ("https://127.0.0.1/x.wav", "https://10.1.2.3/x.wav", "https://[::1]/x.wav",
                        "https://169.254.169.254/latest", "https://localhost/x.wav", "http://93.184.216.34/x.wav"):
                r = s.request("POST", "/api/v1/items/import", body={"url": url}, token=tok)
                self.assertEqual(r.status, 400, url)


if __name__ == "__main__":
    main()
