"""Items and collections: uploads (checked, capped, atomic), listing with a cursor and filters,
the PATCH allow-list, deletion with derivatives, who may read and change what, path tricks,
and the upload rate limit."""
import json
import os
import struct
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from servelib import BACKGROUND_PEAKS, Server, gen, main  # noqa: E402


class Items(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.s = Server("--max-upload", "1", "--uploads-per-minute", "0")
        cls.alice = cls.s.token("alice", "read,process")
        cls.bob = cls.s.token("bob", "read,process")
        cls.root = cls.s.token("root", "admin")
        cls.erin = cls.s.token("erin", "read,process")
        cls.s.start()
        cls.wav = gen(["sine", "--frequency", "440", "--duration", "2", "--rate", "8000"], os.path.join(cls.s.tmp.name, "a.wav"))

    @classmethod
    def tearDownClass(cls):
        cls.s.stop()

    def files(self):
        """The data folder's files, but for the peaks rendered in the background after each
        accepted upload, and their temporary file while they are written (they come when
        they come; test_peaks_rendered_after_upload)."""
        out = []
        for d in ("media", "tmp", "derived"):
            for root, _, names in os.walk(os.path.join(self.s.data, d)):
                out += [os.path.join(root, n) for n in names
                        if not (d == "derived" and BACKGROUND_PEAKS.match(n))]
        return sorted(out)

    def test_peaks_rendered_after_upload(self):
        item = self.s.upload(self.alice, self.wav).json()
        folder = os.path.join(self.s.data, "derived", item["id"])
        done = lambda: os.path.isdir(folder) and [n for n in os.listdir(folder) if n.endswith(".dat")]
        deadline = time.time() + 20
        while time.time() < deadline and not done():
            time.sleep(0.05)
        self.assertEqual(len(os.listdir(folder)), 1)  # made with no request for it
        made = os.path.join(folder, os.listdir(folder)[0])
        with open(made, "rb") as f:
            data = f.read()
        # what GET peaks.dat serves: the same file, 100 pixels a second, 8 bits (2 s: 200 pairs)
        r = self.s.request("GET", "/api/v1/items/%s/peaks.dat" % item["id"], token=self.alice)
        self.assertEqual((r.status, r.body), (200, data))
        self.assertEqual(struct.unpack("<iIiiI", data[:20]), (1, 1, 8000, 80, 200))
        self.assertEqual(len(data), 20 + 2 * 200)
        self.s.request("DELETE", "/api/v1/items/" + item["id"], token=self.alice)
        self.assertFalse(os.path.exists(folder))

    def test_upload_get_delete(self):
        r = self.s.upload(self.alice, self.wav, "?title=Tone%20A&filename=a.wav")
        item = r.json()
        self.assertEqual(r.header("location"), "/api/v1/items/" + item["id"])
        self.assertEqual((item["title"], item["filename"], item["owner"], item["public"]), ("Tone A", "a.wav", "alice", False))
        self.assertEqual((item["rate"], item["channels"], item["frames"], item["duration"]), (8000, 1, 16000, 2.0))
        self.assertEqual((item["size"], item["mime"]), (len(self.wav), "audio/wav"))
        import hashlib
        self.assertEqual(item["sha1"], hashlib.sha1(self.wav).hexdigest())
        media = os.path.join(self.s.data, "media", item["id"])
        self.assertEqual(open(media, "rb").read(), self.wav)
        self.assertEqual(self.s.request("GET", "/api/v1/items/" + item["id"], token=self.alice).json(), item)
        # a derivative, then the delete removes it with the file
        self.assertEqual(self.s.request("GET", "/api/v1/items/%s/peaks.dat" % item["id"], token=self.alice).status, 200)
        self.assertTrue(os.listdir(os.path.join(self.s.data, "derived", item["id"])))
        self.assertEqual(self.s.request("DELETE", "/api/v1/items/" + item["id"], token=bob_or(self)).status, 404)
        r = self.s.request("DELETE", "/api/v1/items/" + item["id"], token=self.alice)
        self.assertEqual(r.status, 204)
        self.assertFalse(os.path.exists(media))
        self.assertFalse(os.path.exists(os.path.join(self.s.data, "derived", item["id"])))
        self.assertEqual(self.s.request("GET", "/api/v1/items/" + item["id"], token=self.alice).status, 404)

    def test_refused_uploads_leave_nothing(self):
        before = self.files()
        r = self.s.upload(self.alice, os.urandom(5000), expect=415)
        self.assertIn("ts-info", r.json()["detail"])
        self.s.upload(self.alice, b"\0" * (1024 * 1024 + 1), expect=413)  # --max-upload 1 (MiB)
        self.s.upload(self.alice, b"", expect=400)
        r = self.s.request("POST", "/api/v1/items", body=iter([self.wav]), token=self.alice,
                           headers={"Transfer-Encoding": "chunked"})
        self.assertEqual(r.status, 411)
        self.assertEqual(self.files(), before)

    def test_list_pages_and_filters(self):
        ids = []
        for i in range(5):
            ids.append(self.s.upload(self.erin, self.wav, "?title=Page%%20%d" % i).json()["id"])
        self.s.request("PATCH", "/api/v1/items/" + ids[3], body={"tags": ["drums", "live"], "description": "Kick solo"}, token=self.erin)
        seen, url = [], "/api/v1/items?owner=erin&limit=2"
        while url:
            page = self.s.request("GET", url, token=self.erin).json()
            self.assertLessEqual(len(page["items"]), 2)
            seen += [i["id"] for i in page["items"]]
            url = page["next"]
        self.assertEqual(seen, ids)
        by_tag = self.s.request("GET", "/api/v1/items?tag=drums", token=self.erin).json()["items"]
        self.assertEqual([i["id"] for i in by_tag], [ids[3]])
        by_text = self.s.request("GET", "/api/v1/items?q=KICK", token=self.erin).json()["items"]
        self.assertEqual([i["id"] for i in by_text], [ids[3]])
        self.assertEqual(self.s.request("GET", "/api/v1/items?limit=0", token=self.bob).status, 400)
        self.assertEqual(self.s.request("GET", "/api/v1/items?cursor=x", token=self.bob).status, 400)
        # erin's items are private: alice sees none of them, the admin all of them
        mine = self.s.request("GET", "/api/v1/items?owner=erin", token=self.alice).json()["items"]
        self.assertEqual(mine, [])
        self.assertEqual(len(self.s.request("GET", "/api/v1/items?owner=erin&limit=200", token=self.root).json()["items"]), 5)

    def test_patch_allow_list_and_owners(self):
        item = self.s.upload(self.alice, self.wav).json()
        url = "/api/v1/items/" + item["id"]
        r = self.s.request("PATCH", url, body={"title": "New", "tags": ["b", "a"], "public": True}, token=self.alice)
        self.assertEqual(r.status, 200)
        self.assertEqual((r.json()["title"], r.json()["tags"], r.json()["public"]), ("New", ["a", "b"], True))
        for bad in ({"owner": "bob"}, {"size": 1}, {"public": "yes"}, {"tags": "a"}, {"title": 5}):
            self.assertEqual(self.s.request("PATCH", url, body=bad, token=self.alice).status, 400, bad)
        self.assertEqual(self.s.request("PATCH", url, body=b"{not json", token=self.alice).status, 400)
        self.assertEqual(self.s.request("PATCH", url, body=b"x" * (2 << 20), token=self.alice).status, 413)
        # public: bob reads it but cannot change or delete it
        self.assertEqual(self.s.request("GET", url, token=self.bob).status, 200)
        self.assertEqual(self.s.request("PATCH", url, body={"title": "Mine"}, token=self.bob).status, 403)
        self.assertEqual(self.s.request("DELETE", url, token=self.bob).status, 403)
        # private again: bob cannot even see it
        self.s.request("PATCH", url, body={"public": False}, token=self.alice)
        self.assertEqual(self.s.request("GET", url, token=self.bob).status, 404)
        self.assertEqual(self.s.request("PATCH", url, body={"title": "Mine"}, token=self.bob).status, 404)
        self.assertEqual(self.s.request("GET", url + "/media", token=self.bob).status, 404)
        # an admin may
        self.assertEqual(self.s.request("PATCH", url, body={"title": "Admin"}, token=self.root).json()["title"], "Admin")

    def test_collections(self):
        a = self.s.upload(self.alice, self.wav).json()["id"]
        b = self.s.upload(self.bob, self.wav).json()["id"]
        r = self.s.request("POST", "/api/v1/collections", body={"title": "Set"}, token=self.alice)
        self.assertEqual(r.status, 201)
        c = r.json()["id"]
        self.assertEqual(self.s.request("PUT", "/api/v1/collections/%s/items/%s" % (c, a), token=self.alice).status, 204)
        # bob's private item cannot be added by alice; bob cannot add to alice's collection
        self.assertEqual(self.s.request("PUT", "/api/v1/collections/%s/items/%s" % (c, b), token=self.alice).status, 404)
        self.assertEqual(self.s.request("PUT", "/api/v1/collections/%s/items/%s" % (c, b), token=self.bob).status, 404)
        got = self.s.request("GET", "/api/v1/collections/" + c, token=self.alice).json()
        self.assertEqual((got["title"], got["item_count"]), ("Set", 1))
        listed = self.s.request("GET", "/api/v1/items?collection=" + c, token=self.alice).json()["items"]
        self.assertEqual([i["id"] for i in listed], [a])
        self.assertEqual(self.s.request("POST", "/api/v1/collections", body={"name": "x"}, token=self.alice).status, 400)
        self.assertEqual(self.s.request("PATCH", "/api/v1/collections/" + c, body={"public": True}, token=self.alice).json()["public"], True)
        self.assertEqual(self.s.request("PATCH", "/api/v1/collections/" + c, body={"title": "B"}, token=self.bob).status, 403)
        self.assertEqual(self.s.request("DELETE", "/api/v1/collections/%s/items/%s" % (c, a), token=self.alice).status, 204)
        self.assertEqual(self.s.request("DELETE", "/api/v1/collections/%s/items/%s" % (c, a), token=self.alice).status, 404)
        self.assertEqual(self.s.request("DELETE", "/api/v1/collections/" + c, token=self.alice).status, 204)
        self.assertEqual(self.s.request("GET", "/api/v1/items/" + a, token=self.alice).status, 200)  # items stay

    def test_path_tricks(self):
        before = self.files()
        outside = os.path.join(self.s.tmp.name, "secret")
        open(outside, "w").write("s3cr3t-bytes")
        for p in ["/api/v1/items/..%2F..%2Fsecret", "/api/v1/items/../../secret", "/api/v1/items/%2e%2e/media",
                  "/api/v1/items/%00/media", "/api/v1/items/a%00b", "/api/v1/items/..%252F/media",
                  "/api/v1/items/" + "../" * 8 + "etc/passwd", "/api/v1/collections/..%2Fx",
                  "/api/v1/items?collection=..%2F..%2Fsecret", "/api/v1/items/x/download/..%2F..%2Fsecret"]:
            r = self.s.request("GET", p, token=self.root)
            self.assertIn(r.status, (400, 404), p)
            self.assertNotIn(b"s3cr3t-bytes", r.body)
        item = self.s.upload(self.alice, self.wav, "?filename=..%2F..%2Fescape.wav").json()
        self.assertEqual(item["filename"], "../../escape.wav")  # recorded only
        self.assertFalse(os.path.exists(os.path.join(self.s.data, "..", "escape.wav")))
        r = self.s.request("GET", "/api/v1/items/%s/download/..%%2F..%%2Fsecret" % item["id"], token=self.root)
        self.assertEqual(r.status, 404)
        self.assertEqual(self.files(), sorted(before + [os.path.join(self.s.data, "media", item["id"])]))


def bob_or(t):
    return t.bob


class UploadLimit(unittest.TestCase):
    def test_429(self):
        with Server("--uploads-per-minute", "2") as s:
            tok = s.token("carol", "process,read")
            wav = gen(["sine", "--duration", "0.5", "--rate", "8000"], os.path.join(s.tmp.name, "b.wav"))
            s.upload(tok, wav)
            s.upload(tok, wav)
            r = s.upload(tok, wav, expect=429)
            self.assertGreaterEqual(int(r.header("retry-after")), 1)
            # another user has a bucket of their own
            s.upload(s.token("dave", "process,read"), wav)


if __name__ == "__main__":
    main()
