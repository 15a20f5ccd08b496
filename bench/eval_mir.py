#!/usr/bin/python3
"""Scores a folder of reference/estimate pairs with mir_eval, as ts-eval -t TASK REF EST does:
every pair's scores, then their means, printed as TSV; with --cpu, the CPU seconds of the
scoring alone (imports left out) on stderr. bench/eval.sh times it against ts-eval."""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'tests', 'eval'))
import pairs  # noqa: E402

task, ref, est = sys.argv[1:4]
start = time.process_time()
rows = []
for name in sorted(os.listdir(ref)):
    s = pairs.mir_scores(task, os.path.join(ref, name), os.path.join(est, name))
    rows.append(s)
    print(name, *('%.6f' % v for v in s.values()), sep='\t')
print('mean', *('%.4f' % (sum(r[k] for r in rows) / len(rows)) for k in rows[0]), sep='\t')
if len(sys.argv) > 4 and sys.argv[4] == '--cpu':  # the scoring's CPU time, the imports left out
    print('%.6f' % (time.process_time() - start), file=sys.stderr)
