// One task's scores for a reference and an estimate, and what each score is.
#pragma once

#include "eval/read.hpp"

namespace ts::eval {

struct Settings {
    double window = 0.05; // onsets: the matching window, seconds
    double hop = 0.0;     // melody: > 0 resamples both contours to this step
};

Scores score(Task task, const Annotation &reference, const Annotation &estimate,
             const Settings &settings);

// The display name of a score ("F-measure") and the source of its definition.
struct ScoreInfo {
    std::string name;
    std::string source;
};
ScoreInfo score_info(Task task, const std::string &score);

} // namespace ts::eval
