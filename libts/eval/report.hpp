// What ts-eval writes: pairs of files from two folders, scores as ts-result, an aligned table.
#pragma once

#include "eval/score.hpp"
#include "result/result.hpp"

#include <string>
#include <vector>

namespace ts::eval {

struct Pair {
    std::string stem;
    std::string reference;
    std::string estimate;
};

// The files of two folders (.jsonl, .json, .jams, .txt, .lab; others are left alone) paired
// by stem (the name up to its first '.'), in stem order. The references without an estimate
// are returned in `unpaired` (their paths); an estimate without a reference or a second file
// of a stem in `extra`, as messages naming the file.
std::vector<Pair> pair_folders(const std::string &references, const std::string &estimates,
                               std::vector<std::string> &unpaired, std::vector<std::string> &extra);

// One global ts-result for one score: id eval.TASK.SCORE, the value, the source (the
// estimate's audio, else its file), and the params that shaped it.
result::Result score_result(Task task, const Score &score, const std::string &source,
                            const nlohmann::json &params);

// A row of the table: a name and the scores (NaN printed as -).
struct Row {
    std::string name;
    Scores scores;
};
// An aligned table: a header of score names, one row per file, and their mean when
// there are several rows.
std::string text_table(const std::vector<Row> &rows);
// The mean of each score over rows (they hold the same scores in the same order).
Scores mean_scores(const std::vector<Row> &rows);

} // namespace ts::eval
