// elan: an ELAN annotation document (.eaf), one tier per result.
#include "serialize/labels.hpp"

#include "core/error.hpp"

#include <algorithm>
#include <cmath>
#include <ctime>
#include <regex>
#include <unistd.h>

namespace ts::serialize {
namespace {

using result::DataMode;
using result::Result;
using result::TimeMode;

// A file:// URL for a path (absolute, percent-encoded); a URL as it is.
std::string media_url(const std::string &source) {
    if (source.empty() || source.find("://") != std::string::npos)
        return source;
    std::string path = source;
    if (path[0] != '/') {
        char cwd[4096];
        if (::getcwd(cwd, sizeof cwd))
            path = std::string(cwd) + "/" + (path.rfind("./", 0) == 0 ? path.substr(2) : path);
    }
    std::string url = "file://";
    for (unsigned char c : path) {
        if (std::isalnum(c) || std::strchr("/._~-", c)) {
            url += static_cast<char>(c);
        } else {
            char buf[4];
            std::snprintf(buf, sizeof buf, "%%%02X", c);
            url += buf;
        }
    }
    return url;
}

std::string mime_of(const std::string &source) {
    std::string ext = source.substr(source.find_last_of('.') == std::string::npos ? source.size() : source.find_last_of('.') + 1);
    for (auto &c : ext)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (ext == "wav") return "audio/x-wav";
    if (ext == "mp3") return "audio/mpeg";
    if (ext == "flac") return "audio/flac";
    if (ext == "ogg" || ext == "oga") return "audio/ogg";
    if (ext == "aif" || ext == "aiff") return "audio/x-aiff";
    if (ext == "m4a" || ext == "mp4") return "audio/mp4";
    return "audio/*";
}

std::string iso_date() {
    std::time_t t = std::time(nullptr);
    if (const char *e = std::getenv("SOURCE_DATE_EPOCH"); e && *e)
        t = static_cast<std::time_t>(std::strtoll(e, nullptr, 10));
    std::tm tm{};
    ::gmtime_r(&t, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S+00:00", &tm);
    return buf;
}

class ElanWriter : public Writer {
  public:
    ElanWriter(io::Output &out, const Options &) : out_(out) {}
    void write(const Result &r) override {
        Tier t;
        t.id = r.id;
        for (int k = 2; std::any_of(tiers_.begin(), tiers_.end(), [&](const Tier &o) { return o.id == t.id; }); ++k)
            t.id = r.id + "-" + std::to_string(k);
        t.labels = labels_of(r, "elan");
        if (tiers_.empty())
            source_ = r.audio.source;
        tiers_.push_back(std::move(t));
    }
    void finish() override {
        // Time slots: two per annotation, numbered in time order (ELAN's own order).
        struct Slot {
            long long ms;
            std::size_t tier, label;
            bool end;
        };
        std::vector<Slot> slots;
        for (std::size_t t = 0; t < tiers_.size(); ++t)
            for (std::size_t i = 0; i < tiers_[t].labels.size(); ++i) {
                const auto &l = tiers_[t].labels[i];
                slots.push_back({std::llround(l.start * 1000.0), t, i, false});
                slots.push_back({std::llround(l.end * 1000.0), t, i, true});
            }
        std::stable_sort(slots.begin(), slots.end(), [](const Slot &a, const Slot &b) { return a.ms < b.ms; });
        std::vector<std::vector<std::array<std::size_t, 2>>> ids(tiers_.size());
        for (std::size_t t = 0; t < tiers_.size(); ++t)
            ids[t].resize(tiers_[t].labels.size());
        std::string x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
        x += "<ANNOTATION_DOCUMENT AUTHOR=\"\" DATE=\"" + iso_date() +
             "\" FORMAT=\"3.0\" VERSION=\"3.0\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
             "xsi:noNamespaceSchemaLocation=\"http://www.mpi.nl/tools/elan/EAFv3.0.xsd\">\n";
        x += "    <HEADER MEDIA_FILE=\"\" TIME_UNITS=\"milliseconds\">\n";
        if (!source_.empty())
            x += "        <MEDIA_DESCRIPTOR MEDIA_URL=\"" + xml_escape(media_url(source_)) + "\" MIME_TYPE=\"" +
                 mime_of(source_) + "\"/>\n";
        x += "    </HEADER>\n    <TIME_ORDER>\n";
        for (std::size_t k = 0; k < slots.size(); ++k) {
            ids[slots[k].tier][slots[k].label][slots[k].end ? 1 : 0] = k + 1;
            x += "        <TIME_SLOT TIME_SLOT_ID=\"ts" + std::to_string(k + 1) + "\" TIME_VALUE=\"" +
                 std::to_string(slots[k].ms) + "\"/>\n";
        }
        x += "    </TIME_ORDER>\n";
        std::size_t a = 0;
        for (std::size_t t = 0; t < tiers_.size(); ++t) {
            x += "    <TIER LINGUISTIC_TYPE_REF=\"default-lt\" TIER_ID=\"" + xml_escape(tiers_[t].id) + "\">\n";
            for (std::size_t i = 0; i < tiers_[t].labels.size(); ++i) {
                x += "        <ANNOTATION>\n            <ALIGNABLE_ANNOTATION ANNOTATION_ID=\"a" +
                     std::to_string(++a) + "\" TIME_SLOT_REF1=\"ts" + std::to_string(ids[t][i][0]) +
                     "\" TIME_SLOT_REF2=\"ts" + std::to_string(ids[t][i][1]) + "\">\n";
                x += "                <ANNOTATION_VALUE>" + xml_escape(tiers_[t].labels[i].text) +
                     "</ANNOTATION_VALUE>\n            </ALIGNABLE_ANNOTATION>\n        </ANNOTATION>\n";
            }
            x += "    </TIER>\n";
        }
        x += "    <LINGUISTIC_TYPE GRAPHIC_REFERENCES=\"false\" LINGUISTIC_TYPE_ID=\"default-lt\" "
             "TIME_ALIGNABLE=\"true\"/>\n";
        x += "</ANNOTATION_DOCUMENT>\n";
        out_.write(x);
    }

  private:
    struct Tier {
        std::string id;
        std::vector<Label> labels;
    };
    io::Output &out_;
    std::vector<Tier> tiers_;
    std::string source_;
};

} // namespace

std::unique_ptr<Writer> elan_writer(io::Output &out, const Options &o) {
    return std::make_unique<ElanWriter>(out, o);
}

} // namespace ts::serialize
