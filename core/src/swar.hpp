// Eight bytes at a time (SWAR) for the text scanners of csv_reader.cpp and value.cpp;
// not public API.
#pragma once

#include <cstdint>
#include <cstring>

namespace dealercalc {

// The 8 bytes at p as a number, p[0] in the low byte, whatever the host's byte order.
inline std::uint64_t load_word(const char* p) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    // One 8-byte load. (The loop below means the same on a little-endian host, but the
    // size-optimised WASM build keeps it as eight byte loads: 7 % of batch time.)
    std::uint64_t w;
    std::memcpy(&w, p, 8);
    return w;
#else
    std::uint64_t w = 0;
    for (int i = 0; i < 8; ++i) w |= static_cast<std::uint64_t>(static_cast<unsigned char>(p[i])) << (8 * i);
    return w;
#endif
}

}  // namespace dealercalc
