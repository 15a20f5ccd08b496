# archive.mk: TimeSide over a folder of recordings, incrementally, with make.
#
#   make -f /usr/local/share/timeside/archive.mk SRC=recordings OUT=analysis -j4 -k
#
# or `include` it from a Makefile of your own after setting the variables below. For every
# audio file under SRC (wav flac mp3 ogg oga opus m4a mp4 aac aif aiff webm wv, any case of
# the extension) it makes, under OUT, the outputs that OUTPUTS names, mirroring SRC's folders
# and keeping the file's name, extension included (song.flac -> OUT/song.flac.jsonl), so that
# song.flac and song.wav never collide:
#
#   results      NAME.jsonl            ts-analyze --preset $(PRESET) $(ANALYZE_OPTIONS)
#   hdf5         NAME.h5               ts-serialize of NAME.jsonl
#   waveform     NAME.waveform.png     ts-graph waveform $(WAVEFORM_OPTIONS)
#   spectrogram  NAME.spectrogram.png  ts-graph spectrogram $(SPECTROGRAM_OPTIONS)
#   dat          NAME.dat              audiowaveform data for peaks.js: ts-analyze -a waveform
#                                      $(DAT_OPTIONS) -f dat --bits $(DAT_BITS)
#   opus         NAME.opus             ts-transcode -f opus $(OPUS_OPTIONS)
#   preview      NAME.preview.EXT      a web player's copy: ts-transcode -f $(PREVIEW_FORMAT)
#                                      --channels $(PREVIEW_CHANNELS) $(PREVIEW_OPTIONS), EXT
#                                      the format (mp3 ogg opus m4a);
#                                      PREVIEW_LOUDNESS=-16 adds --normalize -16 (EBU R128
#                                      loudness, two passes; PREVIEW_TRUE_PEAK=DBTP adds
#                                      --true-peak, else ts-transcode's -1)
#   info         NAME.info.json        ts-info, and the catalog: every file's facts
#
# Incremental: an output is remade when its input is newer, or when an option that shapes it
# changed since the last run (each kind's options are kept in OUT/.timeside/KIND; changing
# PRESET remakes the results and HDF5 files, and no image). Every tool writes its output to a
# temporary file renamed when complete, so an interrupted or killed run never leaves a file
# that make would take as up to date. `make -k` goes on past a file that fails; `-j N` runs N
# jobs at once. TIMEOUT=SECONDS stops any one command after that long (coreutils timeout, in
# the foreground so that the command stays in make's process group: interrupting or killing
# that group stops it too).
#
# File names: make cannot hold every name in a pattern rule (it expands [ ] * ? as globs and
# reads % = : # specially), so this file writes one explicit rule per file and kind into
# OUT/.timeside/rules.mk (regenerated at each run, rewritten only when it changes), with each
# name escaped for make and single-quoted for the shell: spaces, quotes, brackets, = % # $ :
# and non-ASCII names work. Names holding ';', '\' or a newline cannot be written in a make
# rule at all: they are skipped and listed by `make ... unsupported` (rename them), one per
# line with a '\' shown doubled and a newline as \n. (Lists of escaped names are never
# counted with $(words): a name with spaces would count as several.)
#
# Failures: a command that fails (or runs past TIMEOUT) leaves its messages in
# OUT/.timeside/failed/NAME.KIND; that file and kind are then not tried again until the input
# or the kind's options change (delete the marker to force a retry). `make ... failed` lists
# them. So a second run over an unchanged archive starts no tool at all.
#
# Targets: all (the default: every kind in OUTPUTS), one per kind (results, waveform, ...),
# catalog (after all: OUT/catalog.jsonl and OUT/catalog.csv, one entry per audio file now under
# SRC: its facts from the info files, the error of any output that failed, and for the CSV
# loudness, tempo and key from the results; see archive-catalog), failed, unsupported (names
# skipped), clean-stale (removes the outputs whose source is gone, and only those: SRC and OUT
# are resolved first, so relative paths work; a SRC that is not a folder removes nothing; see
# archive-clean).

SRC ?= .
OUT ?= timeside-out
OUTPUTS ?= results waveform spectrogram
PRESET ?= music
ANALYZE_OPTIONS ?=
WAVEFORM_OPTIONS ?=
SPECTROGRAM_OPTIONS ?=
DAT_OPTIONS ?= -p waveform.pixels_per_second=100
# peaks.js 4 loads 8-bit data only (and one or two channels: the waveform analyzer's default,
# channels=mixed, gives one; -p waveform.channels=each gives one per source channel, which
# peaks.js refuses for sources of more than two). 16 suits audiowaveform's own tools.
DAT_BITS ?= 8
OPUS_OPTIONS ?=
# Previews for web players: mp3, because every browser plays it in <audio> (Safari, and so
# every browser on iPhones and iPads, has long played no Ogg file, Vorbis or Opus; AAC in m4a
# needs a codec some Linux browsers lack). At a constant 128 kb/s, as browsers seek in an mp3
# by byte offset: exact at a constant rate, approximate in a VBR file.
# Stereo: mp3 holds at most two channels, so a 5.1 mix is downmixed (ITU-R BS.775); a mono
# source is copied to both, which joint-stereo mp3 codes at next to no cost. Empty: the
# source's channels (where the format holds them); 1: mono.
PREVIEW_FORMAT ?= mp3
PREVIEW_CHANNELS ?= 2
PREVIEW_OPTIONS ?= --bitrate 128
PREVIEW_LOUDNESS ?=
PREVIEW_TRUE_PEAK ?=
TIMEOUT ?=
# The tools: from PATH unless TS_BIN names their folder.
TS_BIN ?=
# A command put before every tool's (ts-batch sets it to log each job).
TS_JOB ?=

ts_dir := $(dir $(lastword $(MAKEFILE_LIST)))
ts_tool = $(if $(TS_BIN),$(TS_BIN)/$(1),$(1))
TS_ANALYZE ?= $(call ts_tool,ts-analyze)
TS_SERIALIZE ?= $(call ts_tool,ts-serialize)
TS_GRAPH ?= $(call ts_tool,ts-graph)
TS_TRANSCODE ?= $(call ts_tool,ts-transcode)
TS_INFO ?= $(call ts_tool,ts-info)
TS_ARCHIVE_RULES ?= $(ts_dir)archive-rules
TS_ARCHIVE_CLEAN ?= $(ts_dir)archive-clean
TS_ARCHIVE_CATALOG ?= $(ts_dir)archive-catalog

ts_q = '$(subst ','\'',$(1))'
ts_empty :=
ts_space := $(ts_empty) $(ts_empty)
ts_eq := =
ts_pct := %
ts_state := $(OUT)/.timeside
ts_state_mk := $(subst $(ts_space),\ ,$(ts_state))

# The options of each kind, with what identifies the tools' build (path and date of each
# binary), so that a new version of a tool remakes what it makes.
ts_id = $(shell t=$$(command -v $(call ts_q,$(1)) 2>/dev/null) && ls -l --time-style=+%s "$$t" | cut -d' ' -f5-)
ts_preset_id = $(if $(wildcard $(PRESET)),$(shell sha1sum < $(call ts_q,$(PRESET))))
ts_opts_results = $(call ts_id,$(TS_ANALYZE)) --preset $(PRESET) $(ts_preset_id) $(ANALYZE_OPTIONS)
ts_opts_hdf5 = $(call ts_id,$(TS_SERIALIZE))
ts_opts_waveform = $(call ts_id,$(TS_GRAPH)) $(WAVEFORM_OPTIONS)
ts_opts_spectrogram = $(call ts_id,$(TS_GRAPH)) $(SPECTROGRAM_OPTIONS)
ts_opts_dat = $(call ts_id,$(TS_ANALYZE)) $(DAT_OPTIONS) --bits $(DAT_BITS)
ts_opts_opus = $(call ts_id,$(TS_TRANSCODE)) $(OPUS_OPTIONS)
ts_opts_preview = $(call ts_id,$(TS_TRANSCODE)) -f $(PREVIEW_FORMAT) $(ts_preview_options)
ts_opts_info = $(call ts_id,$(TS_INFO))

# Writes FILE with TEXT unless it already holds exactly that (its date then stays).
ts_keep = $(shell mkdir -p $(call ts_q,$(ts_state)) && f=$(call ts_q,$(1)) && printf '%s\n' $(call ts_q,$(2)) | cmp -s - "$$f" 2>/dev/null || printf '%s\n' $(call ts_q,$(2)) >"$$f")
ts_kinds := $(filter results hdf5 waveform spectrogram dat opus preview info,$(OUTPUTS))
ifneq ($(filter-out $(ts_kinds),$(OUTPUTS)),)
$(error archive.mk: OUTPUTS holds $(filter-out $(ts_kinds),$(OUTPUTS)); the kinds are results hdf5 waveform spectrogram dat opus preview info)
endif
ifneq ($(filter preview,$(ts_kinds)),)
ifneq ($(filter-out mp3 ogg opus m4a,$(PREVIEW_FORMAT))$(words $(PREVIEW_FORMAT)),1)
$(error archive.mk: PREVIEW_FORMAT is '$(PREVIEW_FORMAT)'; it is mp3, ogg, opus or m4a)
endif
ifneq ($(filter-out 1 2,$(PREVIEW_CHANNELS))$(words $(PREVIEW_CHANNELS)),$(if $(PREVIEW_CHANNELS),1,0))
$(error archive.mk: PREVIEW_CHANNELS is '$(PREVIEW_CHANNELS)'; it is 2, 1, or empty for the source's)
endif
# (bad unless a number from -70 to 0, as ts-transcode takes for both)
ts_level = $(shell printf '%s\n' $(call ts_q,$(1)) | awk '!/^[-+]?[0-9]+([.][0-9]+)?$$/ || $$0 + 0 < -70 || $$0 + 0 > 0 { bad = 1 } END { if (bad || NR != 1) print "bad" }')
ifneq ($(PREVIEW_LOUDNESS),)
ifneq ($(call ts_level,$(PREVIEW_LOUDNESS)),)
$(error archive.mk: PREVIEW_LOUDNESS is '$(PREVIEW_LOUDNESS)'; it is a loudness in LUFS from -70 to 0, as -16)
endif
endif
ifneq ($(PREVIEW_TRUE_PEAK),)
ifneq ($(call ts_level,$(PREVIEW_TRUE_PEAK)),)
$(error archive.mk: PREVIEW_TRUE_PEAK is '$(PREVIEW_TRUE_PEAK)'; it is a level in dBTP from -70 to 0, as -1)
endif
endif
endif
# ts-transcode's options of a preview: the channels, PREVIEW_OPTIONS, the loudness.
ts_preview_options = $(if $(PREVIEW_CHANNELS),--channels $(PREVIEW_CHANNELS)) $(PREVIEW_OPTIONS) \
  $(if $(PREVIEW_LOUDNESS),--normalize $(PREVIEW_LOUDNESS) \
  $(if $(PREVIEW_TRUE_PEAK),--true-peak $(PREVIEW_TRUE_PEAK)))
ifneq ($(filter dat,$(ts_kinds)),)
ifneq ($(filter-out 8 16,$(DAT_BITS))$(words $(DAT_BITS)),1)
$(error archive.mk: DAT_BITS is '$(DAT_BITS)'; it is 8 (peaks.js) or 16)
endif
endif
# hdf5 is made from the results.
ts_rule_kinds := $(sort $(ts_kinds) $(if $(filter hdf5,$(ts_kinds)),results))
$(foreach k,$(ts_rule_kinds),$(call ts_keep,$(ts_state)/$(k),$(ts_opts_$(k))))
$(foreach k,$(ts_rule_kinds),$(eval TS_STAMP_$(k) := $(ts_state_mk)/$(k)))

# The rules of every file, regenerated at each run (TS_RULES: elsewhere, for runs side by side
# over parts of the archive, as Slurm tasks; TS_ONLY: a file listing the names of that part).
TS_RULES ?= $(ts_state)/rules.mk
TS_ONLY ?=
ts_rules := $(TS_RULES)
ts_gen := $(shell mkdir -p $(call ts_q,$(ts_state)) && TS_ONLY=$(call ts_q,$(TS_ONLY)) TS_PREVIEW_FORMAT=$(call ts_q,$(PREVIEW_FORMAT)) $(call ts_q,$(TS_ARCHIVE_RULES)) $(call ts_q,$(SRC:%/=%)) $(call ts_q,$(OUT:%/=%)) $(ts_rule_kinds) >$(call ts_q,$(ts_rules)).tmp && { cmp -s $(call ts_q,$(ts_rules)).tmp $(call ts_q,$(ts_rules)) && rm -f $(call ts_q,$(ts_rules)).tmp || mv -f $(call ts_q,$(ts_rules)).tmp $(call ts_q,$(ts_rules)); } || echo failed)
ifneq ($(ts_gen),)
$(error archive.mk: cannot list the audio files under $(SRC) into $(ts_rules))
endif

# The commands. $$in and $$out are the input and output paths, $$fail the failure marker, set
# by each rule. A failure writes the command's messages into the marker (and on stderr); the
# file is not retried until its input or the options change. Success removes the marker.
ts_timeout = $(if $(TIMEOUT),timeout --foreground -k 5 $(TIMEOUT))
ts_run = mkdir -p "$$(dirname "$$out")" && if err=$$($(TS_JOB) $(ts_timeout) $(1) 2>&1); then rm -f "$$fail"; \
  else s=$$?; [ $$s = 124 ] && err="$$err$${err:+ }timed out after $(TIMEOUT) s"; mkdir -p "$$(dirname "$$fail")"; \
  printf '%s\n' "$$err" >"$$fail"; printf '%s\n' "$$err" >&2; exit $$s; fi
ts_recipe_results = $(call ts_run,$(TS_ANALYZE) --quiet --preset $(PRESET) $(ANALYZE_OPTIONS) "$$in" -o "$$out")
ts_recipe_hdf5 = $(call ts_run,$(TS_SERIALIZE) --quiet "$$in" -o "$$out")
ts_recipe_waveform = $(call ts_run,$(TS_GRAPH) waveform --quiet $(WAVEFORM_OPTIONS) "$$in" -o "$$out")
ts_recipe_spectrogram = $(call ts_run,$(TS_GRAPH) spectrogram --quiet $(SPECTROGRAM_OPTIONS) "$$in" -o "$$out")
ts_recipe_dat = $(call ts_run,$(TS_ANALYZE) --quiet -a waveform $(DAT_OPTIONS) -f dat --bits $(DAT_BITS) "$$in" -o "$$out")
ts_recipe_opus = $(call ts_run,$(TS_TRANSCODE) --quiet -f opus $(OPUS_OPTIONS) "$$in" -o "$$out")
ts_recipe_preview = $(call ts_run,$(TS_TRANSCODE) --quiet -f $(PREVIEW_FORMAT) $(ts_preview_options) "$$in" -o "$$out")
ts_recipe_info = $(call ts_run,$(TS_INFO) "$$in" -o "$$out")

.PHONY: all catalog unsupported failed clean-stale $(ts_rule_kinds)
.DELETE_ON_ERROR:
all: $(ts_kinds)

include $(subst $(ts_space),\ ,$(ts_rules))

$(foreach k,$(ts_rule_kinds),$(eval $(k): $$(TS_ALL_$(k))))
ifneq ($(TS_FAILED_COUNT),)
$(warning archive.mk: $(words $(TS_FAILED_COUNT)) output(s) failed before and are not retried until their input or options change; `make ... failed` lists them)
endif

# The catalog: OUT/catalog.jsonl, one JSON line per audio file under SRC in the order of the
# names (its ts-info facts from NAME.info.json, with "error" and "errors" when an output of it
# failed; {"source", "error", "errors"} for a file ts-info cannot read), and OUT/catalog.csv,
# one row per file (name, source, duration, rate, channels, codec, loudness, tempo, key from
# the results, error). Deleted files have no entry. Run `make ... catalog` after `make` (with
# -k, a target whose prerequisites failed is not made). Each is rewritten only when it
# changes. archive-catalog (Python 3's standard library) writes them.
catalog:
	@$(call ts_q,$(TS_ARCHIVE_CATALOG)) $(call ts_q,$(SRC:%/=%)) $(call ts_q,$(OUT:%/=%)) $(call ts_q,$(ts_rules))

# The (file, kind) pairs that failed and are not retried until their input or options change,
# with the error.
failed:
	@cd $(call ts_q,$(ts_state)) 2>/dev/null && [ -d failed ] && find failed -type f -printf '%P\n' | LC_ALL=C sort | \
	  while IFS= read -r f; do printf '%s: %s\n' "$$f" "$$(tail -n 1 "failed/$$f")"; done || true

# The names skipped, one per line (a '\' shown doubled, a newline as \n), or (none).
unsupported:
	@sed -n 's/^#unsupported //p' $(call ts_q,$(ts_rules)) | grep . || echo '(none)'

clean-stale:
	@$(call ts_q,$(TS_ARCHIVE_CLEAN)) $(call ts_q,$(SRC)) $(call ts_q,$(OUT))
