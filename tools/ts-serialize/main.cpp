// ts-serialize: ts-result JSON Lines into the formats of the research and web ecosystems,
// and the structured ones (json, yaml, hdf5, jams) back.
#include "cli/groups.hpp"
#include "cli/tool.hpp"
#include "core/error.hpp"
#include "core/log.hpp"
#include "core/version.hpp"
#include "serialize/serialize.hpp"

namespace {

std::string format_table() {
    std::string s;
    for (const auto &f : ts::serialize::formats()) {
        std::string exts;
        for (const auto &e : f.extensions)
            exts += (exts.empty() ? "" : " ") + e;
        s += "  " + f.name + std::string(f.name.size() < 19 ? 19 - f.name.size() : 1, ' ') + exts +
             "\n      " + f.summary + (f.read ? "; read back" : "") + "\n";
    }
    return s;
}

ts::cli::Spec spec() {
    return {
        "ts-serialize",
        "write analysis results in other formats, and read them back",
        {"[OPTIONS] -f FORMAT [INPUT...]", "[OPTIONS] -o FILE.EXT [INPUT...]", "--check [INPUT...]",
         "--list-formats"},
        "Reads ts-result JSON Lines (see ts-result(5)) from each INPUT (a file, or - for stdin, "
        "the default) or, by their extension or --from, results written earlier as json, yaml, "
        "hdf5 or jams, and writes them in FORMAT: -f, or the extension of -o FILE. Results "
        "are read and written one at a time, so memory holds one result (two for csv, which "
        "keeps the first until it knows whether a table of several sources follows), whatever "
        "the number of results. --result ID keeps the results whose id matches ID, a shell pattern "
        "(mfcc*, spectral.*); repeatable.\n\n"
        "Formats that hold one result (csv, npy, audacity, sonic-visualiser, lab, dat, "
        "audiowaveform-json, wavesurfer) refuse a second one (but csv, which makes one table of "
        "one result id from several sources: see Text layouts): choose with --result, or give -o "
        "DIR/ (a folder, with its final /; made when missing, as mkdir makes it: its parent must "
        "exist) to write one file per result, named "
        "DIR/STEM.ID.EXT (STEM the audio source's file name without its extension, stdin for a "
        "pipe; a name met twice gets -2, -3, ...). -o FILE is written atomically: the file "
        "appears only when complete, and an error leaves nothing behind. Binary formats "
        "refuse a terminal; hdf5 needs -o FILE.\n\n"
        "Round trip: ts-serialize -f jsonl reads json, yaml, hdf5 and jams files back into "
        "the JSON Lines they were made from (for jams: the results of ts-analyze that JAMS "
        "namespaces hold, see Formats).",
        {{"Formats", format_table()},
         {"Text layouts",
          "jsonl: one ts-result per line as ts-analyze writes it (keys in the order of "
          "ts-result(5), numbers in their shortest exact form, NaN as null, params' keys sorted); "
          "ts-serialize -f jsonl of its own output gives it back byte for byte.\n\n"
          "json: {\"schema\": \"ts-result/1\", \"results\": [...]}, each result the object of its "
          "line; indented by 2 with one frame of a matrix per line, or on one line with --compact.\n\n"
          "yaml: a list, one item per result, in the layout of TimeSide's YAML serializer: "
          "id_metadata (id, analyzer, name, unit, description, producer {tool, version}), "
          "time_mode, data_mode, audio_metadata (uri, sha1, samplerate, channels, start, "
          "duration, mix, channel), frame_metadata (samplerate, blocksize, stepsize; framewise "
          "only), parameters, and data_object with the data keys of ts-result(5) (y as y_value; "
          "other data keys under extra). Strings are double-quoted, numbers plain, with a point "
          "before any exponent (1.0e-05) so that YAML 1.1 readers such as PyYAML read floats; "
          "NaN is null. Framewise matrices have one frame per line.\n\n"
          "xml: <results schema=\"ts-result/1\">, one <result id analyzer name unit time_mode "
          "data_mode> per result holding <description>, <audio source sha1 rate channels start "
          "duration mix [channel]/>, <frames rate block step/>, <params> with one <param "
          "name=\"KEY\"> per parameter (its value; JSON for non-strings), <producer tool "
          "version/> and <data>: numbers space-separated in <value count>, <y>, <time>, "
          "<duration>, <confidence> (NaN for a missing number), matrices as <value frames "
          "columns> with one <row> per frame, labels as <label> (global) or <label> of "
          "<item>s, other data keys as <extra name> holding JSON. Not read back.\n\n"
          "csv: one table per result, a header row, comma-separated, fields quoted as RFC "
          "4180 says; an empty field for a missing number. Framewise: time (the frame's start, "
          "audio.start + i*step/rate), then value, or value_0 ... value_N-1 for matrices (the "
          "names of data.columns when the result has them: waveform). Events: time, then "
          "value, label, confidence when present. Segments: time, duration, then the same. "
          "Global: value (or value_0 ...), or label; one row. Several results of one id from "
          "different sources (one analysis of several files, or of each channel with ts-analyze "
          "--mix each) make one table: a first column source (audio.source; empty for stdin), "
          "then channel for per-channel results, then the columns above, their rows in the "
          "order of the results; events and segments have every column either of the first two "
          "results has. A source (and channel) met twice, or a later result with other columns, "
          "is an error (exit 1). One result gives its table as before, with no source column."},
         {"Binary layouts",
          "hdf5 (-o FILE only): one group per result, in the spirit of TimeSide's HDF5 "
          "serializer; h5py and h5dump read it. The root has the attribute schema = "
          "\"ts-result/1\". /ID is a group per result, named by its id ('/' becomes '_'; a "
          "repeated id, as from several audio files, gets #2, #3, ...), with attributes index "
          "(int64, the result's order, kept when read back), id, analyzer, name, unit, "
          "description, time_mode, data_mode, tool, version (producer) and params (JSON text). "
          "/ID/audio has the attributes source and sha1 (\"\" when unknown), rate, channels, "
          "start, duration, mix and channel (when set); /ID/frames rate, block and step "
          "(framewise). /ID/data holds datasets named as the keys of ts-result's data: global "
          "value (float64, scalar or 1-D) or label (a string); framewise value (float32, (n) "
          "or (n, width), with an attribute width that survives 0 frames) and y (float64); "
          "event and segment time, duration, value, confidence (float64) and label (strings); "
          "other data keys go to an attribute extra (JSON text). Strings are variable-length "
          "UTF-8; NaN stays NaN. A dataset of more than 4096 values is chunked along its first "
          "axis (about 256 KiB a chunk) and compressed (shuffle + deflate level 4). Reading "
          "back checks every group's metadata and shapes before any result is written, and "
          "every dataset's size against the bytes the file holds for it, so a damaged "
          "dimension is refused before any memory is taken for it. A damaged file can crash "
          "the HDF5 library itself, so the file is first read whole in a child process: a "
          "crash there is the error 'a damaged HDF5 file' (exit 1), and a read costs about "
          "twice the time.\n\n"
          "npy: one result as an NPY 1.0 array: framewise -> its values, '<f4', (n,) or (n, "
          "width); global -> '<f8', () for a number, (k,) for an array; event -> its times, "
          "'<f8', (n,); segment -> rows [time, duration], '<f8', (n, 2). Label results are "
          "refused (use csv or jams).\n\n"
          "npz: several results in one ZIP (stored, not compressed) of .npy members: ID.npy "
          "holds what npy writes for the result, ID.y.npy the bin centres of a matrix with y, "
          "ID.value.npy and ID.confidence.npy the values and confidences of events and "
          "segments; a repeated id gets #2, #3. Label results are skipped with a warning. "
          "Members are dated 1980-01-01, so the same input gives the same bytes. No ZIP64: a "
          "member or archive over 4 GiB is an error (use hdf5)."},
         {"Annotation layouts",
          "jams: one JAMS 0.3 document (indented; --compact: one line) describing one audio "
          "file (results of another source are an error): file_metadata (title: the source's "
          "name without extension; duration: audio.start + audio.duration; jams_version "
          "0.3.4), one annotation per result with namespace, data (observations {time, "
          "duration, value, confidence}, times in the source's seconds), annotation_metadata "
          "(annotation_tools \"TOOL VERSION\", data_source \"program\"), time and duration, and "
          "sandbox.timeside: the ts-result header and whatever the observations do not carry, so "
          "that the file reads back exactly. Namespaces: a global bpm result (tempo.bpm) -> "
          "tempo (confidence from data.confidence when in 0..1, else 1.0); key -> key_mode "
          "(\"A minor\" -> \"A:minor\", none -> \"N\"); other global labels -> tag_open; a framewise "
          "f0 in Hz (pitch.f0) -> pitch_contour ({index 0, frequency, voiced}, voiced from the "
          "companion .voiced result when present, else frequency > 0); *beats events -> beat; "
          "*onsets events -> onset; segments with labels -> segment_open; note segments (MIDI "
          "values) -> note_midi; anything else -> vector (the value or row), tag_open (labels) "
          "or blob. Framewise observations are one per frame at its start, lasting block/rate; "
          "global ones one at audio.start lasting audio.duration. JAMS files written by other "
          "tools are refused when read back (they lack sandbox.timeside): their namespaces do "
          "not say which id, unit, time mode or framing a result had. The document is held in "
          "memory until written.\n\n"
          "audacity: an Audacity label track, one line per event or segment: "
          "START<TAB>END<TAB>LABEL, seconds with 6 decimals; END = START for events, START + "
          "duration for segments; LABEL the label, else the value, else empty; tabs and line "
          "breaks in labels become spaces. Not chosen by the .txt extension: give -f audacity.\n\n"
          "lab: START END LABEL per line, single spaces, seconds with 6 decimals (as "
          "audacity); whitespace inside a label becomes _, so whitespace-splitting readers "
          "(mir_eval) see three columns.\n\n"
          "sonic-visualiser: a CSV layer for File > Import Annotation Layer, with a header row "
          "naming the columns' roles: framewise 1-D -> time,value (a time-value layer; a null "
          "value is empty); events -> time,\"label\" (time instants) or time,value; segments -> "
          "time,value,duration,\"label\" (regions). Times have 6 decimals (so they read as "
          "seconds, not sample frames); labels are double-quoted with \" and \\ escaped by a "
          "backslash, as Sonic Visualiser quotes.\n\n"
          "elan: an EAF 3.0 document: ANNOTATION_DOCUMENT (FORMAT and VERSION 3.0, DATE in "
          "UTC, from SOURCE_DATE_EPOCH when set), HEADER (TIME_UNITS milliseconds; a "
          "MEDIA_DESCRIPTOR with the source as a file:// URL, none for stdin), TIME_ORDER (two "
          "TIME_SLOTs per annotation, TIME_VALUE = round(seconds x 1000)), one TIER per result "
          "(TIER_ID the result id) of ALIGNABLE_ANNOTATIONs whose ANNOTATION_VALUE follows the "
          "audacity label rule, and one LINGUISTIC_TYPE default-lt. Framewise results are "
          "skipped with a warning naming each (so ts-analyze -a pitch,notes -f elan gives the "
          "notes tier); when nothing is left to write, that is an error (exit 1, no file).\n\n"
          "The label formats take event and segment results only (sonic-visualiser also 1-D "
          "framewise ones, elan skips them); others are refused (exit 1, no file)."},
         {"Web player layouts",
          "From a waveform result (ts-analyze -a waveform); any other result is refused (exit "
          "1, naming it), as are rows that are not min/max pairs and null values.\n\n"
          "dat: audiowaveform's binary data (its doc/DataFormat.md), little-endian. Header: "
          "int32 version (1 for one channel, else 2; --dat-version forces it, and version 1 "
          "cannot hold several channels: exit 2), uint32 flags (bit 0 set for 8-bit data), "
          "int32 sample rate, int32 samples per pixel (frames.block), uint32 length (the "
          "number of buckets, the partial last one included), and for version 2 int32 "
          "channels. Then per bucket and channel: min, max as int16 (--bits 16, the default) "
          "or int8 (--bits 8). 16-bit values are clamp(trunc(32768 v), -32768, 32767) of the "
          "result's value v: audiowaveform's int16 for a 16-bit source, and with "
          "channels=mixed its mono mix exactly (the sum of the channels' int16 samples divided "
          "by their count, truncated toward zero). 8-bit values are the 16-bit value / 256 "
          "truncated toward zero, as audiowaveform converts. (For 24-bit and float sources "
          "audiowaveform's own int16 conversion differs from this by at most one unit.)\n\n"
          "audiowaveform-json: its JSON on one line, keys in this order: {\"version\":2, "
          "\"channels\":C, \"sample_rate\":R, \"samples_per_pixel\":S, \"bits\":B, \"length\":L, "
          "\"data\":[min, max, ...]} with the integers of dat, interleaved per bucket and "
          "channel.\n\n"
          "wavesurfer: for wavesurfer.js (WaveSurfer.create({peaks, duration}) or load(url, "
          "peaks, duration)), one line: {\"channels\":C, \"sample_rate\":R, "
          "\"samples_per_pixel\":S, \"length\":L, \"duration\":D, \"peaks\":[[min, max, ...], "
          "...]}: one array per channel (one for channels=mixed) of 2 L numbers, each bucket's "
          "min then max, the result's values in -1..1 unchanged (wavesurfer.js draws the "
          "largest magnitude per pixel, so the interleaved pairs draw the true envelope); "
          "duration is audio.duration. An empty result is refused."}},
        {{"ts-analyze -a mfcc,spectral song.flac | ts-serialize -o song.h5",
          "framewise features into HDF5"},
         {"ts-serialize -f jsonl song.h5", "and back to JSON Lines"},
         {"ts-analyze -a onsets,tempo song.flac | ts-serialize -f jams -o song.jams",
          "annotations for JAMS tools"},
         {"ts-serialize -f audacity --result onsets results.jsonl -o onsets.txt",
          "one result as an Audacity label track"},
         {"ts-analyze -a waveform -p waveform.pixels_per_second=100 song.mp3 | ts-serialize -f dat "
          "--bits 8 -o song.dat",
          "audiowaveform data for peaks.js"},
         {"ts-serialize -f csv results.jsonl -o tables/", "one CSV table per result"}},
        {},
        "ts-analyze(1), ts-result(5)",
    };
}

struct Options {
    std::vector<std::string> inputs;
    std::string output = "-", format, from;
    ts::cli::ResultSelection results;
    ts::cli::WriterOptions writer;
    bool list = false, check = false;
    ts::cli::Verbosity verbosity;
};

const ts::serialize::FormatInfo &input_format(const Options &o, const std::string &path) {
    if (!o.from.empty())
        return *ts::serialize::find_format(o.from);
    if (path != "-")
        if (const auto *f = ts::serialize::format_for_path(path); f && f->read)
            return *f;
    return *ts::serialize::find_format("jsonl");
}

int run(Options &o) {
    if (o.list) {
        ts::io::Output out(o.output, false);
        out.write(format_table());
        out.commit();
        return ts::exit_ok;
    }
    const ts::serialize::FormatInfo *format = nullptr;
    if (!o.format.empty()) {
        format = ts::serialize::find_format(o.format);
    } else if (o.output != "-" && !ts::serialize::Sink::is_folder(o.output)) {
        format = ts::serialize::format_for_path(o.output);
        if (!format)
            throw ts::UsageError("-o " + o.output + ": no format has this extension; give -f FORMAT");
    } else if (ts::serialize::Sink::is_folder(o.output)) {
        throw ts::UsageError("-o " + o.output + ": a folder needs -f FORMAT");
    } else {
        format = ts::serialize::find_format("jsonl");
    }
    if (o.inputs.empty())
        o.inputs.push_back("-");
    if (std::count(o.inputs.begin(), o.inputs.end(), "-") > 1)
        throw ts::UsageError("stdin (-) given more than once");
    if (!o.from.empty() && !ts::serialize::find_format(o.from)->read)
        throw ts::UsageError("--from " + o.from + ": this format is not read back (json, jsonl, yaml, hdf5, jams are)");

    if (o.check) {
        // Read and validate every result, write nothing.
        std::size_t n = 0;
        for (const auto &input : o.inputs)
            input_format(o, input).read(input, [&](ts::result::Result &&) { ++n; });
        if (n == 0)
            throw ts::Error("no result in the input");
        ts::log::verbose(std::to_string(n) + " valid result(s)");
        return ts::exit_ok;
    }
    ts::serialize::Options so;
    so.compact = o.writer.compact;
    so.dat_bits = o.writer.bits;
    so.dat_version = o.writer.dat_version;
    ts::serialize::Sink sink(*format, o.output, so);
    std::size_t seen = 0;
    for (const auto &input : o.inputs) {
        const auto &from = input_format(o, input);
        from.read(input, [&](ts::result::Result &&r) {
            ++seen;
            if (o.results.keeps(r.id))
                sink.write(std::move(r));
        });
    }
    if (sink.written() == 0 && sink.skipped() == 0) // all skipped: finish() says so
        throw ts::Error(seen == 0 ? "no result in the input" : "no result matches --result");
    sink.finish();
    ts::log::verbose(std::to_string(sink.written()) + " of " + std::to_string(seen) +
                     " result(s) written as " + format->name);
    return ts::exit_ok;
}

} // namespace

int main(int argc, char **argv) {
    ts::cli::Tool tool(spec());
    Options o;
    auto &app = tool.app();
    std::vector<std::string> names;
    for (const auto &f : ts::serialize::formats())
        names.push_back(f.name);
    app.add_option("INPUT", o.inputs, "result files (JSON Lines, or json, yaml, hdf5, jams), or - for stdin (the default)");
    app.add_option("-f,--format", o.format, "the output format (see Formats) [default: from -o's extension, else jsonl]")
        ->check(CLI::IsMember(names))
        ->type_name("FORMAT");
    ts::cli::add_output(app, o.output, "the output file, or DIR/ for one file per result");
    app.add_option("--from", o.from, "the inputs' format [default: from their extension, else jsonl]")
        ->check(CLI::IsMember(names))
        ->type_name("FORMAT");
    ts::cli::add_result_selection(app, o.results);
    ts::cli::add_writer_options(app, o.writer);
    app.add_flag("--check", o.check,
                 "only read and validate the inputs (exit 1 naming the first bad line or result); write nothing");
    app.add_flag("--list-formats", o.list, "list the formats and exit");
    ts::cli::add_verbosity(tool, o.verbosity);
    return tool.run(argc, argv, [&] { return run(o); });
}
