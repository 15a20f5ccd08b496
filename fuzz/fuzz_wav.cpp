// The native WAV reader (libts/decode/wav_source.hpp): open_wav on the bytes as a regular
// file, every sample decoded; and wav_info, ts-info's facts of the same file.
#include "decode/wav_source.hpp"
#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    fuzz::quiet();
    fuzz::MemFile file(data, size);
    fuzz::native_reader(file, ts::decode::open_wav, ts::decode::wav_info);
    return 0;
}
