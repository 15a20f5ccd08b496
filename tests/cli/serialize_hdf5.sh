#!/bin/bash
# ts-serialize's binary formats: hdf5 (written, read back byte-identical as JSON Lines, read
# by h5py and h5dump) and numpy's npy and npz (loaded by numpy), with their bad inputs.
. "$TS_SRC/tests/cli/lib.sh"

# ---------------------------------------------------------------- inputs
ts-gen demo --duration 8 | ts-analyze -a level,stats,key,spectral.centroid,mfcc,spectrogram,onsets,tempo,notes,structure,silence,chroma >all.jsonl 2>/dev/null \
    && [ "$(wc -l <all.jsonl)" -ge 25 ] && pass || fail "ts-analyze gave no results"
# An input shorter than one block: empty framewise results.
ts-gen sine --duration 0.01 | ts-analyze -a mfcc,spectral.centroid >short.jsonl 2>/dev/null \
    && grep -q '"value":\[\]' short.jsonl && pass || fail "short input: no empty framewise result"
# Hand-made: NaN (null), quotes and non-ASCII text, extra keys, a known sha1 and channel,
# an empty global vector, a null scalar, a framewise matrix with y and a null inside.
A='"audio":{"source":"/m/\u00e9t\u00e9 \"1\".wav","sha1":"0123456789abcdef0123456789abcdef01234567","rate":48000,"channels":2,"start":0.5,"duration":2.25,"mix":"each","channel":1}'
N='"audio":{"source":null,"sha1":null,"rate":8000,"channels":1,"start":0,"duration":0,"mix":"mono"}'
P='"producer":{"tool":"hand","version":"9.9"}'
cat >hand.jsonl <<EOF
{"schema":"ts-result/1","id":"hand.events","analyzer":"hand","name":"Quotes \"q\" and \u00fc \u65e5\u672c","unit":"","description":"tab\there, back\\\\slash","time_mode":"event","data_mode":"label",$A,"params":{"b":1.5,"a":[1,null,"x"],"z":{"k":true}},$P,"data":{"time":[0.5,null,1e-300],"label":["a\"b","\u00fc",""],"value":[null,1,2.5],"confidence":[1,0.5,null],"other":{"k":[1,2]},"note":"\u00e9"}}
{"schema":"ts-result/1","id":"hand.matrix","analyzer":"hand","name":"m","unit":"dB","description":"","time_mode":"framewise","data_mode":"value",$A,"frames":{"rate":48000,"block":1024,"step":256},"params":{},$P,"data":{"value":[[1,null,3],[0.1,-2e-45,3.4028234663852886e38]],"y":[100,200.5,null]}}
{"schema":"ts-result/1","id":"hand.empty","analyzer":"hand","name":"e","unit":"","description":"","time_mode":"framewise","data_mode":"value",$N,"frames":{"rate":8000,"block":512,"step":512},"params":{},$P,"data":{"value":[]}}
{"schema":"ts-result/1","id":"hand.null","analyzer":"hand","name":"n","unit":"","description":"","time_mode":"global","data_mode":"value",$N,"params":{},$P,"data":{"value":null}}
{"schema":"ts-result/1","id":"hand.vector","analyzer":"hand","name":"v","unit":"","description":"","time_mode":"global","data_mode":"value",$N,"params":{},$P,"data":{"value":[]}}
{"schema":"ts-result/1","id":"hand.segments","analyzer":"hand","name":"s","unit":"","description":"","time_mode":"segment","data_mode":"value",$N,"params":{},$P,"data":{"time":[],"duration":[],"value":[]}}
{"schema":"ts-result/1","id":"hand/slash","analyzer":"hand","name":"g","unit":"","description":"","time_mode":"global","data_mode":"label",$N,"params":{},$P,"data":{"label":"\u00e9 \"x\""}}
EOF
check "hand.jsonl is valid" ts-serialize -f jsonl hand.jsonl
cat all.jsonl short.jsonl hand.jsonl hand.jsonl >in.jsonl # hand twice: repeated ids
cat all.jsonl hand.jsonl >uniq.jsonl

# ---------------------------------------------------------------- hdf5 round trip
check "normalised jsonl" sh -c 'ts-serialize -f jsonl in.jsonl >norm.jsonl'
check "jsonl to hdf5" ts-serialize -o in.h5 in.jsonl
check "hdf5 back to jsonl" sh -c 'ts-serialize -f jsonl in.h5 >back.jsonl'
cmp -s norm.jsonl back.jsonl && pass || fail "hdf5 round trip differs: $(diff norm.jsonl back.jsonl | head -c 600)"
[ "$(wc -l <back.jsonl)" = "$(wc -l <in.jsonl)" ] && pass || fail "round trip: line count"
check "--from hdf5" sh -c 'cp in.h5 in.bin && ts-serialize --from hdf5 -f jsonl in.bin >back2.jsonl && cmp back2.jsonl norm.jsonl'
check "hdf5 to hdf5 to jsonl" sh -c 'ts-serialize -o again.h5 in.h5 && ts-serialize -f jsonl again.h5 | cmp - norm.jsonl'
check "--result on hdf5 input" sh -c 'ts-serialize -f jsonl --result "mfcc" --result "hand.m*" in.h5 >m.jsonl && ts-serialize -f jsonl --result mfcc --result "hand.m*" in.jsonl | cmp - m.jsonl && [ $(wc -l <m.jsonl) = 4 ]'
check "h5dump -H" h5dump -H in.h5
grep -q 'GROUP "mfcc"' .out && grep -q 'ATTRIBUTE "schema"' .out && pass || fail "h5dump: no mfcc group / schema"
check "-o DIR/ with hdf5" bash -c 'mkdir -p d && ts-serialize -f hdf5 -o d/ hand.jsonl && [ -f d/stdin.hand.null.h5 ] && ts-serialize -f jsonl d/stdin.hand.null.h5 | cmp - <(grep "\"id\":\"hand.null\"" hand.jsonl | ts-serialize -f jsonl)'

cat >h5check.py <<'EOF'
import json, math, sys
import h5py, numpy as np
res = [json.loads(l) for l in open('in.jsonl')]
f = h5py.File('in.h5', 'r')
assert f.attrs['schema'] == 'ts-result/1', f.attrs['schema']
names, seen = [], {}
for r in res:
    n = r['id'].replace('/', '_')
    seen[n] = seen.get(n, 0) + 1
    names.append(n if seen[n] == 1 else '%s#%d' % (n, seen[n]))
assert sorted(f.keys()) == sorted(names), (sorted(f.keys()), sorted(names))
def same(a, b):
    return all((x is None and math.isnan(y)) or x == y for x, y in zip(a, b)) and len(a) == len(b)
for i, (n, r) in enumerate(zip(names, res)):
    g = f[n]
    assert g.attrs['index'] == i, (n, g.attrs['index'], i)
    for k in ('id', 'analyzer', 'name', 'unit', 'description', 'time_mode', 'data_mode'):
        assert g.attrs[k] == r[k], (n, k, g.attrs[k], r[k])
    assert g.attrs['tool'] == r['producer']['tool'] and g.attrs['version'] == r['producer']['version']
    assert json.loads(g.attrs['params']) == r['params'], n
    a = g['audio'].attrs
    assert a['source'] == (r['audio']['source'] or '') and a['sha1'] == (r['audio']['sha1'] or ''), n
    assert a['rate'] == r['audio']['rate'] and a['mix'] == r['audio']['mix'] and a['start'] == r['audio']['start']
    assert ('channel' in a) == ('channel' in r['audio'])
    if 'frames' in r:
        assert dict(g['frames'].attrs) == r['frames'], (n, dict(g['frames'].attrs))
    d, data = g['data'], r['data']
    known = {'global': ['value', 'label'], 'framewise': ['value', 'y'],
             'event': ['time', 'value', 'label', 'confidence'],
             'segment': ['time', 'duration', 'value', 'label', 'confidence']}[r['time_mode']]
    extra = {k: v for k, v in data.items() if k not in known}
    assert json.loads(d.attrs['extra']) == extra if extra else 'extra' not in d.attrs, n
    for k in known:
        if k not in data:
            continue
        v = data[k]
        if k == 'label':
            got = d[k][()]
            if r['time_mode'] == 'global':
                assert d[k].shape == () and got.decode() == v, (n, got)
            else:
                assert [s.decode() for s in got] == v, (n, got)
        elif r['time_mode'] == 'framewise' and k == 'value':
            arr = d[k][()]
            assert arr.dtype == np.float32, (n, arr.dtype)
            want = np.array([[np.nan if x is None else x for x in row] for row in v] if v and isinstance(v[0], list)
                            else [np.nan if x is None else x for x in v], dtype=np.float32)
            if want.size == 0:
                assert arr.size == 0, n
            else:
                assert arr.shape == want.shape and np.array_equal(arr, want, equal_nan=True), (n, arr.shape, want.shape)
            assert d.attrs['width'] == (arr.shape[1] if arr.ndim == 2 else 1)
            big = arr.size > 4096
            assert (d[k].compression == 'gzip' and d[k].shuffle and d[k].chunks is not None) == big, (n, d[k].compression)
        elif r['time_mode'] == 'global' and not isinstance(v, list):
            assert d[k].shape == () and d[k].dtype == np.float64, n
            x = d[k][()]
            assert (v is None and math.isnan(x)) or x == v, (n, x, v)
        else:
            arr = d[k][()]
            assert arr.dtype == np.float64 and arr.ndim == 1, (n, k, arr.dtype)
            assert same(v, list(arr)), (n, k)
m = f['mfcc/data/value']
assert m.shape[1] == 13 and m.shape[0] > 600 and m.compression == 'gzip' and m.compression_opts == 4, (m.shape, m.compression)
assert m.chunks == m.shape, m.chunks  # 35 KB: one chunk
s = f['spectrogram/data/value']
assert s.shape[1] == 1025 and s.compression == 'gzip' and s.chunks[1] == 1025, s.chunks
assert 64 * 1024 <= s.chunks[0] * s.chunks[1] * 4 <= 1024 * 1024 and s.chunks[0] < s.shape[0], s.chunks
assert f['spectrogram/data/y'].shape == (1025,)
assert f['onsets/data/time'].compression is None
assert f['hand.matrix/data/value'].shape == (2, 3)
assert f['hand_slash'].attrs['id'] == 'hand/slash' and f['hand_slash#2'].attrs['index'] == len(res) - 1
assert f['hand.events/audio'].attrs['sha1'] == '0123456789abcdef0123456789abcdef01234567'
print('ok')
EOF
check "h5py reads the values and attributes" "$PY" h5check.py

# A framewise matrix with no frame keeps its width (written by hand with h5py: JSON cannot
# say it), and reads back as an empty result.
cat >h5width.py <<'EOF'
import h5py, numpy as np
with h5py.File('in.h5', 'r') as f, h5py.File('w.h5', 'w') as g:
    g.attrs['schema'] = f.attrs['schema']
    f.copy('mfcc', g)
    del g['mfcc/data/value']
    g['mfcc/data'].create_dataset('value', shape=(0, 13), dtype='<f4')
EOF
check "h5py: 0 x 13 matrix" "$PY" h5width.py
check "0-frame matrix reads back" sh -c 'ts-serialize -f jsonl w.h5 | grep -q "\"data\":{\"value\":\[\]}"'
check "0-frame matrix to hdf5 keeps width" sh -c 'ts-serialize -o w2.h5 w.h5 && "$0" -c "import h5py; f=h5py.File(\"w2.h5\"); assert f[\"mfcc/data/value\"].shape==(0,13), f[\"mfcc/data/value\"].shape; assert f[\"mfcc/data\"].attrs[\"width\"]==13"' "$PY"

# ---------------------------------------------------------------- hdf5 errors
leftovers() { [ -z "$(ls -A "$1" 2>/dev/null)" ] && pass || fail "$2: files left: $(ls -A "$1")"; }
expect_fail "-f hdf5 to stdout" 2 "stdout" ts-serialize -f hdf5 all.jsonl
expect_fail "-f hdf5 to a device" 1 "/dev/null: hdf5 needs a regular file" ts-serialize -f hdf5 -o /dev/null all.jsonl
expect_fail "--from hdf5 stdin" 2 "stdin" sh -c 'ts-serialize --from hdf5 -f jsonl - <in.h5'
head -c 5000 in.h5 >trunc.h5
expect_fail "truncated hdf5" 1 "trunc.h5" ts-serialize -f jsonl trunc.h5
grep -q "not a readable HDF5 file" .err && pass || fail "truncated: message: $(cat .err)"
echo "hello, not hdf5" >fake.h5
expect_fail "not hdf5" 1 "fake.h5: not a readable HDF5 file" ts-serialize -f jsonl fake.h5
expect_fail "missing .h5" 1 "nosuch.h5" ts-serialize -f jsonl nosuch.h5
"$PY" -c 'import h5py; h5py.File("noschema.h5", "w").create_group("x")'
expect_fail "hdf5 without schema" 1 "noschema.h5: not a ts-result HDF5 file: missing attribute 'schema'" ts-serialize -f jsonl noschema.h5
"$PY" - <<'EOF'
import h5py, shutil
for name, path, attr in [('nounit', 'mfcc', 'unit'), ('nodata', 'onsets/data', None),
                         ('norate', 'mfcc/frames', 'rate'), ('noindex', 'key', 'index')]:
    shutil.copy('in.h5', name + '.h5')
    with h5py.File(name + '.h5', 'r+') as f:
        if attr:
            del f[path].attrs[attr]
        else:
            del f[path]['time']
shutil.copy('in.h5', 'badshape.h5')
with h5py.File('badshape.h5', 'r+') as f:
    del f['notes/data/value']
    f['notes/data'].create_dataset('value', data=[1.0, 2.0])
EOF
expect_fail "group without unit" 1 "nounit.h5: group 'mfcc': missing attribute 'unit'" ts-serialize -f jsonl nounit.h5
expect_fail "group without data/time" 1 "nodata.h5: group 'onsets': missing dataset 'data/time'" ts-serialize -f jsonl nodata.h5
expect_fail "group without frames/rate" 1 "norate.h5: group 'mfcc': missing attribute 'frames/rate'" ts-serialize -f jsonl norate.h5
expect_fail "group without index" 1 "noindex.h5: group 'key': missing attribute 'index'" ts-serialize -f jsonl noindex.h5
expect_fail "value length differs" 1 "badshape.h5: group 'notes': dataset 'data/value' has 2 entries, 'data/time' 10" ts-serialize -f jsonl badshape.h5
expect_fail "bad hdf5 to a file" 1 "nounit.h5" ts-serialize -o out.jsonl nounit.h5
[ ! -e out.jsonl ] && pass || fail "bad hdf5: out.jsonl left"
# Damaged files. A changed dimension (the dataspace message's first size, found after the
# dataset's object header) must be refused before anything is allocated for it: a chunked
# dataset (mfcc, compressed) then lacks chunks, a contiguous one (spectral.centroid) the bytes.
"$PY" - <<'EOF'
import h5py, struct
for name, path, times in [("dim-chunked", "mfcc/data/value", 1000), ("dim-contig", "spectral.centroid/data/value", 100000)]:
    with h5py.File("in.h5", "r") as f:
        d = f[path]
        n, addr = d.shape[0], h5py.h5o.get_info(d.id).addr
    b = bytearray(open("in.h5", "rb").read())
    at = b.index(struct.pack("<Q", n), addr)
    b[at:at + 8] = struct.pack("<Q", n * times)
    open(name + ".h5", "wb").write(b)
EOF
expect_fail "a changed dimension (chunked)" 1 "dim-chunked.h5: group 'mfcc': dataset 'data/value' of " ts-serialize -o dim.jsonl dim-chunked.h5
grep -q "chunks, the file holds 1 (a damaged file)" .err && [ "$(wc -l <.err)" = 1 ] && pass || fail "changed dimension (chunked): $(cat .err)"
[ ! -e dim.jsonl ] && pass || fail "changed dimension: dim.jsonl left"
expect_fail "a changed dimension (contiguous)" 1 "dim-contig.h5: group 'spectral.centroid': dataset 'data/value' of " ts-serialize -f jsonl dim-contig.h5
grep -q "bytes, the file holds [0-9]* for it (a damaged file)" .err && [ "$(wc -l <.err)" = 1 ] && pass || fail "changed dimension (contiguous): $(cat .err)"
# One flipped bit (tests/data/broken-bitflip.h5: bit 0 of byte 2075 of a file ts-serialize
# wrote) crashed libhdf5 itself (SIGSEGV): the file is read in a child process first.
expect_fail "a bit flip that crashes libhdf5" 1 "broken-bitflip.h5: a damaged HDF5 file: the HDF5 library failed reading it" ts-serialize -o flip.jsonl "$TS_SRC/tests/data/broken-bitflip.h5"
[ "$(wc -l <.err)" = 1 ] && [ ! -e flip.jsonl ] && pass || fail "bit flip: $(cat .err), $(ls flip.jsonl 2>&1)"
# One flipped bit in the length of a variable-length string (byte 32863 of
# tests/data/broken-vlen.h5, 0 -> 128) made libhdf5 take 4.2 GB and a minute, then exit 0.
# The child reading it first has a memory limit (1 GiB and 1100 bytes a byte of the file);
# not in the sanitizer build, whose allocator cannot take a limit.
if ldd "$TS_BIN/ts-serialize" | grep -q libasan; then
    pass
else
    expect_fail "a flip that makes libhdf5 allocate 4 GB" 1 "broken-vlen.h5: group 'onsets.odf': cannot read attribute 'params'" ts-serialize -f jsonl "$TS_SRC/tests/data/broken-vlen.h5"
    [ "$(wc -l <.err)" = 1 ] && pass || fail "vlen flip: $(cat .err)"
fi
# Seeded bit flips anywhere in a small file: exit 0, or 1 with one line; never a signal.
grep -m1 '"id":"level' all.jsonl | ts-serialize -o small.h5
"$PY" - "$TS_BIN/ts-serialize" <<'EOF' && pass || fail "bit flips of an hdf5 file"
import random, subprocess, sys
data, rng, seen = open("small.h5", "rb").read(), random.Random(19), {}
for i in range(30):
    b = bytearray(data)
    for _ in range(rng.choice((1, 2, 4))):
        b[rng.randrange(len(b))] ^= 1 << rng.randrange(8)
    open("flip.h5", "wb").write(b)
    p = subprocess.run([sys.argv[1], "-f", "jsonl", "flip.h5"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=60)
    lines = p.stderr.decode(errors="replace").splitlines()
    assert p.returncode in (0, 1), (i, p.returncode, lines)
    assert len(lines) == (p.returncode == 1), (i, p.returncode, lines)
    seen[p.returncode] = seen.get(p.returncode, 0) + 1
assert seen.get(1, 0) >= 3, seen
EOF
mkdir e1
expect_fail "-o into a missing folder" 1 "cannot create" ts-serialize -o e1/nosuch/x.h5 all.jsonl
leftovers e1 "missing folder"
touch e1/file
expect_fail "-o under a file" 1 "cannot create" ts-serialize -o e1/file/x.h5 all.jsonl
[ "$(ls -A e1)" = file ] && pass || fail "under a file: left $(ls -A e1)"
if [ "$(id -u)" != 0 ]; then
    mkdir ro && chmod 555 ro
    expect_fail "-o into a read-only folder" 1 "ro/x.h5" ts-serialize -o ro/x.h5 all.jsonl
    leftovers ro "read-only folder"
fi
mkdir e2
expect_fail "bad input to hdf5" 1 "line 2" sh -c 'printf "%s\n{\"schema\":1}\n" "$(head -1 all.jsonl)" | ts-serialize -o e2/x.h5'
leftovers e2 "bad input to hdf5"

# ---------------------------------------------------------------- npy
cat >npcheck.py <<'EOF'
import json, math, sys
import numpy as np
res = {}
for l in open(sys.argv[1]):
    r = json.loads(l)
    res.setdefault(r['id'], r)
def f(x): return np.nan if x is None else x
def main(r):
    d, tm = r['data'], r['time_mode']
    if tm == 'framewise':
        v = d['value']
        return np.array([[f(x) for x in row] for row in v] if v and isinstance(v[0], list) else [f(x) for x in v], dtype=np.float32)
    if tm == 'global':
        return np.array(f(d['value']) if not isinstance(d['value'], list) else [f(x) for x in d['value']], dtype=np.float64)
    if tm == 'event':
        return np.array([f(x) for x in d['time']], dtype=np.float64)
    return np.array([[f(t), f(u)] for t, u in zip(d['time'], d['duration'])], dtype=np.float64).reshape(-1, 2)
def eq(a, b, what):
    assert a.dtype == b.dtype and a.shape == b.shape, (what, a.dtype, b.dtype, a.shape, b.shape)
    assert np.array_equal(a, b, equal_nan=True), what
exec(sys.argv[2])
print('ok')
EOF
for id in mfcc spectral.centroid level.peak stats.bit_depth onsets notes hand.matrix hand.empty hand.null tempo.curve; do
    check "npy $id" ts-serialize --result "$id" -o "$id.npy" uniq.jsonl
    num_ok=$("$PY" npcheck.py in.jsonl "eq(np.load('$id.npy'), main(res['$id']), '$id')" 2>&1) && pass || fail "npy $id: $num_ok"
done
"$PY" npcheck.py in.jsonl "
assert np.load('mfcc.npy').shape[1] == 13 and np.load('notes.npy').shape == (10, 2)
assert np.load('level.peak.npy').shape == () and np.load('onsets.npy').shape == (34,)
assert np.isnan(np.load('hand.null.npy')) and np.isnan(np.load('hand.matrix.npy')[0, 1])
" >/dev/null && pass || fail "npy shapes"
# The header, byte for byte: NPY 1.0, the dict padded to a multiple of 64 with '\n' last.
"$PY" - <<'EOF' && pass || fail "npy header"
import struct
for name, shape, descr in [('mfcc.npy', None, '<f4'), ('level.peak.npy', '()', '<f8'), ('onsets.npy', '(34,)', '<f8')]:
    b = open(name, 'rb').read()
    assert b[:8] == b'\x93NUMPY\x01\x00', b[:8]
    n = struct.unpack('<H', b[8:10])[0]
    h = b[10:10 + n].decode('latin1')
    assert (10 + n) % 64 == 0 and h.endswith('\n'), (name, n, h)
    shape = shape or '(%d, 13)' % ((len(b) - 10 - n) // 52)
    assert h.rstrip() == "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (descr, shape), h
EOF
check "npy -o DIR/" sh -c 'mkdir -p nd && ts-serialize -f npy -o nd/ --result "spectral*" --result mfcc all.jsonl && [ -f nd/stdin.mfcc.npy ] && [ -f nd/stdin.spectral.centroid.npy ] && cmp nd/stdin.mfcc.npy mfcc.npy'
check "npy to stdout (a pipe)" sh -c 'ts-serialize -f npy --result mfcc all.jsonl | cat >p.npy && cmp p.npy mfcc.npy'
expect_fail "npy of labels" 1 "npy holds numbers: key is labels; use csv or jams" ts-serialize --result key -o key.npy all.jsonl
[ ! -e key.npy ] && pass || fail "npy of labels: file left"
expect_fail "npy of label segments" 1 "structure is labels" ts-serialize --result structure -f npy -o s.npy all.jsonl
[ ! -e s.npy ] && pass || fail "npy of label segments: file left"
expect_fail "several results to npy" 2 "--result" ts-serialize -o several.npy all.jsonl
[ ! -e several.npy ] && pass || fail "several results to npy: file left"

# ---------------------------------------------------------------- npz
check "npz" ts-serialize -o all.npz in.jsonl
grep -q "skipping key (labels)" .err && grep -q "skipping hand.events (labels)" .err && pass || fail "npz: no warning for labels: $(cat .err)"
"$PY" npcheck.py in.jsonl "
z = np.load('all.npz')
keys = set(z.keys())
want = set()
order = [json.loads(l) for l in open('in.jsonl')]
count = {}
for r in order:
    i = r['id'].replace('/', '_')
    count[i] = count.get(i, 0) + 1
    if r['data_mode'] == 'label':
        continue
    k = i if count[i] == 1 else '%s#%d' % (i, count[i])
    want.add(k)
    d = r['data']
    if r['time_mode'] == 'framewise' and 'y' in d: want.add(k + '.y')
    if r['time_mode'] in ('event', 'segment'):
        if 'value' in d: want.add(k + '.value')
        if 'confidence' in d: want.add(k + '.confidence')
assert keys == want, (sorted(keys ^ want))
for k in ['mfcc', 'spectral.centroid', 'level.peak', 'stats.bit_depth', 'onsets', 'notes', 'hand.matrix', 'hand.empty', 'tempo.beats']:
    eq(z[k], main(res[k]), k)
eq(z['spectrogram.y'], np.array(res['spectrogram']['data']['y'], dtype=np.float64), 'y')
eq(z['onsets.value'], np.array(res['onsets']['data']['value'], dtype=np.float64), 'onsets.value')
eq(z['notes.confidence'], np.array(res['notes']['data']['confidence'], dtype=np.float64), 'notes.confidence')
eq(z['hand.matrix.y'], np.array([100, 200.5, np.nan]), 'hand y')
eq(z['hand.segments.value'], np.zeros(0), 'empty segment values')
eq(z['hand.matrix#2'], z['hand.matrix'], 'repeated id')
import zipfile
zf = zipfile.ZipFile('all.npz')
assert zf.testzip() is None
assert all(i.compress_type == zipfile.ZIP_STORED for i in zf.infolist())
" >/dev/null 2>npz.err && pass || fail "npz: $(cat npz.err | tail -3)"
check "unzip -t" unzip -tq all.npz
check "npz to a pipe, same bytes" sh -c 'ts-serialize -f npz in.jsonl 2>/dev/null | cat >p.npz && cmp p.npz all.npz'
check "npz of labels only: an empty archive" sh -c 'ts-serialize -f npz --result key -o k.npz all.jsonl 2>/dev/null && "$0" -c "import numpy as np; assert list(np.load(\"k.npz\").keys()) == []"' "$PY"
mkdir e3
expect_fail "bad input to npz" 1 "line 2" sh -c 'printf "%s\n{\"schema\":1}\n" "$(head -1 all.jsonl)" | ts-serialize -o e3/x.npz'
leftovers e3 "bad input to npz"

finish
