// Decimal: exact 12-place decimal arithmetic (spec §7 "Numbers").
//
// Expectations are written as decimal strings or computed with independent integer
// reference code (plain __int128, long division / multiplication in base 10^6), never
// with the library's own helpers.
#include <doctest/doctest.h>

#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "dealercalc/decimal.hpp"

using dealercalc::Decimal;
using dealercalc::DecimalOverflow;
using dealercalc::DivisionByZero;

namespace {

using Raw = Decimal::Raw;
__extension__ typedef unsigned __int128 U128;

Decimal D(const char* text) { return Decimal::parse_or_throw(text); }
std::string S(Decimal d) { return d.to_string(); }

Raw pow10_raw(int n) {
    Raw r = 1;
    for (int i = 0; i < n; ++i) r *= 10;
    return r;
}

const Raw kScale = pow10_raw(12);   // one unit in raw units
const Raw kLimit = pow10_raw(27);   // 10^15 in raw units

Raw abs128(Raw v) { return v < 0 ? -v : v; }

// Decimal text of an __int128 (doctest cannot print one).
std::string int_text(Raw v) {
    if (v == 0) return "0";
    const bool neg = v < 0;
    U128 m = neg ? static_cast<U128>(-v) : static_cast<U128>(v);
    std::string s;
    while (m) {
        s.insert(s.begin(), static_cast<char>('0' + static_cast<int>(m % 10)));
        m /= 10;
    }
    return neg ? "-" + s : s;
}

// Independent formatter: a raw count of 10^-12 written with all 12 places, then trimmed.
std::string raw_text(Raw raw) {
    const bool neg = raw < 0;
    std::string digits = int_text(abs128(raw));
    while (digits.size() < 13) digits.insert(digits.begin(), '0');
    std::string whole = digits.substr(0, digits.size() - 12), frac = digits.substr(digits.size() - 12);
    while (!frac.empty() && frac.back() == '0') frac.pop_back();
    std::string out = (neg ? "-" : "") + whole;
    if (!frac.empty()) out += "." + frac;
    return out;
}

// Integer division rounded half away from zero (reference for all rounding checks).
Raw div_round_half_away(Raw n, Raw d) {
    const bool neg = (n < 0) != (d < 0);
    const Raw an = abs128(n), ad = abs128(d);
    Raw q = an / ad;
    const Raw r = an % ad;
    if (2 * r >= ad) ++q;
    return neg ? -q : q;
}

Raw floor_div_ref(Raw n, Raw d) {
    Raw q = n / d;
    if (n % d != 0 && ((n < 0) != (d < 0))) --q;
    return q;
}

// Random magnitude below 10^digits, spread over every digit count (log-uniform-ish).
Raw random_below_pow10(std::mt19937_64& rng, int max_digits) {
    const int digits = static_cast<int>(rng() % static_cast<unsigned>(max_digits + 1));
    if (digits == 0) return 0;
    const U128 bound = static_cast<U128>(pow10_raw(digits));
    const U128 r = (static_cast<U128>(rng()) << 64) | rng();
    return static_cast<Raw>(r % bound);
}

// An input-like number: |x| < 10^12 with up to 6 decimals, as an integer scaled by 10^6.
// Often an integer or a short decimal, so halves and exact cases come up.
std::int64_t random_input(std::mt19937_64& rng) {
    std::int64_t whole = static_cast<std::int64_t>(random_below_pow10(rng, 12));
    const int decimals = static_cast<int>(rng() % 7);  // 0..6 significant decimals
    std::int64_t frac = 0;
    if (decimals > 0) {
        std::int64_t unit = 1;
        for (int i = decimals; i < 6; ++i) unit *= 10;
        std::int64_t span = 1;
        for (int i = 0; i < decimals; ++i) span *= 10;
        frac = static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(span)) * unit;
    }
    const std::int64_t v = whole * 1000000 + frac;
    return (rng() & 1) ? -v : v;
}

// A Decimal from an int scaled by 10^6, built through text so parse() is exercised too.
Decimal from_micro(std::int64_t scaled) {
    const Raw raw = static_cast<Raw>(scaled) * 1000000;
    return D(raw_text(raw).c_str());
}

// Any in-range raw value (|x| < 10^15, 12 places).
Raw random_raw(std::mt19937_64& rng) {
    const Raw v = random_below_pow10(rng, 27);
    return (rng() & 1) ? -v : v;
}

// Expected raw result of a*b (raw units) rounded half away from zero at the 12th place,
// by long multiplication in base 10^6; `overflow` when the magnitude reaches 10^15.
Raw expected_product(Raw a, Raw b, bool& overflow) {
    const bool neg = (a < 0) != (b < 0);
    const Raw x = abs128(a), y = abs128(b);
    const Raw M = pow10_raw(6);
    const Raw y2 = y / (M * M), y1 = (y / M) % M, y0 = y % M;  // y = y2·10^12 + y1·10^6 + y0
    // x·y / 10^12 = x·y2 + (x·y1·10^6 + x·y0) / 10^12
    const Raw X = x * y1, Y = x * y0;  // each below 10^33
    const Raw Xp = X + Y / M;          // (X·10^6 + Y) / 10^6, floored
    const Raw rest = (Xp % M) * M + Y % M;  // remainder over 10^12
    Raw low = Xp / M;
    if (2 * rest >= M * M) ++low;
    overflow = false;
    if (y2 != 0 && x > (kLimit - 1) / y2) {
        overflow = true;
        return 0;
    }
    const Raw q = x * y2 + low;
    if (q >= kLimit) {
        overflow = true;
        return 0;
    }
    return neg ? -q : q;
}

// Expected raw result of a/b (raw units): round_half_away(a·10^12 / b), by long division
// in two steps of 10^6 so nothing overflows.
Raw expected_quotient(Raw a, Raw b, bool& overflow) {
    const bool neg = (a < 0) != (b < 0);
    const Raw n = abs128(a), d = abs128(b);
    const Raw M = pow10_raw(6);
    Raw q = n / d, r = n % d;
    overflow = false;
    for (int step = 0; step < 2; ++step) {
        if (q >= kLimit) {  // already too large before the last digits
            overflow = true;
            return 0;
        }
        q = q * M + (r * M) / d;
        r = (r * M) % d;
    }
    if (2 * r >= d) ++q;
    if (q >= kLimit) {
        overflow = true;
        return 0;
    }
    return neg ? -q : q;
}

// x × y against expected_product: the same value, or DecimalOverflow when that overflows.
// Returns whether the product was in range.
bool check_product(Raw a, Raw b) {
    const Decimal x = Decimal::from_raw(a), y = Decimal::from_raw(b);
    bool over = false;
    const Raw p = expected_product(a, b, over);
    if (over) {
        CHECK_THROWS_AS(x * y, DecimalOverflow);
        return false;
    }
    CHECK(raw_text((x * y).raw()) == raw_text(p));
    return true;
}

// floor_div(x, y) (y non-zero) against floor_div_ref: the same whole number, or
// DecimalOverflow when that is 10^15 or more.
void check_floor_div(Raw a, Raw b) {
    const Decimal x = Decimal::from_raw(a), y = Decimal::from_raw(b);
    const Raw fq = floor_div_ref(a, b);
    if (abs128(fq) >= pow10_raw(15)) {
        CHECK_THROWS_AS(Decimal::floor_div(x, y), DecimalOverflow);
    } else {
        CHECK(raw_text(Decimal::floor_div(x, y).raw()) == raw_text(fq * kScale));
    }
}

}  // namespace

// ---------------------------------------------------------------------------
// The spec's traps

TEST_CASE("Trap: 0.015 times 67 is exactly 1.005 and rounds to 1.01 at two places") {
    const Decimal p = D("0.015") * Decimal(67);
    CHECK(S(p) == "1.005");
    CHECK(p == D("1.005"));
    CHECK(S(p.round(2)) == "1.01");  // a binary double gives 1.00499999… and 1.0
}

TEST_CASE("Trap: 115 divided by 100 minus 1 is exactly 0.15") {
    const Decimal g = Decimal(115) / Decimal(100) - Decimal(1);
    CHECK(S(g) == "0.15");
    CHECK(g == D("0.15"));
    CHECK(g >= D("0.15"));  // a tier "from 0.15" is reached
}

TEST_CASE("Trap: 0.1 plus 0.2 equals 0.3 exactly") {
    CHECK(D("0.1") + D("0.2") == D("0.3"));
    CHECK(S(D("0.1") + D("0.2")) == "0.3");
    CHECK(D("0.3") - D("0.1") == D("0.2"));
}

TEST_CASE("Trap: 2.675 and -2.675 round to 2.68 and -2.68") {
    CHECK(S(D("2.675").round(2)) == "2.68");
    CHECK(S(D("-2.675").round(2)) == "-2.68");
}

TEST_CASE("Trap: -0.5 rounds to -1 at zero places, half away from zero") {
    CHECK(S(D("-0.5").round(0)) == "-1");
    CHECK(S(D("0.5").round(0)) == "1");
    CHECK(S(D("-1.5").round(0)) == "-2");
    CHECK(S(D("2.5").round(0)) == "3");  // not banker's rounding
}

// ---------------------------------------------------------------------------
// Rounding

TEST_CASE("Rounding table: values at zero to four places, half away from zero") {
    struct Row {
        const char* value;
        const char* at[5];  // round(0) .. round(4)
    };
    const Row rows[] = {
        {"0", {"0", "0", "0", "0", "0"}},
        {"0.5", {"1", "0.5", "0.5", "0.5", "0.5"}},
        {"-0.5", {"-1", "-0.5", "-0.5", "-0.5", "-0.5"}},
        {"1.5", {"2", "1.5", "1.5", "1.5", "1.5"}},
        {"2.5", {"3", "2.5", "2.5", "2.5", "2.5"}},
        {"-2.5", {"-3", "-2.5", "-2.5", "-2.5", "-2.5"}},
        {"0.49999", {"0", "0.5", "0.5", "0.5", "0.5"}},
        {"-0.49999", {"0", "-0.5", "-0.5", "-0.5", "-0.5"}},
        {"1.005", {"1", "1", "1.01", "1.005", "1.005"}},
        {"-1.005", {"-1", "-1", "-1.01", "-1.005", "-1.005"}},
        {"2.675", {"3", "2.7", "2.68", "2.675", "2.675"}},
        {"-2.675", {"-3", "-2.7", "-2.68", "-2.675", "-2.675"}},
        {"0.0005", {"0", "0", "0", "0.001", "0.0005"}},
        {"-0.0005", {"0", "0", "0", "-0.001", "-0.0005"}},
        {"0.00005", {"0", "0", "0", "0", "0.0001"}},
        {"-0.00005", {"0", "0", "0", "0", "-0.0001"}},
        {"0.00004999", {"0", "0", "0", "0", "0"}},
        {"0.0025", {"0", "0", "0", "0.003", "0.0025"}},
        {"-0.05", {"0", "-0.1", "-0.05", "-0.05", "-0.05"}},
        {"0.15", {"0", "0.2", "0.15", "0.15", "0.15"}},
        {"0.25", {"0", "0.3", "0.25", "0.25", "0.25"}},
        {"1.45", {"1", "1.5", "1.45", "1.45", "1.45"}},
        {"-1.45", {"-1", "-1.5", "-1.45", "-1.45", "-1.45"}},
        {"9.99995", {"10", "10", "10", "10", "10"}},
        {"-9.99995", {"-10", "-10", "-10", "-10", "-10"}},
        {"9.99994999", {"10", "10", "10", "10", "9.9999"}},
        {"123.4567", {"123", "123.5", "123.46", "123.457", "123.4567"}},
        {"-123.4567", {"-123", "-123.5", "-123.46", "-123.457", "-123.4567"}},
        {"12345.55555", {"12346", "12345.6", "12345.56", "12345.556", "12345.5556"}},
        {"0.000000000001", {"0", "0", "0", "0", "0"}},
        {"0.999999999999", {"1", "1", "1", "1", "1"}},
        {"-0.999999999999", {"-1", "-1", "-1", "-1", "-1"}},
        {"0.444444444445", {"0", "0.4", "0.44", "0.444", "0.4444"}},
        {"7", {"7", "7", "7", "7", "7"}},
        {"-7.1", {"-7", "-7.1", "-7.1", "-7.1", "-7.1"}},
        {"999999999999.5", {"1000000000000", "999999999999.5", "999999999999.5", "999999999999.5", "999999999999.5"}},
        {"-999999999999.5", {"-1000000000000", "-999999999999.5", "-999999999999.5", "-999999999999.5",
                             "-999999999999.5"}},
        {"999999999999999.99995", {"1000000000000000?", "1000000000000000?", "1000000000000000?",
                                   "1000000000000000?", "1000000000000000?"}},
    };
    for (const Row& row : rows) {
        for (int places = 0; places <= 4; ++places) {
            CAPTURE(row.value);
            CAPTURE(places);
            const std::string want = row.at[places];
            if (want.back() == '?') {  // reaches 10^15: overflow, never a wrong number
                CHECK_THROWS_AS(D(row.value).round(places), DecimalOverflow);
            } else {
                CHECK(S(D(row.value).round(places)) == want);
            }
        }
    }
}

TEST_CASE("Rounding at five to twelve places and beyond") {
    const Decimal x = D("0.123456789012");
    CHECK(S(x.round(5)) == "0.12346");
    CHECK(S(x.round(8)) == "0.12345679");
    CHECK(S(x.round(11)) == "0.12345678901");
    CHECK(x.round(12) == x);
    CHECK(x.round(20) == x);
    CHECK(S(D("-0.000000000005").round(11)) == "-0.00000000001");
    CHECK(S(D("0.000000000004").round(11)) == "0");
}

TEST_CASE("Rounding near the limit overflows instead of wrapping") {
    CHECK_THROWS_AS(D("999999999999999.5").round(0), DecimalOverflow);
    CHECK_THROWS_AS(D("-999999999999999.5").round(0), DecimalOverflow);
    CHECK(S(D("999999999999999.4").round(0)) == "999999999999999");
    CHECK(S(D("999999999999999.94").round(1)) == "999999999999999.9");
}

TEST_CASE("Randomized rounding matches an integer reference at every place count") {
    std::mt19937_64 rng(20270315);
    for (int iter = 0; iter < 4000; ++iter) {
        const Raw raw = random_raw(rng);
        const int places = static_cast<int>(rng() % 13);
        const Raw unit = pow10_raw(12 - places);
        const Raw want = div_round_half_away(raw, unit) * unit;
        const Decimal x = Decimal::from_raw(raw);
        CAPTURE(raw_text(raw));
        CAPTURE(places);
        if (abs128(want) >= kLimit) {
            CHECK_THROWS_AS(x.round(places), DecimalOverflow);
        } else {
            CHECK(raw_text(x.round(places).raw()) == raw_text(want));
        }
        // An exact half at this place always goes away from zero.
        if (places < 12) {
            const Raw half = (raw / unit) * unit + (raw < 0 ? -unit / 2 : unit / 2);
            if (abs128(half) < kLimit - unit) {
                const Raw away = (raw / unit) * unit + (raw < 0 ? -unit : unit);
                CHECK(raw_text(Decimal::from_raw(half).round(places).raw()) == raw_text(away));
            }
        }
    }
}

// ---------------------------------------------------------------------------
// parse / to_string

TEST_CASE("Parsing reads JSON number syntax exactly, exponents included") {
    struct Case {
        const char* in;
        const char* out;
    };
    const Case cases[] = {
        {"0", "0"},
        {"1e3", "1000"},
        {"1E3", "1000"},
        {"1e+2", "100"},
        {"1e03", "1000"},
        {"1.5E-3", "0.0015"},
        {"-1.5e-3", "-0.0015"},
        {"100e-2", "1"},
        {"0.1e1", "1"},
        {"12.50", "12.5"},
        {"-0", "0"},
        {"-0.0", "0"},
        {"0e999999", "0"},
        {"+1.5", "1.5"},
        {"+0", "0"},
        {"0.30000000000000004", "0.3"},
        {"0.000000000001", "0.000000000001"},
        {"-0.000001", "-0.000001"},
        {"0.0000000000005", "0.000000000001"},
        {"-0.0000000000005", "-0.000000000001"},
        {"0.0000000000004999", "0"},
        {"0.1234567890125", "0.123456789013"},
        {"0.12345678901249999", "0.123456789012"},
        {"1.23456789012345e2", "123.456789012345"},
        {"1e-400", "0"},
        {"1e-12", "0.000000000001"},
        {"5e-13", "0.000000000001"},
        {"4e-13", "0"},
        {"123456789012.123456", "123456789012.123456"},
        {"999999999999999.999999999999", "999999999999999.999999999999"},
        {"-999999999999999.999999999999", "-999999999999999.999999999999"},
        {"999999999999999.9999999999994", "999999999999999.999999999999"},
        {"0.00000000000000000000000000001e28", "0.1"},
        {"1000000000000000e-1", "100000000000000"},
    };
    for (const Case& c : cases) {
        CAPTURE(c.in);
        Decimal d;
        REQUIRE(Decimal::parse(c.in, d));
        CHECK(S(d) == c.out);
        CHECK(D(c.out) == d);  // and the output parses back to the same value
    }
    Decimal z;
    REQUIRE(Decimal::parse("-0", z));
    CHECK_FALSE(z.is_negative());
    CHECK(z.is_zero());
}

TEST_CASE("parse_plain reads only the plain form, with the decimal places it uses") {
    struct Case {
        const char* text;
        const char* value;
        int places;
    };
    const Case good[] = {{"0", "0", 0},           {"-0", "0", 0},
                         {"+7", "7", 0},          {"123.45", "123.45", 2},
                         {"-123.450", "-123.45", 2}, {"0.000000000001", "0.000000000001", 12},
                         {"5.0", "5", 0},         {"999999999999999.999999999999", "999999999999999.999999999999", 12},
                         {"-100.10", "-100.1", 1}, {"0.5", "0.5", 1},
                         {"100000000000000", "100000000000000", 0}};
    for (const Case& c : good) {
        CAPTURE(c.text);
        Decimal d;
        int places = -1;
        REQUIRE(Decimal::parse_plain(c.text, d, &places));
        CHECK(d == D(c.value));
        CHECK(places == c.places);
        Decimal again;
        REQUIRE(Decimal::parse_plain(c.text, again));  // places are optional
        CHECK(again == d);
    }
    // Anything else is left to parse(): exponents, leading zeros, bare dots, too many
    // digits, blanks, separators, signs alone.
    for (const char* text : {"", "-", "+", ".5", "5.", "-.5", "01", "-01.5", "1e5", "1E5", "1.5e2", " 1", "1 ", "1,000",
                             "1000000000000000", "1234567890123456", "0.0000000000001", "1.1234567890123", "--1", "+-1",
                             "1.2.3", "12a", "0x10", "١٢", "１２", "1.-2", "1..2"}) {
        CAPTURE(text);
        Decimal d = D("42");
        int places = 42;
        CHECK_FALSE(Decimal::parse_plain(text, d, &places));
        CHECK(places == 42);  // untouched on failure
    }
}

TEST_CASE("Parsing uses long exponents in full") {
    // A million zeros scaled back by a seven-digit exponent is exactly 1 (and 2.5).
    const std::string zeros(1000000, '0');
    Decimal d;
    REQUIRE(Decimal::parse("1" + zeros + "e-1000000", d));
    CHECK(S(d) == "1");
    REQUIRE(Decimal::parse("25" + zeros + "E-1000001", d));
    CHECK(S(d) == "2.5");
    REQUIRE(Decimal::parse("0." + zeros + "15e1000000", d));
    CHECK(S(d) == "0.15");
    REQUIRE(Decimal::parse("1e-99999999999999999999999", d));
    CHECK(d.is_zero());
    CHECK_THROWS_AS(Decimal::parse("1e99999999999999999999999", d), DecimalOverflow);
    CHECK_THROWS_AS(Decimal::parse("1" + zeros + "e-999985", d), DecimalOverflow);  // 10^15
}

TEST_CASE("Parsing rejects what is not JSON number syntax") {
    const char* bad[] = {"", "-", "+", "1.", ".5", "-.5", "abc", "1e", "1e+", "1E-", "--1", "+-1", "-+1", "++1",
                         "01", "-01", "00", "00.5", "1.5.2", " 1", "1 ", "0x10", "1e5.5", "Infinity", "-Infinity",
                         "NaN", "1_000", "1,5", "e5", "1.e5", "1ee5", "1e5e5", "1-", "1+1", "١"};
    for (const char* text : bad) {
        CAPTURE(text);
        Decimal d = D("42");
        CHECK_FALSE(Decimal::parse(text, d));
        CHECK_THROWS_AS(Decimal::parse_or_throw(text), std::invalid_argument);
    }
    // A string_view is not read past its end.
    const char buffer[] = "12x";
    Decimal d;
    CHECK(Decimal::parse(std::string_view(buffer, 2), d));
    CHECK(S(d) == "12");
}

TEST_CASE("to_string gives the shortest exact form and never an exponent") {
    CHECK(S(Decimal()) == "0");
    CHECK(S(Decimal(1200)) == "1200");
    CHECK(S(Decimal(-7)) == "-7");
    CHECK(S(D("1e14")) == "100000000000000");
    CHECK(S(D("1e-12")) == "0.000000000001");
    CHECK(S(D("-0.5")) == "-0.5");
    CHECK(S(D("2.50")) == "2.5");
    CHECK(S(Decimal::from_raw(kLimit - 1)) == "999999999999999.999999999999");
    CHECK(S(Decimal::from_raw(-(kLimit - 1))) == "-999999999999999.999999999999");
    CHECK(S(Decimal::from_raw(1)) == "0.000000000001");
    CHECK(S(Decimal::from_raw(-10)) == "-0.00000000001");
}

TEST_CASE("to_string writes every digit count of the whole part and of the fraction") {
    // The writer takes digits two at a time: odd and even counts, and every power of ten.
    std::string whole = "1";
    for (int n = 1; n <= 15; ++n, whole += std::to_string(n % 10)) {
        CHECK(S(D(whole.c_str())) == whole);
        CHECK(S(D(("-" + whole).c_str())) == "-" + whole);
    }
    for (const char* text : {"9", "10", "11", "99", "100", "101", "999", "1000", "0.1", "0.01", "0.05", "0.10", "0.123",
                             "0.1234", "0.12345", "0.000001", "0.0000010", "7.000000000009", "12.3456789012", "99.99"}) {
        CAPTURE(text);
        std::string shortest = text;
        if (shortest.find('.') != std::string::npos) {
            while (shortest.back() == '0') shortest.pop_back();
            if (shortest.back() == '.') shortest.pop_back();
        }
        CHECK(S(D(text)) == shortest);
    }
    for (Raw r = 1; r < Decimal::scale(); r *= 10) {
        CAPTURE(static_cast<long long>(r));
        CHECK(S(Decimal::from_raw(r)) == raw_text(r));
        CHECK(S(Decimal::from_raw(r * 3 + r / 10)) == raw_text(r * 3 + r / 10));
    }
}

TEST_CASE("write_before lays numbers out backwards, each as to_string writes it") {
    std::mt19937_64 rng(3);
    std::vector<Decimal> numbers{Decimal(), Decimal::from_raw(kLimit - 1), Decimal::from_raw(-(kLimit - 1)), D("-0.5"), D("1200")};
    for (int i = 0; i < 200; ++i) numbers.push_back(Decimal::from_raw(random_raw(rng)));
    std::string buffer(numbers.size() * (Decimal::kMaxChars + 1), '#');
    char* const end = &buffer[0] + buffer.size();
    char* p = end;
    for (std::size_t i = numbers.size(); i-- > 0;) {
        char* const before = p;
        p = numbers[i].write_before(p);
        CHECK(before - p <= Decimal::kMaxChars);
        *--p = ';';
    }
    std::string want;
    for (const Decimal& d : numbers) want += ";" + d.to_string();
    CHECK(std::string(p, end) == want);
}

TEST_CASE("Randomized to_string and parse round-trip every raw value") {
    std::mt19937_64 rng(7);
    for (int iter = 0; iter < 4000; ++iter) {
        const Raw raw = random_raw(rng);
        const Decimal x = Decimal::from_raw(raw);
        const std::string text = S(x);
        CAPTURE(text);
        CHECK(text == raw_text(raw));
        CHECK(text.find_first_of("eE+") == std::string::npos);
        Decimal back;
        REQUIRE(Decimal::parse(text, back));
        CHECK(back == x);
        // The same value with an exponent and trailing zeros parses to the same number.
        Decimal shifted;
        const std::string with_exponent = text + (text.find('.') == std::string::npos ? ".000e-3" : "000e-3");
        REQUIRE(Decimal::parse(with_exponent, shifted));
        CHECK(shifted == Decimal::from_raw(div_round_half_away(raw, 1000)));
    }
}

TEST_CASE("to_double gives the closest double") {
    CHECK(D("0.1").to_double() == 0.1);
    CHECK(D("-2.5").to_double() == -2.5);
    CHECK(D("123456.789").to_double() == 123456.789);
    CHECK(Decimal().to_double() == 0.0);
}

// ---------------------------------------------------------------------------
// Range

TEST_CASE("Parsing a magnitude of 10^15 or more throws DecimalOverflow") {
    const char* over[] = {"1000000000000000", "-1000000000000000", "1e15", "-1e15", "1E+15", "10e14",
                          "999999999999999.9999999999995", "-999999999999999.9999999999995",
                          "123456789012345678", "1e400", "1e999999999999999999999", "100000000000000000000000000000000000000000"};
    for (const char* text : over) {
        CAPTURE(text);
        Decimal d;
        CHECK_THROWS_AS(Decimal::parse(text, d), DecimalOverflow);
    }
    Decimal d;
    CHECK(Decimal::parse("999999999999999", d));
    CHECK(S(d) == "999999999999999");
}

TEST_CASE("Addition and subtraction overflow at 10^15") {
    const Decimal max = D("999999999999999.999999999999");
    const Decimal tiny = D("0.000000000001");
    CHECK_THROWS_AS(max + tiny, DecimalOverflow);
    CHECK_THROWS_AS(-max - tiny, DecimalOverflow);
    CHECK_THROWS_AS(D("600000000000000") + D("400000000000000"), DecimalOverflow);
    CHECK_THROWS_AS(D("-600000000000000") - D("400000000000000"), DecimalOverflow);
    CHECK(max + Decimal() == max);
    CHECK(max - tiny + tiny == max);
    CHECK(S(D("600000000000000") + D("399999999999999.999999999999")) == "999999999999999.999999999999");
    Decimal acc = max;
    CHECK_THROWS_AS(acc += tiny, DecimalOverflow);
    CHECK(acc == max);  // unchanged after the failed +=
}

TEST_CASE("Multiplication overflows at 10^15 and never wraps") {
    CHECK_THROWS_AS(D("100000000") * D("10000000"), DecimalOverflow);
    CHECK_THROWS_AS(D("-100000000") * D("10000000"), DecimalOverflow);
    CHECK_THROWS_AS(D("31622776.6017") * D("31622776.6017"), DecimalOverflow);
    const Decimal max = D("999999999999999.999999999999");
    CHECK_THROWS_AS(max * max, DecimalOverflow);  // product needs more than 128 bits
    CHECK_THROWS_AS(max * -max, DecimalOverflow);
    CHECK_THROWS_AS(max * D("1.000000000001"), DecimalOverflow);
    CHECK(S(D("100000000") * D("9999999.99")) == "999999999000000");
    CHECK(max * Decimal(1) == max);
    CHECK(S(max * D("0.5")) == "500000000000000");  // 499999999999999.9999999999995 rounds up
}

TEST_CASE("Division overflows at 10^15") {
    CHECK_THROWS_AS(D("100000000000000") / D("0.1"), DecimalOverflow);
    CHECK_THROWS_AS(D("999999999999999") / D("0.5"), DecimalOverflow);
    CHECK_THROWS_AS(D("1") / D("0.000000000001") * D("1000"), DecimalOverflow);
    CHECK_THROWS_AS(D("1000") / D("0.000000000001"), DecimalOverflow);
    const Decimal max = D("999999999999999.999999999999");
    CHECK_THROWS_AS(max / D("0.999999999999"), DecimalOverflow);
    CHECK_THROWS_AS(-max / D("0.999999999999"), DecimalOverflow);
    CHECK(max / Decimal(1) == max);
    CHECK(max / Decimal(-1) == -max);
    CHECK(S(D("999999999999999") / Decimal(3)) == "333333333333333");
    CHECK(S(D("999") / D("0.000000000001")) == "999000000000000");
}

TEST_CASE("Division by zero throws DivisionByZero") {
    CHECK_THROWS_AS(Decimal(1) / Decimal(), DivisionByZero);
    CHECK_THROWS_AS(Decimal() / Decimal(), DivisionByZero);
    CHECK_THROWS_AS(D("-5.5") % Decimal(), DivisionByZero);
    CHECK_THROWS_AS(Decimal::floor_div(Decimal(1), Decimal()), DivisionByZero);
    CHECK_THROWS_AS(Decimal(1) / D("-0"), DivisionByZero);
}

TEST_CASE("from_int, from_raw, pow10 and the int constructor check the range") {
    CHECK(S(Decimal::from_int(999999999999999)) == "999999999999999");
    CHECK(S(Decimal::from_int(-999999999999999)) == "-999999999999999");
    CHECK_THROWS_AS(Decimal::from_int(1000000000000000), DecimalOverflow);
    CHECK_THROWS_AS(Decimal::from_int(std::numeric_limits<std::int64_t>::max()), DecimalOverflow);
    CHECK_THROWS_AS(Decimal::from_int(std::numeric_limits<std::int64_t>::min()), DecimalOverflow);
    CHECK(Decimal::from_raw(kLimit - 1).raw() == kLimit - 1);
    CHECK_THROWS_AS(Decimal::from_raw(kLimit), DecimalOverflow);
    CHECK_THROWS_AS(Decimal::from_raw(-kLimit), DecimalOverflow);
    CHECK(Decimal::limit() == kLimit);
    CHECK(Decimal::scale() == kScale);
    CHECK(S(Decimal::pow10(0)) == "1");
    CHECK(S(Decimal::pow10(2)) == "100");
    CHECK(S(Decimal::pow10(-3)) == "0.001");
    CHECK(S(Decimal::pow10(-12)) == "0.000000000001");
    CHECK(S(Decimal::pow10(14)) == "100000000000000");
    CHECK_THROWS_AS(Decimal::pow10(15), DecimalOverflow);
    CHECK_THROWS_AS(Decimal::pow10(40), DecimalOverflow);  // 10^52 raw would not even fit
    CHECK(Decimal::pow10(-13).is_zero());                   // rounds to 0 at the 12th place
    CHECK(S(Decimal(2147483647)) == "2147483647");
    CHECK(S(Decimal(-2147483647 - 1)) == "-2147483648");
}

// ---------------------------------------------------------------------------
// Multiplication and division rounding

TEST_CASE("Multiplication rounds half away from zero at the 12th place") {
    CHECK(S(D("0.000001") * D("0.0000005")) == "0.000000000001");     // 5e-13
    CHECK(S(D("-0.000001") * D("0.0000005")) == "-0.000000000001");
    CHECK(S(D("0.000001") * D("-0.0000005")) == "-0.000000000001");
    CHECK(S(D("-0.000001") * D("-0.0000005")) == "0.000000000001");
    CHECK(S(D("0.000001") * D("0.0000004")) == "0");                  // 4e-13
    CHECK(S(D("0.000001") * D("0.00000049")) == "0");                 // 4.9e-13
    CHECK(S(D("0.000000000003") * D("0.5")) == "0.000000000002");     // 1.5e-12
    CHECK(S(D("-0.000000000003") * D("0.5")) == "-0.000000000002");
    CHECK(S(D("0.123456789012") * D("0.5")) == "0.061728394506");     // exact
    CHECK(S(D("0.333333333333") * Decimal(3)) == "0.999999999999");   // exact, not 1
    CHECK(S(D("1.5") * D("-2")) == "-3");
    CHECK(S(Decimal() * D("-5")) == "0");
    CHECK_FALSE((Decimal() * D("-5")).is_negative());
}

TEST_CASE("Division rounds half away from zero at the 12th place") {
    CHECK(S(Decimal(1) / Decimal(3)) == "0.333333333333");
    CHECK(S(Decimal(2) / Decimal(3)) == "0.666666666667");
    CHECK(S(Decimal(-2) / Decimal(3)) == "-0.666666666667");
    CHECK(S(Decimal(2) / Decimal(-3)) == "-0.666666666667");
    CHECK(S(Decimal(-2) / Decimal(-3)) == "0.666666666667");
    CHECK(S(Decimal(1) / Decimal(8)) == "0.125");
    CHECK(S(D("0.000000000001") / Decimal(2)) == "0.000000000001");
    CHECK(S(D("-0.000000000001") / Decimal(2)) == "-0.000000000001");
    CHECK(S(D("0.000000000001") / Decimal(3)) == "0");
    CHECK(S(D("0.000000000001") / D("-3")) == "0");
    CHECK(S(Decimal(10) / D("0.3")) == "33.333333333333");
    CHECK(S(D("1.005") / D("0.001")) == "1005");
    // Large numerators take the wide path.
    CHECK(S(D("500000000000000") / Decimal(3)) == "166666666666666.666666666667");
    CHECK(S(D("-500000000000000") / Decimal(3)) == "-166666666666666.666666666667");
    CHECK(S(D("999999999999999.999999999999") / Decimal(2)) == "500000000000000");
}

// ---------------------------------------------------------------------------
// floor_div, %, ceil, floor, places

TEST_CASE("floor_div is exact and floors towards negative infinity") {
    struct Case {
        const char *a, *b, *q;
    };
    const Case cases[] = {
        {"0.999999999999", "1", "0"},  // a/b rounded at 12 places first would give 1
        {"1.999999999999", "1", "1"},
        {"-0.000000000001", "1", "-1"},
        {"-0.999999999999", "1", "-1"},
        {"7", "2", "3"},
        {"-7", "2", "-4"},
        {"7", "-2", "-4"},
        {"-7", "-2", "3"},
        {"6", "3", "2"},
        {"-6", "3", "-2"},
        {"0", "-3", "0"},
        {"0.3", "0.1", "3"},  // 2.9999999999999996 in doubles
        {"1", "0.000000000001", "1000000000000"},
        {"100", "0.000001", "100000000"},
        {"999999999999999", "1", "999999999999999"},
        {"999999999999999.999999999999", "1", "999999999999999"},
        {"-999999999999999.999999999999", "1", "-1000000000000000?"},
        {"999999999999999", "0.5", "1999999999999998?"},
        {"2", "0.666666666667", "2"},
        {"2", "0.666666666666", "3"},
    };
    for (const Case& c : cases) {
        CAPTURE(c.a);
        CAPTURE(c.b);
        const std::string want = c.q;
        if (want.back() == '?') {
            CHECK_THROWS_AS(Decimal::floor_div(D(c.a), D(c.b)), DecimalOverflow);
        } else {
            CHECK(S(Decimal::floor_div(D(c.a), D(c.b))) == want);
        }
    }
}

TEST_CASE("Remainder has JavaScript sign semantics and is exact") {
    CHECK(S(D("5.5") % Decimal(2)) == "1.5");
    CHECK(S(D("-5.5") % Decimal(2)) == "-1.5");
    CHECK(S(D("5.5") % Decimal(-2)) == "1.5");
    CHECK(S(D("-5.5") % Decimal(-2)) == "-1.5");
    CHECK(S(D("0.3") % D("0.1")) == "0");  // 0.09999999999999998 in doubles
    CHECK(S(Decimal(1) % D("0.3")) == "0.1");
    CHECK(S(Decimal(-4) % Decimal(2)) == "0");
    CHECK_FALSE((Decimal(-4) % Decimal(2)).is_negative());
    CHECK(S(D("0.000000000001") % Decimal(5)) == "0.000000000001");
    CHECK(S(D("999999999999999.999999999999") % D("0.000000000007")) == "0.000000000005");  // (10^27 − 1) mod 7
}

TEST_CASE("Ceil rounds towards positive infinity at the given places") {
    CHECK(S(D("1.001").ceil(2)) == "1.01");
    CHECK(S(D("1.23").ceil(2)) == "1.23");
    CHECK(S(D("-1.009").ceil(2)) == "-1");
    CHECK(S(D("-1.011").ceil(2)) == "-1.01");
    CHECK(S(D("0.000000000001").ceil(0)) == "1");
    CHECK(S(D("-0.999").ceil(0)) == "0");
    CHECK_FALSE(D("-0.999").ceil(0).is_negative());
    CHECK(S(D("2.5").ceil(0)) == "3");
    CHECK(S(D("-2.5").ceil(0)) == "-2");
    CHECK(S(Decimal(4).ceil(0)) == "4");
    CHECK(S(D("0.1234567890121").ceil(11)) == "0.12345678902");
    CHECK(D("0.123456789012").ceil(12) == D("0.123456789012"));
    CHECK_THROWS_AS(D("999999999999999.5").ceil(0), DecimalOverflow);
    CHECK(S(D("-999999999999999.5").ceil(0)) == "-999999999999999");
}

TEST_CASE("Floor rounds towards negative infinity to an integer") {
    CHECK(S(D("2.7").floor()) == "2");
    CHECK(S(D("-2.1").floor()) == "-3");
    CHECK(S(D("-2").floor()) == "-2");
    CHECK(S(D("0.999999999999").floor()) == "0");
    CHECK(S(D("-0.000000000001").floor()) == "-1");
    CHECK_THROWS_AS(D("-999999999999999.5").floor(), DecimalOverflow);
}

TEST_CASE("places counts the decimal places actually used") {
    CHECK(Decimal().places() == 0);
    CHECK(Decimal(100).places() == 0);
    CHECK(D("1.5").places() == 1);
    CHECK(D("1.10").places() == 1);
    CHECK(D("-0.25").places() == 2);
    CHECK(D("123.456").places() == 3);
    CHECK(D("0.000001").places() == 6);
    CHECK(D("0.000000000001").places() == 12);
    CHECK(D("-999999999999999.999999999999").places() == 12);
    CHECK(D("1e-7").places() == 7);
}

TEST_CASE("Predicates, sign, abs, min and max") {
    CHECK(D("3").is_integer());
    CHECK(D("-3").is_integer());
    CHECK_FALSE(D("3.000000000001").is_integer());
    CHECK(Decimal().is_zero());
    CHECK_FALSE(D("0.000000000001").is_zero());
    CHECK(D("-0.000000000001").is_negative());
    CHECK_FALSE(Decimal().is_negative());
    CHECK(S(-D("1.5")) == "-1.5");
    CHECK(S(-D("-1.5")) == "1.5");
    CHECK((-Decimal()).is_zero());
    CHECK(S(D("-2.25").abs()) == "2.25");
    CHECK(S(D("2.25").abs()) == "2.25");
    CHECK(S(Decimal::min(D("-1"), D("0.5"))) == "-1");
    CHECK(S(Decimal::max(D("-1"), D("0.5"))) == "0.5");
    CHECK(D("0.1") < D("0.10000000001"));
    CHECK(D("-0.1") > D("-0.10000000001"));
    CHECK(D("1.50") == D("1.5"));
    CHECK(D("1.5") != D("1.500000000001"));
    CHECK(D("2") <= D("2"));
    CHECK(D("2") >= D("2"));
    Decimal x = D("1");
    x -= D("0.25");
    CHECK(S(x) == "0.75");
    x += D("0.5");
    CHECK(S(x) == "1.25");
}

// ---------------------------------------------------------------------------
// Randomized properties against integer arithmetic

TEST_CASE("Randomized sums, differences, products and comparisons of 6-place inputs are exact") {
    std::mt19937_64 rng(0xDEA1E5);
    int exact_products = 0, overflowing_products = 0;
    for (int iter = 0; iter < 5000; ++iter) {
        const std::int64_t A = random_input(rng), B = random_input(rng);  // scaled by 10^6
        const Decimal a = from_micro(A), b = from_micro(B);
        CAPTURE(raw_text(static_cast<Raw>(A) * 1000000));
        CAPTURE(raw_text(static_cast<Raw>(B) * 1000000));
        REQUIRE(a.raw() == static_cast<Raw>(A) * 1000000);
        REQUIRE(b.raw() == static_cast<Raw>(B) * 1000000);

        const Raw sum = (static_cast<Raw>(A) + B) * 1000000;
        const Raw diff = (static_cast<Raw>(A) - B) * 1000000;
        CHECK(raw_text((a + b).raw()) == raw_text(sum));
        CHECK(raw_text((a - b).raw()) == raw_text(diff));
        CHECK((b - a) == -(a - b));
        CHECK((a + b) == (b + a));

        // Both have at most 6 places, so the product has at most 12: exact, or overflow.
        const Raw product = static_cast<Raw>(A) * B;  // scaled by 10^12: the raw value
        if (abs128(product) >= kLimit) {
            ++overflowing_products;
            CHECK_THROWS_AS(a * b, DecimalOverflow);
        } else {
            ++exact_products;
            CHECK(raw_text((a * b).raw()) == raw_text(product));
            CHECK((a * b) == (b * a));
        }

        CHECK((a < b) == (A < B));
        CHECK((a <= b) == (A <= B));
        CHECK((a > b) == (A > B));
        CHECK((a >= b) == (A >= B));
        CHECK((a == b) == (A == B));
        CHECK((a != b) == (A != B));
    }
    // The generator must exercise both outcomes.
    CHECK(exact_products > 1000);
    CHECK(overflowing_products > 100);
}

TEST_CASE("Randomized quotients by whole numbers are exact to the 12th place, ties away from zero") {
    // Division by a whole number with a small dividend takes a 64-bit path: checked
    // against the exact quotient, signs, ties and dividends just around 2^64 raw.
    std::mt19937_64 rng(99);
    const Raw two64 = static_cast<Raw>(1) << 64;
    for (int iter = 0; iter < 20000; ++iter) {
        Raw n;
        switch (iter % 5) {
            case 0: n = static_cast<Raw>(rng() % 1000000) * 1000000; break;            // 6 places
            case 1: n = static_cast<Raw>(rng());                                          // any 64 bits
                    break;
            case 2: n = two64 - 1000 + static_cast<Raw>(rng() % 2000); break;             // around 2^64
            default: n = static_cast<Raw>(rng() % 100000) * kScale + static_cast<Raw>(rng() % kScale); break;
        }
        std::int64_t whole = static_cast<std::int64_t>(rng() % (iter % 3 == 0 ? 20 : 1000000)) + 1;
        if (iter % 5 == 0) whole = 2;  // many ties
        if (rng() % 2) n = -n;
        if (rng() % 2) whole = -whole;
        const Decimal a = Decimal::from_raw(n), b = Decimal::from_int(whole);
        CAPTURE(raw_text(n));
        CAPTURE(whole);
        const Raw want = div_round_half_away(n * kScale, static_cast<Raw>(whole) * kScale);
        CHECK(raw_text((a / b).raw()) == raw_text(want));
    }
    CHECK(S(D("0.000000000001") / D("2")) == "0.000000000001");    // half rounds away
    CHECK(S(D("-0.000000000001") / D("2")) == "-0.000000000001");
    CHECK(S(D("0.000000000001") / D("3")) == "0");
    CHECK(S(D("10") / D("4")) == "2.5");
    CHECK(S(D("-7") / D("-7")) == "1");
}

TEST_CASE("Randomized quotients of 6-place inputs are within half an ulp") {
    std::mt19937_64 rng(12345);
    int checked = 0;
    for (int iter = 0; iter < 5000; ++iter) {
        const std::int64_t A = random_input(rng), B = random_input(rng);
        if (B == 0) {
            CHECK_THROWS_AS(from_micro(A) / from_micro(B), DivisionByZero);
            continue;
        }
        const Decimal a = from_micro(A), b = from_micro(B);
        CAPTURE(raw_text(a.raw()));
        CAPTURE(raw_text(b.raw()));
        // In units of 10^-12 the exact quotient is N / B with N = A·10^12 (below 10^30).
        const Raw N = static_cast<Raw>(A) * kScale;
        const Raw want = div_round_half_away(N, B);
        if (abs128(want) >= kLimit) {
            CHECK_THROWS_AS(a / b, DecimalOverflow);
            continue;
        }
        const Decimal q = a / b;
        CHECK(raw_text(q.raw()) == raw_text(want));
        // |q·b − a| ≤ 10^-12·|b|/2, i.e. |Q·B − N| ≤ |B|/2 with Q = q.raw(); Q·B stays near
        // N, so it fits once Q is known to be within 1 of N/B.
        const Raw Q = q.raw();
        REQUIRE(abs128(Q - N / B) <= 1);
        const Raw residual = abs128(Q * B - N);
        CHECK(2 * residual <= abs128(B));
        // And a tie goes away from zero: the residual is then on the far side.
        if (2 * residual == abs128(B)) CHECK(abs128(Q * B) > abs128(N));
        ++checked;
    }
    CHECK(checked > 3000);
}

TEST_CASE("Randomized products and quotients over the full range match long arithmetic") {
    std::mt19937_64 rng(99);
    int products = 0, quotients = 0, overflows = 0;
    for (int iter = 0; iter < 5000; ++iter) {
        const Raw a = random_raw(rng), b = random_raw(rng);
        const Decimal x = Decimal::from_raw(a), y = Decimal::from_raw(b);
        CAPTURE(raw_text(a));
        CAPTURE(raw_text(b));
        if (check_product(a, b)) ++products;
        else ++overflows;
        if (b == 0) continue;
        bool over = false;
        const Raw q = expected_quotient(a, b, over);
        if (over) {
            ++overflows;
            CHECK_THROWS_AS(x / y, DecimalOverflow);
        } else {
            ++quotients;
            CHECK(raw_text((x / y).raw()) == raw_text(q));
        }
    }
    CHECK(products > 1000);
    CHECK(quotients > 1000);
    CHECK(overflows > 500);
}

// Raw magnitudes below 2^64 take a 64-bit path in operator* and floor_div; these inputs
// sit on its edges: every bit length, fractions of 12 digits (the base-10^6 split), ties
// at the 12th place, products at the edge of 64 bits, INT64_MIN and -1 raw.
TEST_CASE("Randomized products and floor_div below 2^64 raw match long arithmetic at the 64-bit path's edges") {
    std::mt19937_64 rng(2064);
    const auto random_bits = [&](int bits) -> std::uint64_t {
        if (bits == 0) return 0;
        const std::uint64_t top = std::uint64_t{1} << (bits - 1);
        return top | (rng() & (top - 1));
    };
    const std::uint64_t kS = 1000000000000ULL;
    std::vector<std::uint64_t> edges = {0, 1, kS - 1, kS, kS + 1, 500000000000ULL, 999999999999ULL * 1000000 % kS,
                                        std::numeric_limits<std::uint64_t>::max(), (std::uint64_t{1} << 63) - 1,
                                        std::uint64_t{1} << 63, 18446744ULL * kS + 73709551615ULL % kS,
                                        4294967295ULL, 4294967296ULL};
    int checked = 0, ties = 0;
    for (int iter = 0; iter < 20000; ++iter) {
        std::uint64_t a, b;
        switch (iter % 5) {
            case 0:  // any bit lengths
                a = random_bits(static_cast<int>(rng() % 65));
                b = random_bits(static_cast<int>(rng() % 65));
                break;
            case 1:  // long fractions on both sides: the split of al·bl
                a = (rng() % 20000000) * kS + (kS - 1 - rng() % 1000000);
                b = (rng() % 1000) * kS + rng() % kS;
                break;
            case 2: {  // al·bl with a remainder of exactly half a unit: 0.5 × odd 10^-12 multiples
                a = (rng() % 1000) * kS + 500000000000ULL;
                b = (rng() % 1000000) * kS + (2 * (rng() % 500000000000ULL) + 1);
                break;
            }
            case 3: {
                // al·bl ≡ t (mod 10^12) for t around the rounding boundary: pick bl prime to 10
                // and al = t·bl⁻¹ mod 10^12.
                const std::uint64_t targets[] = {kS / 2 - 1, kS / 2, kS / 2 + 1, kS - 1, 1};
                const std::uint64_t t = targets[rng() % 5];
                std::uint64_t bl = rng() % kS;
                while (bl % 2 == 0 || bl % 5 == 0) bl = rng() % kS;
                Raw old_r = static_cast<Raw>(kS), r = static_cast<Raw>(bl), old_s = 0, s = 1;  // s·bl ≡ r
                while (r != 0) {
                    const Raw q = old_r / r;
                    Raw tmp = old_r - q * r;
                    old_r = r;
                    r = tmp;
                    tmp = old_s - q * s;
                    old_s = s;
                    s = tmp;
                }
                const Raw inv = ((old_s % static_cast<Raw>(kS)) + static_cast<Raw>(kS)) % static_cast<Raw>(kS);
                const auto al = static_cast<std::uint64_t>((static_cast<Raw>(t) * inv) % static_cast<Raw>(kS));
                REQUIRE((static_cast<U128>(al) * bl) % kS == t);
                a = (rng() % 1000) * kS + al;
                b = (rng() % 100000) * kS + bl;
                break;
            }
            default:
                a = edges[rng() % edges.size()];
                b = rng() & 1 ? edges[rng() % edges.size()] : random_bits(static_cast<int>(rng() % 65));
        }
        for (int signs = 0; signs < 4; ++signs) {
            const Raw ra = (signs & 1) ? -static_cast<Raw>(a) : static_cast<Raw>(a);
            const Raw rb = (signs & 2) ? -static_cast<Raw>(b) : static_cast<Raw>(b);
            if (abs128(ra) >= kLimit || abs128(rb) >= kLimit) continue;
            CAPTURE(raw_text(ra));
            CAPTURE(raw_text(rb));
            if (check_product(ra, rb)) {
                // A tie: the product's exact value ends in exactly half a 10^-12 unit.
                const U128 al = static_cast<U128>(a % kS), bl = static_cast<U128>(b % kS);
                if ((al * bl) % static_cast<U128>(kS) == static_cast<U128>(kS / 2)) ++ties;
            }
            if (rb != 0) check_floor_div(ra, rb);
            ++checked;
        }
    }
    CHECK(checked > 60000);
    CHECK(ties > 1000);
    // INT64_MIN raw divided by -1 raw: the one 64-bit quotient that does not fit.
    const Raw min64 = static_cast<Raw>(std::numeric_limits<std::int64_t>::min());
    CHECK_THROWS_AS(Decimal::floor_div(Decimal::from_raw(min64), Decimal::from_raw(-1)), DecimalOverflow);
    CHECK(raw_text(Decimal::floor_div(Decimal::from_raw(min64), Decimal::from_raw(-kScale)).raw()) ==
          raw_text(floor_div_ref(min64, -kScale) * kScale));
}

TEST_CASE("Randomized floor_div, remainder, ceil and floor match integer references") {
    std::mt19937_64 rng(4242);
    for (int iter = 0; iter < 4000; ++iter) {
        const Raw a = random_raw(rng), b = random_raw(rng);
        const Decimal x = Decimal::from_raw(a), y = Decimal::from_raw(b);
        CAPTURE(raw_text(a));
        CAPTURE(raw_text(b));
        if (b != 0) {
            check_floor_div(a, b);
            // JS remainder: a − trunc(a/b)·b, the sign of the dividend.
            const Raw rem = a - (a / b) * b;
            const Decimal r = x % y;
            CHECK(raw_text(r.raw()) == raw_text(rem));
            CHECK(abs128(r.raw()) < abs128(b));
            if (!r.is_zero()) CHECK(r.is_negative() == (a < 0));
        }
        const int places = static_cast<int>(rng() % 13);
        const Raw unit = pow10_raw(12 - places);
        const Raw up = -floor_div_ref(-a, unit) * unit;
        if (abs128(up) >= kLimit) {
            CHECK_THROWS_AS(x.ceil(places), DecimalOverflow);
        } else {
            CHECK(raw_text(x.ceil(places).raw()) == raw_text(up));
        }
        const Raw down = floor_div_ref(a, kScale) * kScale;
        if (abs128(down) >= kLimit) {
            CHECK_THROWS_AS(x.floor(), DecimalOverflow);
        } else {
            CHECK(raw_text(x.floor().raw()) == raw_text(down));
        }
        // places(): the value is a whole number of 10^-places and of no coarser unit.
        const int p = x.places();
        CHECK(a % pow10_raw(12 - p) == 0);
        if (p > 0) CHECK(a % pow10_raw(13 - p) != 0);
    }
}
