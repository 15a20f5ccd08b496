// The dispatch from a task to its metrics, and the names and sources of the scores.
#include "eval/score.hpp"

namespace ts::eval {

Scores score(Task task, const Annotation &r, const Annotation &e, const Settings &s) {
    switch (task) {
    case Task::onsets:
        return onsets(r.times, e.times, s.window);
    case Task::beats:
        return beats(r.times, e.times);
    case Task::tempo:
        return tempo(r.tempi, r.tempo_weight, e.tempi);
    case Task::melody:
        return melody(r.contour, e.contour, s.hop);
    case Task::notes:
        return notes(r.notes, e.notes);
    case Task::key:
        return key(r.key, e.key);
    case Task::segments:
        return segments(r.segments, e.segments);
    case Task::labels:
        return labels(r.segments, e.segments);
    }
    return {};
}

ScoreInfo score_info(Task task, const std::string &s) {
    static const std::pair<const char *, const char *> names[] = {
        {"f_measure", "F-measure"},
        {"precision", "Precision"},
        {"recall", "Recall"},
        {"cemgil", "Cemgil"},
        {"cemgil_best", "Cemgil, best metric level"},
        {"goto", "Goto"},
        {"p_score", "P-score"},
        {"cmlc", "CMLc"},
        {"cmlt", "CMLt"},
        {"amlc", "AMLc"},
        {"amlt", "AMLt"},
        {"acc1", "Acc1"},
        {"acc2", "Acc2"},
        {"one_correct", "One correct"},
        {"both_correct", "Both correct"},
        {"voicing_recall", "Voicing recall"},
        {"voicing_false_alarm", "Voicing false alarm"},
        {"raw_pitch_accuracy", "Raw pitch accuracy"},
        {"raw_chroma_accuracy", "Raw chroma accuracy"},
        {"overall_accuracy", "Overall accuracy"},
        {"precision_no_offset", "Precision, onsets and pitch only"},
        {"recall_no_offset", "Recall, onsets and pitch only"},
        {"f_measure_no_offset", "F-measure, onsets and pitch only"},
        {"weighted_score", "Weighted score"},
        {"precision_0_5", "Boundary precision at 0.5 s"},
        {"recall_0_5", "Boundary recall at 0.5 s"},
        {"f_measure_0_5", "Boundary F-measure at 0.5 s"},
        {"precision_3", "Boundary precision at 3 s"},
        {"recall_3", "Boundary recall at 3 s"},
        {"f_measure_3", "Boundary F-measure at 3 s"},
        {"pairwise_precision", "Pairwise precision"},
        {"pairwise_recall", "Pairwise recall"},
        {"pairwise_f_measure", "Pairwise F-measure"},
        {"nce_over", "NCE over-segmentation"},
        {"nce_under", "NCE under-segmentation"},
        {"nce_f_measure", "NCE F-measure"},
        {"accuracy", "Accuracy by duration"},
    };
    ScoreInfo info{s, ""};
    for (const auto &[k, v] : names)
        if (s == k)
            info.name = v;
    switch (task) {
    case Task::onsets:
        info.source = "mir_eval.onset.f_measure";
        break;
    case Task::beats:
        info.source = "mir_eval.beat.evaluate (beats before 5 s trimmed)";
        break;
    case Task::tempo:
        info.source = (s == "acc1" || s == "acc2") ? "Gouyon et al. 2006, 4 % tolerance"
                                                   : "mir_eval.tempo.detection (8 % tolerance)";
        break;
    case Task::melody:
        info.source = "mir_eval.melody.evaluate (50 cents)";
        break;
    case Task::notes:
        info.source = "mir_eval.transcription.precision_recall_f1_overlap";
        break;
    case Task::key:
        info.source = "mir_eval.key.weighted_score";
        break;
    case Task::segments:
        info.source = s.rfind("pairwise", 0) == 0 ? "mir_eval.segment.pairwise"
                      : s.rfind("nce", 0) == 0    ? "mir_eval.segment.nce"
                                                  : "mir_eval.segment.detection";
        break;
    case Task::labels:
        info.source = "duration-weighted label agreement, as mir_eval.chord.weighted_accuracy";
        break;
    }
    return info;
}

} // namespace ts::eval
