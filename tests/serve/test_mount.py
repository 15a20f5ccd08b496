"""Archives mounted read-only: an archive made by archive.mk (SRC of recordings, OUT of
outputs and catalog) is indexed as items of a collection; media with Range, peaks, images and
results are read from it; nothing is ever written there (checksummed before and after);
symbolic links leading out are not followed, traversal in names and catalog entries goes
nowhere, and a file removed afterwards is a 404."""
import hashlib
import json
import os
import shutil
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from servelib import SRC, Server, gen, main, tool  # noqa: E402
from test_jobs import wait_job  # noqa: E402

BIN = os.path.abspath(os.path.dirname(tool("ts-serve")))
NAMES = ["a.wav", "sub/b c.flac", "x%20y.wav"]


def read(path):
    with open(path, "rb") as f:
        return f.read()


def tree_digest(root):
    """SHA-256 over every entry under root: name, kind, bytes or link target, size, mtime."""
    h = hashlib.sha256()
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(dirnames + filenames):
            p = os.path.join(dirpath, name)
            st = os.lstat(p)
            h.update(os.path.relpath(p, root).encode() + b"\0%o %d %d\0" % (st.st_mode, st.st_size, st.st_mtime_ns))
            if os.path.islink(p):
                h.update(os.readlink(p).encode())
            elif os.path.isfile(p):
                h.update(read(p))
    return h.hexdigest()


def make_archive(root):
    src, out = os.path.join(root, "src"), os.path.join(root, "out")
    os.makedirs(os.path.join(src, "sub"))
    gen(["sine", "--frequency", "440", "--duration", "2", "--rate", "8000"], os.path.join(src, "a.wav"))
    gen(["sine", "--frequency", "1000", "--duration", "1", "--rate", "8000"], os.path.join(src, "sub/b c.flac"))
    gen(["noise", "--duration", "1", "--rate", "8000"], os.path.join(src, "x%20y.wav"))
    with open(os.path.join(src, "notes.txt"), "w") as f:
        f.write("not audio\n")
    subprocess.run(["make", "-s", "-f", os.path.join(SRC, "share/archive.mk"), "SRC=" + src, "OUT=" + out,
                    "TS_BIN=" + BIN, "PRESET=minimal", "OUTPUTS=results dat waveform info", "-k", "all", "catalog"],
                   check=True, timeout=120, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return src, out


class Mount(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.s = Server("--renders-per-minute", "0")
        cls.root = os.path.join(cls.s.tmp.name, "archive")
        cls.src, cls.out = make_archive(cls.root)
        # outside the archive: a link to it is in SRC, and a line naming it in the catalog
        cls.secret = os.path.join(cls.s.tmp.name, "outside", "secret.wav")
        os.makedirs(os.path.dirname(cls.secret))
        shutil.copy(os.path.join(cls.src, "a.wav"), cls.secret)
        with open(cls.secret, "ab") as f:
            f.write(b"SECRET-BYTES")
        os.symlink("../../outside/secret.wav", os.path.join(cls.src, "link.wav"))
        with open(os.path.join(cls.out, "catalog.jsonl"), "a") as f:
            f.write(json.dumps({"source": cls.src + "/../outside/secret.wav", "rate": 1}) + "\n")
            f.write(json.dumps({"source": "/etc/passwd.wav", "rate": 1}) + "\n")
        cls.digest = tree_digest(cls.root)
        cls.alice = cls.s.token("alice", "read,process")
        cls.bob = cls.s.token("bob", "read,process")
        cls.summary = cls.mount("arch", cls.src, cls.out)
        cls.s.start()
        page = cls.s.request("GET", "/api/v1/items?collection=" + cls.summary["collection"], token=cls.alice).json()
        cls.items = {it["filename"]: it for it in page["items"]}

    @classmethod
    def tearDownClass(cls):
        cls.s.stop()

    @classmethod
    def mount(cls, name, src, out, *extra, status=0):
        r = subprocess.run([tool("ts-serve"), "mount", "add", "--data", cls.s.data, "--owner", "alice", name, src, out]
                           + list(extra), capture_output=True, text=True, timeout=60)
        assert r.returncode == status, (r.returncode, r.stderr)
        return json.loads(r.stdout) if status == 0 else r

    def get(self, path, token=None, **kw):
        return self.s.request("GET", path, token=token or self.alice, **kw)

    def item(self, name):
        return self.items[os.path.basename(name)]

    def test_index(self):
        self.assertEqual((self.summary["items"], self.summary["added"], self.summary["results"], self.summary["skipped"]),
                         (3, 3, 3, 1))
        self.assertEqual(sorted(self.items), sorted(os.path.basename(n) for n in NAMES))
        a = self.item("a.wav")
        self.assertEqual((a["origin"], a["mount"], a["owner"], a["public"]), ("archive", "arch", "alice", False))
        self.assertEqual((a["rate"], a["channels"], a["frames"], a["duration"], a["mime"]), (8000, 1, 16000, 2.0, "audio/wav"))
        self.assertEqual(a["size"], os.path.getsize(os.path.join(self.src, "a.wav")))
        self.assertEqual(a["sha1"], hashlib.sha1(read(os.path.join(self.src, "a.wav"))).hexdigest())
        self.assertEqual(self.item("b c.flac")["mime"], "audio/flac")
        coll = self.get("/api/v1/collections/" + self.summary["collection"]).json()
        self.assertEqual((coll["title"], coll["item_count"]), ("arch", 3))
        r = self.s.request("DELETE", "/api/v1/collections/" + coll["id"], token=self.alice)
        self.assertEqual(r.status, 409)
        self.assertEqual(self.get("/api/v1/collections/" + coll["id"]).status, 200)
        # not public: another user sees nothing
        self.assertEqual(self.get("/api/v1/items/" + a["id"], token=self.bob).status, 404)
        self.assertEqual(self.get("/api/v1/items?collection=" + coll["id"], token=self.bob).json()["items"], [])
        # indexing again: the same ids, nothing new; the listing
        again = self.mount("arch", self.src, self.out)
        self.assertEqual((again["items"], again["added"], again["removed"], again["collection"]),
                         (3, 0, 0, self.summary["collection"]))
        self.assertEqual(self.get("/api/v1/items/" + a["id"]).json()["id"], a["id"])
        listed = subprocess.run([tool("ts-serve"), "mount", "list", "--data", self.s.data], capture_output=True,
                                text=True, timeout=30, check=True).stdout.splitlines()
        m = [json.loads(l) for l in listed if json.loads(l)["mount"] == "arch"][0]
        self.assertEqual((m["src"], m["out"], m["items"]), (os.path.realpath(self.src), os.path.realpath(self.out), 3))

    def test_media_with_range(self):
        for name in NAMES:
            body = read(os.path.join(self.src, name))
            url = "/api/v1/items/%s/media" % self.item(name)["id"]
            r = self.get(url)
            self.assertEqual((r.status, r.body), (200, body))
            r = self.get(url, headers={"Range": "bytes=0-99"})
            self.assertEqual((r.status, r.body, r.header("content-range")), (206, body[:100], "bytes 0-99/%d" % len(body)))
            r = self.get(url, headers={"Range": "bytes=-100"})
            self.assertEqual((r.status, r.body), (206, body[-100:]))
            r = self.get(url, headers={"Range": "bytes=%d-" % (len(body) + 5)})
            self.assertEqual((r.status, r.header("content-range")), (416, "bytes */%d" % len(body)))

    def test_outputs_from_the_archive(self):
        a = self.item("a.wav")
        base = "/api/v1/items/" + a["id"]
        out = os.path.join(self.out, "a.wav")
        self.assertEqual(self.get(base + "/peaks.dat").body, read(out + ".dat"))
        png = self.get(base + "/waveform.png")
        self.assertEqual((png.status, png.body), (200, read(out + ".waveform.png")))
        lines = [json.loads(l) for l in read(out + ".jsonl").splitlines()]
        idx = self.get(base + "/results").json()["results"]
        self.assertEqual([e["id"] for e in idx], [l["id"] for l in lines])
        self.assertEqual({e["set"] for e in idx}, {"archive"})
        self.assertEqual({e["job"] for e in idx}, {None})
        rid = lines[0]["id"]
        one = self.get(base + "/results/" + rid).json()
        self.assertEqual(lines[0]["audio"]["source"], os.path.join(os.path.realpath(self.src), "a.wav"))
        self.assertEqual(one["audio"]["source"], base + "/media")
        self.assertEqual(one["audio"]["sha1"], a["sha1"])
        self.assertEqual(one["data"], lines[0]["data"])
        self.assertNotIn(self.root.encode(), self.get(base + "/results/%s?format=yaml" % rid).body)
        # other parameters: rendered into the data folder, never into the archive
        r = self.get(base + "/peaks.dat?pixels_per_second=50")
        self.assertEqual(r.status, 200)
        self.assertNotEqual(r.body, read(out + ".dat"))
        self.assertTrue(os.listdir(os.path.join(self.s.data, "derived", a["id"])))
        # no image of that kind in the archive: made by the server
        self.assertEqual(self.get(base + "/spectrogram.png?width=64&height=32").status, 200)
        self.assertFalse(os.path.exists(out + ".spectrogram.png"))

    def test_read_only(self):
        b = self.item("b c.flac")
        url = "/api/v1/items/" + b["id"]
        r = self.s.request("PATCH", url, body={"title": "Bee", "tags": ["field"]}, token=self.alice)
        self.assertEqual((r.status, r.json()["title"], r.json()["tags"]), (200, "Bee", ["field"]))
        r = self.s.request("DELETE", url, token=self.alice)
        self.assertEqual(r.status, 409)
        self.assertIn("arch", r.json()["detail"])
        self.assertEqual(self.get(url).status, 200)
        # the title survives an indexing
        self.mount("arch", self.src, self.out)
        self.assertEqual(self.get(url).json()["title"], "Bee")
        # a job over an archive item: its outputs in the data folder
        job = self.s.request("POST", "/api/v1/jobs", body={"items": [b["id"]], "analyzers": ["level"]},
                             token=self.alice).json()
        self.assertEqual(wait_job(self.s, self.alice, job["id"])["state"], "done")
        self.assertTrue(any(f.startswith("job-results") for f in os.listdir(os.path.join(self.s.data, "derived", b["id"]))))
        sets = {e["set"] for e in self.get(url + "/results").json()["results"]}
        self.assertEqual(len(sets), 2)
        # an upload lands in the data folder
        up = self.s.upload(self.alice, read(os.path.join(self.src, "a.wav"))).json()
        self.assertTrue(os.path.exists(os.path.join(self.s.data, "media", up["id"])))
        self.assertIsNone(up["mount"])

    def test_traversal(self):
        # catalog lines naming files out of SRC index nothing; the link is skipped
        self.assertNotIn("secret.wav", self.items)
        self.assertNotIn("link.wav", self.items)
        self.assertNotIn("passwd.wav", self.items)
        a = self.item("a.wav")["id"]
        for path in ("/api/v1/items/..%2F..%2Fetc%2Fpasswd", "/api/v1/items/%2e%2e/media",
                     "/api/v1/items/%s/..%%2F..%%2Fmedia" % a, "/api/v1/items/%s/results/..%%2F..%%2Fcatalog" % a,
                     "/api/v1/items/%s/results/%%2e%%2e" % a, "/api/v1/items/%s/results/x?set=..%%2F..%%2Fout" % a):
            r = self.get(path)
            self.assertIn(r.status, (400, 404), path)
            self.assertNotIn(b"SECRET", r.body)
        for bad in ("../x", "a/b", "", "x" * 101):
            r = self.mount(bad, self.src, self.out, status=2)
            self.assertIn("mount name", r.stderr)
        r = self.mount("nosrc", os.path.join(self.root, "missing"), self.out, status=1)
        self.assertIn("does not exist", r.stderr)
        r = self.mount("inside", self.s.tmp.name, self.out, status=1)
        self.assertIn("must not hold one another", r.stderr)

    def test_removed_and_linked_files(self):
        # a second archive, changed under the server after its indexing
        root = os.path.join(self.s.tmp.name, "archive2")
        src, out = make_archive(root)
        summary = self.mount("arch2", src, out)
        items = {it["filename"]: it["id"] for it in
                 self.get("/api/v1/items?collection=" + summary["collection"]).json()["items"]}
        # a results file remade by a later run (here: one line of it left) is read again
        x = "/api/v1/items/" + items["x%20y.wav"]
        self.assertGreater(len(self.get(x + "/results").json()["results"]), 1)
        jsonl = os.path.join(out, "x%20y.wav.jsonl")
        first = read(jsonl).splitlines()[0]
        with open(jsonl, "wb") as f:
            f.write(first + b"\n")
        idx = self.get(x + "/results").json()["results"]
        self.assertEqual([e["id"] for e in idx], [json.loads(first)["id"]])
        self.assertEqual(self.get(x + "/results/" + idx[0]["id"]).json()["data"], json.loads(first)["data"])
        # a 16-bit .dat (DAT_BITS=16), which peaks.js cannot read: an 8-bit one is made instead
        dat16 = os.path.join(out, "x%20y.wav.dat")
        subprocess.run([tool("ts-analyze"), "--quiet", "-a", "waveform", "-f", "dat", "--bits", "16",
                        os.path.join(src, "x%20y.wav"), "-o", dat16], check=True, timeout=60)
        r = self.get(x + "/peaks.dat")
        self.assertEqual(r.status, 200)
        self.assertNotEqual(r.body, read(dat16))
        self.assertEqual((read(dat16)[4] & 1, r.body[4] & 1), (0, 1))
        atime = os.stat(self.secret).st_mtime - 1000
        os.utime(self.secret, (atime, os.stat(self.secret).st_mtime))
        # a.wav and its outputs replaced by links to the secret file; b c.flac removed
        for p in (os.path.join(src, "a.wav"), os.path.join(out, "a.wav.dat"), os.path.join(out, "a.wav.jsonl"),
                  os.path.join(out, "a.wav.waveform.png")):
            os.remove(p)
            os.symlink(self.secret, p)
        os.remove(os.path.join(src, "sub", "b c.flac"))
        os.remove(os.path.join(out, "sub", "b c.flac.dat"))
        a, b = "/api/v1/items/" + items["a.wav"], "/api/v1/items/" + items["b c.flac"]
        for url in (a + "/media", a + "/peaks.dat", a + "/waveform.png", a + "/results/level.peak",
                    a + "/download/wav", b + "/media", b + "/peaks.dat", b + "/download/flac",
                    b + "/waveform?start=0&end=1"):
            r = self.get(url)
            self.assertEqual(r.status, 404, (url, r.status, r.body[:200]))
            self.assertNotIn(b"SECRET", r.body)
        r = self.get(a + "/media", headers={"Range": "bytes=0-99"})
        self.assertEqual(r.status, 404)
        # a job checks the file again when it runs: the linked item fails, the other is done
        r = self.s.request("POST", "/api/v1/jobs", body={"items": [items["a.wav"], items["x%20y.wav"]],
                                                         "analyzers": ["level"]}, token=self.alice)
        self.assertEqual(r.status, 202, r.body)
        job = wait_job(self.s, self.alice, r.json()["id"])
        self.assertEqual(job["state"], "failed", job)
        per = {e["item"]: e for e in job["items"]}
        self.assertEqual(per[items["a.wav"]]["state"], "failed")
        self.assertEqual(per[items["a.wav"]]["error"], "the archive's file a.wav leads out of the archive")
        self.assertEqual(per[items["a.wav"]]["outputs"], {})
        self.assertEqual((per[items["x%20y.wav"]]["state"], per[items["x%20y.wav"]]["error"]), ("done", None))
        self.assertEqual(os.stat(self.secret).st_atime, atime)  # never opened
        # indexed again: the removed file is gone, the link skipped
        again = self.mount("arch2", src, out)
        self.assertEqual((again["items"], again["removed"], again["skipped"]), (1, 2, 1))
        self.assertEqual(self.get(a).status, 404)
        self.assertEqual(self.get("/api/v1/items/" + items["x%20y.wav"]).status, 200)
        r = subprocess.run([tool("ts-serve"), "mount", "remove", "--data", self.s.data, "arch2"], timeout=30)
        self.assertEqual(r.returncode, 0)
        self.assertEqual(self.get("/api/v1/items/" + items["x%20y.wav"]).status, 404)
        self.assertTrue(os.path.exists(os.path.join(src, "x%20y.wav")))

    def test_zz_archive_unchanged(self):
        # runs last (the name): every test above has read the archive
        self.assertEqual(tree_digest(self.root), self.digest)


if __name__ == "__main__":
    main()
