"""Random reference/estimate pairs for every ts-eval task, and their scores by mir_eval.

make(task, folder, count, seed) writes folder/ref/NAME.txt and folder/est/NAME.txt (count
random pairs plus the edge cases); mir_scores(task, ref, est) scores one pair with mir_eval,
under the names ts-eval gives its scores. Used by the exactness test and bench/eval.sh.
"""
import os
import warnings

import numpy as np
import mir_eval

TASKS = ['onsets', 'beats', 'tempo', 'melody', 'notes', 'key', 'segments', 'labels']


def _write(path, rows):
    with open(path, 'w') as f:
        for r in rows:
            f.write(' '.join(x if isinstance(x, str) else repr(float(x)) for x in r) + '\n')


def _events(rng, n, span):
    return np.sort(rng.uniform(0, span, n))


def _jitter(rng, ref, sd, keep=0.85, extra=0.15, span=None):
    est = ref[rng.random(len(ref)) < keep]
    est = est + rng.normal(0, sd, len(est))
    span = span if span is not None else (ref.max() + 1 if len(ref) else 10)
    est = np.concatenate([est, rng.uniform(0, span, int(extra * len(ref)) + rng.integers(0, 2))])
    return np.sort(np.abs(est))


def _onset_pairs(rng, count):
    pairs = []
    for _ in range(count):
        ref = _events(rng, rng.integers(2, 40), 20)
        pairs.append((ref, _jitter(rng, ref, 0.03)))
    one = np.array([1.234])
    pairs += [(one, np.array([])), (np.array([]), one), (one, one), (one, np.array([1.27])),
              (pairs[0][0], pairs[0][0].copy())]
    return [([[t] for t in r], [[t] for t in e]) for r, e in pairs]


def _beat_pairs(rng, count):
    pairs = []
    for i in range(count):
        period = 60.0 / rng.uniform(60, 180)
        start = rng.uniform(0, period)
        ref = np.arange(start, 30, period) + rng.normal(0, 0.005, len(np.arange(start, 30, period)))
        ref = np.sort(np.abs(ref))
        kind = i % 5
        if kind == 0:
            est = ref + rng.normal(0, 0.02, len(ref))
        elif kind == 1:
            est = np.arange(start + period / 2, 30, period)  # off-beat
        elif kind == 2:
            est = np.arange(start, 30, period / 2) + rng.normal(0, 0.01, len(np.arange(start, 30, period / 2)))
        elif kind == 3:
            est = ref[::2].copy()
        else:
            est = _jitter(rng, ref, 0.05, span=30)
        est = np.sort(np.abs(est))
        pairs.append((ref, est))
    ref = pairs[0][0]
    pairs += [(ref, np.array([])), (np.array([]), ref), (ref, ref.copy()), (ref, np.array([7.0])),
              (np.array([6.0]), ref), (ref, ref[ref < 5.0])]
    return [([[t] for t in r], [[t] for t in e]) for r, e in pairs]


def _tempo_pairs(rng, count):
    pairs = []
    for i in range(count):
        t1 = rng.uniform(50, 200)
        ref = [t1, t1 * rng.choice([0.5, 2.0]), rng.uniform(0, 1)]
        e = t1 * rng.choice([1.0, 1.03, 1.06, 0.5, 2.0, 3.0, 1 / 3, 1.3])
        est = [e, e * rng.choice([0.5, 2.0, 1.0])]
        pairs.append(([ref], [est]))
    pairs += [([[120.0]], [[120.0]]), ([[120.0]], [[60.0]]), ([[100.0]], [[104.0]]),
              ([[100.0]], [[104.5]]), ([[90.0, 0.0, 1.0]], [[0.0, 90.0]])]
    return pairs


def _contour(rng, hop, span, voiced=0.7):
    t = np.arange(0, span, hop)
    f = 220 * 2 ** np.cumsum(rng.normal(0, 0.02, len(t)))
    gate = np.repeat(rng.random(len(t) // 20 + 1) < voiced, 20)[:len(t)]
    return t, np.where(gate, f, 0.0)


def _melody_pairs(rng, count):
    pairs = []
    for i in range(count):
        span = rng.uniform(2, 8)
        rt, rf = _contour(rng, 0.01, span)
        et = np.arange(rng.uniform(0, 0.02), span + rng.uniform(-0.5, 0.5), 256 / 44100)
        ef = np.interp(et, rt, rf) * 2 ** rng.choice([0, 0, 0, 1, -1, 0.03, 0.5], len(et))
        ef = np.where(rng.random(len(et)) < 0.1, -np.abs(ef), ef)  # unvoiced guesses
        ef = np.where(np.interp(et, rt, rf) == 0, rng.choice([0, 0, 300.0], len(et)), ef)
        pairs.append((rt, rf, et, ef))
    rt, rf = _contour(rng, 0.01, 3)
    pairs += [(rt, rf, rt, rf.copy()), (rt, np.zeros(len(rt)), rt, rf), (rt, rf, rt, np.zeros(len(rt))),
              (rt, rf, np.array([0.5]), np.array([220.0]))]
    return [(list(zip(a, b)), list(zip(c, d))) for a, b, c, d in pairs]


def _notes(rng, n, span):
    on = np.sort(rng.uniform(0, span, n))
    dur = rng.uniform(0.05, 1.0, n)
    midi = rng.integers(48, 84, n)
    return on, on + dur, 440.0 * 2 ** ((midi - 69) / 12)


def _note_pairs(rng, count):
    pairs = []
    for _ in range(count):
        on, off, hz = _notes(rng, rng.integers(1, 40), 20)
        keep = rng.random(len(on)) < 0.85
        eon = on[keep] + rng.normal(0, 0.03, keep.sum())
        eon = np.abs(eon)
        eoff = eon + (off[keep] - on[keep]) * rng.uniform(0.7, 1.3, keep.sum())
        ehz = hz[keep] * 2 ** (rng.choice([0, 0, 0, 0.02, 1, 0.1], keep.sum()))
        n2 = rng.integers(0, 4)
        a, b, c = _notes(rng, n2, 20)
        pairs.append(((on, off, hz), (np.concatenate([eon, a]), np.concatenate([eoff, b]), np.concatenate([ehz, c]))))
    one = (np.array([1.0]), np.array([1.5]), np.array([440.0]))
    none = (np.array([]), np.array([]), np.array([]))
    pairs += [(one, none), (none, one), (one, one), (pairs[0][0], pairs[0][0])]
    return [(list(zip(*r)), list(zip(*e))) for r, e in pairs]


NAMES = ['C', 'C#', 'Db', 'D', 'Eb', 'E', 'F', 'F#', 'G', 'Ab', 'A', 'Bb', 'B']


def _key_pairs(rng, count):
    pairs = []
    for _ in range(count):
        r = f'{rng.choice(NAMES)} {rng.choice(["major", "minor"])}'
        e = f'{rng.choice(NAMES)} {rng.choice(["major", "minor", "other"])}'
        pairs.append(([[r]], [[e]]))
    for r, e in [('C major', 'G major'), ('A minor', 'E minor'), ('C major', 'A minor'),
                 ('A minor', 'C major'), ('C major', 'C minor'), ('X', 'X'), ('X', 'C major'),
                 ('Eb minor', 'D# minor')]:
        pairs.append(([[r]], [[e]]))
    return pairs


def _segments(rng, end, labels, n):
    b = np.sort(rng.uniform(0, end, n))
    b = np.unique(np.round(np.concatenate([[0.0], b, [end]]), 3))
    return [[b[i], b[i + 1], str(rng.choice(labels))] for i in range(len(b) - 1)]


def _segment_pairs(rng, count, labels=('A', 'B', 'C', 'D')):
    pairs = []
    for i in range(count):
        end = rng.uniform(20, 120)
        ref = _segments(rng, end, labels, rng.integers(1, 12))
        est_end = end if i % 3 else end + rng.uniform(-5, 5)
        start = 0.0 if i % 4 else rng.uniform(0, 3)
        est = [s for s in _segments(rng, est_end, labels, rng.integers(0, 15)) if s[1] > start]
        est[0][0] = max(est[0][0], start)
        pairs.append((ref, est))
    pairs += [(pairs[0][0], pairs[0][0]), ([[0.0, 30.0, 'A']], [[0.0, 30.0, 'B']])]
    return pairs


def make(task, folder, count, seed=7):
    rng = np.random.default_rng(seed + TASKS.index(task))
    pairs = {'onsets': _onset_pairs, 'beats': _beat_pairs, 'tempo': _tempo_pairs,
             'melody': _melody_pairs, 'notes': _note_pairs, 'key': _key_pairs,
             'segments': _segment_pairs,
             'labels': lambda r, c: _segment_pairs(r, c, ('silence', 'speech', 'music'))}[task](rng, count)
    for side in ('ref', 'est'):
        os.makedirs(os.path.join(folder, side), exist_ok=True)
    for i, (ref, est) in enumerate(pairs):
        _write(os.path.join(folder, 'ref', f'p{i:04d}.txt'), ref)
        _write(os.path.join(folder, 'est', f'p{i:04d}.txt'), est)
    return len(pairs)


def _load(path, kind):
    rows = [l.split() for l in open(path) if l.strip()]
    if kind == 'events':
        return np.array([float(r[0]) for r in rows])
    if kind == 'pairs':
        return (np.array([float(r[0]) for r in rows]), np.array([float(r[1]) for r in rows]))
    if kind == 'intervals':
        return (np.array([[float(r[0]), float(r[1])] for r in rows]).reshape(-1, 2), [' '.join(r[2:]) for r in rows])
    return rows


def _labels_accuracy(ri, rl, ei, el):
    # As mir_eval.chord.evaluate weighs comparisons: the estimate fitted to the reference's
    # span, both merged, durations as weights.
    ei, el = mir_eval.util.adjust_intervals(ei, el, ri.min(), ri.max(), 'N', 'N')
    iv, rl2, el2 = mir_eval.util.merge_labeled_intervals(ri, rl, ei, el)
    d = mir_eval.util.intervals_to_durations(iv)
    comp = np.array([1.0 if a.lower() == b.lower() else 0.0 for a, b in zip(rl2, el2)])
    return float(mir_eval.chord.weighted_accuracy(comp, d))


def mir_scores(task, ref, est, window=0.05, hop=None):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        with np.errstate(all='ignore'):
            return _mir_scores(task, ref, est, window, hop)


def _mir_scores(task, ref, est, window, hop):
    if task == 'onsets':
        f, p, r = mir_eval.onset.f_measure(_load(ref, 'events'), _load(est, 'events'), window=window)
        return {'f_measure': f, 'precision': p, 'recall': r}
    if task == 'beats':
        s = mir_eval.beat.evaluate(_load(ref, 'events'), _load(est, 'events'))
        return {'f_measure': s['F-measure'], 'cemgil': s['Cemgil'], 'cemgil_best': s['Cemgil Best Metric Level'],
                'goto': s['Goto'], 'p_score': s['P-score'], 'cmlc': s['Correct Metric Level Continuous'],
                'cmlt': s['Correct Metric Level Total'], 'amlc': s['Any Metric Level Continuous'],
                'amlt': s['Any Metric Level Total']}
    if task == 'tempo':
        r = [float(x) for x in _load(ref, 'rows')[0]]
        e = [float(x) for x in _load(est, 'rows')[0]]
        if len(r) == 1:
            r = [r[0], 0.0, 1.0]
        if len(e) == 1:
            e = [e[0], e[0]]
        p, one, both = mir_eval.tempo.detection(np.array(r[:2]), r[2], np.array(e))
        strong = r[1] if (r[1] > 0 and r[2] < 0.5) else r[0]
        near = [abs(e[0] - k * strong) <= 0.04 * k * strong for k in (1, 2, 3, 0.5, 1 / 3)]
        return {'acc1': float(near[0]), 'acc2': float(any(near)), 'p_score': p,
                'one_correct': float(one), 'both_correct': float(both)}
    if task == 'melody':
        rt, rf = _load(ref, 'pairs')
        et, ef = _load(est, 'pairs')
        s = mir_eval.melody.evaluate(rt, rf, et, ef, hop=hop) if hop else mir_eval.melody.evaluate(rt, rf, et, ef)
        return {'voicing_recall': s['Voicing Recall'], 'voicing_false_alarm': s['Voicing False Alarm'],
                'raw_pitch_accuracy': s['Raw Pitch Accuracy'], 'raw_chroma_accuracy': s['Raw Chroma Accuracy'],
                'overall_accuracy': s['Overall Accuracy']}
    if task == 'notes':
        rows_r, rows_e = _load(ref, 'rows'), _load(est, 'rows')
        ri = np.array([[float(a), float(b)] for a, b, _ in rows_r]).reshape(-1, 2)
        rp = np.array([float(c) for _, _, c in rows_r])
        ei = np.array([[float(a), float(b)] for a, b, _ in rows_e]).reshape(-1, 2)
        ep = np.array([float(c) for _, _, c in rows_e])
        s = mir_eval.transcription.evaluate(ri, rp, ei, ep)
        return {'precision': s['Precision'], 'recall': s['Recall'], 'f_measure': s['F-measure'],
                'precision_no_offset': s['Precision_no_offset'], 'recall_no_offset': s['Recall_no_offset'],
                'f_measure_no_offset': s['F-measure_no_offset']}
    if task == 'key':
        r = ' '.join(_load(ref, 'rows')[0])
        e = ' '.join(_load(est, 'rows')[0])
        return {'weighted_score': mir_eval.key.weighted_score(r, e)}
    if task == 'segments':
        ri, rl = _load(ref, 'intervals')
        ei, el = _load(est, 'intervals')
        # mir_eval.segment.evaluate's steps for the scores ts-eval gives (evaluate itself also
        # computes the Rand indices and mutual information, which would only slow the bench).
        ri, rl = mir_eval.util.adjust_intervals(ri, labels=rl, t_min=0.0)
        ei, el = mir_eval.util.adjust_intervals(ei, labels=el, t_min=0.0, t_max=ri.max())
        s = {}
        for w, k in ((0.5, '0.5'), (3.0, '3.0')):
            s['Precision@' + k], s['Recall@' + k], s['F-measure@' + k] = mir_eval.segment.detection(ri, ei, window=w)
        s['Pairwise Precision'], s['Pairwise Recall'], s['Pairwise F-measure'] = mir_eval.segment.pairwise(ri, rl, ei, el)
        s['NCE Over'], s['NCE Under'], s['NCE F-measure'] = mir_eval.segment.nce(ri, rl, ei, el)
        names = {'precision_0_5': 'Precision@0.5', 'recall_0_5': 'Recall@0.5', 'f_measure_0_5': 'F-measure@0.5',
                 'precision_3': 'Precision@3.0', 'recall_3': 'Recall@3.0', 'f_measure_3': 'F-measure@3.0',
                 'pairwise_precision': 'Pairwise Precision', 'pairwise_recall': 'Pairwise Recall',
                 'pairwise_f_measure': 'Pairwise F-measure', 'nce_over': 'NCE Over',
                 'nce_under': 'NCE Under', 'nce_f_measure': 'NCE F-measure'}
        return {k: s[v] for k, v in names.items()}
    if task == 'labels':
        ri, rl = _load(ref, 'intervals')
        ei, el = _load(est, 'intervals')
        return {'accuracy': _labels_accuracy(ri, rl, ei, el)}
    raise ValueError(task)
