"""Media: the original with Range exactly per RFC 9110 (bytes compared with the file), peaks
for peaks.js, min/max arrays, images of bounded size, transcodes in every format, clips exact
to the frame, and the render rate limit."""
import os
import struct
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from servelib import Server, gen, main, tool  # noqa: E402


class Media(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.s = Server("--renders-per-minute", "0")
        cls.tok = cls.s.token("alice", "read,process")
        cls.s.start()
        cls.wav = gen(["sine", "--frequency", "1000", "--amplitude", "-20", "--duration", "3", "--rate", "16000"],
                      os.path.join(cls.s.tmp.name, "a.wav"))
        cls.item = cls.s.upload(cls.tok, cls.wav, "?title=Sine").json()
        cls.base = "/api/v1/items/" + cls.item["id"]

    @classmethod
    def tearDownClass(cls):
        cls.s.stop()

    def get(self, path, **headers):
        return self.s.request("GET", self.base + path, token=self.tok, headers=headers)

    def test_whole_file(self):
        r = self.get("/media")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.body, self.wav)
        self.assertEqual((r.header("accept-ranges"), r.header("content-type")), ("bytes", "audio/wav"))
        self.assertEqual(int(r.header("content-length")), len(self.wav))
        self.assertEqual(self.get("/media", **{"If-None-Match": r.header("etag")}).status, 304)

    def test_ranges(self):
        n = len(self.wav)
        cases = {"bytes=0-99": (0, 99), "bytes=100-": (100, n - 1), "bytes=-100": (n - 100, n - 1),
                 "bytes=%d-%d" % (n - 10, n + 5000): (n - 10, n - 1), "bytes=-%d" % (n + 7): (0, n - 1),
                 "bytes=5-5": (5, 5)}
        for h, (a, b) in cases.items():
            r = self.get("/media", Range=h)
            self.assertEqual(r.status, 206, h)
            self.assertEqual(r.body, self.wav[a:b + 1], h)
            self.assertEqual(r.header("content-range"), "bytes %d-%d/%d" % (a, b, n), h)
            self.assertEqual(int(r.header("content-length")), b - a + 1, h)

    def test_unsatisfiable(self):
        n = len(self.wav)
        for h in ("bytes=%d-" % n, "bytes=%d-%d" % (n + 10, n + 20), "bytes=-0"):
            r = self.get("/media", Range=h)
            self.assertEqual(r.status, 416, h)
            self.assertEqual(r.header("content-range"), "bytes */%d" % n, h)
            self.assertEqual(r.json()["status"], 416)

    def test_ignored_ranges(self):
        # malformed, another unit, several ranges, a stale If-Range: the whole file (200)
        for h in ("bytes=abc", "bytes=5-1", "items=0-5", "bytes=0-1,5-9", "bytes=--5", "bytes=0-99999999999999999999999"):
            r = self.get("/media", Range=h)
            self.assertEqual((r.status, r.body == self.wav), (200, True), h)
        r = self.get("/media", Range="bytes=0-9", **{"If-Range": '"stale"'})
        self.assertEqual((r.status, len(r.body)), (200, len(self.wav)))
        r = self.get("/media", Range="bytes=0-9", **{"If-Range": self.get("/media").header("etag")})
        self.assertEqual((r.status, r.body), (206, self.wav[:10]))

    def test_head(self):
        r = self.s.request("HEAD", self.base + "/media", token=self.tok, headers={"Range": "bytes=10-19"})
        self.assertEqual((r.status, r.body, r.header("content-length"), r.header("content-range")),
                         (206, b"", "10", "bytes 10-19/%d" % len(self.wav)))
        r = self.s.request("HEAD", self.base + "/media", token=self.tok)
        self.assertEqual((r.status, int(r.header("content-length"))), (200, len(self.wav)))

    def test_peaks(self):
        r = self.get("/peaks.dat?pixels_per_second=100")
        self.assertEqual(r.status, 200)
        version, flags, rate, spp, length = struct.unpack("<iIiiI", r.body[:20])
        self.assertEqual((flags & 1, rate, spp, length), (1, 16000, 160, 300))  # 8-bit; 3 s at 100/s
        self.assertEqual(len(r.body), 20 + (4 if version == 2 else 0) + 2 * length)
        peak = max(struct.unpack("%db" % (2 * length), r.body[-2 * length:]))
        self.assertEqual(peak, 12)  # 0.1 of full scale in 8 bits: round(0.1 * 127)
        again = self.get("/peaks.dat?pixels_per_second=100", Range="bytes=0-19")
        self.assertEqual((again.status, again.body), (206, r.body[:20]))  # served from the cache
        j = self.get("/peaks.json?pixels_per_second=50").json()
        self.assertEqual((j["bits"], j["sample_rate"], j["samples_per_pixel"], j["length"]), (8, 16000, 320, 150))
        self.assertEqual(self.get("/peaks.dat?pixels_per_second=0").status, 400)
        self.assertEqual(self.get("/peaks.dat?pixels_per_second=abc").status, 400)

    def test_min_max(self):
        j = self.get("/waveform?start=1&end=2&points=100").json()
        self.assertEqual((j["points"], j["samples_per_point"], len(j["min"]), len(j["max"])), (100, 160, 100, 100))
        self.assertAlmostEqual(max(j["max"]), 0.1, delta=0.001)
        self.assertAlmostEqual(min(j["min"]), -0.1, delta=0.001)
        # never more points than samples: 10 ms at 16 kHz is 160 samples
        j = self.get("/waveform?start=0&end=0.01&points=5000").json()
        self.assertEqual((j["points"], j["samples_per_point"]), (160, 1))
        for bad in ("?start=2&end=1", "?end=99", "?points=0", "?start=-1"):
            self.assertEqual(self.get("/waveform" + bad).status, 400, bad)

    def test_images(self):
        for kind in ("waveform", "spectrogram"):
            r = self.get("/%s.png?width=320&height=90" % kind)
            self.assertEqual((r.status, r.header("content-type"), r.body[:8]), (200, "image/png", b"\x89PNG\r\n\x1a\n"))
            self.assertEqual(struct.unpack(">II", r.body[16:24]), (320, 90))
        self.assertEqual(self.get("/waveform.png?width=100000").status, 400)
        self.assertEqual(self.get("/spectrogram.png?height=1").status, 400)

    def decode(self, data):
        path = os.path.join(self.s.tmp.name, "dl")
        open(path, "wb").write(data)
        out = subprocess.run([tool("ts-info"), "--no-sha1", path], capture_output=True, text=True, timeout=60)
        import json
        return json.loads(out.stdout) if out.returncode == 0 else None

    def test_every_format(self):
        for fmt, codec in (("wav", "pcm_s16le"), ("aiff", "pcm_s16be"), ("flac", "flac"), ("mp3", "mp3"), ("ogg", "vorbis"),
                           ("opus", "opus"), ("m4a", "aac"), ("aac", "aac"), ("webm", "opus")):
            r = self.get("/download/" + fmt)
            self.assertEqual(r.status, 200, fmt)
            info = self.decode(r.body)
            self.assertIsNotNone(info, fmt)
            self.assertEqual(info["codec"], codec, fmt)
            self.assertAlmostEqual(info["duration"] or 3.0, 3.0, delta=0.1, msg=fmt)
        self.assertEqual(self.get("/download/exe").status, 404)
        r = self.s.request("HEAD", self.base + "/download/mp3", token=self.tok)
        self.assertEqual((r.status, r.header("content-type"), r.header("transfer-encoding")), (200, "audio/mpeg", "chunked"))

    def test_clips_exact(self):
        for fmt in ("wav", "flac"):
            r = self.get("/download/%s?start_frame=1234&end_frame=5678" % fmt)
            self.assertEqual(r.status, 200)
            path = os.path.join(self.s.tmp.name, "clip." + fmt)
            open(path, "wb").write(r.body)
            # decoded in full: a streamed FLAC's header does not state its length
            pcm = subprocess.run([tool("ts-decode"), "--raw", path], capture_output=True, timeout=60).stdout
            self.assertEqual(len(pcm) // 4, 5678 - 1234, fmt)
        # the clip's samples are the original's, frame for frame (16-bit PCM in both)
        clip = self.get("/download/wav?start_frame=1000&end_frame=1100").body
        data = self.wav.index(b"data") + 8
        self.assertEqual(clip[clip.index(b"data") + 8:], self.wav[data + 2 * 1000:data + 2 * 1100])
        self.assertEqual(self.get("/download/wav?start_frame=10&end_frame=5").status, 400)


class RenderLimit(unittest.TestCase):
    def test_429(self):
        with Server("--renders-per-minute", "2") as s:
            tok = s.token("carol", "read,process")
            wav = gen(["sine", "--duration", "0.5", "--rate", "8000"], os.path.join(s.tmp.name, "b.wav"))
            base = "/api/v1/items/" + s.upload(tok, wav).json()["id"]
            self.assertEqual(s.request("GET", base + "/waveform.png?width=100", token=tok).status, 200)
            self.assertEqual(s.request("GET", base + "/waveform.png?width=101", token=tok).status, 200)
            r = s.request("GET", base + "/waveform.png?width=102", token=tok)
            self.assertEqual(r.status, 429)
            self.assertGreaterEqual(int(r.header("retry-after")), 1)
            # a cached render costs nothing
            self.assertEqual(s.request("GET", base + "/waveform.png?width=100", token=tok).status, 200)


if __name__ == "__main__":
    main()
