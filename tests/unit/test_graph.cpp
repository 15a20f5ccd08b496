// libts/graph: per-column accumulation (known and unknown length), palettes and colours.
#include "core/error.hpp"
#include "graph/axes.hpp"
#include "graph/color.hpp"
#include "graph/columns.hpp"
#include "graph/music.hpp"
#include "graph/plot.hpp"
#include "graph/prefetch.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

using namespace ts::graph;

namespace {

// Feeds samples 0..frames-1 with value = index into Columns one by one, slots (min, max, count).
void feed(Columns &cols, std::int64_t frames) {
    for (std::int64_t i = 0; i < frames; ++i) {
        float rec[3] = {static_cast<float>(i), static_cast<float>(i), 1.0f};
        cols.add(i, rec);
    }
}

} // namespace

TEST_CASE("columns: a known length maps sample i to column floor(i * width / frames)") {
    Columns cols(10, 1000, {Combine::min, Combine::max, Combine::sum}, 64);
    feed(cols, 1000);
    std::vector<float> out;
    std::vector<char> filled;
    cols.finish(1000, out, filled);
    for (int c = 0; c < 10; ++c) {
        CHECK(filled[c]);
        CHECK(out[c * 3] == doctest::Approx(c * 100));
        CHECK(out[c * 3 + 1] == doctest::Approx(c * 100 + 99));
        CHECK(out[c * 3 + 2] == doctest::Approx(100));
    }
}

TEST_CASE("columns: record_at gives runs that end at the next column") {
    Columns cols(3, 10, {Combine::sum}, 64);
    std::int64_t end = 0;
    cols.record_at(0, end);
    CHECK(end == 4); // columns start at 0, 4 (ceil(10/3)), 7
    cols.record_at(4, end);
    CHECK(end == 7);
    cols.record_at(7, end);
    CHECK(end > 1000000);
}

TEST_CASE("columns: an unknown length merges buckets in pairs and stays bounded") {
    // 100 columns, at most 400 buckets: 1 000 000 samples merge up to buckets of 4096.
    Columns cols(100, -1, {Combine::min, Combine::max, Combine::sum}, 400);
    feed(cols, 1000000);
    std::vector<float> out;
    std::vector<char> filled;
    cols.finish(1000000, out, filled);
    double total = 0;
    for (int c = 0; c < 100; ++c) {
        CHECK(filled[c]);
        total += out[c * 3 + 2];
        // column c holds about [c, c+1) * 10000, exact to within one bucket
        CHECK(std::abs(out[c * 3] - c * 10000.0) <= 4096);
        CHECK(std::abs(out[c * 3 + 1] - (c * 10000.0 + 9999)) <= 4096);
    }
    CHECK(total == doctest::Approx(1000000)); // every sample counted once
}

TEST_CASE("columns: an unknown length shorter than the width leaves gaps, not errors") {
    Columns cols(100, -1, {Combine::sum}, 400);
    for (int i = 0; i < 10; ++i) {
        float one = 1;
        cols.add(i, &one);
    }
    std::vector<float> out;
    std::vector<char> filled;
    cols.finish(10, out, filled);
    int n = 0;
    for (int c = 0; c < 100; ++c)
        n += filled[c];
    CHECK(n == 10);
}

TEST_CASE("palettes and colours") {
    unsigned char rgb[3];
    palette("viridis").at(0.0, rgb);
    CHECK(rgb[0] == 68);
    CHECK(rgb[1] == 1);
    CHECK(rgb[2] == 84);
    palette("grey").at(0.5, rgb);
    CHECK(rgb[0] == 128);
    CHECK_THROWS_AS(palette("viridys"), ts::UsageError);
    Rgba c = parse_color("#ff000080", "--background");
    CHECK(c.r == 1.0);
    CHECK(c.a == doctest::Approx(128 / 255.0));
    CHECK(parse_color("transparent", "--background").a == 0);
    CHECK_THROWS_AS(parse_color("#12", "--background"), ts::UsageError);
}

TEST_CASE("channel names from the layout ts-info reports") {
    using V = std::vector<std::string>;
    CHECK(channel_names(2, "stereo") == V{"L", "R"});
    CHECK(channel_names(6, "5.1") == V{"L", "R", "C", "LFE", "Ls", "Rs"});
    CHECK(channel_names(6, "5.1(side)") == V{"L", "R", "C", "LFE", "Ls", "Rs"});
    CHECK(channel_names(8, "7.1") == V{"L", "R", "C", "LFE", "Lb", "Rb", "Ls", "Rs"});
    CHECK(channel_names(7, "6.1") == V{"L", "R", "C", "LFE", "Cs", "Ls", "Rs"});
    CHECK(channel_names(4, "quad") == V{"L", "R", "Ls", "Rs"});
    CHECK(channel_names(3, "3 channels (FL+FR+TC)") == V{"L", "R", "TC"});
    // unknown layouts: by the count
    CHECK(channel_names(1, "") == V{"mono"});
    CHECK(channel_names(1, "mono") == V{"mono"});
    CHECK(channel_names(2, "") == V{"L", "R"});
    CHECK(channel_names(3, "") == V{"1", "2", "3"});
    CHECK(channel_names(3, "7.1(top)") == V{"1", "2", "3"}); // a name this table lacks
    CHECK(channel_names(4, "5.1") == V{"1", "2", "3", "4"}); // a layout of other channels
}

TEST_CASE("note names") {
    CHECK(note_name(60) == "C4");
    CHECK(note_name(69) == "A4");
    CHECK(note_name(70) == "A#4");
    CHECK(note_name(59) == "B3");
    CHECK(note_name(0) == "C-1");
    CHECK(note_name(127) == "G9");
}

TEST_CASE("pitch and piano-roll ranges") {
    // two semitones beyond the values, an octave at least
    PitchRange r = pitch_range(220, 880);
    CHECK(r.lo == doctest::Approx(220 / std::pow(2.0, 2 / 12.0)));
    CHECK(r.hi == doctest::Approx(880 * std::pow(2.0, 2 / 12.0)));
    CHECK(r.unit(std::sqrt(r.lo * r.hi)) == doctest::Approx(0.5));
    CHECK(std::isnan(r.unit(0)));
    r = pitch_range(440, 440);
    CHECK(r.hi / r.lo == doctest::Approx(2));
    CHECK(std::sqrt(r.lo * r.hi) == doctest::Approx(440));
    Lane l;
    l.kind = Lane::notes;
    l.marks = {{0, 1, "", 60}, {1, 1, "", 72}, {5, 1, "", 40}};
    RollRange rr = roll_range(l, 0, 3); // 40 is out of view
    CHECK(rr.lo == 59);
    CHECK(rr.hi == 73);
    l.marks[1].number = 62;
    rr = roll_range(l, 0, 3); // 59..63 widened to 13 rows
    CHECK(rr.hi - rr.lo + 1 == 13);
    CHECK(rr.lo <= 59);
    CHECK(rr.hi >= 63);
}

TEST_CASE("read_lanes: the shared reader, with only the data's keys required") {
    const std::string path = "test_graph_lanes.jsonl";
    auto write = [&](const char *text) {
        std::FILE *f = std::fopen(path.c_str(), "w");
        REQUIRE(f);
        std::fputs(text, f);
        std::fclose(f);
    };
    // no audio.sha1, audio.mix, params or producer: drawable all the same
    write(R"({"schema":"ts-result/1","id":"n","analyzer":"n","unit":"MIDI","time_mode":"segment","data_mode":"value","audio":{"start":1,"duration":3},"data":{"time":[1,2],"duration":[1,1.5],"value":[60,null]}})"
          "\n"
          R"({"schema":"ts-result/1","id":"m","time_mode":"segment","data_mode":"value","unit":"MIDI","data":{"time":[0],"duration":[1],"value":[1000]}})"
          "\n");
    auto lanes = read_lanes(path, {});
    REQUIRE(lanes.size() == 2);
    CHECK(lanes[0].kind == Lane::notes);
    REQUIRE(lanes[0].marks.size() == 2);
    CHECK(lanes[0].marks[1].time == 2);
    CHECK(lanes[0].marks[1].duration == 1.5);
    CHECK(lanes[0].marks[0].label == "60");
    CHECK(lanes[0].marks[1].label == "null");
    CHECK(std::isnan(lanes[0].marks[1].number));
    CHECK(lanes[0].end == 4);
    CHECK(lanes[1].kind == Lane::segments); // 1000 is no MIDI note: plain segments
    // what ts-serialize --check rejects is rejected here too, naming the line
    write(R"({"schema":"ts-result/1","id":"x","time_mode":"framewise","data_mode":"value","frames":{"rate":1,"block":1,"step":1},"data":{"value":[[]]}})"
          "\n");
    CHECK_THROWS_WITH_AS(read_lanes(path, {}), doctest::Contains("line 1: data.value holds empty rows"),
                         ts::Error);
    write(R"({"schema":"ts-result/1","id":"x","time_mode":"event","data_mode":"value","data":{"time":[null]}})"
          "\n");
    CHECK_THROWS_WITH_AS(read_lanes(path, {}), doctest::Contains("line 1: data.time"), ts::Error);
    std::remove(path.c_str());
}

namespace {

// Counts 0, 1, 2, ... in reads of the sizes given, then fails if asked to.
class CountingSource : public ts::decode::Source {
  public:
    CountingSource(std::vector<std::size_t> reads, bool fail) : reads_(std::move(reads)), fail_(fail) {
        header_.rate = 8000;
        header_.channels = 2;
    }
    const ts::pcm::Header &header() const override { return header_; }
    const std::string &name() const override { return name_; }
    std::size_t read(float *dst, std::size_t max_frames) override {
        if (next_ == reads_.size()) {
            if (fail_)
                throw ts::Error("counting: truncated at the end");
            return 0;
        }
        const std::size_t n = std::min(max_frames, reads_[next_++]);
        for (std::size_t i = 0; i < 2 * n; ++i)
            dst[i] = static_cast<float>(value_++);
        return n;
    }

  private:
    ts::pcm::Header header_;
    std::string name_ = "counting";
    std::vector<std::size_t> reads_;
    bool fail_;
    std::size_t next_ = 0;
    long value_ = 0;
};

} // namespace

TEST_CASE("prefetch: the source's reads, in order, then its end or its error") {
    const std::vector<std::size_t> sizes{100, 8192, 3, 8192, 8192, 8192, 8192, 8192, 8192, 8192, 8192, 17};
    for (bool fail : {false, true}) {
        Prefetch p(std::make_unique<CountingSource>(sizes, fail), 8192, 2);
        CHECK(p.header().channels == 2);
        std::vector<float> buf(2 * 8192);
        std::vector<std::size_t> got;
        long expect = 0;
        bool ordered = true;
        auto drain = [&] {
            while (std::size_t n = p.read(buf.data(), 8192)) {
                got.push_back(n);
                for (std::size_t i = 0; i < 2 * n; ++i)
                    ordered = ordered && buf[i] == static_cast<float>(expect++);
            }
        };
        if (fail)
            CHECK_THROWS_WITH_AS(drain(), "counting: truncated at the end", ts::Error);
        else
            drain();
        CHECK(got == sizes); // the same block boundaries as reading the source itself
        CHECK(ordered);
    }
    // Destroyed before the end: the thread stops.
    Prefetch early(std::make_unique<CountingSource>(sizes, false), 8192, 2);
    std::vector<float> buf(2 * 8192);
    CHECK(early.read(buf.data(), 8192) == 100);
}
