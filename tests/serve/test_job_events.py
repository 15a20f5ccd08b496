"""Job events: the stream of every job a caller may see (GET /api/v1/jobs/events) shows a new
job as created and then each of its changes up to its end, to its owner and an admin only;
its snapshot names the queued and running jobs; a reconnection with Last-Event-ID is sent the
jobs made since. The per-job stream's event ids, and its 204 to a client that saw the end."""
import hashlib
import http.client
import json
import os
import queue
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from servelib import Server, gen, main, _validate  # noqa: E402

ORDER = ["queued", "running", "done"]


class Stream:
    """An event stream read by a thread: each event (name, id, data, retry) into a queue."""

    def __init__(self, s, token, path, headers=None):
        self.conn = http.client.HTTPConnection("127.0.0.1", s.port, timeout=60)
        h = {"Authorization": "Bearer " + token}
        h.update(headers or {})
        self.conn.request("GET", path, headers=h)
        self.r = self.conn.getresponse()
        self.status = self.r.status
        self.events = queue.Queue()
        if self.status == 200:
            assert self.r.getheader("Content-Type").startswith("text/event-stream")
            threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        ev = {}
        try:
            for raw in self.r:
                line = raw.decode().rstrip("\r\n")
                if line == "":
                    if "data" in ev:
                        self.events.put(ev)
                    ev = {}
                elif not line.startswith(":"):
                    k, _, v = line.partition(":")
                    ev[k] = v[1:] if v.startswith(" ") else v
        except Exception:  # noqa: BLE001 - the connection closed by close() mid-read
            pass
        self.events.put(None)  # the end of the stream

    def next(self, timeout=30):
        if getattr(self, "aside", None):
            return self.aside.pop(0)
        return self.events.get(timeout=timeout)

    def until(self, job, state, timeout=60):
        """The events of job up to the one in state (others' events are kept aside, in
        order, for a later call: two jobs' events may interleave either way)."""
        got, end = [], time.time() + timeout
        others, self.aside = [], getattr(self, "aside", [])
        while True:
            ev = self.next(max(0.1, end - time.time()))
            assert ev is not None, "the stream ended before %s was %s" % (job, state)
            j = json.loads(ev["data"])
            if j["id"] != job:
                others.append(ev)
                continue
            got.append(ev)
            if j["state"] == state:
                self.aside = others + self.aside
                return got

    def close(self):
        try:
            self.conn.sock.shutdown(2)
        except OSError:
            pass
        self.conn.close()


class JobEvents(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.s = Server("--workers", "1", "--max-event-streams", "8", "--uploads-per-minute", "0")
        cls.alice = cls.s.token("alice", "read,process")
        cls.bob = cls.s.token("bob", "read,process")
        cls.admin = cls.s.token("root", "admin")
        cls.s.start()
        tmp = cls.s.tmp.name
        wav = gen(["sine", "--frequency", "440", "--duration", "2", "--rate", "8000"], os.path.join(tmp, "a.wav"))
        cls.item = cls.s.upload(cls.alice, wav).json()["id"]
        cls.long = cls.s.upload(cls.alice, gen(["noise", "--duration", "300", "--rate", "48000"],
                                                os.path.join(tmp, "long.wav"))).json()["id"]

    @classmethod
    def tearDownClass(cls):
        cls.s.stop()

    def job(self, body):
        r = self.s.request("POST", "/api/v1/jobs", body=body, token=self.alice)
        self.assertEqual(r.status, 202, r.body)
        return r.json()["id"]

    def check(self, events, job):
        """Each event's data is a Job of the spec; the states only go forward."""
        for ev in events:
            _validate("GET", "/api/v1/jobs/" + job, 200, "application/json", ev["data"].encode())
        states = [json.loads(ev["data"])["state"] for ev in events]
        self.assertEqual(states, sorted(states, key=ORDER.index), states)
        return states

    def test_1_global_stream_shows_a_new_job_to_its_owner_and_an_admin(self):
        mine = Stream(self.s, self.alice, "/api/v1/jobs/events")
        root = Stream(self.s, self.admin, "/api/v1/jobs/events")
        other = Stream(self.s, self.bob, "/api/v1/jobs/events")
        try:
            self.assertEqual((mine.status, root.status, other.status), (200, 200, 200))
            time.sleep(0.5)  # the streams are open (their first round is done)
            job = self.job({"items": [self.item], "preset": "minimal"})
            for st in (mine, root):
                events = st.until(job, "done")
                self.assertEqual(events[0]["event"], "created")
                self.assertTrue(all(ev["event"] == "job" for ev in events[1:]))
                states = self.check(events, job)
                self.assertEqual(states[-1], "done")
                self.assertEqual(json.loads(events[-1]["data"])["progress"], 1.0)
                ids = {ev["id"] for ev in events}
                self.assertEqual(len(ids), 1, ids)  # the job's number: no job was made since
                self.assertTrue(events[0]["id"].isdigit())
            self.__class__.created_id = int(events[0]["id"])
            self.__class__.done_job = job
            # bob sees nothing of alice's job
            with self.assertRaises(queue.Empty):
                other.next(timeout=1.5)
        finally:
            for st in (mine, root, other):
                st.close()

    def test_2_reconnection_is_sent_the_jobs_made_since(self):
        job = self.done_job
        st = Stream(self.s, self.alice, "/api/v1/jobs/events", {"Last-Event-ID": str(self.created_id - 1)})
        try:
            self.assertEqual(st.status, 200)
            ev = st.next()
            self.assertEqual((ev["event"], ev["id"]), ("created", str(self.created_id)))
            self.assertEqual((json.loads(ev["data"])["id"], json.loads(ev["data"])["state"]), (job, "done"))
            with self.assertRaises(queue.Empty):
                st.next(timeout=1)
        finally:
            st.close()
        # the stream opened with the last id: nothing to say about an ended job
        st = Stream(self.s, self.alice, "/api/v1/jobs/events", {"Last-Event-ID": str(self.created_id)})
        try:
            with self.assertRaises(queue.Empty):
                st.next(timeout=1)
        finally:
            st.close()
        # a number past the last job resumes from now: a new job is still "created"
        st = Stream(self.s, self.alice, "/api/v1/jobs/events", {"Last-Event-ID": "9" * 18})
        try:
            time.sleep(0.5)
            job = self.job({"items": [self.item], "preset": "minimal", "outputs": ["peaks"]})
            events = st.until(job, "done")
            self.assertEqual((events[0]["event"], events[0]["id"]), ("created", str(self.created_id + 1)))
        finally:
            st.close()
        for bad in ("x", "-1", "1" * 19):
            r = self.s.request("GET", "/api/v1/jobs/events", token=self.alice, headers={"Last-Event-ID": bad})
            self.assertEqual(r.status, 400, bad)
        self.assertEqual(self.s.request("GET", "/api/v1/jobs/events").status, 401)

    def test_3_per_job_event_ids_and_the_end_seen(self):
        job = self.done_job
        st = Stream(self.s, self.alice, "/api/v1/jobs/%s/events" % job)
        ev = st.next()
        self.assertIsNone(st.next())  # an ended job: one event, then the end
        st.close()
        self.assertEqual(ev["event"], "job")
        self.assertEqual(ev["retry"], "2000")
        self.assertEqual(ev["id"], hashlib.sha256(ev["data"].encode()).hexdigest()[:16])
        self.assertEqual(json.loads(ev["data"])["state"], "done")
        # reconnecting with the id of its last state: 204, which stops an EventSource
        r = self.s.request("GET", "/api/v1/jobs/%s/events" % job, token=self.alice,
                           headers={"Last-Event-ID": ev["id"]})
        self.assertEqual((r.status, r.body), (204, b""))
        # with an older id: the last state again
        st = Stream(self.s, self.alice, "/api/v1/jobs/%s/events" % job, {"Last-Event-ID": "0123456789abcdef"})
        self.assertEqual(st.next()["data"], ev["data"])
        st.close()

    def test_4_snapshot_of_queued_and_running_jobs(self):
        slow = self.job({"items": [self.long], "analyzers": ["structure", "notes", "pitch"]})
        queued = self.job({"items": [self.item], "preset": "minimal", "outputs": ["results"]})
        deadline = time.time() + 30
        while self.s.request("GET", "/api/v1/jobs/" + slow, token=self.alice).json()["state"] != "running":
            self.assertLess(time.time(), deadline)
            time.sleep(0.1)
        st = Stream(self.s, self.alice, "/api/v1/jobs/events")
        try:
            first = [st.next(), st.next()]
            self.assertEqual([ev["event"] for ev in first], ["job", "job"])
            got = {json.loads(ev["data"])["id"]: json.loads(ev["data"])["state"] for ev in first}
            self.assertEqual(got, {slow: "running", queued: "queued"})
            # the queued job's own stream, resumed at its current state: silent until it changes
            data = [ev["data"] for ev in first if json.loads(ev["data"])["id"] == queued][0]
            mine = Stream(self.s, self.alice, "/api/v1/jobs/%s/events" % queued,
                          {"Last-Event-ID": hashlib.sha256(data.encode()).hexdigest()[:16]})
            with self.assertRaises(queue.Empty):
                mine.next(timeout=0.7)
            self.assertEqual(self.s.request("DELETE", "/api/v1/jobs/" + slow, token=self.alice).status, 202)
            resumed = mine.until(queued, "done")
            mine.close()
            self.assertNotIn("queued", [json.loads(ev["data"])["state"] for ev in resumed])
            events = st.until(slow, "canceled")
            self.assertEqual(json.loads(events[-1]["data"])["state"], "canceled")
            self.check(st.until(queued, "done"), queued)
        finally:
            st.close()


if __name__ == "__main__":
    main()
