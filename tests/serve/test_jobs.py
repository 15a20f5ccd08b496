"""Jobs: a job over several items ends done with the bytes ts-analyze gives by hand; identical
requests share a job; a cancel mid-run leaves no output; a server killed with SIGKILL during a
job is restarted and the job ends with nothing half-written; the events stream shows the
changes; the 4xx answers."""
import http.client
import json
import os
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from servelib import BACKGROUND_PEAKS, Server, gen, main, tool, _validate  # noqa: E402

SLOW = {"analyzers": ["structure", "notes", "pitch"]}  # seconds over the long item


def wait_job(s, token, job, states=("done", "failed", "canceled"), timeout=60):
    end = time.time() + timeout
    while time.time() < end:
        j = s.request("GET", "/api/v1/jobs/" + job, token=token).json()
        if j["state"] in states:
            return j
        time.sleep(0.1)
    raise AssertionError("job %s not in %s within %d s: %s" % (job, states, timeout, j))


def leftovers(data):
    """Temporary files of the tools under derived/ (but the background peaks')."""
    out = []
    for root, _, names in os.walk(os.path.join(data, "derived")):
        out += [n for n in names if ".tmp-" in n and not BACKGROUND_PEAKS.match(n)]
    return out


def job_files(data, item):
    d = os.path.join(data, "derived", item)
    return sorted(n for n in os.listdir(d) if n.startswith("job-")) if os.path.isdir(d) else []


def by_hand(argv, tmp, name):
    out = os.path.join(tmp, name)
    subprocess.run([tool(argv[0])] + argv[1:] + ["-o", out], check=True, timeout=120,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return open(out, "rb").read()


def public(result, media, item):
    """ts-analyze's JSON Lines as the server serves them: the item's media URL in place of the
    server's path to the media."""
    return result.replace(json.dumps(media)[1:-1].encode(), ("/api/v1/items/%s/media" % item).encode())


def events(s, token, job, timeout=60, first=None):
    """Reads the job's event stream to its end: the Job of every event."""
    conn = http.client.HTTPConnection("127.0.0.1", s.port, timeout=timeout)
    conn.request("GET", "/api/v1/jobs/%s/events" % job, headers={"Authorization": "Bearer " + token})
    r = conn.getresponse()
    assert r.status == 200, (r.status, r.read())
    assert r.getheader("Content-Type").startswith("text/event-stream")
    got, kind = [], None
    for raw in r:
        line = raw.decode().rstrip("\n")
        if line.startswith("event: "):
            kind = line[7:]
        elif line.startswith("data: "):
            assert kind == "job"
            body = line[6:].encode()
            _validate("GET", "/api/v1/jobs/" + job, 200, "application/json", body)
            got.append(json.loads(body))
            if first is not None:
                first.set()
    conn.close()
    return got


class Jobs(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.s = Server("--workers", "1", "--max-queued-jobs", "3", "--max-event-streams", "2",
                       "--uploads-per-minute", "0", "--jobs-per-minute", "0")
        cls.alice = cls.s.token("alice", "read,process")
        cls.bob = cls.s.token("bob", "read,process")
        cls.reader = cls.s.token("rita", "read")
        cls.s.start()
        tmp = cls.s.tmp.name
        cls.items = []
        for i, f in enumerate((220, 330, 440, 550, 660)):
            wav = gen(["sine", "--frequency", str(f), "--duration", str(1 + i * 0.5), "--rate", "8000",
                       "--amplitude", "-12"], os.path.join(tmp, "s%d.wav" % i))
            cls.items.append(cls.s.upload(cls.alice, wav, "?title=S%d" % i).json()["id"])
        cls.long = cls.s.upload(cls.alice, gen(["noise", "--duration", "600", "--rate", "48000"],
                                                os.path.join(tmp, "long.wav"))).json()["id"]

    @classmethod
    def tearDownClass(cls):
        cls.s.stop()

    def media(self, item):
        return os.path.join(self.s.data, "media", item)

    def test_1_job_matches_by_hand(self):
        body = {"items": self.items, "analyzers": ["level", "onsets"], "params": {"onsets.threshold": 0.3},
                "outputs": ["results", "peaks"]}
        r = self.s.request("POST", "/api/v1/jobs", body=body, token=self.alice)
        self.assertEqual(r.status, 202, r.body)
        job = r.json()
        self.assertEqual(r.header("location"), "/api/v1/jobs/" + job["id"])
        self.assertIn(job["state"], ("queued", "running"))
        self.assertEqual(job["request"]["params"], {"onsets.threshold": "0.3"})
        # the same request while it is queued or running: the same job
        again = self.s.request("POST", "/api/v1/jobs", body=body, token=self.alice)
        if again.json()["state"] in ("queued", "running"):
            self.assertEqual((again.status, again.json()["id"]), (200, job["id"]))
        done = wait_job(self.s, self.alice, job["id"])
        self.assertEqual((done["state"], done["progress"], done["error"]), ("done", 1.0, None), done)
        self.assertEqual([e["item"] for e in done["items"]], self.items)
        for n, e in enumerate(done["items"]):
            self.assertEqual((e["state"], sorted(e["outputs"])), ("done", ["peaks", "results"]))
            got = self.s.request("GET", e["outputs"]["results"], token=self.alice)
            self.assertEqual(got.status, 200)
            want = by_hand(["ts-analyze", "--quiet", "-a", "level,onsets", "-p", "onsets.threshold=0.3",
                            self.media(e["item"])], self.s.tmp.name, "r%d.jsonl" % n)
            self.assertIn(self.media(e["item"]).encode(), want)
            self.assertEqual(got.body, public(want, self.media(e["item"]), e["item"]))
            self.assertNotIn(self.s.data.encode(), got.body)
            self.assertIn(b'"source":"/api/v1/items/%s/media"' % e["item"].encode(), got.body)
            self.assertIn(b'"id":"onsets"', want)
            part = self.s.request("GET", e["outputs"]["results"], token=self.alice, headers={"Range": "bytes=0-99"})
            self.assertEqual((part.status, part.body), (206, got.body[:100]))
            peaks = self.s.request("GET", e["outputs"]["peaks"], token=self.alice)
            want = by_hand(["ts-analyze", "--quiet", "-a", "waveform", "-p", "waveform.pixels_per_second=100",
                            "-f", "dat", "--bits", "8", self.media(e["item"])], self.s.tmp.name, "p%d.dat" % n)
            self.assertEqual(peaks.body, want)
        log = self.s.request("GET", "/api/v1/jobs/%s/log" % job["id"], token=self.alice)
        self.assertIn(b"job done", log.body)
        # a finished job is not deduplicated: a new one, whose outputs are found made
        r = self.s.request("POST", "/api/v1/jobs", body=body, token=self.alice)
        self.assertEqual(r.status, 202)
        self.assertNotEqual(r.json()["id"], job["id"])
        self.assertEqual(wait_job(self.s, self.alice, r.json()["id"])["state"], "done")
        # bob sees neither the job nor its outputs; an ended job cannot be canceled
        self.assertEqual(self.s.request("GET", "/api/v1/jobs/" + job["id"], token=self.bob).status, 404)
        self.assertEqual(self.s.request("GET", e["outputs"]["results"], token=self.bob).status, 404)
        self.assertEqual(self.s.request("DELETE", "/api/v1/jobs/" + job["id"], token=self.alice).status, 409)
        mine = self.s.request("GET", "/api/v1/jobs?state=done", token=self.alice).json()["jobs"]
        self.assertIn(job["id"], [j["id"] for j in mine])
        self.assertEqual(self.s.request("GET", "/api/v1/jobs", token=self.bob).json()["jobs"], [])

    def test_1b_outputs_name_no_server_path(self):
        body = {"items": self.items[:1], "analyzers": ["level"],
                "outputs": ["results", "peaks", "waveform", "spectrogram"]}
        r = self.s.request("POST", "/api/v1/jobs", body=body, token=self.alice)
        self.assertIn(r.status, (200, 202), r.body)
        done = wait_job(self.s, self.alice, r.json()["id"])
        self.assertEqual(done["state"], "done", done)
        e = done["items"][0]
        self.assertEqual(sorted(e["outputs"]), ["peaks", "results", "spectrogram", "waveform"])
        for kind, url in e["outputs"].items():
            got = self.s.request("GET", url, token=self.alice)
            self.assertEqual(got.status, 200, kind)
            self.assertGreater(len(got.body), 0, kind)
            self.assertNotIn(self.s.data.encode(), got.body, kind)
            self.assertNotIn(self.s.tmp.name.encode(), got.body, kind)

    def test_2_cancel_and_events(self):
        slow = dict(SLOW, items=[self.long])
        a = self.s.request("POST", "/api/v1/jobs", body=slow, token=self.alice).json()
        # with one worker, b waits for a: its stream shows queued, running, done
        b = self.s.request("POST", "/api/v1/jobs", body={"items": self.items[:2], "preset": "minimal"},
                           token=self.alice).json()
        self.assertEqual(b["state"], "queued")
        wait_job(self.s, self.alice, a["id"], ("running",))
        import threading
        seen, first = [], threading.Event()
        t = threading.Thread(target=lambda: seen.extend(events(self.s, self.alice, b["id"], first=first)))
        t.start()
        self.assertTrue(first.wait(30))  # b's stream has said "queued"
        time.sleep(0.3)  # the long item is being analyzed
        r = self.s.request("DELETE", "/api/v1/jobs/" + a["id"], token=self.alice)
        self.assertEqual(r.status, 202)
        self.assertTrue(r.json()["cancel_requested"])
        end = wait_job(self.s, self.alice, a["id"])
        self.assertEqual(end["state"], "canceled")
        self.assertEqual(job_files(self.s.data, self.long), [])
        self.assertEqual([n for n in os.listdir(os.path.join(self.s.data, "derived", self.long)) if ".tmp-" in n], [])
        self.assertEqual(self.s.request("GET", "/api/v1/jobs/%s/items/%s/results" % (a["id"], self.long),
                                        token=self.alice).status, 404)
        t.join(60)
        states = [j["state"] for j in seen]
        self.assertEqual(states[0], "queued")
        self.assertEqual(states[-1], "done")
        self.assertIn("running", states)
        self.assertEqual(states, sorted(states, key=["queued", "running", "done"].index))
        self.assertEqual(leftovers(self.s.data), [])

    def test_3_errors(self):
        ok = {"items": self.items[:1], "analyzers": ["level"]}
        bad = [
            {"items": self.items[:1], "analyzers": ["exec:/bin/sh -c id"]},
            {"items": self.items[:1], "analyzers": ["nosuch"]},
            {"items": self.items[:1], "analyzers": ["level"], "params": {"level.nosuch": 1}},
            {"items": self.items[:1], "analyzers": ["stats"], "params": {"stats.window": 100}},
            {"items": self.items[:1], "analyzers": ["level"], "params": {"rms.step": 1}},
            {"items": self.items[:1], "preset": "nosuch"},
            {"items": self.items[:1], "preset": "minimal", "analyzers": ["level"]},
            {"items": self.items[:1], "outputs": ["movie"]},
            {"items": self.items[:1], "backend": "cloud"},
            {"items": ["../../etc/passwd"]},
            {"items": []},
            {"analyzers": ["level"]},
            {"items": self.items[:1], "collection": self.items[0]},
            {"items": self.items[:1], "owner": "bob"},
        ]
        for b in bad:
            r = self.s.request("POST", "/api/v1/jobs", body=b, token=self.alice)
            self.assertEqual(r.status, 400, (b, r.body))
        self.assertEqual(self.s.request("POST", "/api/v1/jobs", body=b"[1]", token=self.alice).status, 400)
        self.assertEqual(self.s.request("POST", "/api/v1/jobs", body=ok).status, 401)
        self.assertEqual(self.s.request("POST", "/api/v1/jobs", body=ok, token=self.reader).status, 403)
        # bob cannot run a job over alice's private items
        self.assertEqual(self.s.request("POST", "/api/v1/jobs", body=ok, token=self.bob).status, 404)
        self.assertEqual(self.s.request("GET", "/api/v1/jobs/not-a-uuid", token=self.bob).status, 404)
        self.assertEqual(self.s.request("GET", "/api/v1/jobs/00000000-0000-4000-8000-000000000000",
                                        token=self.bob).status, 404)
        # three jobs at most queued or running per user: the fourth is refused
        ids = []
        for i in range(3):
            r = self.s.request("POST", "/api/v1/jobs", body=dict(SLOW, items=[self.long] + self.items[:i]), token=self.alice)
            self.assertEqual(r.status, 202, r.body)
            ids.append(r.json()["id"])
        r = self.s.request("POST", "/api/v1/jobs", body=ok, token=self.alice)
        self.assertEqual(r.status, 429)
        self.assertEqual(r.header("retry-after"), "10")
        # two event streams at most: a third is refused
        conns = []
        for i in range(2):
            c = http.client.HTTPConnection("127.0.0.1", self.s.port, timeout=30)
            c.request("GET", "/api/v1/jobs/%s/events" % ids[i], headers={"Authorization": "Bearer " + self.alice})
            resp = c.getresponse()
            self.assertEqual(resp.status, 200)
            resp.readline()
            conns.append((c, resp))
        r = self.s.request("GET", "/api/v1/jobs/%s/events" % ids[2], token=self.alice)
        self.assertEqual(r.status, 429)
        for i in ids:
            self.assertEqual(self.s.request("DELETE", "/api/v1/jobs/" + i, token=self.alice).status, 202)
        for c, resp in conns:
            resp.read()
            c.close()
        for i in ids:
            self.assertEqual(wait_job(self.s, self.alice, i)["state"], "canceled")
        self.assertEqual(leftovers(self.s.data), [])


class Crash(unittest.TestCase):
    def test_kill_9_then_restart(self):
        s = Server("--workers", "1", "--uploads-per-minute", "0")
        try:
            alice = s.token("alice", "read,process")
            s.start()
            short = s.upload(alice, gen(["sine", "--duration", "1", "--rate", "8000"],
                                        os.path.join(s.tmp.name, "s.wav"))).json()["id"]
            long = s.upload(alice, gen(["noise", "--duration", "600", "--rate", "48000"],
                                       os.path.join(s.tmp.name, "l.wav"))).json()["id"]
            job = s.request("POST", "/api/v1/jobs", body=dict(SLOW, items=[long, short]), token=alice).json()
            wait_job(s, alice, job["id"], ("running",))
            time.sleep(0.3)
            s.proc.kill()
            s.proc.wait()
            # the tool got SIGTERM with its parent: it ends, its temporary file with it
            end = time.time() + 20
            while leftovers(s.data) and time.time() < end:
                time.sleep(0.1)
            self.assertEqual(leftovers(s.data), [])
            self.assertEqual(job_files(s.data, long), [])
            s.log.close()
            s.start()
            end = wait_job(s, alice, job["id"], timeout=120)
            self.assertEqual((end["state"], end["attempts"]), ("done", 2), end)
            self.assertEqual(leftovers(s.data), [])
            for item in (long, short):
                got = s.request("GET", "/api/v1/jobs/%s/items/%s/results" % (job["id"], item), token=alice).body
                media = os.path.join(s.data, "media", item)
                want = by_hand(["ts-analyze", "--quiet", "-a", ",".join(SLOW["analyzers"]), media],
                               s.tmp.name, item + ".jsonl")
                self.assertEqual(got, public(want, media, item))
        finally:
            s.stop()

    def test_attempts_exhausted(self):
        s = Server("--workers", "1", "--job-attempts", "1", "--uploads-per-minute", "0")
        try:
            alice = s.token("alice", "read,process")
            s.start()
            long = s.upload(alice, gen(["noise", "--duration", "600", "--rate", "48000"],
                                       os.path.join(s.tmp.name, "l.wav"))).json()["id"]
            job = s.request("POST", "/api/v1/jobs", body=dict(SLOW, items=[long]), token=alice).json()
            wait_job(s, alice, job["id"], ("running",))
            s.proc.kill()
            s.proc.wait()
            s.log.close()
            s.start()
            end = s.request("GET", "/api/v1/jobs/" + job["id"], token=alice).json()
            self.assertEqual(end["state"], "failed")
            self.assertIn("stopped during the job", end["error"])
            self.assertEqual(end["items"][0]["state"], "failed")
            self.assertEqual(job_files(s.data, long), [])
            self.assertEqual(leftovers(s.data), [])
        finally:
            s.stop()


class RateLimit(unittest.TestCase):
    def test_jobs_per_minute(self):
        s = Server("--jobs-per-minute", "3", "--uploads-per-minute", "0")
        try:
            alice, bob = s.token("alice", "read,process"), s.token("bob", "read,process")
            s.start()
            wav = gen(["sine", "--duration", "0.5", "--rate", "8000"], os.path.join(s.tmp.name, "s.wav"))
            mine, his = s.upload(alice, wav).json()["id"], s.upload(bob, wav).json()["id"]
            # a burst of 3 (the rate, under the burst cap of 10), then 429 with the seconds to wait
            for preset in ("minimal", "music", "speech"):
                r = s.request("POST", "/api/v1/jobs", body={"items": [mine], "preset": preset}, token=alice)
                self.assertEqual(r.status, 202, r.body)
            r = s.request("POST", "/api/v1/jobs", body={"items": [mine], "analyzers": ["level"]}, token=alice)
            self.assertEqual(r.status, 429, r.body)
            self.assertEqual(r.json()["status"], 429)
            # one job every 20 s: the wait is at most that, at least a second
            self.assertTrue(1 <= int(r.header("retry-after")) <= 20, r.headers)
            # a request refused as invalid is not counted against the next one, and still says why
            bad = s.request("POST", "/api/v1/jobs", body={"items": [mine], "preset": "nosuch"}, token=alice)
            self.assertEqual(bad.status, 400)
            # the limit is per user: bob's first job goes through
            r = s.request("POST", "/api/v1/jobs", body={"items": [his], "preset": "minimal"}, token=bob)
            self.assertEqual(r.status, 202, r.body)
            self.assertEqual(len(s.request("GET", "/api/v1/jobs", token=alice).json()["jobs"]), 3)
        finally:
            s.stop()


if __name__ == "__main__":
    main()
