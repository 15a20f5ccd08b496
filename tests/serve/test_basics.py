"""ts-serve's first contact: health, tokens and scopes, problem bodies, stopping on SIGTERM."""
import os
import re
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from servelib import Server, main, tool  # noqa: E402


class Basics(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.s = Server()
        cls.admin = cls.s.token("root", "admin")
        cls.reader = cls.s.token("reader", "read")
        cls.s.start()

    @classmethod
    def tearDownClass(cls):
        cls.s.stop()
        assert cls.s.status == 0, "ts-serve exited %d on SIGTERM" % cls.s.status

    def test_health(self):
        r = self.s.request("GET", "/healthz")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json()["status"], "ok")
        self.assertEqual(r.json()["schema_version"], 3)
        self.assertTrue(r.header("x-request-id"))

    def test_unknown_route_is_a_problem(self):
        r = self.s.request("GET", "/nowhere")
        self.assertEqual(r.status, 404)
        p = r.json()
        self.assertEqual((p["status"], p["title"], p["instance"]), (404, "Not Found", "/nowhere"))
        self.assertEqual(p["request_id"], r.header("x-request-id"))

    def test_wrong_method_is_405(self):
        r = self.s.request("PUT", "/api/v1/items", body=b"x", token=self.admin)
        self.assertEqual(r.status, 405)
        self.assertIn("POST", r.header("allow"))

    def test_tokens(self):
        r = self.s.request("GET", "/api/v1/items")
        self.assertEqual(r.status, 401)
        self.assertTrue(r.header("www-authenticate").startswith("Bearer"))
        r = self.s.request("GET", "/api/v1/items", token="tsk_" + "A" * 43)
        self.assertEqual(r.status, 401)
        self.assertIn("invalid_token", r.header("www-authenticate"))
        r = self.s.request("GET", "/api/v1/me", token=self.reader)
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json(), {"user": "reader", "scopes": ["read"], "token": r.json()["token"]})
        r = self.s.request("GET", "/api/v1/me", token=self.admin)
        self.assertEqual(r.json()["scopes"], ["read", "annotate", "process", "admin"])
        # read scope cannot upload
        r = self.s.request("POST", "/api/v1/items", body=b"RIFF", token=self.reader)
        self.assertEqual(r.status, 403)
        self.assertIn("insufficient_scope", r.header("www-authenticate"))

    def test_json_etag(self):
        r = self.s.request("GET", "/api/v1/me", token=self.reader)
        r2 = self.s.request("GET", "/api/v1/me", token=self.reader, headers={"If-None-Match": r.header("etag")})
        self.assertEqual(r2.status, 304)
        self.assertEqual(r2.body, b"")

    def test_openapi_and_docs(self):
        r = self.s.request("GET", "/api/v1/openapi.json")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json()["openapi"], "3.1.0")
        r = self.s.request("GET", "/api/v1/docs")
        self.assertEqual(r.status, 200)
        self.assertIn(b"openapi.json", r.body)
        self.assertNotIn(b"https://", r.body)  # no CDN


class CommandLine(unittest.TestCase):
    def run_serve(self, *args):
        return subprocess.run([tool("ts-serve")] + list(args), capture_output=True, text=True, timeout=30)

    def test_usage_errors(self):
        with tempfile.TemporaryDirectory() as d:
            for args in (["--listen", "127.0.0.1:99999", "--data", d], ["--listen", "nocolon", "--data", d], [],
                         ["token", "create", "--data", d, "--scope", "root"], ["--threads", "0", "--data", d]):
                r = self.run_serve(*args)
                self.assertEqual((r.returncode, r.stdout), (2, ""), args)
                self.assertTrue(r.stderr.startswith("ts-serve: "), args)

    def test_address_in_use(self):
        with Server() as s:
            r = self.run_serve("--data", s.data + "-2", "--listen", "127.0.0.1:%d" % s.port)
            self.assertEqual((r.returncode, r.stdout), (1, ""))
            self.assertIn("cannot listen", r.stderr)

    def test_revoked_and_expired_tokens(self):
        with Server() as s:
            out = subprocess.run([tool("ts-serve"), "token", "create", "--data", s.data, "--user", "eve", "--scope", "read"],
                                 capture_output=True, text=True, timeout=30, check=True)
            tok = out.stdout.strip()
            token_id = re.search(r"token ([0-9a-f-]{36})", out.stderr).group(1)
            self.assertEqual(s.request("GET", "/api/v1/me", token=tok).status, 200)
            self.assertEqual(self.run_serve("token", "revoke", "--data", s.data, token_id).returncode, 0)
            r = s.request("GET", "/api/v1/me", token=tok)
            self.assertEqual((r.status, r.json()["detail"]), (401, "the token was revoked"))
            self.assertEqual(self.run_serve("token", "revoke", "--data", s.data, token_id).returncode, 1)
            old = subprocess.run([tool("ts-serve"), "token", "create", "--quiet", "--data", s.data, "--user", "eve",
                                  "--scope", "read", "--expires", "2000-01-01T00:00:00Z"],
                                 capture_output=True, text=True, timeout=30, check=True).stdout.strip()
            r = s.request("GET", "/api/v1/me", token=old)
            self.assertEqual((r.status, r.json()["detail"]), (401, "the token has expired"))
            # the catalog keeps hashes only
            import sqlite3
            db = sqlite3.connect(os.path.join(s.data, "catalog.sqlite"))
            dump = "\n".join(db.iterdump())
            self.assertNotIn(tok, dump)
            self.assertNotIn(old, dump)
            # and the log never shows a token
            s.log.flush()
            self.assertNotIn(tok[4:], open(s.log.name).read())


if __name__ == "__main__":
    main()
