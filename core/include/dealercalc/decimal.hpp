// Exact decimal arithmetic for money and figures (spec §7 "Numbers").
//
// A Decimal is a signed integer count of 10^-12: 12 decimal places, magnitudes below
// 10^15. + - * are exact whenever the exact result fits in 12 places; otherwise, and
// for division, the result is rounded half away from zero at the 12th place. Anything
// of magnitude 10^15 or more throws DecimalOverflow: never a wrong number.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace dealercalc {

class DecimalOverflow : public std::runtime_error {
public:
    DecimalOverflow() : std::runtime_error("number out of range: magnitude must stay below 10^15") {}
};

class DivisionByZero : public std::runtime_error {
public:
    DivisionByZero() : std::runtime_error("division by zero") {}
};

class Decimal {
public:
    __extension__ typedef __int128 Raw;
    static constexpr int kPlaces = 12;

    constexpr Decimal() = default;
    constexpr Decimal(int v) : raw_(static_cast<Raw>(v) * scale()) {}  // NOLINT: ints are exact
    static Decimal from_int(std::int64_t v);
    // Checks the range. Inline: every + and - goes through it.
    static Decimal from_raw(Raw raw) {
        if (raw >= limit() || raw <= -limit()) throw_overflow();
        Decimal d;
        d.raw_ = raw;
        return d;
    }

    // Parses JSON number syntax (and a leading '+'); nullopt-like: returns false on bad
    // syntax. More than 12 decimals rounds half away from zero. Throws DecimalOverflow.
    // `inexact` (optional) is set when digits beyond the 12th place were rounded away.
    static bool parse(std::string_view text, Decimal& out, bool* inexact = nullptr);
    static Decimal parse_or_throw(std::string_view text);
    // Only the plain form "-123.45" (at most 15 integer digits without a leading zero, 1
    // to 12 decimals, no exponent): false for anything else, which parse() may still
    // read. `places` (optional) gets the decimal places up to the last non-zero digit.
    static bool parse_plain(std::string_view text, Decimal& out, int* places = nullptr);

    // Shortest exact decimal form: "0.3", "-2.5", "1200", never an exponent.
    std::string to_string() const;
    // The same, appended to `out` (no temporary string: for writers of many numbers).
    void append_to(std::string& out) const;
    // The same, written backwards so that it ends just before `end`; returns where it
    // starts, at most kMaxChars bytes before `end`. For writers that lay out a run of
    // numbers from its end, with no copy per number.
    static constexpr int kMaxChars = 32;  // sign, 15 digits, point, 12 digits: 29
    char* write_before(char* end) const { return write_to(end); }
    // Closest binary double; for display-only or JS hand-off, never for arithmetic.
    double to_double() const;

    Raw raw() const { return raw_; }
    bool is_zero() const { return raw_ == 0; }
    bool is_negative() const { return raw_ < 0; }
    bool is_integer() const;
    // Number of decimal places actually used (0..12).
    int places() const;

    Decimal operator-() const { return from_raw(-raw_); }
    friend Decimal operator+(Decimal a, Decimal b) { return from_raw(a.raw_ + b.raw_); }
    friend Decimal operator-(Decimal a, Decimal b) { return from_raw(a.raw_ - b.raw_); }
    friend Decimal operator*(Decimal a, Decimal b);
    friend Decimal operator/(Decimal a, Decimal b);  // throws DivisionByZero
    // JavaScript's %: the sign follows the dividend; exact.
    friend Decimal operator%(Decimal a, Decimal b);
    Decimal& operator+=(Decimal b) { return *this = *this + b; }
    Decimal& operator-=(Decimal b) { return *this = *this - b; }

    friend bool operator==(Decimal a, Decimal b) { return a.raw_ == b.raw_; }
    friend bool operator!=(Decimal a, Decimal b) { return a.raw_ != b.raw_; }
    friend bool operator<(Decimal a, Decimal b) { return a.raw_ < b.raw_; }
    friend bool operator<=(Decimal a, Decimal b) { return a.raw_ <= b.raw_; }
    friend bool operator>(Decimal a, Decimal b) { return a.raw_ > b.raw_; }
    friend bool operator>=(Decimal a, Decimal b) { return a.raw_ >= b.raw_; }

    // Rounded half away from zero to `places` decimal places (0..12).
    Decimal round(int places) const;
    // Rounded up (towards +infinity) to `places` decimal places.
    Decimal ceil(int places) const;
    Decimal floor() const;
    // floor(a / b) computed exactly (no rounding at the 12th place first).
    static Decimal floor_div(Decimal a, Decimal b);
    static Decimal pow10(int exponent);  // 10^exponent for -12..14
    static Decimal min(Decimal a, Decimal b) { return a < b ? a : b; }
    static Decimal max(Decimal a, Decimal b) { return a < b ? b : a; }
    Decimal abs() const { return raw_ < 0 ? -*this : *this; }

    static constexpr Raw scale() { return static_cast<Raw>(1000000000000LL); }
    static constexpr Raw limit() { return scale() * scale() * 1000; }  // 10^15 in raw units

private:
    [[noreturn]] static void throw_overflow();  // out of line: keeps from_raw small
    char* write_to(char* end) const;
    Raw raw_ = 0;
};

}  // namespace dealercalc
