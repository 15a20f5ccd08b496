// Media: the original with Range, peaks (.dat, JSON), min/max arrays, PNG renders, transcodes
// and clips. What is cached (derived/ID/, the artifacts table): peaks and images, keyed by
// their options. Transcodes, clips and min/max arrays are streamed or computed per request.
#include "core/log.hpp"
#include "serve/app.hpp"
#include "serve/db.hpp"
#include "serve/items.hpp"
#include "serve/paths.hpp"
#include "serve/problem.hpp"
#include "serve/process.hpp"
#include "serve/routes.hpp"

#include <openssl/evp.h>

#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <unordered_map>
#include <sys/stat.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace ts::serve {
namespace {

Item readable(App &app, const Request &req) {
    auto it = find_readable(app, req.principal, req.param("id"));
    if (!it)
        throw HttpError(404, "no such item");
    return *it;
}

std::string number(double x) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.17g", x);
    return buf;
}

std::string short_hash(const std::string &s) {
    // The same few option strings come again and again (a player's peaks, its images).
    thread_local std::unordered_map<std::string, std::string> known;
    if (auto it = known.find(s); it != known.end())
        return it->second;
    if (known.size() >= 64)
        known.clear();
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    EVP_Digest(s.data(), s.size(), md, &len, EVP_sha256(), nullptr);
    static const char hex[] = "0123456789abcdef";
    std::string out;
    for (unsigned i = 0; i < 8; ++i) {
        out += hex[md[i] >> 4];
        out += hex[md[i] & 15];
    }
    known.emplace(s, out);
    return out;
}

// Derivatives being made: a second request for one waits for the first's file rather than
// making it again (the player's first view and the background render, say).
struct InFlight {
    std::mutex mutex;
    std::condition_variable done;
    std::set<std::string> files;
};

InFlight &in_flight() {
    static InFlight f;
    return f;
}

// A cached derivative's file: made by argv (whose "{out}" is replaced by the file's path)
// when missing. before_make runs first then (the rate limit); `who` names the asker in the
// log. The tools write -o atomically, so a file that exists is complete.
fs::path make_artifact(App &app, const Item &it, const std::string &kind, const std::string &ext,
                       const std::string &options, Argv argv, const std::string &who,
                       const std::function<void()> &before_make) {
    const std::string hash = short_hash(options);
    const fs::path rel = fs::path("derived") / it.id / (kind + "-" + hash + "." + ext);
    const fs::path file = app.cfg().data / rel;
    std::error_code ec;
    if (fs::exists(file, ec))
        return file;
    InFlight &f = in_flight();
    {
        std::unique_lock l(f.mutex);
        f.done.wait_for(l, std::chrono::seconds(app.cfg().tool_timeout),
                        [&] { return f.files.count(file.string()) == 0; });
        if (fs::exists(file, ec))
            return file;
        f.files.insert(file.string());
    }
    struct Release {
        InFlight &f;
        std::string file;
        ~Release() {
            {
                std::lock_guard g(f.mutex);
                f.files.erase(file);
            }
            f.done.notify_all();
        }
    } release{f, file.string()};
    if (before_make)
        before_make();
    fs::create_directories(file.parent_path(), ec);
    for (auto &a : argv)
        if (a == "{out}")
            a = file.string();
    const RunResult r = run(argv, app.cfg().tool_timeout);
    if (r.status != 0 || !fs::exists(file, ec)) {
        log::error(who + ": " + argv[0] + " failed (" + std::to_string(r.status) + "): " +
                   r.err.substr(0, 500));
        throw HttpError(500, kind + " could not be made; the server's log names " + who);
    }
    auto lock = app.db().lock();
    Stmt st(app.db(), "INSERT OR REPLACE INTO artifacts(item_id, kind, options_hash, options, "
                      "path, size, cache, created, last_used) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
                      "1, ?7, ?7)");
    st.bind(1, it.id).bind(2, kind).bind(3, hash).bind(4, options).bind(5, rel.string());
    st.bind(6, static_cast<std::int64_t>(fs::file_size(file, ec))).bind(7, now_utc()).run();
    return file;
}

// A cached derivative, made when missing (make_artifact), then served like the original.
void send_artifact(App &app, const Request &req, Response &res, const Item &it,
                   const std::string &kind, const std::string &ext, const std::string &mime,
                   const std::string &options, Argv argv) {
    const fs::path file = make_artifact(app, it, kind, ext, options, std::move(argv),
                                        "request " + req.id, [&] { rate_limit_renders(app, req); });
    // ETag: the item and the file's name, KIND-HASH
    send_file(req, res, file, mime, "\"" + it.id.substr(0, 8) + "-" + file.stem().string() + "\"");
}

void media(App &app, Request &req, Response &res) {
    const Item it = readable(app, req);
    const std::string etag = "\"" + (it.sha1 ? *it.sha1 : std::to_string(it.size)) + "\"";
    res.set_header("Content-Disposition", "inline");
    send_fd(req, res, open_media(app, it), it.mime, etag);
}

// An archive item's own output (OUT/NAME.dat, .waveform.png, ...) when the request asks for
// what the archive made (no parameter among `params`): served from the archive as it is.
bool send_archive_output(const Request &req, Response &res, const Item &it,
                         const std::string &suffix, const std::string &mime,
                         std::initializer_list<const char *> params) {
    if (!it.archived())
        return false;
    for (const char *p : params)
        if (req.query(p))
            return false;
    const int fd = open_archive_output(it, suffix);
    if (fd < 0)
        return false;
    if (suffix == ".dat") {
        // audiowaveform's header: version, then flags whose bit 0 marks 8-bit data, the only
        // kind peaks.js reads; an archive made with DAT_BITS=16 is rendered here instead.
        unsigned char head[8] = {};
        if (::pread(fd, head, sizeof head, 0) != static_cast<ssize_t>(sizeof head) || (head[4] & 1) == 0) {
            ::close(fd);
            return false;
        }
    }
    struct stat st {};
    ::fstat(fd, &st);
    const std::string etag = "\"" + it.id.substr(0, 8) + "-archive" + suffix + "-" +
                             std::to_string(st.st_size) + "-" +
                             std::to_string(static_cast<long long>(st.st_mtim.tv_sec)) + "\"";
    send_fd(req, res, fd, mime, etag);
    return true;
}

int pixels_per_second(const Request &req, const Item &it) {
    const double rate = static_cast<double>(it.rate.value_or(48000));
    return static_cast<int>(query_number(req, "pixels_per_second", 100, 1, std::min(1000.0, rate)));
}

// The 8-bit peaks.dat at pps pixels a second: its options and the command that makes it.
std::string peaks_options(int pps) { return "pps=" + std::to_string(pps) + " bits=8"; }

Argv peaks_argv(App &app, const Item &it, int pps) {
    return {app.tool("ts-analyze"), "--quiet", "-a", "waveform", "-p",
            "waveform.pixels_per_second=" + std::to_string(pps), "-f", "dat", "--bits",
            "8", media_path(app, it).string(), "-o", "{out}"};
}

void peaks_dat(App &app, Request &req, Response &res) {
    const Item it = readable(app, req);
    if (send_archive_output(req, res, it, ".dat", "application/octet-stream", {"pixels_per_second"}))
        return;
    const int pps = pixels_per_second(req, it);
    send_artifact(app, req, res, it, "peaks", "dat", "application/octet-stream",
                  peaks_options(pps), peaks_argv(app, it, pps));
}

void peaks_json(App &app, Request &req, Response &res) {
    const Item it = readable(app, req);
    const int pps = pixels_per_second(req, it);
    send_artifact(app, req, res, it, "peaks", "json", "application/json",
                  "pps=" + std::to_string(pps) + " bits=8 json",
                  {app.tool("ts-analyze"), "--quiet", "-a", "waveform", "-p",
                   "waveform.pixels_per_second=" + std::to_string(pps), "-f",
                   "audiowaveform-json", "--bits", "8", media_path(app, it).string(),
                   "-o", "{out}"});
}

struct Span {
    double start = 0, end = 0;
};

// start and end (seconds) within the item; end defaults to its duration.
Span span(const Request &req, const Item &it) {
    const double duration = it.duration.value_or(0);
    Span s;
    s.start = query_number(req, "start", 0, 0, std::max(0.0, duration));
    s.end = query_number(req, "end", duration, 0, std::max(0.0, duration));
    if (!(s.end > s.start))
        throw HttpError(400, "end must be after start, within the item's " + number(duration) + " s");
    return s;
}

void image(App &app, Request &req, Response &res, const std::string &kind) {
    const Item it = readable(app, req);
    if (send_archive_output(req, res, it, "." + kind + ".png", "image/png",
                            {"width", "height", "start", "end"}))
        return;
    const int w = static_cast<int>(query_number(req, "width", 1200, 16, 4000));
    const int h = static_cast<int>(query_number(req, "height", kind == "waveform" ? 300 : 400, 16, 2000));
    Argv argv{app.tool("ts-graph"), kind, "--quiet", "-W", std::to_string(w), "-H", std::to_string(h)};
    std::string options = "w=" + std::to_string(w) + " h=" + std::to_string(h);
    if (req.query("start") || req.query("end")) {
        const Span s = span(req, it);
        argv.insert(argv.end(), {"--start", number(s.start), "--end", number(s.end)});
        options += " start=" + number(s.start) + " end=" + number(s.end);
    }
    argv.insert(argv.end(), {media_path(app, it).string(), "-o", "{out}"});
    send_artifact(app, req, res, it, kind, "png", "image/png", options, argv);
}

void waveform_png(App &app, Request &req, Response &res) { image(app, req, res, "waveform"); }
void spectrogram_png(App &app, Request &req, Response &res) { image(app, req, res, "spectrogram"); }

// Min/max pairs over [start, end): at most `points` buckets and never more than the frames.
void waveform_json(App &app, Request &req, Response &res) {
    const Item it = readable(app, req);
    const Span s = span(req, it);
    const int points = static_cast<int>(query_number(req, "points", 1000, 1, 20000));
    const double rate = static_cast<double>(it.rate.value_or(0));
    if (rate <= 0)
        throw HttpError(409, "the item's sample rate is not known");
    const auto frames = static_cast<std::int64_t>(std::llround((s.end - s.start) * rate));
    if (frames < 1)
        throw HttpError(400, "the span holds no sample");
    const std::int64_t spp = std::max<std::int64_t>(1, (frames + points - 1) / points);
    rate_limit_renders(app, req);
    Pipeline pipe({{app.tool("ts-decode"), "--quiet", "--start", number(s.start), "--duration",
                    number(s.end - s.start), "--", media_path(app, it).string()},
                   {app.tool("ts-analyze"), "--quiet", "-a", "waveform", "-p",
                    "waveform.samples_per_pixel=" + std::to_string(spp), "-"}});
    std::string out;
    char buf[65536];
    ssize_t n = 0;
    while ((n = pipe.read(buf, sizeof buf, app.cfg().tool_timeout)) > 0 && out.size() < (64u << 20))
        out.append(buf, static_cast<std::size_t>(n));
    const bool ok = n == 0 && pipe.wait();
    Json result;
    if (ok) {
        try {
            result = Json::parse(out.substr(0, out.find('\n')));
        } catch (const std::exception &) {
        }
    }
    if (!result.is_object() || !result["data"]["value"].is_array()) {
        log::error("request " + req.id + ": ts-decode | ts-analyze waveform failed: " + pipe.err().substr(0, 500));
        throw HttpError(500, "the waveform could not be computed; the server's log names request " + req.id);
    }
    Json j;
    j["start"] = s.start;
    j["end"] = s.end;
    j["rate"] = rate;
    j["samples_per_point"] = spp;
    Json mins = Json::array(), maxs = Json::array();
    for (const auto &pair : result["data"]["value"]) {
        if (pair.is_array() && pair.size() >= 2) {
            mins.push_back(pair[0]);
            maxs.push_back(pair[1]);
        }
    }
    j["points"] = mins.size();
    j["min"] = mins;
    j["max"] = maxs;
    send_json(req, res, j);
}

struct Format {
    const char *name, *mime;
    bool seekable; // the muxer completes its header at the end: written to a file first
};
const Format formats[] = {{"wav", "audio/wav", true},   {"aiff", "audio/aiff", true},
                          {"flac", "audio/flac", false}, {"mp3", "audio/mpeg", false},
                          {"ogg", "audio/ogg", false},   {"opus", "audio/ogg", false},
                          {"m4a", "audio/mp4", true},    {"aac", "audio/aac", false},
                          {"webm", "audio/webm", false}};

// A format that needs a seekable output: made in tmp/, opened, unlinked, served from the
// open file (with Range), so nothing is left behind whatever happens next.
void send_made_file(App &app, const Request &req, Response &res, Argv argv, const Format &fmt,
                    const Item &it) {
    const fs::path tmp = app.tmp_dir() / ("render-" + random_uuid() + "." + fmt.name);
    argv.insert(argv.end() - 2, {"-o", tmp.string()});
    const RunResult r = run(argv, app.cfg().tool_timeout);
    if (r.status != 0) {
        std::error_code ec;
        fs::remove(tmp, ec);
        log::error("request " + req.id + ": ts-transcode failed: " + r.err.substr(0, 500));
        throw HttpError(500, "the transcode failed; the server's log names request " + req.id);
    }
    struct Unlink {
        fs::path p;
        ~Unlink() {
            std::error_code ec;
            fs::remove(p, ec);
        }
    } unlink{tmp};
    send_file(req, res, tmp, fmt.mime, "\"" + short_hash(tmp.string()) + "\"");
    res.set_header("Content-Disposition", std::string("attachment; filename=\"") + it.id + "." + fmt.name + "\"");
}

// ts-transcode to stdout, streamed as it is made (chunked). start/end (seconds) or
// start_frame/end_frame (frames at the item's rate) cut a clip, exact to the frame.
void download(App &app, Request &req, Response &res) {
    const Item it = readable(app, req);
    const Format *fmt = nullptr;
    for (const auto &f : formats)
        if (req.param("format") == f.name)
            fmt = &f;
    if (!fmt)
        throw HttpError(404, "no such format; the formats are wav aiff flac mp3 ogg opus m4a aac webm");
    Argv argv{app.tool("ts-transcode"), "--quiet", "-f", fmt->name};
    if (auto b = req.query("bitrate"))
        argv.insert(argv.end(), {"--bitrate", std::to_string(static_cast<int>(query_number(req, "bitrate", 128, 8, 512)))});
    const double rate = static_cast<double>(it.rate.value_or(0));
    if (req.query("start_frame") || req.query("end_frame")) {
        const double total = static_cast<double>(it.frames.value_or(0));
        if (rate <= 0 || total <= 0)
            throw HttpError(409, "the item's length in frames is not known; use start and end");
        const double a = std::floor(query_number(req, "start_frame", 0, 0, total));
        const double b = std::floor(query_number(req, "end_frame", total, 0, total));
        if (!(b > a))
            throw HttpError(400, "end_frame must be after start_frame");
        // ts-transcode starts at round(start * rate) and keeps round(duration * rate)
        // frames: 17 significant digits make both exact.
        argv.insert(argv.end(), {"--start", number(a / rate), "--duration", number((b - a) / rate)});
    } else if (req.query("start") || req.query("end")) {
        const Span s = span(req, it);
        argv.insert(argv.end(), {"--start", number(s.start), "--duration", number(s.end - s.start)});
    }
    argv.insert(argv.end(), {"--", media_path(app, it).string()});
    if (req.raw.method == "HEAD" && !fmt->seekable) {
        // The length is not known before the transcode: headers only, no work started.
        res.status = 200;
        res.set_chunked_content_provider(fmt->mime, [](std::size_t, httplib::DataSink &) { return false; });
        return;
    }
    rate_limit_renders(app, req);
    if (fmt->seekable)
        return send_made_file(app, req, res, argv, *fmt, it);
    auto pipe = std::make_shared<Pipeline>(std::vector<Argv>{argv});
    const int timeout = app.cfg().tool_timeout;
    const std::string id = req.id;
    res.status = 200;
    res.set_header("Content-Disposition", std::string("attachment; filename=\"") + it.id + "." + fmt->name + "\"");
    res.set_chunked_content_provider(
        fmt->mime,
        [pipe, timeout, id](std::size_t, httplib::DataSink &sink) {
            char buf[65536];
            const ssize_t n = pipe->read(buf, sizeof buf, timeout);
            if (n > 0)
                return sink.write(buf, static_cast<std::size_t>(n));
            if (n == 0 && pipe->wait()) {
                sink.done();
                return true;
            }
            // A failed transcode: the chunked body ends without its last chunk, so the
            // client sees an incomplete response, never a file that looks whole.
            log::error("request " + id + ": ts-transcode failed: " + pipe->err().substr(0, 500));
            return false;
        });
}

} // namespace

void prerender_peaks(App &app, const std::string &item_id) {
    Principal admin;
    admin.scopes = scope_admin;
    const auto it = find_readable(app, admin, item_id);
    if (!it || it->archived())
        return; // gone already, or an archive item, whose OUT has its own .dat
    try {
        make_artifact(app, *it, "peaks", "dat", peaks_options(100), peaks_argv(app, *it, 100),
                      "item " + item_id, nullptr);
    } catch (...) {
        if (find_readable(app, admin, item_id))
            throw;
    }
    // Deleted while it was rendered: nothing of it stays.
    if (!find_readable(app, admin, item_id)) {
        std::error_code ec;
        fs::remove_all(app.derived_dir() / item_id, ec);
    }
}

void add_media_routes(std::vector<Route> &r) {
    r.push_back({"GET", "/api/v1/items/{id}/media", scope_read, false, media});
    r.push_back({"GET", "/api/v1/items/{id}/peaks.dat", scope_read, false, peaks_dat});
    r.push_back({"GET", "/api/v1/items/{id}/peaks.json", scope_read, false, peaks_json});
    r.push_back({"GET", "/api/v1/items/{id}/waveform", scope_read, false, waveform_json});
    r.push_back({"GET", "/api/v1/items/{id}/waveform.png", scope_read, false, waveform_png});
    r.push_back({"GET", "/api/v1/items/{id}/spectrogram.png", scope_read, false, spectrogram_png});
    r.push_back({"GET", "/api/v1/items/{id}/download/{format}", scope_read, false, download});
}

} // namespace ts::serve
