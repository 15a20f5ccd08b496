"""Browser sessions: a token exchanged for an HttpOnly cookie; reads with the cookie, changes only
with the X-TimeSide-Request header; expiry, sign-out and token revocation end a session; failed
sign-ins are rate-limited."""
import hashlib
import os
import re
import sqlite3
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from servelib import Server, main, tool  # noqa: E402

CSRF = {"X-TimeSide-Request": "1"}


def cookie_header(secret):
    return {"Cookie": "theme=dark; ts_session=" + secret}


def attributes(set_cookie):
    """Set-Cookie's name, value and attributes (names lower-cased)."""
    parts = [p.strip() for p in set_cookie.split(";")]
    name, value = parts[0].split("=", 1)
    attrs = {}
    for p in parts[1:]:
        k, _, v = p.partition("=")
        attrs[k.lower()] = v
    return name, value, attrs


class Session(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.s = Server()
        cls.admin = cls.s.token("root", "admin")
        cls.reader = cls.s.token("reader", "read")
        cls.s.start()

    @classmethod
    def tearDownClass(cls):
        cls.s.stop()

    def sign_in(self, token, expect=204):
        r = self.s.request("POST", "/api/v1/session", body={"token": token})
        self.assertEqual(r.status, expect, r.body[:300])
        if expect != 204:
            return r
        name, value, attrs = attributes(r.header("set-cookie"))
        self.assertEqual(name, "ts_session")
        return value

    def catalog(self):
        return sqlite3.connect(os.path.join(self.s.data, "catalog.sqlite"), timeout=10)

    def test_sign_in_sets_a_strict_http_only_cookie(self):
        r = self.s.request("POST", "/api/v1/session", body={"token": self.admin})
        self.assertEqual(r.status, 204)
        self.assertEqual(r.body, b"")
        name, value, attrs = attributes(r.header("set-cookie"))
        self.assertEqual(name, "ts_session")
        self.assertRegex(value, r"^[A-Za-z0-9_-]{43}$")  # 256 bits of base64url
        self.assertIn("httponly", attrs)
        self.assertEqual(attrs["samesite"], "Strict")
        self.assertEqual(attrs["path"], "/")
        self.assertEqual(attrs["max-age"], "43200")  # 12 h by default
        self.assertNotIn("secure", attrs)  # no --secure-cookies
        self.assertEqual(r.header("cache-control"), "no-store")
        # Only the secret's SHA-256 is in the catalog, with the token's user and scopes.
        with self.catalog() as db:
            rows = db.execute("SELECT s.scopes, u.name FROM sessions s JOIN users u ON u.id = s.user_id "
                              "WHERE s.hash = ?", (hashlib.sha256(value.encode()).hexdigest(),)).fetchall()
        self.assertEqual(rows, [("read annotate process admin", "root")])
        for f in os.listdir(self.s.data):
            if f.startswith("catalog.sqlite"):
                with open(os.path.join(self.s.data, f), "rb") as fh:
                    self.assertNotIn(value.encode(), fh.read())
        # Two sign-ins are two sessions.
        self.assertNotEqual(self.sign_in(self.admin), value)

    def test_session_reads_and_changes_with_the_header(self):
        c = cookie_header(self.sign_in(self.admin))
        r = self.s.request("GET", "/api/v1/session", headers=c)
        self.assertEqual(r.status, 200)
        self.assertEqual((r.json()["user"], r.json()["scopes"]), ("root", ["read", "annotate", "process", "admin"]))
        r = self.s.request("GET", "/api/v1/me", headers=c)
        self.assertEqual((r.status, r.json()["user"]), (200, "root"))
        self.assertEqual(self.s.request("GET", "/api/v1/items", headers=c).status, 200)
        # A change signed in by the cookie without X-TimeSide-Request: 403, nothing made.
        r = self.s.request("POST", "/api/v1/collections", body={"title": "forged"}, headers=c)
        self.assertEqual(r.status, 403)
        self.assertIn("X-TimeSide-Request", r.json()["detail"])
        r = self.s.request("POST", "/api/v1/collections", body={"title": "forged"},
                           headers=dict(c, **{"X-TimeSide-Request": "yes"}))
        self.assertEqual(r.status, 403)
        listed = self.s.request("GET", "/api/v1/collections", token=self.admin).json()
        self.assertNotIn("forged", [x["title"] for x in listed["collections"]])
        # With the header: made, and owned by the session's user.
        r = self.s.request("POST", "/api/v1/collections", body={"title": "by cookie"}, headers=dict(c, **CSRF))
        self.assertEqual(r.status, 201, r.body)
        self.assertEqual(self.s.request("DELETE", "/api/v1/collections/" + r.json()["id"], headers=dict(c, **CSRF)).status, 204)
        # Bearer tokens need no such header.
        r = self.s.request("POST", "/api/v1/collections", body={"title": "by token"}, token=self.admin)
        self.assertEqual(r.status, 201)

    def test_session_keeps_the_token_scopes(self):
        c = cookie_header(self.sign_in(self.reader))
        r = self.s.request("GET", "/api/v1/session", headers=c)
        self.assertEqual((r.json()["user"], r.json()["scopes"]), ("reader", ["read"]))
        r = self.s.request("POST", "/api/v1/collections", body={"title": "x"}, headers=dict(c, **CSRF))
        self.assertEqual(r.status, 403)
        self.assertIn("scope", r.json()["detail"])

    def test_unknown_and_expired_cookies_are_401(self):
        r = self.s.request("GET", "/api/v1/items", headers=cookie_header("A" * 43))
        self.assertEqual(r.status, 401)
        self.assertIn("not known", r.json()["detail"])
        r = self.s.request("GET", "/api/v1/session", headers=cookie_header("A" * 43))
        self.assertEqual(r.status, 401)
        self.assertEqual(attributes(r.header("set-cookie"))[2]["max-age"], "0")  # cleared
        self.assertEqual(self.s.request("GET", "/api/v1/session").status, 401)
        secret = self.sign_in(self.admin)
        with self.catalog() as db:
            db.execute("UPDATE sessions SET expires = '2000-01-01T00:00:00.000Z' WHERE hash = ?",
                       (hashlib.sha256(secret.encode()).hexdigest(),))
        r = self.s.request("GET", "/api/v1/items", headers=cookie_header(secret))
        self.assertEqual(r.status, 401)
        self.assertIn("expired", r.json()["detail"])

    def test_sign_out(self):
        secret = self.sign_in(self.admin)
        c = cookie_header(secret)
        # Signed in by the cookie, signing out is a change: the header is needed.
        self.assertEqual(self.s.request("DELETE", "/api/v1/session", headers=c).status, 403)
        self.assertEqual(self.s.request("GET", "/api/v1/session", headers=c).status, 200)
        r = self.s.request("DELETE", "/api/v1/session", headers=dict(c, **CSRF))
        self.assertEqual(r.status, 204)
        name, value, attrs = attributes(r.header("set-cookie"))
        self.assertEqual((name, value, attrs["max-age"], attrs["path"]), ("ts_session", "", "0", "/"))
        self.assertEqual(self.s.request("GET", "/api/v1/items", headers=c).status, 401)
        self.assertEqual(self.s.request("GET", "/api/v1/session", headers=c).status, 401)
        # Without a session: still 204, the cookie cleared.
        self.assertEqual(self.s.request("DELETE", "/api/v1/session").status, 204)

    def test_revoking_the_token_ends_its_sessions(self):
        token = self.s.token("victim", "read,annotate")
        token_id = self.s.request("GET", "/api/v1/me", token=token).json()["token"]
        c = cookie_header(self.sign_in(token))
        self.assertEqual(self.s.request("GET", "/api/v1/items", headers=c).status, 200)
        subprocess.run([tool("ts-serve"), "token", "revoke", "--data", self.s.data, token_id],
                       check=True, timeout=30, capture_output=True)
        r = self.s.request("GET", "/api/v1/items", headers=c)
        self.assertEqual(r.status, 401)
        self.assertIn("revoked", r.json()["detail"])
        r = self.sign_in(token, expect=401)
        self.assertIn("revoked", r.json()["detail"])

    def test_session_ends_with_its_token(self):
        out = subprocess.run([tool("ts-serve"), "token", "create", "--data", self.s.data, "--user", "brief",
                              "--scope", "read", "--expires", "2099-01-01T00:00:00Z", "--quiet"],
                             capture_output=True, text=True, timeout=30, check=True)
        secret = self.sign_in(out.stdout.strip())
        with self.catalog() as db:
            (expires,) = db.execute("SELECT expires FROM sessions WHERE hash = ?",
                                    (hashlib.sha256(secret.encode()).hexdigest(),)).fetchone()
        self.assertTrue(expires < "2099-01-01T00:00:00", expires)  # 12 h, sooner than the token
        with self.catalog() as db:
            db.execute("UPDATE tokens SET expires = '2001-01-01T00:00:00Z' WHERE user_id = "
                       "(SELECT id FROM users WHERE name = 'brief')")
        self.assertEqual(self.s.request("GET", "/api/v1/items", headers=cookie_header(secret)).status, 401)

    def test_bad_sign_ins(self):
        r = self.s.request("POST", "/api/v1/session", body=b'{"token": "x"}', headers={"Content-Type": "text/plain"})
        self.assertEqual(r.status, 415)
        r = self.s.request("POST", "/api/v1/session", body={"token": self.admin, "user": "x"})
        self.assertEqual(r.status, 400)
        r = self.s.request("POST", "/api/v1/session", body=b"[", headers={"Content-Type": "application/json"})
        self.assertEqual(r.status, 400)
        self.assertIsNone(r.header("set-cookie"))


class Limits(unittest.TestCase):
    def test_failed_sign_ins_are_429(self):
        with Server("--sign-in-failures-per-minute", "3") as s:
            good = s.token("root", "admin")
            for _ in range(3):
                r = s.request("POST", "/api/v1/session", body={"token": "tsk_" + "B" * 43})
                self.assertEqual(r.status, 401)
            r = s.request("POST", "/api/v1/session", body={"token": "tsk_" + "B" * 43})
            self.assertEqual(r.status, 429)
            self.assertGreaterEqual(int(r.header("retry-after")), 1)
            # While blocked, even a good token is not checked.
            r = s.request("POST", "/api/v1/session", body={"token": good})
            self.assertEqual(r.status, 429)
            self.assertIsNone(r.header("set-cookie"))
            # Bearer requests are not affected.
            self.assertEqual(s.request("GET", "/api/v1/items", token=good).status, 200)

    def test_secure_cookies_and_lifetime(self):
        with Server("--secure-cookies", "--session-hours", "0.5") as s:
            good = s.token("root", "admin")
            r = s.request("POST", "/api/v1/session", body={"token": good})
            self.assertEqual(r.status, 204)
            name, value, attrs = attributes(r.header("set-cookie"))
            self.assertIn("secure", attrs)
            self.assertEqual(attrs["max-age"], "1800")
            r = s.request("DELETE", "/api/v1/session", headers=dict(cookie_header(value), **CSRF))
            self.assertIn("secure", attributes(r.header("set-cookie"))[2])


if __name__ == "__main__":
    main()
