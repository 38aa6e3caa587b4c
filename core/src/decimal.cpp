#include "dealercalc/decimal.hpp"

#include <array>
#include <cstdint>
#include <cstring>
#include <cstdlib>

namespace dealercalc {
namespace {

using Raw = Decimal::Raw;
__extension__ typedef unsigned __int128 U128;

// Unsigned 256-bit value as four 64-bit limbs, least significant first. Only what the
// product of two in-range Decimals needs: multiply two U128s, divide by a U128.
struct U256 {
    std::uint64_t limb[4] = {0, 0, 0, 0};
};

U256 mul_128(U128 a, U128 b) {
    const std::uint64_t a0 = static_cast<std::uint64_t>(a), a1 = static_cast<std::uint64_t>(a >> 64);
    const std::uint64_t b0 = static_cast<std::uint64_t>(b), b1 = static_cast<std::uint64_t>(b >> 64);
    U256 r;
    U128 p00 = static_cast<U128>(a0) * b0;
    U128 p01 = static_cast<U128>(a0) * b1;
    U128 p10 = static_cast<U128>(a1) * b0;
    U128 p11 = static_cast<U128>(a1) * b1;
    r.limb[0] = static_cast<std::uint64_t>(p00);
    U128 mid = (p00 >> 64) + static_cast<std::uint64_t>(p01) + static_cast<std::uint64_t>(p10);
    r.limb[1] = static_cast<std::uint64_t>(mid);
    U128 high = (mid >> 64) + (p01 >> 64) + (p10 >> 64) + static_cast<std::uint64_t>(p11);
    r.limb[2] = static_cast<std::uint64_t>(high);
    r.limb[3] = static_cast<std::uint64_t>((high >> 64) + (p11 >> 64));
    return r;
}

bool bit(const U256& v, int i) { return (v.limb[i / 64] >> (i % 64)) & 1u; }

// Quotient and remainder of a 256-bit value by a non-zero U128, by shift and subtract.
// The quotient must fit in 128 bits (callers guarantee it or detect overflow first).
void divmod_256(const U256& n, U128 d, U128& q, U128& r, bool& q_overflow) {
    q = 0;
    r = 0;
    q_overflow = false;
    for (int i = 255; i >= 0; --i) {
        const bool top = (r >> 127) != 0;
        r = (r << 1) | (bit(n, i) ? 1u : 0u);
        const bool ge = top || r >= d;
        if (ge) r -= d;
        if (i >= 128 && ge) q_overflow = true;
        if (i < 128 && ge) q |= static_cast<U128>(1) << i;
    }
}

U128 uabs(Raw v) { return v < 0 ? static_cast<U128>(-(v + 1)) + 1 : static_cast<U128>(v); }

constexpr std::uint64_t kScale64 = 1000000000000ULL;

// n / 10^12 and n % 10^12. Below 2^64 (magnitudes up to about 18 million) the compiler
// turns both into a multiplication by a constant; a 128-bit division is a library call
// of a hundred instructions or more.
inline void divmod_scale(U128 n, U128& q, U128& r) {
    if ((n >> 64) == 0) {
        const auto m = static_cast<std::uint64_t>(n);
        q = m / kScale64;
        r = m % kScale64;
    } else {
        q = n / kScale64;
        r = n % kScale64;
    }
}

// Rounds the quotient n/d (both non-negative) half away from zero.
U128 rounded_quotient(U128 q, U128 r, U128 d) {
    // r >= d - r  <=>  2r >= d, written without overflowing.
    if (r >= d - r) ++q;
    return q;
}

[[noreturn]] void overflow() { throw DecimalOverflow(); }

// Small enough for -Os to inline (the WASM build's hot files): the throw is out of line.
inline Raw signed_result(U128 magnitude, bool negative) {
    if (magnitude >= static_cast<U128>(Decimal::limit())) overflow();
    Raw m = static_cast<Raw>(magnitude);
    return negative ? -m : m;
}

// Significant bits of v (0 for 0). bit_length(x) + bit_length(y) <= 64 means x·y fits
// in 64 bits (a test, unlike __builtin_mul_overflow, that WASM does without __multi3).
inline int bit_length(std::uint64_t v) { return v == 0 ? 0 : 64 - __builtin_clzll(v); }

constexpr std::uint64_t kMillion = 1000000;

// The magnitude of a × b in raw units (a, b raw magnitudes below 2^64, the values below
// about 1.8 × 10^7), rounded half away from zero at the 12th place, all in 64-bit
// arithmetic; false when a partial product or the result would not fit, and the caller
// takes the 128-bit path. Everyday products (amount × rate, count × price) land here:
// in WebAssembly each 128-bit multiply or divide is a library call (__multi3,
// __udivmodti4), and this path has none; natively it saves the 128-bit divisions.
inline bool multiply_64(std::uint64_t a, std::uint64_t b, std::uint64_t& out) {
    // a × b / 10^12 with a = ah·10^12 + al and b = bh·10^12 + bl:
    //   ah·b + al·bh + al·bl / 10^12, where only the last term has a fraction to round.
    const std::uint64_t ah = a / kScale64, al = a - ah * kScale64;
    const std::uint64_t bh = b / kScale64, bl = b - bh * kScale64;
    if (bit_length(ah) + bit_length(b) > 64 || bit_length(al) + bit_length(bh) > 64) return false;
    std::uint64_t sum = ah * b;
    if (__builtin_add_overflow(sum, al * bh, &sum)) return false;
    if (al != 0 && bl != 0) {
        std::uint64_t low, rest;  // al·bl = low·10^12 + rest
        if (bit_length(al) + bit_length(bl) <= 64) {
            const std::uint64_t p = al * bl;
            low = p / kScale64;
            rest = p - low * kScale64;
        } else {
            // al, bl < 10^12 in base 10^6: al·bl = a1·b1·10^12 + m with
            // m = (a1·b0 + a0·b1)·10^6 + a0·b0 < 2.000001 × 10^18, below 2^64.
            const std::uint64_t a1 = al / kMillion, a0 = al - a1 * kMillion;
            const std::uint64_t b1 = bl / kMillion, b0 = bl - b1 * kMillion;
            const std::uint64_t m = (a1 * b0 + a0 * b1) * kMillion + a0 * b0;
            const std::uint64_t mq = m / kScale64;
            low = a1 * b1 + mq;
            rest = m - mq * kScale64;
        }
        if (rest >= kScale64 - rest) ++low;  // 2·rest >= 10^12: half away from zero
        if (__builtin_add_overflow(sum, low, &sum)) return false;
    }
    out = sum;
    return true;
}

}  // namespace

void Decimal::throw_overflow() { throw DecimalOverflow(); }

Decimal Decimal::from_int(std::int64_t v) { return from_raw(static_cast<Raw>(v) * scale()); }

Decimal Decimal::pow10(int exponent) {
    // 10^15 and up overflow (and 10^39 would not even fit the raw type); anything below
    // 10^-12 rounds to 0 at the 12th place.
    if (exponent > 14) throw DecimalOverflow();
    if (exponent < -kPlaces) return Decimal();
    static const auto table = [] {
        std::array<Raw, 27> t{};
        Raw r = 1;
        for (Raw& x : t) {
            x = r;
            r *= 10;
        }
        return t;
    }();
    Decimal d;
    d.raw_ = table[static_cast<std::size_t>(exponent + kPlaces)];
    return d;
}

bool Decimal::parse_plain(std::string_view s, Decimal& out, int* places) {
    // The common plain form "-123.45": at most 15 integer digits (no leading zero) and
    // 12 decimals, no exponent; exact, straight into the raw value. (Every figure of a
    // batch row comes through here: one pass, one test per character.)
    const auto digit = [](char c) { return static_cast<unsigned>(c - '0') < 10u; };
    const char* p = s.data();
    const char* const end = p + s.size();
    const bool neg = p < end && *p == '-';
    if (p < end && (*p == '-' || *p == '+')) ++p;
    const char* const int_start = p;
    std::uint64_t whole = 0;  // wraps past 19 digits, but those are refused below
    while (p < end && digit(*p)) whole = whole * 10 + static_cast<unsigned>(*p++ - '0');
    const std::size_t int_digits = static_cast<std::size_t>(p - int_start);
    if (int_digits == 0 || int_digits > 15 || (*int_start == '0' && int_digits > 1)) return false;
    std::uint64_t frac = 0;
    int frac_digits = 0;
    int used = 0;  // decimal places up to the last non-zero digit
    if (p < end) {
        if (*p != '.') return false;
        const char* const frac_start = ++p;
        while (p < end && digit(*p)) {
            if (*p != '0') used = static_cast<int>(p - frac_start) + 1;
            frac = frac * 10 + static_cast<unsigned>(*p++ - '0');
        }
        frac_digits = static_cast<int>(p - frac_start);
        if (frac_digits == 0 || frac_digits > kPlaces || p != end) return false;
    }
    static const std::uint64_t kPow[] = {1000000000000ULL, 100000000000ULL, 10000000000ULL, 1000000000ULL, 100000000ULL,
                                         10000000ULL,      1000000ULL,      100000ULL,      10000ULL,      1000ULL,
                                         100ULL,           10ULL,           1ULL};
    frac *= kPow[frac_digits];
    // Below 18,446,744 the raw value fits in 64 bits: no 128-bit multiply (a library
    // call in WebAssembly).
    const Raw raw = whole < 18446744 ? static_cast<Raw>(whole * kScale64 + frac)
                                     : static_cast<Raw>(whole) * scale() + static_cast<Raw>(frac);
    out = from_raw(neg ? -raw : raw);
    if (places) *places = used;
    return true;
}

bool Decimal::parse(std::string_view s, Decimal& out, bool* inexact) {
    if (inexact) *inexact = false;
    if (parse_plain(s, out)) return true;
    std::size_t i = 0;
    bool negative = false;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) {
        negative = s[i] == '-';
        ++i;
    }
    // Collect significant digits, and the power of ten they are scaled by.
    std::string digits;
    long long exp10 = 0;
    // JSON: the integer part is "0" or a digit 1-9 followed by digits; no ".5", no "01".
    const std::size_t int_start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') digits.push_back(s[i++]);
    if (i == int_start) return false;
    if (s[int_start] == '0' && i - int_start > 1) return false;
    if (i < s.size() && s[i] == '.') {
        ++i;
        bool frac_digit = false;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
            digits.push_back(s[i++]);
            --exp10;
            frac_digit = true;
        }
        if (!frac_digit) return false;
    }
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
        ++i;
        bool eneg = false;
        if (i < s.size() && (s[i] == '-' || s[i] == '+')) eneg = s[i++] == '-';
        const std::size_t exp_start = i;
        // Saturates far beyond any digit count a text can hold, so a huge exponent still
        // means "overflow" or "rounds to 0" rather than a silently truncated exponent.
        long long e = 0;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
            if (e < 1000000000000000LL) e = e * 10 + (s[i] - '0');
            ++i;
        }
        if (i == exp_start) return false;
        exp10 += eneg ? -e : e;
    }
    if (i != s.size()) return false;
    // Strip leading zeros so the digit count measures magnitude.
    std::size_t first = digits.find_first_not_of('0');
    if (first == std::string::npos) {
        out = Decimal();
        return true;
    }
    digits.erase(0, first);
    // Value = digits × 10^exp10; in raw units: digits × 10^(exp10 + 12).
    const long long shift = exp10 + kPlaces;
    const long long magnitude_digits = static_cast<long long>(digits.size()) + shift;  // digits before the raw point
    if (magnitude_digits > 28) throw DecimalOverflow();
    U128 mag = 0;
    if (shift >= 0) {
        for (char c : digits) mag = mag * 10 + static_cast<unsigned>(c - '0');
        for (long long k = 0; k < shift; ++k) mag *= 10;
    } else {
        const long long keep = magnitude_digits;  // digits that stay
        for (long long k = 0; k < keep; ++k) mag = mag * 10 + static_cast<unsigned>(digits[static_cast<std::size_t>(k)] - '0');
        // Half away from zero: look at the first dropped digit only.
        const std::size_t dropped = keep < 0 ? 0 : static_cast<std::size_t>(keep);
        if (keep >= 0 && dropped < digits.size() && digits[dropped] >= '5') ++mag;
        if (inexact) *inexact = digits.find_first_not_of('0', dropped) != std::string::npos;
    }
    out = from_raw(signed_result(mag, negative));
    return true;
}

Decimal Decimal::parse_or_throw(std::string_view text) {
    Decimal d;
    if (!parse(text, d)) throw std::invalid_argument("not a number: " + std::string(text));
    return d;
}

std::string Decimal::to_string() const {
    char buf[48];
    const char* p = write_to(buf + sizeof buf);
    return std::string(p, static_cast<std::size_t>(buf + sizeof buf - p));
}

void Decimal::append_to(std::string& out) const {
    char buf[48];
    const char* p = write_to(buf + sizeof buf);
    out.append(p, static_cast<std::size_t>(buf + sizeof buf - p));
}

namespace {
// "00" to "99", for writing two digits at a time.
constexpr char kDigitPairs[] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";
}  // namespace

// Writes the shortest exact form backwards, ending at `end`; returns its first character.
char* Decimal::write_to(char* end) const {
    // The whole part is below 10^15 and the fraction below 10^12: both fit in 64 bits, so
    // the digits come from fast 64-bit divisions.
    U128 q, r;
    divmod_scale(uabs(raw_), q, r);
    std::uint64_t whole = static_cast<std::uint64_t>(q);
    std::uint64_t frac = static_cast<std::uint64_t>(r);
    char* p = end;
    if (frac != 0) {
        int digits = kPlaces;
        // Drop trailing zeros (at most 11) in steps of 8, 4, 2 and 1: money amounts have
        // ten of them, and one division at a time costs ten divisions.
        if (frac % 100000000 == 0) {
            frac /= 100000000;
            digits -= 8;
        }
        if (frac % 10000 == 0) {
            frac /= 10000;
            digits -= 4;
        }
        if (frac % 100 == 0) {
            frac /= 100;
            digits -= 2;
        }
        if (frac % 10 == 0) {
            frac /= 10;
            digits -= 1;
        }
        // Two digits per division (every number of a result or a batch row goes through here).
        for (; digits >= 2; digits -= 2) {
            p -= 2;
            std::memcpy(p, kDigitPairs + 2 * (frac % 100), 2);
            frac /= 100;
        }
        if (digits == 1) *--p = static_cast<char>('0' + frac);
        *--p = '.';
    }
    while (whole >= 100) {
        p -= 2;
        std::memcpy(p, kDigitPairs + 2 * (whole % 100), 2);
        whole /= 100;
    }
    if (whole >= 10) {
        p -= 2;
        std::memcpy(p, kDigitPairs + 2 * whole, 2);
    } else {
        *--p = static_cast<char>('0' + whole);
    }
    if (raw_ < 0) *--p = '-';
    return p;
}

double Decimal::to_double() const { return std::strtod(to_string().c_str(), nullptr); }

bool Decimal::is_integer() const {
    U128 q, r;
    divmod_scale(uabs(raw_), q, r);
    return r == 0;
}

int Decimal::places() const {
    // The fraction is below 10^12: 64-bit arithmetic suffices.
    U128 q, rem;
    divmod_scale(uabs(raw_), q, rem);
    auto r = static_cast<std::uint64_t>(rem);
    if (r == 0) return 0;
    int p = kPlaces;
    while (r % 10 == 0) {
        r /= 10;
        --p;
    }
    return p;
}

Decimal operator*(Decimal a, Decimal b) {
    const bool negative = (a.raw_ < 0) != (b.raw_ < 0);
    const U128 A = uabs(a.raw_), B = uabs(b.raw_);
    std::uint64_t small;
    if (((A | B) >> 64) == 0 && multiply_64(static_cast<std::uint64_t>(A), static_cast<std::uint64_t>(B), small)) {
        // Below 2^64 < 10^27: in range.
        const Raw m = static_cast<Raw>(small);
        Decimal d;
        d.raw_ = negative ? -m : m;
        return d;
    }
    const U128 s = static_cast<U128>(Decimal::scale());
    const U128 limit = static_cast<U128>(Decimal::limit());
    // A × B / 10^12 with A = ah·10^12 + al and B = bh·10^12 + bl:
    //   ah·B + al·bh + al·bl / 10^12 — only the last term has a fraction to round,
    // and every partial product fits in 128 bits once ah·B is known not to overflow.
    U128 ah, al, bh, bl;
    divmod_scale(A, ah, al);
    divmod_scale(B, bh, bl);
    // ah·B fits in 128 bits when ah < 2^38 (B is below 10^27 < 2^90); above that, the
    // division tells without overflowing.
    if (ah >> 38 ? B > limit / ah : ah * B > limit) throw DecimalOverflow();
    U128 magnitude = ah * B + al * bh;
    if (al != 0 && bl != 0) {  // both have a fraction: the only term that may need rounding
        U128 lq, lr;
        divmod_scale(al * bl, lq, lr);
        magnitude += rounded_quotient(lq, lr, s);
    }
    return Decimal::from_raw(signed_result(magnitude, negative));
}

Decimal operator/(Decimal a, Decimal b) {
    if (b.raw_ == 0) throw DivisionByZero();
    const bool negative = (a.raw_ < 0) != (b.raw_ < 0);
    const U128 d = uabs(b.raw_);
    const U128 n = uabs(a.raw_);
    const U128 s = static_cast<U128>(Decimal::scale());
    U128 q, r;
    // A whole-number divisor D (raw D·10^12) and a dividend below 2^64 raw (|a| below
    // about 1.8 × 10^7): a / D has the raw value n / D, with the same remainder test
    // scaled down by 10^12. Two 64-bit divisions instead of a 128-bit one: targets,
    // counts and tier bounds are whole numbers in most programmes.
    if ((n >> 64) == 0 && (d >> 64) == 0 && static_cast<std::uint64_t>(d) % kScale64 == 0) {
        const auto n64 = static_cast<std::uint64_t>(n);
        const std::uint64_t whole = static_cast<std::uint64_t>(d) / kScale64;
        const std::uint64_t q64 = n64 / whole, r64 = n64 % whole;
        return Decimal::from_raw(signed_result(r64 >= whole - r64 ? q64 + 1 : q64, negative));
    }
    // Fast path: n × 10^12 fits in 128 bits for every |a| below about 1.7 × 10^14.
    if (n <= (~static_cast<U128>(0)) / s) {
        const U128 scaled = n * s;
        q = scaled / d;
        r = scaled % d;
    } else {
        bool over;
        divmod_256(mul_128(n, s), d, q, r, over);
        if (over) throw DecimalOverflow();
    }
    return Decimal::from_raw(signed_result(rounded_quotient(q, r, d), negative));
}

Decimal operator%(Decimal a, Decimal b) {
    if (b.raw_ == 0) throw DivisionByZero();
    return Decimal::from_raw(a.raw_ % b.raw_);
}

Decimal Decimal::round(int places) const {
    if (places >= kPlaces) return *this;
    static const std::int64_t kUnit[] = {1000000000000LL, 100000000000LL, 10000000000LL, 1000000000LL, 100000000LL,
                                         10000000LL,      1000000LL,      100000LL,      10000LL,      1000LL,
                                         100LL,           10LL,           1LL};
    const U128 mag = uabs(raw_);
    if (places >= 0 && mag < (static_cast<U128>(1) << 62)) {
        // Everyday magnitudes (below about 4.6 million): 64-bit arithmetic.
        const auto m = static_cast<std::uint64_t>(mag);
        const auto u = static_cast<std::uint64_t>(kUnit[places]);
        std::uint64_t q = m / u;
        if (m % u >= u - m % u) ++q;
        const Raw r = static_cast<Raw>(q * u);
        return from_raw(raw_ < 0 ? -r : r);
    }
    Raw unit = 1;
    for (int i = 0; i < kPlaces - places; ++i) unit *= 10;
    const U128 u = static_cast<U128>(unit);
    U128 q = mag / u, r = mag % u;
    q = rounded_quotient(q, r, u);
    return from_raw(signed_result(q * u, raw_ < 0));
}

Decimal Decimal::ceil(int places) const {
    if (places >= kPlaces) return *this;
    Raw unit = 1;
    for (int i = 0; i < kPlaces - places; ++i) unit *= 10;
    Raw q = raw_ / unit;  // truncates towards zero
    if (raw_ % unit != 0 && raw_ > 0) ++q;
    return from_raw(q * unit);
}

Decimal Decimal::floor() const {
    Raw q = raw_ / scale();
    if (raw_ % scale() != 0 && raw_ < 0) --q;
    return from_raw(q * scale());
}

Decimal Decimal::floor_div(Decimal a, Decimal b) {
    if (b.raw_ == 0) throw DivisionByZero();
    Raw q;
    bool inexact;
    const auto a64 = static_cast<std::int64_t>(a.raw_), b64 = static_cast<std::int64_t>(b.raw_);
    if (a64 == a.raw_ && b64 == b.raw_ && b64 != -1) {  // 64-bit division (-1: INT64_MIN / -1 traps)
        q = a64 / b64;
        inexact = a64 % b64 != 0;
    } else {
        q = a.raw_ / b.raw_;
        inexact = a.raw_ % b.raw_ != 0;
    }
    if (inexact && ((a.raw_ < 0) != (b.raw_ < 0))) --q;
    if (q >= limit() / scale() || q <= -(limit() / scale())) throw DecimalOverflow();
    return from_raw(q * scale());
}

}  // namespace dealercalc
