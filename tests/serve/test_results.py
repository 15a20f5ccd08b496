"""Results: the index of what jobs found in an item, each result in ts-serialize's formats
(compared with ts-serialize run by hand), framewise series reduced to min/max per bucket
(checked against the values), plots with bounded sizes."""
import json
import os
import struct
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from servelib import Server, gen, main, tool  # noqa: E402
from test_jobs import wait_job  # noqa: E402


class Results(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.s = Server("--uploads-per-minute", "0", "--renders-per-minute", "0")
        cls.alice = cls.s.token("alice", "read,process")
        cls.bob = cls.s.token("bob", "read,process")
        cls.s.start()
        wav = gen(["clicks", "--tempo", "120", "--duration", "4", "--rate", "8000"], os.path.join(cls.s.tmp.name, "c.wav"))
        cls.item = cls.s.upload(cls.alice, wav).json()["id"]
        job = cls.s.request("POST", "/api/v1/jobs", body={"items": [cls.item], "analyzers": ["rms", "onsets", "level"]},
                            token=cls.alice).json()
        cls.job = wait_job(cls.s, cls.alice, job["id"])
        assert cls.job["state"] == "done", cls.job
        cls.file = os.path.join(cls.s.tmp.name, "results.jsonl")
        with open(cls.file, "wb") as f:
            f.write(cls.s.request("GET", cls.job["items"][0]["outputs"]["results"], token=cls.alice).body)
        cls.lines = {json.loads(l)["id"]: json.loads(l) for l in open(cls.file)}

    @classmethod
    def tearDownClass(cls):
        cls.s.stop()

    def url(self, rest=""):
        return "/api/v1/items/%s/results%s" % (self.item, rest)

    def test_index(self):
        idx = self.s.request("GET", self.url(), token=self.alice).json()
        self.assertEqual(sorted(e["id"] for e in idx["results"]), sorted(self.lines))
        # in the order of the file, from the catalog's index: the same when the file is gone
        self.assertEqual([e["id"] for e in idx["results"]], list(self.lines))
        import sqlite3
        db = sqlite3.connect(os.path.join(self.s.data, "catalog.sqlite"))
        rows = db.execute("SELECT result_id, analyzer, time_mode FROM result_index WHERE item_id = ? "
                          "ORDER BY position", (self.item,)).fetchall()
        db.close()
        self.assertEqual(rows, [(k, v["analyzer"], v["time_mode"]) for k, v in self.lines.items()])
        rms = [e for e in idx["results"] if e["id"] == "rms"][0]
        self.assertEqual((rms["time_mode"], rms["job"]), ("framewise", self.job["id"]))
        self.assertIn("series", rms["links"])
        self.assertEqual(self.s.request("GET", self.url(), token=self.bob).status, 404)

    def public_file(self):
        """The results file as the API serves its results: the item's URL for the media's path."""
        path = os.path.join(self.s.tmp.name, "public.jsonl")
        with open(path, "w") as f:
            for line in self.lines.values():
                line = json.loads(json.dumps(line))
                line["audio"]["source"] = "/api/v1/items/%s/media" % self.item
                f.write(json.dumps(line) + "\n")
        return path

    def test_no_server_path(self):
        media = os.path.join(self.s.data, "media", self.item)
        # what the job wrote names the server's path; its output is served as the route serves it
        derived = os.path.join(self.s.data, "derived", self.item)
        written = [n for n in os.listdir(derived) if n.startswith("job-results")]
        self.assertEqual(len(written), 1, written)
        with open(os.path.join(derived, written[0])) as f:
            self.assertEqual({json.loads(l)["id"]: json.loads(l)["audio"]["source"] for l in f}["onsets"], media)
        self.assertEqual(self.lines["onsets"]["audio"]["source"], "/api/v1/items/%s/media" % self.item)
        line = self.s.request("GET", self.url("/onsets"), token=self.alice)
        j = json.loads(line.body)
        self.assertEqual(j["audio"]["source"], "/api/v1/items/%s/media" % self.item)
        self.assertEqual(j["audio"]["sha1"], self.lines["onsets"]["audio"]["sha1"])
        self.assertEqual(len(j["audio"]["sha1"]), 40)
        want = dict(self.lines["onsets"])
        want["audio"] = dict(want["audio"], source=j["audio"]["source"])
        self.assertEqual(j, want)  # nothing else changed
        for path in ("/onsets", "/onsets?format=json", "/rms?format=yaml", "/onsets?format=jams",
                     "/onsets?format=xml", "/rms/series", "", "/rms/plot.png?width=100&height=50"):
            body = self.s.request("GET", self.url(path), token=self.alice).body
            self.assertNotIn(self.s.data.encode(), body, path)
            self.assertNotIn(b"/media/" + self.item.encode() + b'"', body.replace(b"/items/", b""), path)

    def test_formats_as_by_hand(self):
        public = self.public_file()
        for fmt, rid in (("csv", "onsets"), ("json", "level.rms"), ("audacity", "onsets"), ("jams", "onsets"),
                         ("yaml", "rms"), ("npy", "rms"), ("lab", "onsets"), ("elan", "onsets")):
            r = self.s.request("GET", self.url("/%s?format=%s" % (rid, fmt)), token=self.alice)
            self.assertEqual(r.status, 200, (fmt, r.body[:200]))
            want = subprocess.run([tool("ts-serialize"), "--quiet", "--result", rid, "-f", fmt, public],
                                  capture_output=True, timeout=60, check=True).stdout
            self.assertEqual(r.body, want, fmt)
        line = self.s.request("GET", self.url("/onsets"), token=self.alice)
        want = dict(self.lines["onsets"])
        want["audio"] = dict(want["audio"], source="/api/v1/items/%s/media" % self.item)
        self.assertEqual(json.loads(line.body), want)
        self.assertEqual(self.s.request("GET", self.url("/onsets?format=mp3"), token=self.alice).status, 400)
        self.assertEqual(self.s.request("GET", self.url("/nosuch"), token=self.alice).status, 404)
        self.assertEqual(self.s.request("GET", self.url("/on*ets"), token=self.alice).status, 400)
        self.assertEqual(self.s.request("GET", self.url("/onsets?set=0000"), token=self.alice).status, 404)
        # a format that holds no framewise series: refused by ts-serialize, 409
        self.assertEqual(self.s.request("GET", self.url("/rms?format=audacity"), token=self.alice).status, 409)

    def test_series(self):
        values = self.lines["rms"]["data"]["value"]
        n = len(values)
        self.assertGreater(n, 50)
        s = self.s.request("GET", self.url("/rms/series?points=10"), token=self.alice).json()
        per = -(-n // 10)
        self.assertEqual((s["frames"], s["frames_per_point"], len(s["min"])), (n, per, -(-n // per)))
        for b in range(len(s["min"])):
            chunk = [v for v in values[b * per:(b + 1) * per] if v is not None]
            self.assertAlmostEqual(s["min"][b], min(chunk), places=12)
            self.assertAlmostEqual(s["max"][b], max(chunk), places=12)
        fr = self.lines["rms"]["frames"]
        self.assertAlmostEqual(s["point_duration"], per * fr["step"] / fr["rate"], places=12)
        # never more points than frames
        s = self.s.request("GET", self.url("/rms/series?points=100000"), token=self.alice).json()
        self.assertEqual((len(s["max"]), s["frames_per_point"]), (n, 1))
        self.assertEqual(s["max"], values)
        self.assertEqual(self.s.request("GET", self.url("/onsets/series"), token=self.alice).status, 409)
        self.assertEqual(self.s.request("GET", self.url("/rms/series?points=0"), token=self.alice).status, 400)

    def test_plot(self):
        r = self.s.request("GET", self.url("/rms/plot.png?width=300&height=120"), token=self.alice)
        self.assertEqual((r.status, r.header("content-type")), (200, "image/png"))
        self.assertEqual(r.body[:8], b"\x89PNG\r\n\x1a\n")
        self.assertEqual(struct.unpack(">II", r.body[16:24]), (300, 120))
        self.assertEqual(self.s.request("GET", self.url("/rms/plot.png?width=5000"), token=self.alice).status, 400)


if __name__ == "__main__":
    main()
