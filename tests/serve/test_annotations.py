"""Annotations: tracks and their segments and points, versions (ETag, If-Match: 428 without,
412 when stale), who may read and change them, export through ts-serialize's writers and
import through its readers, a track seeded from a result."""
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from servelib import Server, gen, main  # noqa: E402
from test_jobs import wait_job  # noqa: E402


class Annotations(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.s = Server("--uploads-per-minute", "0")
        cls.alice = cls.s.token("alice", "read,annotate,process")
        cls.bob = cls.s.token("bob", "read,annotate")
        cls.reader = cls.s.token("rita", "read")
        cls.s.start()
        wav = gen(["clicks", "--tempo", "120", "--duration", "4", "--rate", "8000"], os.path.join(cls.s.tmp.name, "c.wav"))
        cls.item = cls.s.upload(cls.alice, wav).json()["id"]
        # public, so bob may read it (and public tracks on it)
        cls.s.request("PATCH", "/api/v1/items/" + cls.item, body={"public": True}, token=cls.alice)

    @classmethod
    def tearDownClass(cls):
        cls.s.stop()

    def track(self, title="Marks", public=False, token=None):
        r = self.s.request("POST", "/api/v1/items/%s/annotation-tracks" % self.item,
                           body={"title": title, "public": public}, token=token or self.alice)
        self.assertEqual(r.status, 201, r.body)
        return r.json()

    def test_versions(self):
        t = self.track()
        url = "/api/v1/annotation-tracks/" + t["id"]
        a = self.s.request("POST", url + "/annotations", body={"start": 1.5, "end": 2.25, "label": "verse", "color": "#ff8800"},
                           token=self.alice)
        self.assertEqual(a.status, 201)
        p = self.s.request("POST", url + "/annotations", body={"start": 0.5, "label": "hit"}, token=self.alice).json()
        self.assertEqual((p["start"], p["end"]), (0.5, 0.5))  # a point
        got = self.s.request("GET", url, token=self.alice)
        self.assertEqual([x["label"] for x in got.json()["annotations"]], ["hit", "verse"])
        self.assertEqual(got.json()["version"], 3)
        etag = got.header("etag")
        self.assertEqual(self.s.request("GET", url, token=self.alice, headers={"If-None-Match": etag}).status, 304)
        self.assertEqual(self.s.request("PATCH", url, body={"title": "X"}, token=self.alice).status, 428)
        r = self.s.request("PATCH", url, body={"title": "Sections"}, token=self.alice, headers={"If-Match": etag})
        self.assertEqual((r.status, r.json()["title"], r.json()["version"]), (200, "Sections", 4))
        self.assertEqual(self.s.request("PATCH", url, body={"title": "Y"}, token=self.alice, headers={"If-Match": etag}).status, 412)
        # one annotation: its own version
        aurl = a.header("location")
        one = self.s.request("GET", aurl, token=self.alice)
        self.assertEqual(one.json()["color"], "#ff8800")
        self.assertEqual(self.s.request("DELETE", aurl, token=self.alice).status, 428)
        r = self.s.request("PATCH", aurl, body={"end": 3.0, "color": None}, token=self.alice, headers={"If-Match": one.header("etag")})
        self.assertEqual((r.status, r.json()["end"], r.json()["color"], r.json()["version"]), (200, 3.0, None, 2))
        self.assertEqual(self.s.request("PATCH", aurl, body={"end": 4.0}, token=self.alice, headers={"If-Match": one.header("etag")}).status, 412)
        self.assertEqual(self.s.request("PATCH", aurl, body={"end": 0.1}, token=self.alice, headers={"If-Match": r.header("etag")}).status, 400)
        for bad in ({"start": -1}, {"color": "red"}, {"label": 5}, {"owner": "bob"}):
            self.assertEqual(self.s.request("PATCH", aurl, body=bad, token=self.alice, headers={"If-Match": r.header("etag")}).status, 400, bad)
        self.assertEqual(self.s.request("DELETE", aurl, token=self.alice, headers={"If-Match": r.header("etag")}).status, 204)
        self.assertEqual(self.s.request("GET", aurl, token=self.alice).status, 404)
        self.assertEqual(len(self.s.request("GET", url, token=self.alice).json()["annotations"]), 1)
        cur = self.s.request("GET", url, token=self.alice).header("etag")
        self.assertEqual(self.s.request("DELETE", url, token=self.alice, headers={"If-Match": etag}).status, 412)
        self.assertEqual(self.s.request("DELETE", url, token=self.alice, headers={"If-Match": cur}).status, 204)
        self.assertEqual(self.s.request("GET", url, token=self.alice).status, 404)

    def test_authorization(self):
        private = self.track("Private")
        public = self.track("Public", public=True)
        purl, qurl = "/api/v1/annotation-tracks/" + private["id"], "/api/v1/annotation-tracks/" + public["id"]
        self.s.request("POST", qurl + "/annotations", body={"start": 1}, token=self.alice)
        self.assertEqual(self.s.request("GET", purl, token=self.bob).status, 404)
        pub = self.s.request("GET", qurl, token=self.bob)
        self.assertEqual(pub.status, 200)
        tag = pub.header("etag")
        self.assertEqual(self.s.request("PATCH", qurl, body={"title": "Mine"}, token=self.bob, headers={"If-Match": tag}).status, 403)
        self.assertEqual(self.s.request("DELETE", qurl, token=self.bob, headers={"If-Match": tag}).status, 403)
        self.assertEqual(self.s.request("POST", qurl + "/annotations", body={"start": 2}, token=self.bob).status, 403)
        a = pub.json()["annotations"][0]
        atag = self.s.request("GET", a["links"]["self"], token=self.bob).header("etag")
        self.assertEqual(self.s.request("PATCH", a["links"]["self"], body={"label": "x"}, token=self.bob, headers={"If-Match": atag}).status, 403)
        self.assertEqual(self.s.request("POST", purl + "/annotations", body={"start": 2}, token=self.bob).status, 404)
        listed = self.s.request("GET", "/api/v1/items/%s/annotation-tracks" % self.item, token=self.bob).json()["tracks"]
        self.assertIn(public["id"], [t["id"] for t in listed])
        self.assertNotIn(private["id"], [t["id"] for t in listed])
        # bob's own track on alice's public item; a read-only token makes none
        self.track("Bob's", token=self.bob)
        self.assertEqual(self.s.request("POST", "/api/v1/items/%s/annotation-tracks" % self.item, body={"title": "r"},
                                        token=self.reader).status, 403)
        self.assertEqual(self.s.request("POST", "/api/v1/items/%s/annotation-tracks" % self.item, body={"title": ""},
                                        token=self.alice).status, 400)
        self.assertEqual(self.s.request("GET", "/api/v1/annotation-tracks/nope", token=self.alice).status, 404)

    def test_export_import(self):
        t = self.track("Round trip")
        url = "/api/v1/annotation-tracks/" + t["id"]
        for start, end, label in ((0.5, 1.0, "a"), (1.25, 2.5, "b c"), (3.0, 3.0, "point")):
            self.s.request("POST", url + "/annotations", body={"start": start, "end": end, "label": label}, token=self.alice)
        aud = self.s.request("GET", url + "/export?format=audacity", token=self.alice)
        self.assertEqual(aud.status, 200)
        rows = [l.split("\t") for l in aud.body.decode().splitlines()]
        self.assertEqual([(float(a), float(b), c) for a, b, c in rows], [(0.5, 1.0, "a"), (1.25, 2.5, "b c"), (3.0, 3.0, "point")])
        for fmt in ("elan", "jams", "csv", "jsonl"):
            r = self.s.request("GET", url + "/export?format=" + fmt, token=self.alice)
            self.assertEqual(r.status, 200, (fmt, r.body[:200]))
            self.assertIn(b"b c", r.body, fmt)
        line = json.loads(self.s.request("GET", url + "/export", token=self.alice).body)
        self.assertEqual(line["data"]["label"], ["a", "b c", "point"])
        self.assertEqual(self.s.request("GET", url + "/export?format=mp3", token=self.alice).status, 400)
        # the Audacity file back into a new track, and the ELAN one
        other = self.track("Imported")
        ourl = "/api/v1/annotation-tracks/" + other["id"]
        r = self.s.request("POST", ourl + "/import?format=audacity", body=aud.body, token=self.alice,
                           headers={"Content-Type": "application/octet-stream"})
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual([(a["start"], a["end"], a["label"]) for a in r.json()["annotations"]],
                         [(0.5, 1.0, "a"), (1.25, 2.5, "b c"), (3.0, 3.0, "point")])
        eaf = self.s.request("GET", url + "/export?format=elan", token=self.alice).body
        r = self.s.request("POST", ourl + "/import?format=elan", body=eaf, token=self.alice,
                           headers={"Content-Type": "application/octet-stream"})
        self.assertEqual((r.status, len(r.json()["annotations"])), (200, 6), r.body)
        r = self.s.request("POST", ourl + "/import?format=elan", body=b"<not eaf", token=self.alice,
                           headers={"Content-Type": "application/octet-stream"})
        self.assertEqual(r.status, 400)
        self.assertEqual(len(self.s.request("GET", ourl, token=self.alice).json()["annotations"]), 6)

    def test_seeded_from_result(self):
        job = self.s.request("POST", "/api/v1/jobs", body={"items": [self.item], "analyzers": ["onsets", "structure"]},
                             token=self.alice).json()
        done = wait_job(self.s, self.alice, job["id"])
        self.assertEqual(done["state"], "done")
        body = self.s.request("GET", done["items"][0]["outputs"]["results"], token=self.alice).body
        lines = [json.loads(l) for l in body.splitlines()]
        onsets = [l for l in lines if l["id"] == "onsets"][0]
        r = self.s.request("POST", "/api/v1/items/%s/annotation-tracks" % self.item,
                           body={"title": "Onsets", "from_result": {"result": "onsets"}}, token=self.alice)
        self.assertEqual(r.status, 201, r.body)
        got = r.json()["annotations"]
        self.assertEqual([a["start"] for a in got], onsets["data"]["time"])
        self.assertTrue(all(a["start"] == a["end"] for a in got))
        self.assertGreater(len(got), 0)  # the clicks ts-analyze finds (its own tests count them)
        structure = [l for l in lines if l["id"] == "structure"][0]
        r = self.s.request("POST", "/api/v1/items/%s/annotation-tracks" % self.item,
                           body={"title": "Form", "from_result": {"result": "structure"}}, token=self.alice).json()
        self.assertEqual([a["label"] for a in r["annotations"]], structure["data"]["label"])
        self.assertEqual(self.s.request("POST", "/api/v1/items/%s/annotation-tracks" % self.item,
                                        body={"title": "F", "from_result": {"result": "onsets.odf"}}, token=self.alice).status, 409)
        self.assertEqual(self.s.request("POST", "/api/v1/items/%s/annotation-tracks" % self.item,
                                        body={"title": "F", "from_result": {"result": "speech"}}, token=self.alice).status, 404)


if __name__ == "__main__":
    main()
