// ts-serve: the REST API over the tools: a catalog of items, media with Range, renders.
#include "cli/groups.hpp"
#include "cli/tool.hpp"
#include "core/error.hpp"
#include "core/log.hpp"
#include "serve/app.hpp"
#include "serve/auth.hpp"
#include "serve/http.hpp"
#include "serve/jobs.hpp"
#include "serve/mounts.hpp"

#include <algorithm>
#include <cmath>
#include <iostream>

namespace {

ts::cli::Spec spec() {
    return {
        "ts-serve",
        "serve audio, its waveforms and renders over HTTP (a REST API)",
        {"--data DIR [--listen HOST:PORT] [OPTIONS]", "token create --data DIR [--user NAME] [--scope SCOPES]",
         "token revoke --data DIR TOKEN_ID",
         "mount add --data DIR [--owner NAME] [--public] NAME SRC OUT",
         "mount list --data DIR", "mount remove --data DIR NAME", "routes"},
        "Serves a catalog of audio items over HTTP/1.1 under /api/v1 (JSON; errors as "
        "application/problem+json, RFC 9457). Everything lives under the data folder DIR: the "
        "catalog (catalog.sqlite, SQLite in WAL mode, made on first start), the uploaded files "
        "(media/), cached derivatives and job outputs (derived/ITEM/), job logs (jobs/) and "
        "uploads in progress (tmp/, emptied at start). The work is done by the other tools, found beside ts-serve and run as child "
        "processes with argument lists, never through a shell: ts-info accepts an upload, "
        "ts-analyze makes peaks and min/max arrays, ts-graph images, ts-transcode downloads "
        "and clips.\n\n"
        "On start the server prints the URL it listens on as one line on stdout (with --listen "
        "HOST:0, the port the system chose) and logs one line per request on stderr (no query "
        "strings, no headers: tokens never reach the log). SIGINT or SIGTERM stops it after the "
        "requests in flight. It binds 127.0.0.1 by default: put a reverse proxy (nginx) in "
        "front for TLS and public access.\n\n"
        "Tokens: every route but /healthz, /api/v1/openapi.json, /api/v1/docs, "
        "/api/v1/session and the web player's (/player/) needs Authorization: Bearer TOKEN, or "
        "in a browser the session cookie (below). 'ts-serve token create' makes one (and its user, when "
        "new) and prints it once on stdout; only its SHA-256 is kept. 'ts-serve token revoke' takes "
        "effect at once, in a running server too (it appends to catalog.sqlite-changes, "
        "which the server checks at each request; tokens checked are otherwise kept in memory "
        "for 10 s). Scopes: read (GET), "
        "process (uploads, changes to items and collections, renders), annotate, admin (every "
        "object of every user; implies the others). Objects are readable by their owner, by "
        "admins, and by anyone with read scope when public; writable by their owner and admins. "
        "With --anonymous-reads, public objects are readable without a token.\n\n"
        "Browser sessions: POST /api/v1/session with {\"token\": \"...\"} (application/json) "
        "answers 204 with the cookie ts_session (HttpOnly, SameSite=Strict, Path=/; Secure with "
        "--secure-cookies, for a server reached through HTTPS): 256 random bits, kept in the "
        "catalog as SHA-256 with the token's user and scopes, for --session-hours or until the "
        "token expires or is revoked. A request signed in by the cookie other than GET or HEAD "
        "must carry the header X-TimeSide-Request: 1 (403 otherwise): another site cannot send "
        "it without a CORS preflight, which the server never grants. GET /api/v1/session names "
        "the session's user and scopes; DELETE signs out. Failed sign-ins are limited per "
        "client address (--sign-in-failures-per-minute; 429 with Retry-After); behind a proxy "
        "every client has the proxy's address, so limit sign-ins in the proxy too.\n\n"
        "Media: GET /api/v1/items/ID/media serves the original with Range (one range per "
        "request: 206, clamped to the end; 416 with Content-Range: bytes */SIZE for a range "
        "starting past the end; a malformed Range or several ranges are ignored and the whole "
        "file sent, 200). Peaks (.dat 8-bit and JSON, for peaks.js) and PNG images are made on "
        "first request and cached in derived/ITEM/; transcodes and clips are streamed as "
        "ts-transcode writes them and not cached. Renders and uploads are rate-limited per "
        "token owner (429 with Retry-After).\n\n"
        "Jobs: POST /api/v1/jobs queues analyses and renders over items or a collection (a "
        "preset, or analyzers with parameters checked against ts-analyze --list --json; outputs "
        "results, peaks, waveform, spectrogram) and answers 202 with a Location. --workers jobs "
        "run at once, each tool in a process group of its own with --job-timeout and "
        "--job-memory (an address-space limit), its messages in the job's log (jobs/ID.log). A job is queued, "
        "running, done, failed or canceled; DELETE cancels it (SIGTERM to the tool, which leaves "
        "no partial file; the job's outputs are removed). An identical request while the job is "
        "queued or running returns that job. GET /api/v1/jobs/ID/events streams its changes as "
        "server-sent events (at most --max-event-streams at once). Outputs are written by the "
        "tools' own -o, so none is ever half-written; the jobs a dead server left running are "
        "queued again at start, or failed after --job-attempts starts. At most "
        "--jobs-per-minute job requests per user and minute (429 with Retry-After).\n\n"
        "Slurm: a job with \"backend\": \"slurm\" (or every job that names none, with "
        "--job-backend slurm) is submitted with sbatch as an array, one task per item, each "
        "running the same tools with the same arguments as a local worker; the scripts and the "
        "files the tasks write are in jobs/ID.slurm/, read with squeue every --slurm-poll ms. "
        "DELETE runs scancel. A restarted server follows the Slurm jobs it had submitted. The "
        "data folder and the tools must be at the same paths on the nodes, and sbatch, squeue "
        "and scancel on PATH.\n\n"
        "Results: /api/v1/items/ID/results lists what the jobs found; each result comes in every "
        "ts-serialize format, as min/max series for a player lane, or as a ts-graph plot. "
        "Annotations: tracks of segments and points per item, with versions (ETag; PATCH and "
        "DELETE need If-Match: 428 without, 412 when stale), exported and imported through "
        "ts-serialize (Audacity, ELAN, JAMS, CSV, JSON Lines), seeded from a result.\n\n"
        "Web player: GET /player/ID is the player page for an item (HTML under a strict "
        "Content-Security-Policy), which reads the item, its media, peaks, spectrogram, results and "
        "annotations through the API with the session cookie, and offers a sign-in form when the "
        "item is not public. Its files come from --player-dir, else DATADIR/timeside/player of "
        "an installed ts-serve, else the source tree's web/player for the build tree's ts-serve; "
        "without a built player (dist/player.js) its routes answer 503.\n\n"
        "Index page: GET / serves a page listing the items and collections with search, each "
        "item linked to its player page, and the job queue kept live by GET "
        "/api/v1/jobs/events (server-sent events of every job the caller may see: created, "
        "then each change up to its end; Last-Event-ID resumes).\n\n"
        "Archives: 'ts-serve mount add NAME SRC OUT' mounts an archive read-only: SRC, a folder "
        "of recordings, and OUT, the folder archive.mk or ts-batch made from it. Every audio "
        "file under SRC (regular files only: a symbolic link is not followed) becomes an item "
        "of the collection NAME, with its facts from OUT/catalog.jsonl (or OUT/FILE.info.json); "
        "its media is read from SRC, and its results (OUT/FILE.jsonl), peaks (OUT/FILE.dat) and "
        "images (OUT/FILE.waveform.png, .spectrogram.png) from OUT, each opened beneath its "
        "folder, never copied. The server writes nothing there: renders with other parameters "
        "and job outputs go to the data folder, a DELETE of an archive item is refused (409), "
        "PATCH changes the catalog only. Item ids are derived from NAME and the file's name, so "
        "URLs stay the same. The server indexes every mount again at start; run 'mount add' "
        "again (the server may be running) after a new ts-batch run. 'mount remove' takes the "
        "items out of the catalog and leaves the folders as they are.\n\n"
        "The full API is in the OpenAPI 3.1 document served at /api/v1/openapi.json, readable "
        "at /api/v1/docs. 'ts-serve routes' prints the route table.",
        {},
        {{"ts-serve token create --data /srv/ts --user alice --scope admin",
          "make the first token (printed once)"},
         {"ts-serve --data /srv/ts", "serve on http://127.0.0.1:8080"},
         {"curl -H \"Authorization: Bearer $TOKEN\" --data-binary @song.flac "
          "'http://127.0.0.1:8080/api/v1/items?title=Song'",
          "upload a file: the body is the file itself (POST)"},
         {"curl -H \"Authorization: Bearer $TOKEN\" -r 0-99 http://127.0.0.1:8080/api/v1/items/ID/media",
          "the first 100 bytes"},
         {"curl -H \"Authorization: Bearer $TOKEN\" -d '{\"items\":[\"ID\"],\"preset\":\"music\"}' "
          "http://127.0.0.1:8080/api/v1/jobs",
          "analyze an item with the music preset (202, the job's Location)"}},
        {{0, "stopped by SIGINT or SIGTERM after serving, or a subcommand succeeded"},
         {1, "a runtime error: the data folder or catalog cannot be opened, the address "
             "cannot be bound, an unknown token id"},
         {2, "a usage error: an unknown option, a bad --listen, --scope or mount name"}},
        "ts-info(1), ts-analyze(1), ts-graph(1), ts-transcode(1), nginx(8)",
    };
}

struct Options {
    std::string data;
    std::string listen = "127.0.0.1:8080";
    int threads = 64;
    double max_upload_mb = 2048;
    bool anonymous_reads = false;
    double session_hours = 12;
    bool secure_cookies = false;
    double sign_in_failures = 10;
    std::string player_dir;
    double renders_per_minute = 120;
    double uploads_per_minute = 30;
    std::string user = "admin";
    std::string scopes = "admin";
    std::string label;
    std::string expires;
    std::string token_id;
    ts::serve::JobLimits jobs;
    std::string mount_name, mount_src, mount_out, mount_owner = "admin";
    bool mount_public = false;
    double job_memory_mb = 4096;
    std::string sbatch_args;
    bool import_urls = false, import_allow_http = false, import_allow_private = false;
    std::vector<std::string> providers;
    ts::cli::Verbosity verbosity;
};

ts::serve::Config config(const Options &o) {
    if (o.data.empty())
        throw ts::UsageError("--data DIR is required");
    ts::serve::Config c;
    c.data = o.data;
    const auto colon = o.listen.rfind(':');
    if (colon == std::string::npos || colon == 0)
        throw ts::UsageError("--listen: '" + o.listen + "' is not HOST:PORT");
    c.host = o.listen.substr(0, colon);
    if (c.host.size() > 2 && c.host.front() == '[' && c.host.back() == ']')
        c.host = c.host.substr(1, c.host.size() - 2);
    const std::string port = o.listen.substr(colon + 1);
    char *end = nullptr;
    const long p = std::strtol(port.c_str(), &end, 10);
    if (port.empty() || *end != '\0' || p < 0 || p > 65535)
        throw ts::UsageError("--listen: '" + port + "' is not a port (0 to 65535)");
    c.port = static_cast<int>(p);
    c.threads = o.threads;
    if (o.jobs.max_streams >= o.threads)
        throw ts::UsageError("--max-event-streams must be below --threads (" +
                             std::to_string(o.threads) + "): each stream holds a thread");
    c.max_upload = static_cast<std::uint64_t>(o.max_upload_mb * 1024 * 1024);
    c.anonymous_reads = o.anonymous_reads;
    c.session_ttl = std::max(1L, std::lround(o.session_hours * 3600));
    c.secure_cookies = o.secure_cookies;
    c.sign_in_failures_per_minute = o.sign_in_failures;
    if (o.player_dir.empty()) {
        c.player_dir = ts::serve::find_player_dir();
    } else {
        c.player_dir = o.player_dir;
        if (!std::filesystem::is_regular_file(c.player_dir / "dist" / "player.js"))
            throw ts::Error("--player-dir " + o.player_dir +
                            ": no dist/player.js there (build the player: npm run build in web/)");
    }
    c.sign_in_burst = std::max(1.0, std::min(10.0, o.sign_in_failures));
    c.renders_per_minute = o.renders_per_minute;
    c.uploads_per_minute = o.uploads_per_minute;
    // Bursts: half a minute's worth of renders (at most 30), 10 uploads, never above the rate.
    c.render_burst = std::max(1.0, std::min(30.0, o.renders_per_minute));
    c.upload_burst = std::max(1.0, std::min(10.0, o.uploads_per_minute));
    c.tools = ts::serve::exe_dir();
    c.import_urls = o.import_urls;
    c.import_allow_http = o.import_allow_http;
    c.import_allow_private = o.import_allow_private;
    for (const auto &p : o.providers) {
        const auto eq = p.find('=');
        if (eq == std::string::npos || eq == 0 || eq + 1 == p.size())
            throw ts::UsageError("--provider: '" + p + "' is not NAME=COMMAND");
        std::vector<std::string> argv;
        std::string word;
        for (char ch : p.substr(eq + 1) + " ") {
            if (ch == ' ') {
                if (!word.empty())
                    argv.push_back(word);
                word.clear();
            } else {
                word += ch;
            }
        }
        if (argv.empty() || argv[0].front() != '/')
            throw ts::UsageError("--provider: the command of '" + p.substr(0, eq) + "' must be an absolute path");
        c.providers[p.substr(0, eq)] = argv;
    }
    c.quiet = ts::log::level() == ts::log::Level::quiet;
    return c;
}

int serve(const Options &o) {
    ts::serve::App app(config(o));
    for (const auto &line : ts::serve::reindex_mounts(app.db(), app.cfg().data))
        ts::log::info(line);
    ts::serve::JobLimits limits = o.jobs;
    limits.memory = static_cast<std::uint64_t>(o.job_memory_mb * 1024 * 1024);
    limits.burst = std::max(1.0, std::min(10.0, o.jobs.per_minute));
    std::string word;
    for (char ch : o.sbatch_args + " ") {
        if (ch == ' ') {
            if (!word.empty())
                limits.sbatch_args.push_back(word);
            word.clear();
        } else {
            word += ch;
        }
    }
    ts::serve::JobRunner runner(app, limits);
    runner.start();
    const bool ok = ts::serve::serve(app, [](const std::string &url) {
        std::cout << url << std::endl; // one line, flushed: scripts and tests read it
        ts::log::info("listening on " + url);
    });
    if (!ok)
        throw ts::Error(o.listen + ": cannot listen (address in use, or not this machine's)");
    return ts::exit_ok;
}

int token_create(const Options &o) {
    const auto scopes = ts::serve::parse_scopes(o.scopes);
    if (!scopes)
        throw ts::UsageError("--scope: '" + o.scopes + "' is not a list of read, annotate, process, admin");
    const auto c = config(o);
    ts::serve::prepare_data(c.data, false);
    ts::serve::Db db(c.data / "catalog.sqlite");
    const auto t = ts::serve::create_token(db, o.user, *scopes, o.label, o.expires);
    std::cout << t.token << std::endl;
    ts::log::info("token " + t.id + " for " + o.user + " (" + ts::serve::format_scopes(*scopes) +
                  "); it is shown only now");
    return ts::exit_ok;
}

int token_revoke(const Options &o) {
    const auto c = config(o);
    ts::serve::Db db(c.data / "catalog.sqlite");
    if (!ts::serve::revoke_token(db, o.token_id))
        throw ts::Error(o.token_id + ": no such token, or already revoked");
    return ts::exit_ok;
}

int mount_add(const Options &o) {
    const auto c = config(o);
    ts::serve::prepare_data(c.data, false);
    ts::serve::Db db(c.data / "catalog.sqlite");
    const auto r = ts::serve::mount_archive(
        db, c.data, {o.mount_name, o.mount_src, o.mount_out, o.mount_owner, o.mount_public});
    for (const auto &s : r.skipped)
        ts::log::warning(o.mount_name + ": " + s);
    std::cout << ts::serve::Json{{"mount", o.mount_name},
                                 {"collection", r.collection},
                                 {"items", r.items},
                                 {"added", r.added},
                                 {"removed", r.removed},
                                 {"results", r.results},
                                 {"skipped", r.skipped.size()}}
                     .dump()
              << std::endl;
    return ts::exit_ok;
}

int mount_list(const Options &o) {
    const auto c = config(o);
    ts::serve::Db db(c.data / "catalog.sqlite");
    for (const auto &m : ts::serve::list_mounts(db))
        std::cout << ts::serve::Json{{"mount", m.name}, {"src", m.src}, {"out", m.out},
                                     {"owner", m.owner}, {"public", m.is_public},
                                     {"collection", m.collection}, {"items", m.items},
                                     {"indexed", m.indexed}}
                         .dump()
                  << "\n";
    return ts::exit_ok;
}

int mount_remove(const Options &o) {
    const auto c = config(o);
    ts::serve::Db db(c.data / "catalog.sqlite");
    if (!ts::serve::unmount(db, c.data, o.mount_name))
        throw ts::Error(o.mount_name + ": no such mount");
    return ts::exit_ok;
}

int routes(bool scopes) {
    for (const auto &r : ts::serve::routes()) {
        std::cout << r.method << " " << r.pattern;
        if (scopes)
            std::cout << " " << (r.scope == 0 ? "none" : ts::serve::format_scopes(r.scope));
        std::cout << "\n";
    }
    return ts::exit_ok;
}

} // namespace

int main(int argc, char **argv) {
    ts::cli::Tool tool(spec());
    Options o;
    auto &app = tool.app();
    app.add_option("--data", o.data, "the data folder (made if missing)")->type_name("DIR");
    app.add_option("--listen", o.listen, "address and port; port 0 picks a free one")
        ->type_name("HOST:PORT")
        ->capture_default_str();
    app.add_option("--threads", o.threads,
                   "requests served at once, at most (idle kept-alive connections wait without "
                   "a thread; 4 threads per core serve short requests, more start when long "
                   "ones hold them)")
        ->type_name("N")
        ->check(CLI::Range(1, 256))
        ->capture_default_str();
    app.add_option("--max-upload", o.max_upload_mb, "largest upload in MiB (413 above)")
        ->type_name("N")
        ->check(CLI::Range(0.001, 1e7))
        ->capture_default_str();
    app.add_option("--renders-per-minute", o.renders_per_minute,
                   "renders (peaks, images, min/max arrays, transcodes) per token owner and "
                   "minute, in bursts of up to 30 (at most N); 0: no limit")
        ->type_name("N")
        ->check(CLI::Range(0.0, 1e6))
        ->capture_default_str();
    app.add_option("--uploads-per-minute", o.uploads_per_minute,
                   "uploads per token owner and minute, in bursts of up to 10 (at most N); 0: no "
                   "limit")
        ->type_name("N")
        ->check(CLI::Range(0.0, 1e6))
        ->capture_default_str();
    app.add_option("--workers", o.jobs.workers, "jobs run at once")
        ->type_name("N")
        ->check(CLI::Range(1, 64))
        ->capture_default_str();
    app.add_option("--job-timeout", o.jobs.timeout,
                   "seconds one tool of a job may run for one item (then SIGTERM, SIGKILL 5 s "
                   "later)")
        ->type_name("S")
        ->check(CLI::Range(1, 7 * 86400))
        ->capture_default_str();
    app.add_option("--job-memory", o.job_memory_mb,
                   "address space of one tool of a job in MiB (RLIMIT_AS); 0: no limit")
        ->type_name("MIB")
        ->check(CLI::Range(0.0, 1e9))
        ->capture_default_str();
    app.add_option("--job-attempts", o.jobs.max_attempts,
                   "a job a stopped server left running is run again until it has been "
                   "started this many times, then failed")
        ->type_name("N")
        ->check(CLI::Range(1, 100))
        ->capture_default_str();
    app.add_option("--max-queued-jobs", o.jobs.max_queued,
                   "jobs queued or running per user (429 beyond)")
        ->type_name("N")
        ->check(CLI::Range(1, 100000))
        ->capture_default_str();
    app.add_option("--jobs-per-minute", o.jobs.per_minute,
                   "job requests (POST /api/v1/jobs) per token owner and minute, in bursts of up "
                   "to 10 (at most N); 0: no limit")
        ->type_name("N")
        ->check(CLI::Range(0.0, 1e6))
        ->capture_default_str();
    app.add_option("--job-backend", o.jobs.backend,
                   "where a job that names no backend runs: local (the worker pool) or slurm "
                   "(sbatch, one array task per item)")
        ->type_name("NAME")
        ->check(CLI::IsMember({"local", "slurm"}))
        ->capture_default_str()
        ->group("Slurm");
    app.add_option("--slurm-sbatch", o.sbatch_args,
                   "more sbatch arguments for the Slurm jobs (partition, account, time limit; "
                   "split on spaces, no shell)")
        ->type_name("ARGS")
        ->group("Slurm");
    app.add_option("--slurm-poll", o.jobs.slurm_poll_ms,
                   "milliseconds between two looks at the Slurm jobs (squeue and the files the "
                   "tasks write)")
        ->type_name("MS")
        ->check(CLI::Range(50, 600000))
        ->capture_default_str()
        ->group("Slurm");
    app.add_option("--max-event-streams", o.jobs.max_streams,
                   "job event streams open at once (429 beyond); each holds a request thread, "
                   "so keep it below --threads")
        ->type_name("N")
        ->check(CLI::Range(1, 1024))
        ->capture_default_str();
    app.add_flag("--anonymous-reads", o.anonymous_reads,
                 "let requests without a token read public items and collections");
    app.add_option("--session-hours", o.session_hours,
                   "lifetime of a browser session (POST /api/v1/session), at most its token's")
        ->type_name("H")
        ->check(CLI::Range(0.001, 24.0 * 365))
        ->capture_default_str()
        ->group("Browser sessions");
    app.add_flag("--secure-cookies", o.secure_cookies,
                 "mark the session cookie Secure: set it when clients reach the server through "
                 "HTTPS (a TLS proxy in front)")
        ->group("Browser sessions");
    app.add_option("--sign-in-failures-per-minute", o.sign_in_failures,
                   "failed sign-ins per client address and minute, in bursts of up to 10 (at "
                   "most N); beyond, 429; 0: no limit")
        ->type_name("N")
        ->check(CLI::Range(0.0, 1e6))
        ->capture_default_str()
        ->group("Browser sessions");
    app.add_option("--player-dir", o.player_dir,
                   "the built web player served at /player/ (index.html, player.css, dist/, "
                   "vendor/); by default DATADIR/timeside/player, or the source tree's web/player "
                   "for the build tree's ts-serve")
        ->type_name("DIR")
        ->group("Web player");
    app.add_flag("--import-urls", o.import_urls,
                 "let POST /api/v1/items/import fetch https URLs (public addresses only)")
        ->group("Imports");
    app.add_flag("--import-allow-http", o.import_allow_http, "plain http URLs as well")->group("Imports");
    app.add_flag("--import-allow-private", o.import_allow_private,
                 "loopback and private addresses as well (for tests; never on a shared host)")
        ->group("Imports");
    app.add_option("--provider", o.providers,
                   "a provider for imports: NAME=/ABS/COMMAND ARGS (split on spaces, no shell); "
                   "run with -- URL after its arguments, its stdout is the media (yt-dlp style); "
                   "repeatable")
        ->type_name("NAME=COMMAND")
        ->group("Imports");
    ts::cli::add_verbosity(tool, o.verbosity);
    app.fallthrough();
    auto *token = app.add_subcommand("token", "manage tokens (create, revoke)");
    token->require_subcommand(1);
    auto *create = token->add_subcommand("create", "make a token (and its user), print it once");
    create->add_option("--user", o.user, "the user's name (made if new)")->capture_default_str();
    create->add_option("--scope", o.scopes, "scopes: read, annotate, process, admin (comma-separated)")
        ->type_name("SCOPES")
        ->capture_default_str();
    create->add_option("--label", o.label, "a note kept with the token");
    create->add_option("--expires", o.expires, "expiry as RFC 3339 UTC (2027-01-01T00:00:00Z)")
        ->type_name("TIME");
    auto *revoke = token->add_subcommand("revoke", "revoke a token by its id");
    revoke->add_option("TOKEN_ID", o.token_id, "the token's id")->required();
    auto *mount = app.add_subcommand("mount", "mount archives read-only (add, list, remove)");
    mount->require_subcommand(1);
    auto *madd = mount->add_subcommand(
        "add", "mount (or index again) an archive: SRC's recordings, OUT's outputs; prints a JSON summary");
    madd->add_option("NAME", o.mount_name, "the mount's name (letters, digits, - _ .): its collection's title")
        ->required();
    madd->add_option("SRC", o.mount_src, "the folder of recordings")->required();
    madd->add_option("OUT", o.mount_out, "the folder archive.mk or ts-batch made from SRC")->required();
    madd->add_option("--owner", o.mount_owner, "the user owning its items (made if new)")
        ->type_name("NAME")
        ->capture_default_str();
    madd->add_flag("--public", o.mount_public, "its items and collection readable by every reader");
    auto *mlist = mount->add_subcommand("list", "print the mounts, one JSON object per line");
    auto *mremove = mount->add_subcommand("remove", "take a mount's items out of the catalog (the folders stay)");
    mremove->add_option("NAME", o.mount_name, "the mount's name")->required();
    auto *list = app.add_subcommand("routes", "print the route table (METHOD PATH per line)");
    bool with_scopes = false;
    list->add_flag("--scopes", with_scopes, "add the scope each route needs (none: no token)");
    return tool.run(argc, argv, [&] {
        if (*list)
            return routes(with_scopes);
        if (*create)
            return token_create(o);
        if (*revoke)
            return token_revoke(o);
        if (*madd)
            return mount_add(o);
        if (*mlist)
            return mount_list(o);
        if (*mremove)
            return mount_remove(o);
        return serve(o);
    });
}
