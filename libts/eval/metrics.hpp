// Evaluation metrics, with the definitions of mir_eval 0.7 (one .cpp per task): pure functions
// on vectors of seconds, Hz and labels; no I/O.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace ts::eval {

// One named score ("f_measure": 0.93). Names are snake_case and stable: they end result ids.
struct Score {
    std::string name;
    double value;
};
using Scores = std::vector<Score>;

// A time interval [start, end) in seconds.
struct Interval {
    double start;
    double end;
};

// The size of a maximum matching of a bipartite graph given as, for each left vertex, the
// right vertices it may pair with (Hopcroft-Karp). mir_eval computes the same maximum with
// its own augmenting-path search; only the size enters the scores.
std::size_t max_matching(const std::vector<std::vector<std::size_t>> &adjacent,
                         std::size_t right_count);

// 2PR/(P+R), 0 when both are 0 (mir_eval.util.f_measure, beta 1).
double f_measure(double precision, double recall);

// numpy.round(x, decimals): x scaled, rounded half to even, scaled back.
double round_decimals(double x, int decimals);

// mir_eval.util.match_events: the size of a maximum matching of reference and estimated
// times at most `window` apart (|r - e| <= window as est - window <= r <= est + window).
std::size_t match_events(const std::vector<double> &reference, const std::vector<double> &estimate,
                         double window);

// mir_eval.onset.evaluate: f_measure, precision, recall at `window` seconds (0.05).
Scores onsets(const std::vector<double> &reference, const std::vector<double> &estimate,
              double window = 0.05);

// mir_eval.beat.evaluate (beats before 5 s trimmed from both): f_measure (70 ms), cemgil,
// cemgil_best (any metric level), goto, p_score, cmlc, cmlt, amlc, amlt.
Scores beats(std::vector<double> reference, std::vector<double> estimate,
             double min_beat_time = 5.0);

// mir_eval.tempo.detection's p_score (tolerance 8 %), one_correct, both_correct for two
// reference tempi weighted `weight` and 1 - weight; and acc1 (first estimate within 4 % of the
// reference) and acc2 (also at 2, 3, 1/2, 1/3 times it), against the first reference tempo.
// A single reference tempo t stands for (t, 0) with weight 1; a single estimate e for (e, e).
Scores tempo(std::vector<double> reference, double weight, std::vector<double> estimate,
             double tolerance = 0.08, double acc_tolerance = 0.04);

// A pitch contour: times (strictly increasing, seconds) and frequencies in Hz (0 or negative:
// unvoiced; mir_eval's convention), with optional voicing in 0..1.
struct Contour {
    std::vector<double> time;
    std::vector<double> frequency;
    std::vector<double> voicing; // empty: frequency > 0
};
// mir_eval.melody.evaluate: voicing_recall, voicing_false_alarm, raw_pitch_accuracy,
// raw_chroma_accuracy, overall_accuracy (50 cents). hop <= 0: the estimate is resampled onto
// the reference's times (mir_eval's default); hop > 0: both onto a grid of that step.
Scores melody(Contour reference, Contour estimate, double hop = 0.0, double cent_tolerance = 50.0);

// Notes: intervals and pitches in Hz.
struct Notes {
    std::vector<Interval> interval;
    std::vector<double> pitch;
};
// mir_eval.transcription.evaluate with its defaults (onset 50 ms, pitch 50 cents, offset
// max(20 % of the duration, 50 ms)): precision, recall, f_measure (with offsets), and
// precision_no_offset, recall_no_offset, f_measure_no_offset.
Scores notes(const Notes &reference, const Notes &estimate, double onset_tolerance = 0.05,
             double pitch_tolerance = 50.0, double offset_ratio = 0.2,
             double offset_min_tolerance = 0.05);

// mir_eval.key.weighted_score: "C major", "Eb minor", "X"; 1, 0.5 fifth, 0.3 relative,
// 0.2 parallel, 0. Throws ts::Error for a key mir_eval would refuse.
Scores key(const std::string &reference, const std::string &estimate);
// Normalizes a key name to mir_eval's "TONIC mode": "A minor", "a:minor", "A:min", "N" (X).
std::string normalize_key(const std::string &text);

// Labelled segments.
struct Segments {
    std::vector<Interval> interval;
    std::vector<std::string> label;
};
// mir_eval.segment.evaluate (intervals adjusted to start at 0 and the estimate to end with the
// reference): precision_0_5, recall_0_5, f_measure_0_5, the same at 3 s, pairwise_precision,
// pairwise_recall, pairwise_f_measure, nce_over, nce_under, nce_f_measure (frames of 0.1 s).
Scores segments(Segments reference, Segments estimate);

// Labels such as silence/speech/music: the fraction of the reference's labelled duration where
// the estimate has the same label (case-insensitive), as mir_eval.chord.weighted_accuracy
// weighs its comparisons by duration over the merged intervals; accuracy, and the same
// per reference label present ("accuracy_speech").
Scores labels(const Segments &reference, const Segments &estimate);

} // namespace ts::eval
