// Pairing files of two folders, and ts-eval's two outputs.
#include "eval/report.hpp"

#include "core/error.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>

namespace ts::eval {
namespace fs = std::filesystem;

namespace {

// The layouts read: a folder of audio and truth side by side pairs its truth only.
bool annotation_file(const std::string &name) {
    const auto dot = name.rfind('.');
    if (dot == std::string::npos)
        return false;
    std::string ext = name.substr(dot + 1);
    for (char &c : ext)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return ext == "jsonl" || ext == "json" || ext == "jams" || ext == "txt" || ext == "lab";
}

std::map<std::string, std::string> by_stem(const std::string &folder,
                                           std::vector<std::string> &unpaired) {
    std::map<std::string, std::string> out;
    std::error_code ec;
    fs::directory_iterator it(folder, ec), end;
    if (ec)
        throw Error(folder + ": " + ec.message());
    for (; it != end; it.increment(ec)) {
        if (ec)
            throw Error(folder + ": " + ec.message());
        const std::string name = it->path().filename().string();
        if (name.empty() || name[0] == '.' || !it->is_regular_file(ec) || !annotation_file(name))
            continue;
        const std::string stem = name.substr(0, name.find('.'));
        if (!out.emplace(stem, it->path().string()).second)
            unpaired.push_back(it->path().string() + ": a second file of stem " + stem +
                               " (ignored)");
    }
    return out;
}

} // namespace

std::vector<Pair> pair_folders(const std::string &references, const std::string &estimates,
                               std::vector<std::string> &unpaired,
                               std::vector<std::string> &extra) {
    const auto refs = by_stem(references, extra), ests = by_stem(estimates, extra);
    std::vector<Pair> pairs;
    for (const auto &[stem, path] : refs) {
        const auto e = ests.find(stem);
        if (e == ests.end())
            unpaired.push_back(path);
        else
            pairs.push_back({stem, path, e->second});
    }
    for (const auto &[stem, path] : ests)
        if (!refs.count(stem))
            extra.push_back(path + ": no reference of stem " + stem + " in " + references +
                            " (ignored)");
    return pairs;
}

result::Result score_result(Task task, const Score &score, const std::string &source,
                            const nlohmann::json &params) {
    result::Result r;
    const auto info = score_info(task, score.name);
    r.id = std::string("eval.") + task_info(task).name + "." + score.name;
    r.analyzer = "eval";
    r.name = info.name;
    r.unit = "";
    r.description = std::string(task_info(task).name) + " " + info.name + ", as " + info.source +
                    "; null when undefined for the input";
    r.time_mode = result::TimeMode::global;
    r.data_mode = result::DataMode::value;
    r.audio.source = source;
    r.audio.mix = "mono";
    r.params = params;
    r.tool = "ts-eval";
    r.value = {score.value};
    r.scalar = true;
    return r;
}

Scores mean_scores(const std::vector<Row> &rows) {
    Scores mean;
    if (rows.empty())
        return mean;
    mean = rows[0].scores;
    for (auto &s : mean)
        s.value = 0;
    for (const auto &row : rows)
        for (std::size_t i = 0; i < mean.size() && i < row.scores.size(); ++i)
            mean[i].value += row.scores[i].value;
    for (auto &s : mean)
        s.value /= static_cast<double>(rows.size());
    return mean;
}

std::string text_table(const std::vector<Row> &rows) {
    if (rows.empty())
        return "";
    std::vector<std::vector<std::string>> cells;
    std::vector<std::string> head{"file"};
    for (const auto &s : rows[0].scores)
        head.push_back(s.name);
    cells.push_back(head);
    auto line = [](const Row &row) {
        std::vector<std::string> c{row.name};
        for (const auto &s : row.scores) {
            char buf[32];
            if (std::isnan(s.value))
                std::snprintf(buf, sizeof buf, "-");
            else
                std::snprintf(buf, sizeof buf, "%.4f", s.value);
            c.push_back(buf);
        }
        return c;
    };
    for (const auto &row : rows)
        cells.push_back(line(row));
    if (rows.size() > 1)
        cells.push_back(line({"mean", mean_scores(rows)}));
    std::vector<std::size_t> width(head.size(), 0);
    for (const auto &c : cells)
        for (std::size_t i = 0; i < c.size() && i < width.size(); ++i)
            width[i] = std::max(width[i], c[i].size());
    std::string out;
    for (const auto &c : cells) {
        for (std::size_t i = 0; i < c.size(); ++i) {
            // The file name left-aligned, numbers right-aligned.
            const std::string pad(width[i] - c[i].size(), ' ');
            out += i == 0 ? c[i] + pad : "  " + pad + c[i];
        }
        while (!out.empty() && out.back() == ' ')
            out.pop_back();
        out += '\n';
    }
    return out;
}

} // namespace ts::eval
