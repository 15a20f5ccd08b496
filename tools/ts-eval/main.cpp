// ts-eval: scores estimates (analysis results, annotations) against references, with
// mir_eval's definitions, as ts-result JSON Lines or a table.
#include "cli/groups.hpp"
#include "cli/tool.hpp"
#include "core/error.hpp"
#include "core/log.hpp"
#include "core/version.hpp"
#include "eval/report.hpp"
#include "io/output.hpp"

#include <filesystem>

namespace {

std::string task_table() {
    std::string s;
    for (const auto &t : ts::eval::tasks())
        s += "  " + std::string(t.name) + std::string(10 - std::string(t.name).size(), ' ') +
             "ts-result " + t.result_id + "; JAMS " + t.namespaces + "; text: " + t.text + "\n";
    return s +
           "\nFrom the truth of ts-gen --truth: onsets, beats, tempo, key as written; notes from "
           "notes (Hz); melody the notes' frequency every 10 ms (0 between notes); segments and "
           "labels the silence spans labelled silence and the rest sound, as ts-analyze -a "
           "silence labels them. The first ts-result that --result matches is read (with "
           "pitch.f0, its companion pitch.voiced); ts-analyze's note values in MIDI become Hz.\n";
}

ts::cli::Spec spec();

struct Options {
    std::string reference, estimate, task, output = "-", result, reference_result;
    ts::eval::Settings settings;
    bool text = false;
    ts::cli::Verbosity verbosity;
};

int run(Options &o) {
    o.verbosity.apply();
    const auto task = *ts::eval::parse_task(o.task);
    namespace fs = std::filesystem;
    std::error_code ec;
    const bool ref_dir = fs::is_directory(o.reference, ec),
               est_dir = fs::is_directory(o.estimate, ec);
    if (ref_dir != est_dir)
        throw ts::UsageError("give two files or two folders, not a file and a folder");
    if (o.reference == "-" && o.estimate == "-")
        throw ts::UsageError("stdin (-) given for both the reference and the estimate");
    std::vector<ts::eval::Pair> pairs;
    int status = ts::exit_ok;
    if (ref_dir) {
        std::vector<std::string> unpaired, extra;
        pairs = ts::eval::pair_folders(o.reference, o.estimate, unpaired, extra);
        for (const auto &path : unpaired) {
            if (!ts::eval::annotation_like(path)) { // a corpus's index, not a reference
                ts::log::verbose(path + ": not an annotation, left alone");
                continue;
            }
            ts::log::error(path + ": no estimate of its stem in " + o.estimate);
            status = ts::exit_failure;
        }
        for (const auto &m : extra)
            ts::log::warning(m);
        if (pairs.empty())
            throw ts::Error("no pair of files of the same stem in " + o.reference + " and " +
                            o.estimate);
    } else {
        pairs.push_back({fs::path(o.estimate).filename().string(), o.reference, o.estimate});
    }

    ts::io::Output out(o.output, false);
    std::vector<ts::eval::Row> rows;
    std::string lines;
    nlohmann::json params = {{"task", o.task}};
    if (task == ts::eval::Task::onsets)
        params["window"] = o.settings.window;
    if (task == ts::eval::Task::melody)
        params["hop"] = o.settings.hop;
    auto emit = [&](const ts::eval::Scores &scores, const std::string &source, nlohmann::json p) {
        for (const auto &s : scores)
            ts::result::write_jsonl(ts::eval::score_result(task, s, source, p), ts::version(),
                                    lines);
    };
    for (const auto &pair : pairs) {
        ts::eval::Scores scores;
        std::string source;
        try {
            const auto ref = ts::eval::read_annotation(pair.reference, task, o.reference_result);
            const auto est = ts::eval::read_annotation(pair.estimate, task, o.result);
            try {
                scores = ts::eval::score(task, ref, est, o.settings);
            } catch (const ts::Error &e) { // name the pair the scores refuse
                throw ts::Error(pair.reference + " vs " + pair.estimate + ": " + e.what());
            }
            source = !est.source.empty() ? est.source : pair.estimate == "-" ? "" : pair.estimate;
        } catch (const ts::Error &e) {
            if (pairs.size() == 1)
                throw;
            ts::log::error(e.what()); // one bad pair of a corpus: the others are still scored
            status = ts::exit_failure;
            continue;
        }
        rows.push_back({pair.stem, scores});
        auto p = params;
        p["reference"] = pair.reference;
        p["estimate"] = pair.estimate;
        emit(scores, source, p);
    }
    if (ref_dir && !rows.empty()) {
        auto p = params;
        p["reference"] = o.reference;
        p["estimate"] = o.estimate;
        p["mean_of"] = rows.size();
        emit(ts::eval::mean_scores(rows), o.estimate, p);
    }
    out.write(o.text ? ts::eval::text_table(rows) : lines);
    out.commit();
    return status;
}

ts::cli::Spec spec() {
    return {
        "ts-eval",
        "score analysis results against references with mir_eval's definitions",
        {"[OPTIONS] -t TASK REFERENCE ESTIMATE", "[OPTIONS] -t TASK REFERENCE_DIR/ ESTIMATE_DIR/"},
        "Reads a REFERENCE (the truth) and an ESTIMATE (what an analyzer found) for one TASK, "
        "computes the task's scores as mir_eval 0.7 defines them, and writes one global "
        "ts-result per score (id eval.TASK.SCORE, see ts-result(5)), or with --text an "
        "aligned table. Each input may be ts-result JSON Lines (as ts-analyze writes it; the "
        "result is chosen by --result, or --reference-result for the reference, else the "
        "task's default id), a JAMS file (the first annotation of the task's namespaces; "
        "--result then chooses by namespace, or by the ts-result id that ts-serialize keeps in "
        "the annotation's sandbox), the truth JSON of ts-gen --truth, or text: one number a line "
        "(aubio's onsets and beats), "
        "TIME HZ pairs (aubiopitch), ONSET OFFSET HZ notes, or START END LABEL lines (lab files, "
        "Audacity label tracks). The layout is recognized from the content; - is stdin.\n\n"
        "Two folders score a corpus: their .jsonl, .json, .jams, .txt and .lab files (others, "
        "such as the audio, and JSON files that are not annotations, such as a corpus's index, are "
        "left alone) are paired by stem (the name up to its first "
        "'.'), so ref/song.jams goes with est/song.onsets.txt. A reference without its "
        "estimate is reported on stderr and the exit status is 1, but the pairs found are "
        "still scored; a pair that fails to read is reported likewise. An estimate without "
        "its reference gets a warning. The results of each pair carry its "
        "estimate's source; then come the means over the pairs, whose audio.source is the "
        "estimate folder and params.mean_of the count. --text prints a row per pair and a "
        "mean row.\n\n"
        "Scores are null (- in the table) where mir_eval's definition is undefined.",
        {{"Tasks", task_table()},
         {"Scores",
          "onsets: f_measure, precision, recall: estimates paired one to one with references "
          "within --window (50 ms) by a maximum bipartite matching (mir_eval.onset.f_measure; "
          "Dixon 2006, \"Onset detection revisited\").\n\n"
          "beats (every beat before 5 s left out of both, as mir_eval.beat.trim_beats): "
          "f_measure (70 ms window), cemgil and cemgil_best (Gaussian error of 40 ms; at the "
          "annotated metrical level, and the best of it, the off-beat, double and two half "
          "levels; Cemgil et al. 2001), goto (Goto & Muraoka 1997), p_score (McKinney et al. "
          "2007), cmlc, cmlt, amlc, amlt (continuity at the correct or any metrical level, 17.5 % "
          "phase and period tolerance; Hainsworth 2004, Klapuri et al. 2006): mir_eval.beat, "
          "after Davies, Degara & Plumbley 2009, \"Evaluation methods for musical audio beat "
          "tracking algorithms\".\n\n"
          "tempo: acc1 (the first estimated tempo within 4 % of the reference's; with two "
          "reference tempi, the one of larger weight) and acc2 (also within 4 % of 2, 3, 1/2 or "
          "1/3 times it; Gouyon et al. 2006, \"An experimental comparison of audio tempo "
          "induction algorithms\"); p_score, one_correct, both_correct "
          "(mir_eval.tempo.detection, 8 % tolerance, two reference tempi weighted w and 1 - w; "
          "McKinney et al. 2007). One reference tempo T stands for (T, 0) with weight 1; one "
          "estimate E for (E, E).\n\n"
          "melody: voicing_recall, voicing_false_alarm, raw_pitch_accuracy, "
          "raw_chroma_accuracy, overall_accuracy (mir_eval.melody.evaluate, 50 cents; Poliner et "
          "al. 2007, Salamon et al. 2014): the estimate resampled onto the reference's times "
          "(mir_eval's default), or both onto a grid of --hop seconds (0.01 for MIREX's 10 ms). "
          "A frequency of 0 or below is unvoiced; ts-result's pitch.voiced gives the voicing "
          "of pitch.f0 when present.\n\n"
          "notes: precision, recall, f_measure (onset within 50 ms, pitch within 50 cents, "
          "offset within 20 % of the note or 50 ms), and the same _no_offset "
          "(mir_eval.transcription, Bay, Ehmann & Downie 2009). MIDI note values of ts-analyze "
          "and JAMS note_midi are converted to Hz.\n\n"
          "key: weighted_score, 1 for the key, 0.5 its fifth, 0.3 the relative, 0.2 the "
          "parallel, else 0 (mir_eval.key.weighted_score, the MIREX key score).\n\n"
          "segments: precision, recall, f_measure of boundaries at 0.5 s and 3 s (suffixes _0_5 "
          "and _3; Turnbull et al. 2007), pairwise_precision, pairwise_recall, "
          "pairwise_f_measure (frames of 0.1 s; Levy & Sandler 2008), nce_over, nce_under, "
          "nce_f_measure (normalized conditional entropies; Lukashevich 2008): "
          "mir_eval.segment.evaluate, the estimate cut or padded to the reference's span.\n\n"
          "labels: accuracy, the fraction of the reference's duration where the estimate has "
          "the same label (case ignored), as mir_eval.chord.weighted_accuracy weighs chord "
          "comparisons over merged intervals; for silence, speech and music segmentations."}},
        {{"ts-analyze -a onsets song.wav | ts-eval -t onsets song.jams -",
          "score the onsets of song.wav against a JAMS annotation"},
         {"ts-gen demo --truth demo.json -o demo.wav && ts-analyze -a tempo demo.wav | ts-eval -t "
          "beats demo.json -",
          "the beat tracker against the demo's truth"},
         {"aubio onset song.wav > song.txt && ts-eval -t onsets --window 0.07 song.jams song.txt",
          "aubio's onsets, with a 70 ms window"},
         {"ts-eval -t onsets --text truth/ estimates/", "a corpus: a row per file and the mean"}},
        {},
        "ts-analyze(1), ts-gen(1), ts-serialize(1), ts-result(5)",
    };
}

} // namespace

int main(int argc, char **argv) {
    ts::cli::Tool tool(spec());
    Options o;
    auto &app = tool.app();
    std::vector<std::string> names;
    for (const auto &t : ts::eval::tasks())
        names.push_back(t.name);
    app.add_option("REFERENCE", o.reference, "the reference: a file, - for stdin, or a folder")
        ->required();
    app.add_option("ESTIMATE", o.estimate, "the estimate: a file, - for stdin, or a folder")
        ->required();
    app.add_option("-t,--task", o.task, "what to score (see Tasks)")
        ->required()
        ->check(CLI::IsMember(names))
        ->type_name("TASK");
    ts::cli::add_output(app, o.output, "the output file");
    app.add_option("--result", o.result,
                   "the estimate's ts-result id, a shell pattern [default: the task's]")
        ->type_name("ID");
    app.add_option("--reference-result", o.reference_result,
                   "the reference's ts-result id, when it is ts-result [default: the task's]")
        ->type_name("ID");
    app.add_option("--window", o.settings.window, "onsets: the matching window in seconds")
        ->default_val(0.05)
        ->check(CLI::Range(0.0, 10.0))
        ->type_name("S");
    app.add_option("--hop", o.settings.hop,
                   "melody: resample both contours to this step (0: the estimate onto the "
                   "reference's times)")
        ->default_val(0.0)
        ->check(CLI::Range(0.0, 1.0))
        ->type_name("S");
    app.add_flag("--text", o.text,
                 "write an aligned table (a row per file, and the mean) instead of ts-result");
    ts::cli::add_verbosity(app, o.verbosity);
    return tool.run(argc, argv, [&] { return run(o); });
}
