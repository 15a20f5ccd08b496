// Archives mounted read-only: a SRC folder of recordings and the OUT folder archive.mk (or
// ts-batch, or the Slurm scripts) made from it, indexed as items of one collection. The
// server reads both and writes neither: an item's media is SRC/NAME, its outputs OUT/NAME.jsonl,
// .dat, .waveform.png and .spectrogram.png, each opened beneath its folder.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace ts::serve {

class Db;

struct MountSpec {
    std::string name;            // the collection's title; part of every item's id
    std::filesystem::path src, out;
    std::string owner = "admin"; // a user name (made if new)
    bool is_public = false;      // its items and collection readable by every reader
};

struct MountReport {
    std::string id, collection;
    std::int64_t items = 0;   // audio files indexed
    std::int64_t added = 0;   // new since the last indexing
    std::int64_t removed = 0; // gone from SRC since
    std::int64_t results = 0; // with a results file in OUT
    std::vector<std::string> skipped; // names not indexed (a link leading out, an unsafe name)
};

// Records the mount (or updates its folders, owner and public flag) and indexes it: every
// audio file under SRC (archive.mk's extensions, any case), with its facts from
// OUT/catalog.jsonl or OUT/NAME.info.json; items of files gone from SRC leave the catalog
// (with their cached renders under data/derived). Titles, descriptions, tags and public
// flags changed through the API are kept. Item ids are name-based UUIDs of the mount's
// name and the file's name, so URLs stay the same across indexings. Throws ts::Error for a
// name or folder that cannot be mounted.
MountReport mount_archive(Db &db, const std::filesystem::path &data, const MountSpec &spec);

struct MountInfo {
    std::string id, name, src, out, owner, collection, indexed;
    bool is_public = false;
    std::int64_t items = 0;
};
std::vector<MountInfo> list_mounts(Db &db);

// Indexes every mount again (the server does at start). Returns one line per mount.
std::vector<std::string> reindex_mounts(Db &db, const std::filesystem::path &data);

// Removes a mount from the catalog: its items, their annotations and renders, its
// collection. The archive is not touched. False when there is no such mount.
bool unmount(Db &db, const std::filesystem::path &data, const std::string &name);

} // namespace ts::serve
