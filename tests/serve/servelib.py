"""Starts ts-serve on loopback with a temporary data folder, and checks every JSON body it
answers against the OpenAPI document's schema for that operation and status."""
import http.client
import json
import os
import re
import select
import signal
import subprocess
import sys
import tempfile
import time
import unittest

import jsonschema

BIN = os.environ.get("TS_BIN", "build/tools")
SRC = os.environ.get("TS_SRC", ".")
SPEC = json.load(open(os.path.join(SRC, "docs/api/openapi.json")))


def tool(name):
    return os.path.join(BIN, name)


def _operation(method, path):
    """The spec's operation for a concrete path, and its path template."""
    path = path.split("?", 1)[0]
    for template, item in SPEC["paths"].items():
        rx = "^" + re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template)) + "$"
        if re.match(rx, path):
            op = item.get(method.lower()) or (item.get("get") if method == "HEAD" else None)
            return op, template
    return None, None


def _validate(method, path, status, ctype, body):
    op, template = _operation(method, path)
    if op is None:
        # Unknown routes answer 404 with a problem body.
        schema = SPEC["components"]["schemas"]["Problem"]
    else:
        responses = op["responses"]
        resp = responses.get(str(status)) or responses.get("default")
        if resp is None:
            raise AssertionError("%s %s: status %d is not in the spec (%s)" % (method, template, status, sorted(responses)))
        if "$ref" in resp:
            resp = SPEC["components"]["responses"][resp["$ref"].rsplit("/", 1)[1]]
        content = resp.get("content", {})
        media = content.get(ctype)
        if media is None:
            raise AssertionError("%s %s %d: content type %s not in the spec (%s)" % (method, template, status, ctype, sorted(content)))
        schema = media.get("schema")
        if schema is None:
            return
    doc = dict(schema)
    doc["components"] = SPEC["components"]
    doc["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    jsonschema.validate(json.loads(body), doc, cls=jsonschema.Draft202012Validator)


class Response:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def header(self, name):
        return self.headers.get(name.lower())

    def json(self):
        return json.loads(self.body)


class Server:
    """ts-serve on 127.0.0.1:0 over a fresh data folder; stop() or the with-block ends it."""

    def __init__(self, *args):
        self.tmp = tempfile.TemporaryDirectory(prefix="ts-serve-test-")
        self.data = os.path.join(self.tmp.name, "data")
        self.args = list(args)
        self.tokens = {}
        self.proc = None

    def token(self, user, scope):
        out = subprocess.run([tool("ts-serve"), "token", "create", "--data", self.data, "--user", user,
                              "--scope", scope, "--quiet"], capture_output=True, text=True, timeout=30, check=True)
        return out.stdout.strip()

    def start(self):
        self.log = open(os.path.join(self.tmp.name, "log"), "w+")
        self.proc = subprocess.Popen([tool("ts-serve"), "--data", self.data, "--listen", "127.0.0.1:0"] + self.args,
                                     stdout=subprocess.PIPE, stderr=self.log)
        ready, _, _ = select.select([self.proc.stdout], [], [], 20)
        if not ready:
            self.stop()
            raise AssertionError("ts-serve printed no URL within 20 s")
        url = self.proc.stdout.readline().decode().strip()
        m = re.match(r"^http://127\.0\.0\.1:(\d+)$", url)
        if not m:
            self.stop()
            raise AssertionError("ts-serve printed %r, not its URL" % url)
        self.port = int(m.group(1))
        return self

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.status = self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise AssertionError("ts-serve did not stop within 15 s of SIGTERM")
            # A clean stop: status 0, and nothing a sanitizer found (in an ASan build, a
            # leak or a use after free while the server stops shows only here).
            self.log.seek(0)
            log = self.log.read()
            if "Sanitizer" in log or self.status != 0:
                at = max(log.find("Sanitizer") - 200, 0)
                self.tmp.cleanup()
                raise AssertionError("ts-serve stopped with status %s: %s" % (self.status, log[at:at + 3000]))
        self.tmp.cleanup()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def request(self, method, path, body=None, token=None, headers=None, validate=True):
        h = dict(headers or {})
        if token:
            h["Authorization"] = "Bearer " + token
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
            h.setdefault("Content-Type", "application/json")
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            conn.request(method, path, body=body, headers=h)
            r = conn.getresponse()
            data = r.read()
            headers = {k.lower(): v for k, v in r.getheaders()}
            status = r.status
        finally:
            conn.close()
        ctype = headers.get("content-type", "").split(";")[0].strip()
        if validate and method != "HEAD" and ctype in ("application/json", "application/problem+json"):
            _validate(method, path, status, ctype, data)
        if status >= 400 and method != "HEAD":
            assert ctype == "application/problem+json", "%s %s: %d answered with %s" % (method, path, status, ctype)
        return Response(status, headers, data)

    def upload(self, token, data, query="", expect=201):
        r = self.request("POST", "/api/v1/items" + query, body=data, token=token,
                         headers={"Content-Type": "application/octet-stream"})
        assert r.status == expect, "upload: %d %s" % (r.status, r.body[:300])
        return r


# The peaks ts-serve renders in the background after each accepted upload
# (derived/ITEM/peaks-HASH.dat), and the temporary file ts-analyze writes them to
# (.peaks-HASH.dat.tmp-XXXXXX): they come when they come, so checks of what a request left
# behind leave them out (test_items.py tests them).
BACKGROUND_PEAKS = re.compile(r"^\.?peaks-[0-9a-f]{16}\.dat(\.tmp-\w{6})?$")


def gen(args, path):
    subprocess.run([tool("ts-gen")] + args + ["-o", path], check=True, timeout=60,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return open(path, "rb").read()


def main():
    unittest.main(verbosity=2)
