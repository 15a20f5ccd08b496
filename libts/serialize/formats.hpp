// The writers and readers behind serialize::formats(), one file per format.
#pragma once

#include "serialize/serialize.hpp"

namespace ts::serialize {

// jsonl.cpp, json.cpp, yaml.cpp, xml.cpp, csv.cpp: the text formats (text_writer.hpp)
std::unique_ptr<Writer> jsonl_writer(io::Output &out, const Options &o);
std::unique_ptr<Writer> json_writer(io::Output &out, const Options &o);
std::unique_ptr<Writer> yaml_writer(io::Output &out, const Options &o);
std::unique_ptr<Writer> xml_writer(io::Output &out, const Options &o);
std::unique_ptr<Writer> csv_writer(io::Output &out, const Options &o);
void read_jsonl(const std::string &path, const Emit &emit);
void read_json(const std::string &path, const Emit &emit);
void read_yaml(const std::string &path, const Emit &emit);

// hdf5.cpp
std::unique_ptr<Writer> hdf5_writer(io::Output &out, const Options &o);
void read_hdf5(const std::string &path, const Emit &emit);

// numpy.cpp: npy (one result), npz (several)
std::unique_ptr<Writer> npy_writer(io::Output &out, const Options &o);
std::unique_ptr<Writer> npz_writer(io::Output &out, const Options &o);

// jams.cpp (and back); the label formats (labels.hpp): audacity.cpp, sonic_visualiser.cpp,
// lab.cpp, elan.cpp
std::unique_ptr<Writer> jams_writer(io::Output &out, const Options &o);
void read_jams(const std::string &path, const Emit &emit);
std::unique_ptr<Writer> audacity_writer(io::Output &out, const Options &o);
std::unique_ptr<Writer> sonic_visualiser_writer(io::Output &out, const Options &o);
std::unique_ptr<Writer> lab_writer(io::Output &out, const Options &o);
std::unique_ptr<Writer> elan_writer(io::Output &out, const Options &o);

// peaks.cpp: web players' waveform data from `waveform` results
std::unique_ptr<Writer> dat_writer(io::Output &out, const Options &o);
std::unique_ptr<Writer> awf_json_writer(io::Output &out, const Options &o);
std::unique_ptr<Writer> wavesurfer_writer(io::Output &out, const Options &o);

// Shared by writers and readers (serialize.cpp):
// a whole file read into memory (path or "-"), for document formats;
std::string slurp(const std::string &path);
// the audio source's file name without folder, query or extension ("" for stdin);
std::string source_stem(const std::string &source);
// text escaped for XML content and attribute values (other control characters: a space);
std::string xml_escape(const std::string &s);
// producer.version to write: the writer's own (ts-analyze -f), else the result's.
std::string producer_version(const result::Result &r, const Options &o);

} // namespace ts::serialize
