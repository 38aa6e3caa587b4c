// Eight bytes at a time (SWAR) for the text scanners of csv_reader.cpp and value.cpp:
// a word of text and tests of all its bytes at once. Not public API.
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

constexpr std::uint64_t kOnes = 0x0101010101010101ULL, kHigh = 0x8080808080808080ULL;

// The high bit of each byte of w below n (n at most 0x80). The lowest flag marks the first
// such byte exactly; a flag above it may be false (a borrow can only flag bytes above a
// true one), which is all a scan for the first one needs.
inline std::uint64_t bytes_below(std::uint64_t w, unsigned char n) { return (w - kOnes * n) & ~w & kHigh; }

// The same for the bytes of w equal to c.
inline std::uint64_t bytes_equal(std::uint64_t w, char c) { return bytes_below(w ^ (kOnes * static_cast<unsigned char>(c)), 1); }

}  // namespace dealercalc
