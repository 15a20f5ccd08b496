"""The web player served by ts-serve: the page at /player/{item} under a strict CSP, and only the
player's own files under /player/ (a player folder made here, so the test needs no npm)."""
import os
import re
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from servelib import Server, main, tool  # noqa: E402

ITEM = "0b7a4c6e-1f2d-4e3a-9b8c-5d6e7f809a1b"
FILES = {
    "index.html": b'<!doctype html>\n<html><head>\n<link rel="stylesheet" href="player.css">\n'
                  b'<script src="vendor/peaks.js" defer></script><script src="dist/player.js" defer></script>\n'
                  b'</head><body></body></html>\n',
    "player.css": b"body { color: #eee; }\n",
    "dist/player.js": b"console.log('player');\n" * 100,
    "dist/player.js.map": b"{}",
    "vendor/peaks.js": b"/* peaks */\n",
    "vendor/peaks.js.COPYING": b"LGPL\n",
    "src/main.js": b"// sources: not served\n",
}


class Player(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.TemporaryDirectory(prefix="ts-player-")
        for rel, data in FILES.items():
            os.makedirs(os.path.dirname(os.path.join(cls.dir.name, rel)), exist_ok=True)
            with open(os.path.join(cls.dir.name, rel), "wb") as f:
                f.write(data)
        cls.s = Server("--player-dir", cls.dir.name)
        cls.s.start()

    @classmethod
    def tearDownClass(cls):
        cls.s.stop()
        cls.dir.cleanup()

    def test_page(self):
        r = self.s.request("GET", "/player/" + ITEM)
        self.assertEqual(r.status, 200)
        self.assertEqual(r.header("content-type"), "text/html; charset=utf-8")
        csp = r.header("content-security-policy")
        directives = dict((d.strip().split(" ", 1) + [""])[:2] for d in csp.split(";"))
        self.assertEqual(directives["default-src"], "'self'")
        self.assertEqual(directives["script-src"], "'self'")
        self.assertEqual(directives["frame-ancestors"], "'none'")
        self.assertNotIn("unsafe-inline", csp)
        self.assertNotIn("unsafe-eval", csp)
        html = r.body.decode()
        # the page is told where the API is, by a <meta>, and has no inline script
        self.assertIn('<meta name="timeside-api" content="/api/v1/" data-item="%s">' % ITEM, html)
        self.assertEqual(re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html), [])
        # the same page whether or not the item exists, and with no token
        self.assertEqual(self.s.request("HEAD", "/player/" + ITEM).status, 200)

    def test_not_an_item(self):
        for path in ["/player/nothing", "/player/" + ITEM.upper(), "/player/..%2Findex.html",
                     "/player/%00", "/player/index.html"]:
            r = self.s.request("GET", path)
            self.assertEqual(r.status, 404, path)

    def test_assets(self):
        for rel, ctype in [("player.css", "text/css; charset=utf-8"),
                           ("dist/player.js", "text/javascript; charset=utf-8"),
                           ("dist/player.js.map", "application/json"),
                           ("vendor/peaks.js", "text/javascript; charset=utf-8"),
                           ("vendor/peaks.js.COPYING", "text/plain; charset=utf-8")]:
            r = self.s.request("GET", "/player/" + rel)
            self.assertEqual((r.status, r.header("content-type")), (200, ctype), rel)
            self.assertEqual(r.body, FILES[rel])
            self.assertTrue(r.header("etag"))
            r2 = self.s.request("GET", "/player/" + rel, headers={"If-None-Match": r.header("etag")})
            self.assertEqual(r2.status, 304)
        r = self.s.request("GET", "/player/dist/player.js", headers={"Range": "bytes=0-9"})
        self.assertEqual((r.status, r.body), (206, FILES["dist/player.js"][:10]))

    def test_only_the_player_files(self):
        for path in ["/player/src/main.js", "/player/dist/other.js", "/player/vendor/..%2F..%2Findex.html",
                     "/player/dist/..", "/player/vendor/%2e%2e", "/player/dist/player.js%00"]:
            r = self.s.request("GET", path)
            self.assertEqual(r.status, 404, path)


class Missing(unittest.TestCase):
    def test_a_player_dir_without_the_build_is_refused(self):
        with tempfile.TemporaryDirectory() as d:
            out = subprocess.run([tool("ts-serve"), "--data", os.path.join(d, "data"), "--player-dir", d,
                                  "--listen", "127.0.0.1:0"], capture_output=True, text=True, timeout=30)
        self.assertEqual(out.returncode, 1)
        self.assertEqual(out.stdout, "")
        self.assertIn("dist/player.js", out.stderr)


if __name__ == "__main__":
    main()
