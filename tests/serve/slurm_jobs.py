"""Jobs on Slurm (run by tests/cli/serve_slurm.sh, which starts a single-node cluster first and
exports SLURM_CONF): a job with backend slurm ends with the same files as the same job run by
the local workers; an item that fails has its error; a cancel stops the array and leaves no
output; a server killed while its Slurm job runs finds the job again at restart."""
import os
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from servelib import Server, gen, main, tool  # noqa: E402
from test_jobs import SLOW, job_files, leftovers, wait_job  # noqa: E402

ANALYSIS = {"analyzers": ["level", "onsets"], "params": {"onsets.threshold": 0.3},
            "outputs": ["results", "peaks", "waveform"]}


def squeue(slurm_id):
    out = subprocess.run(["squeue", "-h", "-t", "all", "-j", slurm_id, "-o", "%T"],
                         capture_output=True, text=True, timeout=30)
    return out.stdout.split()


class Slurm(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        assert os.environ.get("SLURM_CONF"), "run by tests/cli/serve_slurm.sh, with a cluster"
        cls.s = Server("--workers", "1", "--uploads-per-minute", "0", "--jobs-per-minute", "0",
                       "--slurm-poll", "200")
        cls.alice = cls.s.token("alice", "read,process")
        cls.s.start()
        tmp = cls.s.tmp.name
        cls.local, cls.remote = [], []
        for i, f in enumerate((220, 330, 440)):
            wav = gen(["sine", "--frequency", str(f), "--duration", str(1 + i * 0.5), "--rate", "8000",
                       "--amplitude", "-12"], os.path.join(tmp, "s%d.wav" % i))
            cls.local.append(cls.s.upload(cls.alice, wav).json()["id"])
            cls.remote.append(cls.s.upload(cls.alice, wav).json()["id"])
        # an item whose media is damaged on disk after it was accepted: its tool fails
        cls.bad = cls.s.upload(cls.alice, wav).json()["id"]
        with open(os.path.join(cls.s.data, "media", cls.bad), "wb") as f:
            f.write(b"RIFF\x10\0\0\0WAVEnot audio any more")
        cls.long = cls.s.upload(cls.alice, gen(["noise", "--duration", "300", "--rate", "48000"],
                                                os.path.join(tmp, "long.wav"))).json()["id"]

    @classmethod
    def tearDownClass(cls):
        cls.s.stop()

    def by_hand(self, kind, item):
        out = os.path.join(self.s.tmp.name, item + "." + kind + ".png")
        subprocess.run([tool("ts-graph"), kind, "--quiet", "-W", "1200", "-H", "300",
                        os.path.join(self.s.data, "media", item), "-o", out], check=True, timeout=60)
        return open(out, "rb").read()

    def post(self, body):
        r = self.s.request("POST", "/api/v1/jobs", body=body, token=self.alice)
        self.assertEqual(r.status, 202, r.body)
        return r.json()

    def test_1_same_outputs_as_local(self):
        local = self.post(dict(ANALYSIS, items=self.local, backend="local"))
        remote = self.post(dict(ANALYSIS, items=self.remote + [self.bad], backend="slurm"))
        self.assertEqual((local["backend"], remote["backend"]), ("local", "slurm"))
        self.assertEqual(wait_job(self.s, self.alice, local["id"])["state"], "done")
        end = wait_job(self.s, self.alice, remote["id"], timeout=90)
        self.assertEqual((end["state"], end["progress"], end["error"]), ("failed", 1.0, "1 of 4 items failed"), end)
        self.assertTrue(end["slurm_job"].isdigit(), end)
        self.assertIn(squeue(end["slurm_job"])[0], ("COMPLETED", "FAILED"))
        for a, b, e in zip(self.local, self.remote, end["items"]):
            self.assertEqual((e["item"], e["state"], e["error"]), (b, "done", None))
            self.assertEqual(sorted(e["outputs"]), ["peaks", "results", "waveform"])
            for kind in ("results", "peaks", "waveform"):
                mine = self.s.request("GET", e["outputs"][kind], token=self.alice).body
                theirs = self.s.request("GET", "/api/v1/jobs/%s/items/%s/%s" % (local["id"], a, kind),
                                        token=self.alice).body
                self.assertGreater(len(mine), 100)
                if kind == "waveform":
                    # the image shows its source's name, media/ITEM: each the tool's by hand
                    self.assertEqual(mine, self.by_hand(kind, b))
                    self.assertEqual(theirs, self.by_hand(kind, a))
                else:
                    # the results name their source too: the same bytes under another item id
                    self.assertEqual(mine, theirs.replace(a.encode(), b.encode()), kind)
        failed = end["items"][3]
        self.assertEqual((failed["item"], failed["state"], failed["outputs"]), (self.bad, "failed", {}))
        self.assertRegex(failed["error"], r"^ts-analyze \(results\) exited with status 1: ts-analyze: error: .*"
                         + self.bad)
        log = self.s.request("GET", "/api/v1/jobs/%s/log" % remote["id"], token=self.alice).body.decode()
        self.assertIn("submitted to Slurm as job " + end["slurm_job"], log)
        self.assertIn("item %s: ts-analyze (results) exited with status 1" % self.bad, log)
        self.assertIn("job failed", log)
        self.assertEqual(job_files(self.s.data, self.bad), [])
        self.assertEqual(leftovers(self.s.data), [])

    def test_2_cancel(self):
        job = self.post(dict(SLOW, items=[self.long], backend="slurm"))
        # the array task has started the tool on the long item
        wait = time.time() + 60
        while time.time() < wait:
            j = self.s.request("GET", "/api/v1/jobs/" + job["id"], token=self.alice).json()
            if j["items"][0]["state"] == "running":
                break
            time.sleep(0.1)
        self.assertEqual(j["items"][0]["state"], "running", j)
        time.sleep(0.5)
        r = self.s.request("DELETE", "/api/v1/jobs/" + job["id"], token=self.alice)
        self.assertEqual(r.status, 202)
        end = wait_job(self.s, self.alice, job["id"], timeout=60)
        self.assertEqual(end["state"], "canceled", end)
        self.assertEqual([e["state"] for e in end["items"]], ["canceled"])
        self.assertEqual(squeue(end["slurm_job"]), ["CANCELLED"])
        self.assertEqual(job_files(self.s.data, self.long), [])
        self.assertEqual(leftovers(self.s.data), [])
        self.assertEqual(self.s.request("GET", "/api/v1/jobs/%s/items/%s/results" % (job["id"], self.long),
                                        token=self.alice).status, 404)

    def test_3_restart(self):
        job = self.post(dict(SLOW, items=self.remote, backend="slurm", outputs=["results"]))
        wait = time.time() + 30
        while not self.s.request("GET", "/api/v1/jobs/" + job["id"], token=self.alice).json()["slurm_job"]:
            self.assertLess(time.time(), wait, "the job was not submitted within 30 s")
            time.sleep(0.05)
        self.s.proc.kill()  # SIGKILL: the cluster runs the job on
        self.s.proc.wait()
        self.s.log.close()
        self.s.start()
        end = wait_job(self.s, self.alice, job["id"], timeout=90)
        self.assertEqual((end["state"], end["attempts"]), ("done", 1), end)
        self.assertEqual([e["state"] for e in end["items"]], ["done"] * 3)
        self.assertEqual(leftovers(self.s.data), [])

    def test_4_default_backend_and_no_sbatch(self):
        # --job-backend slurm: a request that names no backend goes to Slurm
        s = Server("--job-backend", "slurm", "--uploads-per-minute", "0", "--slurm-poll", "200")
        try:
            token = s.token("alice", "read,process")
            s.start()
            item = s.upload(token, gen(["sine", "--duration", "0.5", "--rate", "8000"],
                                       os.path.join(s.tmp.name, "s.wav"))).json()["id"]
            r = s.request("POST", "/api/v1/jobs", body={"items": [item], "outputs": ["peaks"]}, token=token)
            self.assertEqual((r.status, r.json()["backend"]), (202, "slurm"))
            end = wait_job(s, token, r.json()["id"], timeout=60)
            self.assertEqual(end["state"], "done", end)
            self.assertTrue(end["slurm_job"])
        finally:
            s.stop()
        # a server whose PATH has no sbatch refuses Slurm jobs before queueing them
        s = Server("--uploads-per-minute", "0")
        path = os.environ["PATH"]
        try:
            token = s.token("alice", "read,process")
            os.environ["PATH"] = "/nonexistent"
            s.start()
            os.environ["PATH"] = path
            item = s.upload(token, gen(["sine", "--duration", "0.5", "--rate", "8000"],
                                       os.path.join(s.tmp.name, "s.wav"))).json()["id"]
            r = s.request("POST", "/api/v1/jobs", body={"items": [item], "backend": "slurm"}, token=token)
            self.assertEqual(r.status, 400)
            self.assertIn("sbatch", r.json()["detail"])
            self.assertEqual(s.request("GET", "/api/v1/jobs", token=token).json()["jobs"], [])
        finally:
            os.environ["PATH"] = path
            s.stop()


if __name__ == "__main__":
    main()
