#!/usr/bin/python3
"""ts-eval agrees with mir_eval within 1e-9 on every score of every task: random pairs from a
fixed seed plus edge cases (empty estimate or reference, one event, all unvoiced, identical),
each task's folder scored by one ts-eval run."""
import json
import math
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pairs  # noqa: E402

TS_EVAL = os.path.join(os.environ.get('TS_BIN', 'build/tools'), 'ts-eval')
COUNT = 25
failures = 0
checked = 0


def run(task, folder, extra=(), window=0.05, hop=None):
    global failures, checked
    out = subprocess.run([TS_EVAL, '-t', task, *extra, os.path.join(folder, 'ref'), os.path.join(folder, 'est')],
                         capture_output=True, text=True)
    if out.returncode != 0:
        print(f'{task}: ts-eval failed ({out.returncode}): {out.stderr.strip()}')
        failures += 1
        return
    got = {}
    for line in out.stdout.splitlines():
        r = json.loads(line)
        if 'mean_of' in r['params']:
            continue
        name = r['id'].split('.', 2)[2]
        got.setdefault(r['params']['reference'], {})[name] = r['data']['value']
    refs = sorted(os.listdir(os.path.join(folder, 'ref')))
    if len(got) != len(refs):
        print(f'{task}: {len(got)} pairs scored of {len(refs)}')
        failures += 1
    for name in refs:
        ref = os.path.join(folder, 'ref', name)
        want = pairs.mir_scores(task, ref, os.path.join(folder, 'est', name), window=window, hop=hop)
        have = got.get(ref, {})
        for k, v in want.items():
            h = have.get(k)
            v = float(v)
            ok = (h is None and math.isnan(v)) or (h is not None and abs(h - v) <= 1e-9)
            checked += 1
            if not ok:
                failures += 1
                print(f'{task} {name} {k}: ts-eval {h}, mir_eval {v}')


with tempfile.TemporaryDirectory() as tmp:
    for task in pairs.TASKS:
        folder = os.path.join(tmp, task)
        pairs.make(task, folder, COUNT)
        run(task, folder)
    # The options that change a definition.
    run('onsets', os.path.join(tmp, 'onsets'), ['--window', '0.07'], window=0.07)
    run('melody', os.path.join(tmp, 'melody'), ['--hop', '0.01'], hop=0.01)

print(f'{checked} scores compared, {failures} differ')
sys.exit(1 if failures else 0)
