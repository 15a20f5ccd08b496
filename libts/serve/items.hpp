// Items in the catalog: what one is, who may see or change it (decided in the SQL query).
#pragma once

#include "serve/auth.hpp"
#include "serve/http.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace ts::serve {

class App;

struct Item {
    std::string id, owner_id, owner, title, description, filename, media, mime, origin;
    std::string created, updated;
    std::vector<std::string> tags;
    bool is_public = false;
    std::int64_t size = 0;
    std::optional<std::string> sha1;
    std::optional<double> duration;
    std::optional<std::int64_t> rate, channels, frames;
    std::int64_t seq = 0; // rowid: the pagination cursor
    // An archive item (mounted read-only): the mount's name and folders, and the file's
    // name under SRC (its outputs are OUT/NAME.jsonl, .dat, ...).
    std::optional<std::string> mount;
    std::string mount_id, mount_path;
    std::filesystem::path mount_src, mount_out;
    bool archived() const { return mount.has_value(); }
};

// The item if p may read it (owner, admin, or public); otherwise nothing (a 404: whether a
// private item exists is not told).
std::optional<Item> find_readable(App &app, const Principal &p, const std::string &id);

// The item if p may change it; 404 when p cannot read it, 403 when p can read but not write.
Item find_writable(App &app, const Principal &p, const std::string &id);

struct ItemFilter {
    std::optional<std::string> collection, text, tag, owner;
    std::int64_t after = 0; // cursor: items with a larger seq
    int limit = 50;
};

// Readable items matching the filter, in upload order, at most limit + 1 (the extra one says
// that there is a next page).
std::vector<Item> list_items(App &app, const Principal &p, const ItemFilter &f);

Json item_json(const Item &item);

// The item's media, opened for reading: an upload from the data folder, an archive item
// beneath its mount's SRC (never through a link leading out of it). 404 when missing.
int open_media(App &app, const Item &it);
// The media's path for a tool to read, checked the same way (404 when missing or leading out).
std::filesystem::path media_path(App &app, const Item &it);
// An archive item's output OUT/NAME+suffix (".dat", ".waveform.png", ".jsonl"), opened
// beneath OUT; -1 when there is none; 404 when it is a link leading out of OUT.
int open_archive_output(const Item &it, const std::string &suffix);

// A temporary file in the data folder's tmp/, removed unless released (keep).
struct TmpFile {
    std::filesystem::path path;
    int fd = -1;
    bool keep = false;
    TmpFile() = default;
    TmpFile(const TmpFile &) = delete;
    TmpFile &operator=(const TmpFile &) = delete;
    ~TmpFile();
};

// Accepts a complete upload or download in tmp (closed or not) as item id: ts-info must read
// it as audio (415 otherwise), then it is renamed into media/ and recorded. Returns the item.
// sha1: the file's, when known (hashed as it was received); else ts-info hashes it.
Json accept_file(App &app, const Principal &p, TmpFile &tmp, const std::string &id,
                 std::uint64_t length, const std::string &title, const std::string &filename,
                 bool is_public, const std::string &origin, const std::string &sha1 = "");

// A ts-result line as the API serves it: the item's media URL in audio.source (and in the
// history lines naming the same file) instead of the server's path. In routes_results.cpp.
Json public_result(Json result, const Item &it);

// The MIME type of a media file from what ts-info found in it (container, codec), not from
// what a client said; application/octet-stream when none fits. In routes_items.cpp.
std::string media_mime(const std::string &container, const std::string &codec);

// 400 unless s is a UUID; used on every {id} before any query.
void check_id(const std::string &s, const char *what);

} // namespace ts::serve
