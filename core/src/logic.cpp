// JsonLogic with the semantics of json-logic-js 2.0.5 and exact Decimal arithmetic.
//
// Where JavaScript would produce NaN or ±Infinity in arithmetic, this throws a
// LogicError (not_a_number, division_by_zero, overflow) naming the operation by its
// JSON Pointer. Comparisons involving NaN are false, as in JavaScript.
//
// A rule is compiled into a tree of LogicNode (operators resolved, constant `var`
// paths split into segments, array indexes pre-parsed, top-level names optionally bound
// to slots). Applying walks the tree; every evaluation returns a const reference — to a
// literal in the tree, into the data, or to a caller-provided temporary — so reading a
// variable copies nothing.
//
// Numeric rules (the engine's derived values and `when` conditions) also get a compact
// postfix form over numbers and booleans (see FastOp), run without building Values; it
// gives way to the tree walk whenever anything else (a string, null, an error) is met,
// so it can only ever give the result the tree walk gives.
#include "dealercalc/logic.hpp"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <new>
#include <string_view>
#include <utility>

namespace dealercalc {

namespace {

enum class Op : unsigned char {
    Literal,
    Array,
    Var,
    Missing,
    MissingSome,
    If,
    Eq,
    StrictEq,
    Ne,
    StrictNe,
    Not,
    NotNot,
    Or,
    And,
    Gt,
    Ge,
    Lt,
    Le,
    Max,
    Min,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Map,
    Filter,
    Reduce,
    All,
    None,
    Some,
    Merge,
    In,
    Cat,
    Substr,
    Log,
};

struct OpName {
    const char* name;
    Op op;
};

constexpr OpName kOperators[] = {
    {"var", Op::Var},       {"missing", Op::Missing}, {"missing_some", Op::MissingSome},
    {"if", Op::If},         {"?:", Op::If},           {"==", Op::Eq},
    {"===", Op::StrictEq},  {"!=", Op::Ne},           {"!==", Op::StrictNe},
    {"!", Op::Not},         {"!!", Op::NotNot},       {"or", Op::Or},
    {"and", Op::And},       {">", Op::Gt},            {">=", Op::Ge},
    {"<", Op::Lt},          {"<=", Op::Le},           {"max", Op::Max},
    {"min", Op::Min},       {"+", Op::Add},           {"-", Op::Sub},
    {"*", Op::Mul},         {"/", Op::Div},           {"%", Op::Mod},
    {"map", Op::Map},       {"filter", Op::Filter},   {"reduce", Op::Reduce},
    {"all", Op::All},       {"none", Op::None},       {"some", Op::Some},
    {"merge", Op::Merge},   {"in", Op::In},           {"cat", Op::Cat},
    {"substr", Op::Substr}, {"log", Op::Log},
};

bool find_operator(std::string_view name, Op& out) {
    for (const OpName& o : kOperators)
        if (name == o.name) {
            out = o.op;
            return true;
        }
    return false;
}

const char* operator_name(Op op) {
    for (const OpName& o : kOperators)
        if (o.op == op) return o.name;
    return "?";
}

bool is_per_element(Op op) {
    return op == Op::Map || op == Op::Filter || op == Op::Reduce || op == Op::All || op == Op::None ||
           op == Op::Some;
}

}  // namespace

// One step of a variable path: the key, and its value as an array index when it is a
// canonical one ("0", "17"; not "01" or "-1"), as JavaScript's arr["1"] reads arr[1].
struct Segment {
    std::string key;
    std::int64_t index = -1;
};

// A pre-split variable path. `whole` reads the whole data ("", null, no argument).
struct VarPath {
    bool whole = false;
    std::vector<Segment> segs;
    int slot = -1;  // bound slot of segs[0], or -1
};

// A constant key of `missing` / `missing_some`: the key as written (it is what the result
// lists) and its pre-split path.
struct MissingKey {
    Value key;
    VarPath path;
};

// The numeric fast path. A (sub)tree that only uses number/boolean literals, bound
// single-name `var`s and the operators + - * / % min max == === != !== > >= < <= ! !!
// and or if ?: is also compiled into a flat postfix program over a small stack of
// numbers and booleans, run without building any Value. It gives up (and the general
// evaluator runs instead, for the exact result or error) when a slot holds anything but
// a number or a boolean, on any arithmetic error, and where the general evaluator would
// produce null.

struct FastVal {
    Decimal d;         // a boolean as 0 / 1: its value in arithmetic and comparisons
    const Value* src;  // the Value passed through unchanged (a literal or a slot), or null
    bool is_bool;
};

// Eq..Le, Add, Mul, Sub, Div, Mod, Max and Min are binary: the left operand is the top of
// the stack (replaced by the result), the right one comes from where FastRhs says.
enum class FastOp : unsigned char {
    Const,       // push consts[arg]
    Slot,        // push slots[arg]; gives up unless a number or a boolean
    Jump,        // pc = arg
    JumpFalsy,   // pop; if falsy, pc = arg
    AndJump,     // if the top is falsy, pc = arg (keeping it); else pop
    OrJump,      // if the top is truthy, pc = arg (keeping it); else pop
    Fail,        // give up (an `if` without else where no branch was taken: null)
    Not,
    NotNot,
    Eq,
    Ne,
    StrictEq,
    StrictNe,
    Gt,
    Ge,
    Lt,
    Le,
    LtFirst,     // a b -> b, or -> false and pc = arg when not a < b (then c, Lt)
    LeFirst,
    Plus,        // the number of one operand of +: gives up on a boolean (parseFloat)
    Add,         // gives up on a boolean operand (parseFloat)
    Mul,         // gives up on a boolean operand (parseFloat)
    MulInt,      // times ints[arg], an integer literal: exact, no rounding to do
    Sub,
    Neg,
    Div,
    Mod,
    Max,
    Min,
    ToNumber,    // max / min of one operand
    End,
};

// Where a binary operation's right operand comes from: popped off the stack, or read
// directly from consts[arg] or slots[arg] (a literal or var operand is not pushed).
// None for the other instructions.
enum class FastRhs : unsigned char { None, Stack, Const, Slot };

struct FastInstr {
    FastOp op;
    FastRhs rhs;
    std::uint32_t arg;
};

struct FastProgram {
    std::vector<FastInstr> code;  // empty: none
    std::vector<FastVal> consts;
    std::vector<std::int64_t> ints;
};

struct LogicNode {
    Op op = Op::Literal;
    bool const_path = false;  // Var: `var` is the constant path
    bool const_keys = false;  // Missing, MissingSome: `keys` are the constant keys
    bool fast_ok = false;     // the subtree qualifies for the numeric fast path
    std::int64_t options_length = -1;  // MissingSome with const_keys: options.length, -1 = NaN
    Value literal;
    std::vector<LogicNode> args;
    VarPath var;
    std::vector<MissingKey> keys;
    std::string path;  // JSON Pointer of this operation in the rule
    FastProgram fast;  // the numeric form of a maximal qualifying subtree, or empty
};

namespace {

const Value kNull;
// Stands for JavaScript's `undefined` (an absent argument); recognised by address.
const Value kUndefined;

bool is_undefined(const Value& v) { return &v == &kUndefined; }

// ---------------------------------------------------------------------------
// Strings: JavaScript strings are UTF-16; ours are UTF-8. Lengths, indexes and ordering
// follow UTF-16 code units.

bool is_ascii(std::string_view s) {
    for (unsigned char c : s)
        if (c >= 0x80) return false;
    return true;
}

std::u16string to_u16(std::string_view s) {
    std::u16string out;
    out.reserve(s.size());
    std::size_t i = 0;
    while (i < s.size()) {
        const unsigned char c = static_cast<unsigned char>(s[i]);
        std::uint32_t cp;
        std::size_t n;
        if (c < 0x80) {
            cp = c;
            n = 1;
        } else if ((c & 0xE0) == 0xC0) {
            cp = c & 0x1Fu;
            n = 2;
        } else if ((c & 0xF0) == 0xE0) {
            cp = c & 0x0Fu;
            n = 3;
        } else if ((c & 0xF8) == 0xF0) {
            cp = c & 0x07u;
            n = 4;
        } else {
            out.push_back(u'\uFFFD');
            ++i;
            continue;
        }
        if (i + n > s.size()) {
            out.push_back(u'\uFFFD');
            break;
        }
        for (std::size_t k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3Fu);
        i += n;
        if (cp >= 0x10000) {
            cp -= 0x10000;
            out.push_back(static_cast<char16_t>(0xD800 + (cp >> 10)));
            out.push_back(static_cast<char16_t>(0xDC00 + (cp & 0x3FF)));
        } else {
            out.push_back(static_cast<char16_t>(cp));
        }
    }
    return out;
}

void append_utf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
}

// UTF-16 code units [begin, end) back to UTF-8; a surrogate cut in half becomes U+FFFD.
std::string from_u16(const std::u16string& s, std::size_t begin, std::size_t end) {
    std::string out;
    out.reserve(end - begin);
    for (std::size_t i = begin; i < end; ++i) {
        const std::uint32_t u = s[i];
        if (u >= 0xD800 && u <= 0xDBFF && i + 1 < end && s[i + 1] >= 0xDC00 && s[i + 1] <= 0xDFFF) {
            append_utf8(out, 0x10000 + ((u - 0xD800) << 10) + (s[i + 1] - 0xDC00u));
            ++i;
        } else if (u >= 0xD800 && u <= 0xDFFF) {
            append_utf8(out, 0xFFFD);
        } else {
            append_utf8(out, u);
        }
    }
    return out;
}

std::int64_t utf16_length(std::string_view s) {
    std::int64_t n = 0;
    for (unsigned char c : s) {
        if ((c & 0xC0) == 0x80) continue;  // continuation byte
        n += (c & 0xF8) == 0xF0 ? 2 : 1;
    }
    return n;
}

// UTF-16 code units [begin, end) of a UTF-8 string.
std::string substring16(const std::string& s, std::int64_t begin, std::int64_t end) {
    if (end <= begin) return std::string();
    if (is_ascii(s)) return s.substr(static_cast<std::size_t>(begin), static_cast<std::size_t>(end - begin));
    const std::u16string u = to_u16(s);
    return from_u16(u, static_cast<std::size_t>(begin), static_cast<std::size_t>(end));
}

// JavaScript string ordering: by UTF-16 code units. UTF-8 byte order is code point order,
// which differs only between supplementary characters and U+E000..U+FFFF.
int compare_strings(const std::string& a, const std::string& b) {
    auto needs_u16 = [](const std::string& s) {
        for (unsigned char c : s)
            if (c >= 0xEE) return true;
        return false;
    };
    if (needs_u16(a) || needs_u16(b)) {
        const int c = to_u16(a).compare(to_u16(b));
        return c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
    const int c = a.compare(b);
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

// ---------------------------------------------------------------------------
// JavaScript conversions.

// String(v); `undefined` inside arrays (and null) joins as "".
void append_js_string(std::string& out, const Value& v) {
    if (is_undefined(v)) {
        out += "undefined";
        return;
    }
    switch (v.type()) {
        case Value::Type::Null: out += "null"; break;
        case Value::Type::Bool: out += v.as_bool() ? "true" : "false"; break;
        case Value::Type::Number: out += v.as_number().to_string(); break;
        case Value::Type::String: out += v.as_string(); break;
        case Value::Type::Array: {
            bool first = true;
            for (const Value& e : v.as_array()) {
                if (!first) out.push_back(',');
                first = false;
                if (!e.is_null()) append_js_string(out, e);
            }
            break;
        }
        case Value::Type::Object: out += "[object Object]"; break;
    }
}

std::string js_string(const Value& v) {
    if (v.is_string() && !is_undefined(v)) return v.as_string();
    std::string out;
    append_js_string(out, v);
    return out;
}

enum class NumKind : unsigned char { Finite, NaN, PosInf, NegInf };

struct Num {
    NumKind kind = NumKind::Finite;
    Decimal d;
    bool finite() const { return kind == NumKind::Finite; }
};

Num nan_num() { return Num{NumKind::NaN, Decimal()}; }
Num inf_num(bool negative) { return Num{negative ? NumKind::NegInf : NumKind::PosInf, Decimal()}; }

// Bytes taken by a JavaScript white space or line terminator at s[i], or 0.
std::size_t white_space_at(std::string_view s, std::size_t i) {
    const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
    const std::size_t left = s.size() - i;
    const unsigned char c = b(0);
    if (c == ' ' || (c >= 0x09 && c <= 0x0D)) return 1;
    if (left >= 2 && c == 0xC2 && b(1) == 0xA0) return 2;  // U+00A0
    if (left >= 3) {
        if (c == 0xE1 && b(1) == 0x9A && b(2) == 0x80) return 3;  // U+1680
        if (c == 0xE2 && b(1) == 0x80 && ((b(2) >= 0x80 && b(2) <= 0x8A) || b(2) == 0xA8 || b(2) == 0xA9 || b(2) == 0xAF))
            return 3;                                                    // U+2000..200A, 2028, 2029, 202F
        if (c == 0xE2 && b(1) == 0x81 && b(2) == 0x9F) return 3;  // U+205F
        if (c == 0xE3 && b(1) == 0x80 && b(2) == 0x80) return 3;  // U+3000
        if (c == 0xEF && b(1) == 0xBB && b(2) == 0xBF) return 3;  // U+FEFF
    }
    return 0;
}

std::string_view trim_start(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        const std::size_t n = white_space_at(s, i);
        if (n == 0) break;
        i += n;
    }
    return s.substr(i);
}

std::string_view trim(std::string_view s) {
    s = trim_start(s);
    for (;;) {
        if (s.empty()) return s;
        bool cut = false;
        for (std::size_t n = 1; n <= 3 && n <= s.size(); ++n) {
            if (white_space_at(s, s.size() - n) == n) {
                s.remove_suffix(n);
                cut = true;
                break;
            }
        }
        if (!cut) return s;
    }
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Scans the longest unsigned decimal literal at the start of s (digits, optional
// fraction, optional exponent; ".5" and "5." included) and writes it in JSON number
// syntax to `json`. Returns the bytes used, 0 when there is none.
std::size_t scan_decimal(std::string_view s, std::string& json) {
    std::size_t i = 0;
    while (i < s.size() && is_digit(s[i])) ++i;
    const std::string_view int_digits = s.substr(0, i);
    std::string_view frac_digits;
    if (i < s.size() && s[i] == '.') {
        std::size_t j = i + 1;
        while (j < s.size() && is_digit(s[j])) ++j;
        frac_digits = s.substr(i + 1, j - i - 1);
        if (int_digits.empty() && frac_digits.empty()) return 0;
        i = j;
    } else if (int_digits.empty()) {
        return 0;
    }
    std::string_view exponent;
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
        std::size_t k = i + 1;
        if (k < s.size() && (s[k] == '+' || s[k] == '-')) ++k;
        const std::size_t digits_start = k;
        while (k < s.size() && is_digit(s[k])) ++k;
        if (k > digits_start) {
            exponent = s.substr(i + 1, k - i - 1);
            i = k;
        }
    }
    const std::size_t nonzero = int_digits.find_first_not_of('0');
    json.assign(nonzero == std::string_view::npos ? std::string_view("0") : int_digits.substr(nonzero));
    if (!frac_digits.empty()) {
        json.push_back('.');
        json.append(frac_digits);
    }
    if (!exponent.empty()) {
        json.push_back('e');
        json.append(exponent);
    }
    return i;
}

Num decimal_from_json(bool negative, const std::string& json) {
    Decimal d;
    try {
        if (!Decimal::parse(json, d)) return nan_num();
    } catch (const DecimalOverflow&) {
        return inf_num(negative);  // beyond our range: ordered like JavaScript's huge numbers
    }
    return Num{NumKind::Finite, negative ? -d : d};
}

// StringToNumber: trimmed; "" is 0; decimal, 0x / 0o / 0b integers, ±Infinity; else NaN.
Num string_to_number(std::string_view text) {
    const std::string_view s = trim(text);
    if (s.empty()) return Num{};
    if (s.size() > 2 && s[0] == '0') {
        int radix = 0;
        if (s[1] == 'x' || s[1] == 'X') radix = 16;
        if (s[1] == 'o' || s[1] == 'O') radix = 8;
        if (s[1] == 'b' || s[1] == 'B') radix = 2;
        if (radix != 0) {
            Decimal::Raw v = 0;
            bool big = false;
            for (std::size_t i = 2; i < s.size(); ++i) {
                const char c = s[i];
                int digit;
                if (is_digit(c)) digit = c - '0';
                else if (c >= 'a' && c <= 'f') digit = c - 'a' + 10;
                else if (c >= 'A' && c <= 'F') digit = c - 'A' + 10;
                else return nan_num();
                if (digit >= radix) return nan_num();
                if (!big) {
                    v = v * radix + digit;
                    if (v >= Decimal::limit() / Decimal::scale()) big = true;
                }
            }
            if (big) return inf_num(false);
            return Num{NumKind::Finite, Decimal::from_raw(v * Decimal::scale())};
        }
    }
    std::size_t i = 0;
    bool negative = false;
    if (s[0] == '+' || s[0] == '-') {
        negative = s[0] == '-';
        i = 1;
    }
    const std::string_view rest = s.substr(i);
    if (rest == "Infinity") return inf_num(negative);
    std::string json;
    const std::size_t used = scan_decimal(rest, json);
    if (used == 0 || used != rest.size()) return nan_num();
    return decimal_from_json(negative, json);
}

// parseFloat: the longest decimal prefix after leading white space; else NaN.
Num parse_float_string(std::string_view text) {
    const std::string_view s = trim_start(text);
    std::size_t i = 0;
    bool negative = false;
    if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
        negative = s[0] == '-';
        i = 1;
    }
    const std::string_view rest = s.substr(i);
    if (rest.substr(0, 8) == "Infinity") return inf_num(negative);
    std::string json;
    if (scan_decimal(rest, json) == 0) return nan_num();
    return decimal_from_json(negative, json);
}

// ToNumber.
Num to_number(const Value& v) {
    if (is_undefined(v)) return nan_num();
    switch (v.type()) {
        case Value::Type::Null: return Num{};
        case Value::Type::Bool: return Num{NumKind::Finite, Decimal(v.as_bool() ? 1 : 0)};
        case Value::Type::Number: return Num{NumKind::Finite, v.as_number()};
        case Value::Type::String: return string_to_number(v.as_string());
        case Value::Type::Array: return string_to_number(js_string(v));
        case Value::Type::Object: return nan_num();
    }
    return nan_num();
}

// parseFloat(v): parseFloat(String(v)).
Num parse_float(const Value& v) {
    if (v.is_number()) return Num{NumKind::Finite, v.as_number()};
    if (v.is_string() && !is_undefined(v)) return parse_float_string(v.as_string());
    if (v.is_array()) return parse_float_string(js_string(v));
    return nan_num();  // null, booleans, objects, undefined
}

// ToIntegerOrInfinity, saturated far beyond any string length.
std::int64_t to_integer(const Value& v) {
    constexpr std::int64_t kHuge = std::int64_t(1) << 60;
    const Num n = to_number(v);
    switch (n.kind) {
        case NumKind::NaN: return 0;
        case NumKind::PosInf: return kHuge;
        case NumKind::NegInf: return -kHuge;
        case NumKind::Finite: break;
    }
    return static_cast<std::int64_t>(n.d.raw() / Decimal::scale());  // truncates towards zero
}

// ---------------------------------------------------------------------------
// Truthiness, equality, ordering.

bool is_composite(const Value& v) { return v.is_array() || v.is_object(); }

// Arrays and objects compare by identity, as JavaScript objects do: copies of one Value
// share their storage, so a value read twice from the data is identical to itself.
bool same_object(const Value& a, const Value& b) {
    if (a.is_array()) return &a.as_array() == &b.as_array();
    return &a.as_object() == &b.as_object();
}

bool strict_equal(const Value& a, const Value& b) {
    if (is_undefined(a) || is_undefined(b)) return is_undefined(a) && is_undefined(b);
    if (a.type() != b.type()) return false;
    switch (a.type()) {
        case Value::Type::Null: return true;
        case Value::Type::Bool: return a.as_bool() == b.as_bool();
        case Value::Type::Number: return a.as_number() == b.as_number();
        case Value::Type::String: return a.as_string() == b.as_string();
        case Value::Type::Array:
        case Value::Type::Object: return same_object(a, b);
    }
    return false;
}

bool num_equals(const Num& n, Decimal d) { return n.finite() && n.d == d; }

// Abstract (loose) equality.
bool loose_equal(const Value& a, const Value& b) {
    const bool ua = is_undefined(a) || a.is_null();
    const bool ub = is_undefined(b) || b.is_null();
    if (ua || ub) return ua && ub;
    if (a.type() == b.type()) return strict_equal(a, b);
    if (a.is_bool()) return loose_equal(Value(Decimal(a.as_bool() ? 1 : 0)), b);
    if (b.is_bool()) return loose_equal(a, Value(Decimal(b.as_bool() ? 1 : 0)));
    if (a.is_number() && b.is_string()) return num_equals(string_to_number(b.as_string()), a.as_number());
    if (a.is_string() && b.is_number()) return num_equals(string_to_number(a.as_string()), b.as_number());
    if (is_composite(a) && !is_composite(b)) return loose_equal(Value(js_string(a)), b);
    if (is_composite(b) && !is_composite(a)) return loose_equal(a, Value(js_string(b)));
    return false;  // an array and an object
}

constexpr int kUnordered = 2;

int compare_nums(const Num& x, const Num& y) {
    if (x.kind == NumKind::NaN || y.kind == NumKind::NaN) return kUnordered;
    auto rank = [](const Num& n) { return n.kind == NumKind::NegInf ? -1 : (n.kind == NumKind::PosInf ? 1 : 0); };
    const int rx = rank(x), ry = rank(y);
    if (rx != ry) return rx < ry ? -1 : 1;
    if (rx != 0) return 0;
    return x.d < y.d ? -1 : (x.d > y.d ? 1 : 0);
}

// The abstract relational comparison: -1, 0, 1, or kUnordered when NaN is involved.
int js_compare(const Value& a, const Value& b) {
    if (a.is_number() && b.is_number()) {
        const Decimal x = a.as_number(), y = b.as_number();
        return x < y ? -1 : (x > y ? 1 : 0);
    }
    const bool sa = !is_undefined(a) && (a.is_string() || is_composite(a));
    const bool sb = !is_undefined(b) && (b.is_string() || is_composite(b));
    if (sa && sb) {
        if (a.is_string() && b.is_string()) return compare_strings(a.as_string(), b.as_string());
        return compare_strings(js_string(a), js_string(b));
    }
    return compare_nums(to_number(a), to_number(b));
}

bool js_less(const Value& a, const Value& b) { return js_compare(a, b) == -1; }
bool js_less_equal(const Value& a, const Value& b) {
    const int c = js_compare(a, b);
    return c == -1 || c == 0;
}

// ---------------------------------------------------------------------------
// Paths.

Segment make_segment(std::string key) {
    Segment s;
    s.index = -1;
    if (!key.empty() && key.size() <= 15 && std::all_of(key.begin(), key.end(), is_digit) &&
        (key.size() == 1 || key[0] != '0')) {
        s.index = std::stoll(key);
    }
    s.key = std::move(key);
    return s;
}

// String(a).split(".").
std::vector<Segment> split_path(const std::string& path) {
    std::vector<Segment> segs;
    std::size_t start = 0;
    for (;;) {
        const std::size_t dot = path.find('.', start);
        if (dot == std::string::npos) {
            segs.push_back(make_segment(path.substr(start)));
            return segs;
        }
        segs.push_back(make_segment(path.substr(start, dot - start)));
        start = dot + 1;
    }
}

// The path a `var` argument names: null and "" read the whole data.
VarPath make_var_path(const Value& a) {
    VarPath p;
    if (is_undefined(a) || a.is_null() || (a.is_string() && a.as_string().empty())) {
        p.whole = true;
        return p;
    }
    p.segs = split_path(js_string(a));
    return p;
}

// data[seg] in JavaScript; nullptr for undefined. May write `tmp` (a character or a
// length) and return it; `base` may itself be `tmp`.
const Value* lookup(const Value& base, const Segment& seg, Value& tmp) {
    switch (base.type()) {
        case Value::Type::Object: return base.find(seg.key);
        case Value::Type::Array: {
            const Array& a = base.as_array();
            if (seg.index >= 0) {
                if (static_cast<std::uint64_t>(seg.index) < a.size()) return &a[static_cast<std::size_t>(seg.index)];
                return nullptr;
            }
            if (seg.key == "length") {
                Value n(Decimal::from_int(static_cast<std::int64_t>(a.size())));
                tmp = std::move(n);
                return &tmp;
            }
            return nullptr;
        }
        case Value::Type::String: {
            const std::string& s = base.as_string();
            if (seg.index >= 0) {
                if (seg.index >= utf16_length(s)) return nullptr;
                Value c(substring16(s, seg.index, seg.index + 1));
                tmp = std::move(c);
                return &tmp;
            }
            if (seg.key == "length") {
                Value n(Decimal::from_int(utf16_length(s)));
                tmp = std::move(n);
                return &tmp;
            }
            return nullptr;
        }
        default: return nullptr;
    }
}

// ---------------------------------------------------------------------------
// Errors.

std::string describe(const Value& v) {
    if (is_undefined(v)) return "nothing";
    std::string s = to_json(v);
    if (s.size() > 60) s = s.substr(0, 57) + "...";
    return s;
}

[[noreturn]] void throw_not_a_number(const LogicNode& n, const Value& v, const Num& num) {
    if (num.kind == NumKind::PosInf || num.kind == NumKind::NegInf)
        throw LogicError("overflow", n.path,
                         std::string("\"") + operator_name(n.op) + "\": " + describe(v) +
                             " is out of range (magnitude must stay below 10^15)");
    throw LogicError("not_a_number", n.path,
                     std::string("\"") + operator_name(n.op) + "\": " + describe(v) + " is not a number");
}

[[noreturn]] void throw_overflow(const LogicNode& n) {
    throw LogicError("overflow", n.path,
                     std::string("\"") + operator_name(n.op) + "\": result out of range (magnitude must stay below 10^15)");
}

[[noreturn]] void throw_division_by_zero(const LogicNode& n) {
    throw LogicError("division_by_zero", n.path, std::string("\"") + operator_name(n.op) + "\": division by zero");
}

Decimal require_number(const LogicNode& n, const Value& v, const Num& num) {
    if (!num.finite()) throw_not_a_number(n, v, num);
    return num.d;
}

// ---------------------------------------------------------------------------
// Evaluation.

struct Frame {
    enum Kind : unsigned char { Top, Element, Reduce };
    Kind kind = Top;
    const LogicScope* scope = nullptr;   // Top
    const Value* data = nullptr;         // Top (may be null), Element
    const Value* current = nullptr;      // Reduce
    const Value* accumulator = nullptr;  // Reduce
    bool general = false;                // never take the numeric fast path (testing)
};

bool data_is_null(const Value* d) { return d == nullptr || d->is_null(); }

const Value* slot_at(const LogicScope& s, int index) {
    if (index < 0 || static_cast<std::size_t>(index) >= s.slots->size()) return nullptr;
    return &(*s.slots)[static_cast<std::size_t>(index)];
}

// The whole data of a frame (`{"var": ""}`).
const Value& whole_data(const Frame& f, Value& out) {
    switch (f.kind) {
        case Frame::Top: return f.data ? *f.data : kNull;
        case Frame::Element: return *f.data;
        case Frame::Reduce: {
            Value o = Value::object();
            o.set("current", *f.current);
            o.set("accumulator", *f.accumulator);
            out = std::move(o);
            return out;
        }
    }
    return kNull;
}

// Follows a path from the frame's data; nullptr when undefined (the default applies).
const Value* resolve(const VarPath& p, const Frame& f, Value& tmp) {
    const Segment& first = p.segs.front();
    const Value* cur = nullptr;
    switch (f.kind) {
        case Frame::Top: {
            const LogicScope& s = *f.scope;
            if (p.slot >= 0 && s.slots) {
                cur = slot_at(s, p.slot);
            } else if (!data_is_null(s.data)) {
                cur = lookup(*s.data, first, tmp);
            } else if (s.slots && s.slot_of) {
                cur = slot_at(s, s.slot_of(first.key));
            }
            break;
        }
        case Frame::Element:
            if (!f.data->is_null()) cur = lookup(*f.data, first, tmp);
            break;
        case Frame::Reduce:
            if (first.key == "current") cur = f.current;
            else if (first.key == "accumulator") cur = f.accumulator;
            break;
    }
    for (std::size_t i = 1; i < p.segs.size(); ++i) {
        if (cur == nullptr || cur->is_null()) return nullptr;
        cur = lookup(*cur, p.segs[i], tmp);
    }
    return cur;
}

const Value* resolve_or_whole(const VarPath& p, const Frame& f, Value& tmp) {
    if (p.whole) return &whole_data(f, tmp);
    return resolve(p, f, tmp);
}

bool absent(const Value* v) { return v == nullptr || v->is_null() || (v->is_string() && v->as_string().empty()); }

const Value& eval_node(const LogicNode& n, const Frame& f, Value& out);
const Value* eval_fast(const LogicNode& n, const Frame& f, Value& out);

// Evaluates a node: through its numeric form when it has one and that succeeds.
inline const Value& eval(const LogicNode& n, const Frame& f, Value& out) {
    if (!n.fast.code.empty() && !f.general)
        if (const Value* r = eval_fast(n, f, out)) return *r;
    return eval_node(n, f, out);
}

// Evaluates the i-th argument, or yields undefined when there is none.
inline const Value& arg(const LogicNode& n, std::size_t i, const Frame& f, Value& out) {
    if (i >= n.args.size()) return kUndefined;
    return eval(n.args[i], f, out);
}

// {"var": key} for a key computed at run time: an array key is [path, default].
bool key_missing(const Value& key, const Frame& f) {
    Value tmp;
    if (key.is_array()) {
        const Array& a = key.as_array();
        const Value* v = resolve_or_whole(make_var_path(a.empty() ? kUndefined : a[0]), f, tmp);
        if (v == nullptr) v = a.size() > 1 ? &a[1] : &kNull;
        return absent(v);
    }
    return absent(resolve_or_whole(make_var_path(key), f, tmp));
}

// json-logic-js `missing` over the keys of its (evaluated) arguments.
Value missing_of(const Array& values, const Frame& f) {
    const Array& keys = !values.empty() && values[0].is_array() ? values[0].as_array() : values;
    Array out;
    for (const Value& k : keys)
        if (key_missing(k, f)) out.push_back(k);
    return Value(std::move(out));
}

Value missing_const(const LogicNode& n, const Frame& f) {
    Array out;
    Value tmp;
    for (const MissingKey& k : n.keys)
        if (absent(resolve_or_whole(k.path, f, tmp))) out.push_back(k.key);
    return Value(std::move(out));
}

// The iteration operators: map, filter, reduce, all, none, some.
const Value& eval_iteration(const LogicNode& n, const Frame& f, Value& out) {
    Value source_tmp;
    const Value& source = arg(n, 0, f, source_tmp);
    const LogicNode* rule = n.args.size() > 1 ? &n.args[1] : nullptr;
    Frame ef;
    ef.kind = Frame::Element;
    ef.general = f.general;
    auto apply_to = [&](const Value& element, Value& tmp) -> const Value& {
        if (!rule) return kUndefined;
        ef.data = &element;
        return eval(*rule, ef, tmp);
    };

    if (n.op == Op::Reduce) {
        Value acc;
        if (n.args.size() > 2) {
            Value init_tmp;
            acc = Value(eval(n.args[2], f, init_tmp));
        }
        if (!source.is_array()) {
            out = std::move(acc);
            return out;
        }
        Frame rf;
        rf.kind = Frame::Reduce;
        rf.general = f.general;
        rf.accumulator = &acc;
        for (const Value& element : source.as_array()) {
            rf.current = &element;
            Value tmp;
            const Value& r = rule ? eval(*rule, rf, tmp) : kUndefined;
            Value next(r);  // r may point into acc
            acc = std::move(next);
        }
        out = std::move(acc);
        return out;
    }

    if (!source.is_array()) {
        switch (n.op) {
            case Op::Map:
            case Op::Filter: out = Value::array(); return out;
            case Op::None: out = Value(true); return out;
            default: out = Value(false); return out;
        }
    }
    const Array& items = source.as_array();
    Value tmp;
    switch (n.op) {
        case Op::Map: {
            Array result;
            result.reserve(items.size());
            for (const Value& e : items) result.push_back(apply_to(e, tmp));
            out = Value(std::move(result));
            return out;
        }
        case Op::Filter: {
            Array result;
            for (const Value& e : items)
                if (truthy(apply_to(e, tmp))) result.push_back(e);
            out = Value(std::move(result));
            return out;
        }
        case Op::All: {
            bool all = !items.empty();
            for (const Value& e : items)
                if (!truthy(apply_to(e, tmp))) {
                    all = false;
                    break;
                }
            out = Value(all);
            return out;
        }
        case Op::None:
        case Op::Some: {
            bool found = false;
            for (const Value& e : items)
                if (truthy(apply_to(e, tmp))) {
                    found = true;
                    break;
                }
            out = Value(n.op == Op::Some ? found : !found);
            return out;
        }
        default: break;
    }
    return kNull;
}

const Value& eval_arithmetic(const LogicNode& n, const Frame& f, Value& out) {
    Value ta, tb;
    switch (n.op) {
        case Op::Add: {
            Decimal sum;
            for (const LogicNode& a : n.args) {
                const Value& v = eval(a, f, ta);
                sum += require_number(n, v, parse_float(v));
            }
            out = Value(sum);
            return out;
        }
        case Op::Mul: {
            if (n.args.empty())
                throw LogicError("bad_arguments", n.path, "\"*\" needs at least one argument");
            if (n.args.size() == 1) return eval(n.args[0], f, out);  // reduce() without a callback call
            Decimal product;
            bool first = true;
            for (const LogicNode& a : n.args) {
                const Value& v = eval(a, f, ta);
                const Decimal d = require_number(n, v, parse_float(v));
                product = first ? d : product * d;
                first = false;
            }
            out = Value(product);
            return out;
        }
        case Op::Sub: {
            const Value& a = arg(n, 0, f, ta);
            const Decimal x = require_number(n, a, to_number(a));
            if (n.args.size() < 2) {
                out = Value(-x);
                return out;
            }
            const Value& b = eval(n.args[1], f, tb);
            out = Value(x - require_number(n, b, to_number(b)));
            return out;
        }
        case Op::Div:
        case Op::Mod: {
            const Value& a = arg(n, 0, f, ta);
            const Decimal x = require_number(n, a, to_number(a));
            const Value& b = arg(n, 1, f, tb);
            const Decimal y = require_number(n, b, to_number(b));
            if (y.is_zero()) throw_division_by_zero(n);
            out = Value(n.op == Op::Div ? x / y : x % y);
            return out;
        }
        case Op::Max:
        case Op::Min: {
            if (n.args.empty())
                throw LogicError("not_a_number", n.path,
                                 std::string("\"") + operator_name(n.op) + "\" of nothing is not a number");
            Num best;
            bool first = true;
            for (const LogicNode& a : n.args) {
                const Value& v = eval(a, f, ta);
                const Num x = to_number(v);
                if (x.kind == NumKind::NaN) throw_not_a_number(n, v, x);
                const int c = first ? 0 : compare_nums(x, best);
                if (first || (n.op == Op::Max ? c > 0 : c < 0)) best = x;
                first = false;
            }
            if (!best.finite()) throw_overflow(n);
            out = Value(best.d);
            return out;
        }
        default: break;
    }
    return kNull;
}

const Value& eval_substr(const LogicNode& n, const Frame& f, Value& out) {
    Value ts, tb, te;
    const std::string source = js_string(arg(n, 0, f, ts));
    const Value& start_v = arg(n, 1, f, tb);
    const Value& end_v = arg(n, 2, f, te);
    const std::int64_t size = utf16_length(source);
    // String.prototype.substr(start, length).
    auto substr = [](const std::string& s, std::int64_t size_, std::int64_t start, const Value* length) {
        if (start < 0) start = std::max<std::int64_t>(size_ + start, 0);
        else start = std::min(start, size_);
        std::int64_t len = length ? to_integer(*length) : size_;
        len = std::min(std::max<std::int64_t>(len, 0), size_);
        const std::int64_t end = std::min(start + len, size_);
        return substring16(s, start, end);
    };
    const std::int64_t start = to_integer(start_v);
    if (!is_undefined(end_v) && js_less(end_v, Value(0))) {
        // Negative length: drop that many characters from the end (PHP-like).
        const std::string temp = substr(source, size, start, nullptr);
        const std::int64_t temp_size = utf16_length(temp);
        Value length;
        if (end_v.is_number()) length = Value(Decimal::from_int(temp_size) + end_v.as_number());
        else length = Value(std::to_string(temp_size) + js_string(end_v));  // JavaScript's + on a string
        out = Value(substr(temp, temp_size, 0, &length));
        return out;
    }
    out = Value(substr(source, size, start, is_undefined(end_v) ? nullptr : &end_v));
    return out;
}

const Value& eval_node(const LogicNode& n, const Frame& f, Value& out) {
    switch (n.op) {
        case Op::Literal: return n.literal;
        case Op::Array: {
            Array result;
            result.reserve(n.args.size());
            Value tmp;
            for (const LogicNode& a : n.args) result.push_back(eval(a, f, tmp));
            out = Value(std::move(result));
            return out;
        }
        case Op::Var: {
            const Value* r;
            if (n.const_path) {
                r = resolve_or_whole(n.var, f, out);
            } else {
                Value ta;
                const Value& a = arg(n, 0, f, ta);
                r = resolve_or_whole(make_var_path(a), f, out);
            }
            if (r) return *r;
            if (n.args.size() > 1) return eval(n.args[1], f, out);
            return kNull;
        }
        case Op::Missing: {
            if (n.const_keys) {
                out = missing_const(n, f);
                return out;
            }
            Array values;
            Value tmp;
            for (const LogicNode& a : n.args) values.push_back(eval(a, f, tmp));
            out = missing_of(values, f);
            return out;
        }
        case Op::MissingSome: {
            Value tn, to;
            const Value& need = arg(n, 0, f, tn);
            Value missing;
            std::int64_t length = -1;
            if (n.const_keys) {
                missing = missing_const(n, f);
                length = n.options_length;
            } else {
                const Value& options = arg(n, 1, f, to);
                if (options.is_null())  // includes undefined: json-logic-js throws reading .length
                    throw LogicError("bad_arguments", n.path, "\"missing_some\" needs a list of names");
                // json-logic-js applies {"missing": options}: an array's elements are the
                // arguments, anything else is the only argument.
                missing = options.is_array() ? missing_of(options.as_array(), f) : missing_of(Array{options}, f);
                if (options.is_array()) length = static_cast<std::int64_t>(options.size());
                else if (options.is_string() && !is_undefined(options)) length = utf16_length(options.as_string());
            }
            bool enough = false;
            if (length >= 0) {
                const Value present(Decimal::from_int(length - static_cast<std::int64_t>(missing.size())));
                enough = js_less_equal(need, present);
            }
            out = enough ? Value::array() : std::move(missing);
            return out;
        }
        case Op::If: {
            const std::size_t count = n.args.size();
            std::size_t i = 0;
            for (; i + 1 < count; i += 2) {
                Value tmp;
                if (truthy(eval(n.args[i], f, tmp))) return eval(n.args[i + 1], f, out);
            }
            if (i + 1 == count) return eval(n.args[i], f, out);
            return kNull;
        }
        case Op::Or:
        case Op::And: {
            const Value* current = &kUndefined;
            for (const LogicNode& a : n.args) {
                current = &eval(a, f, out);
                if (truthy(*current) == (n.op == Op::Or)) return *current;
            }
            return *current;
        }
        case Op::Not:
        case Op::NotNot: {
            Value tmp;
            const bool t = truthy(arg(n, 0, f, tmp));
            out = Value(n.op == Op::Not ? !t : t);
            return out;
        }
        case Op::Eq:
        case Op::Ne:
        case Op::StrictEq:
        case Op::StrictNe: {
            Value ta, tb;
            const Value& a = arg(n, 0, f, ta);
            const Value& b = arg(n, 1, f, tb);
            bool r;
            if (n.op == Op::Eq || n.op == Op::Ne) r = loose_equal(a, b);
            else r = strict_equal(a, b);
            if (n.op == Op::Ne || n.op == Op::StrictNe) r = !r;
            out = Value(r);
            return out;
        }
        case Op::Gt:
        case Op::Ge: {
            Value ta, tb;
            const Value& a = arg(n, 0, f, ta);
            const Value& b = arg(n, 1, f, tb);
            out = Value(n.op == Op::Gt ? js_less(b, a) : js_less_equal(b, a));
            return out;
        }
        case Op::Lt:
        case Op::Le: {
            Value ta, tb, tc;
            const Value& a = arg(n, 0, f, ta);
            const Value& b = arg(n, 1, f, tb);
            const bool strict = n.op == Op::Lt;
            bool r = strict ? js_less(a, b) : js_less_equal(a, b);
            if (r && n.args.size() > 2) {
                const Value& c = eval(n.args[2], f, tc);
                if (!is_undefined(c)) r = strict ? js_less(b, c) : js_less_equal(b, c);
            }
            out = Value(r);
            return out;
        }
        case Op::Add:
        case Op::Sub:
        case Op::Mul:
        case Op::Div:
        case Op::Mod:
        case Op::Max:
        case Op::Min:
            try {
                return eval_arithmetic(n, f, out);
            } catch (const DecimalOverflow&) {
                throw_overflow(n);
            } catch (const DivisionByZero&) {
                throw_division_by_zero(n);
            }
        case Op::Map:
        case Op::Filter:
        case Op::Reduce:
        case Op::All:
        case Op::None:
        case Op::Some: return eval_iteration(n, f, out);
        case Op::Merge: {
            Array result;
            Value tmp;
            for (const LogicNode& a : n.args) {
                const Value& v = eval(a, f, tmp);
                if (v.is_array()) {
                    const Array& items = v.as_array();
                    result.insert(result.end(), items.begin(), items.end());
                } else {
                    result.push_back(v);
                }
            }
            out = Value(std::move(result));
            return out;
        }
        case Op::In: {
            Value ta, tb;
            const Value& a = arg(n, 0, f, ta);
            const Value& b = arg(n, 1, f, tb);
            bool r = false;
            if (b.is_string() && !is_undefined(b)) {
                const std::string& hay = b.as_string();
                r = !hay.empty() && hay.find(js_string(a)) != std::string::npos;
            } else if (b.is_array()) {
                for (const Value& e : b.as_array())
                    if (strict_equal(a, e)) {
                        r = true;
                        break;
                    }
            }
            out = Value(r);
            return out;
        }
        case Op::Cat: {
            std::string s;
            Value tmp;
            for (const LogicNode& a : n.args) {
                const Value& v = eval(a, f, tmp);
                if (!v.is_null()) append_js_string(s, v);
            }
            out = Value(std::move(s));
            return out;
        }
        case Op::Substr: return eval_substr(n, f, out);
        case Op::Log: return arg(n, 0, f, out);
    }
    return kNull;
}

// ---------------------------------------------------------------------------
// The numeric fast path.

// The most stack a numeric program may use; a deeper subtree is left to the general
// evaluator (its parts may still get their own programs).
constexpr std::uint32_t kFastStack = 32;

// Uninitialised stack storage: entries are created as they are pushed (FastVal is
// trivially copyable and destructible). Entry 0 is never used, so that sp - 1 always
// points into the array.
union FastStack {
    FastStack() {}
    FastVal v[kFastStack + 1];
};

inline void set_bool(FastVal& v, bool b) {
    v.d = b ? Decimal(1) : Decimal(0);
    v.src = nullptr;
    v.is_bool = true;
}

inline void set_number(FastVal& v, Decimal d) {
    v.d = d;
    v.src = nullptr;
    v.is_bool = false;
}

// Reads a slot as a number or boolean; false for anything else (strings, null, arrays,
// objects: JavaScript coercions the general evaluator handles).
inline bool load_slot(const Value* slots, std::size_t slot_count, std::uint32_t index, FastVal& v) {
    if (index >= slot_count) return false;
    const Value& s = slots[index];
    if (s.is_number()) {
        v.d = s.as_number();
        v.is_bool = false;
    } else if (s.is_bool()) {
        v.d = s.as_bool() ? Decimal(1) : Decimal(0);
        v.is_bool = true;
    } else {
        return false;
    }
    v.src = &s;
    return true;
}

// Runs a numeric program; false means "give up" (the general evaluator decides).
// Decimal arithmetic may throw DecimalOverflow, which also means giving up.
bool fast_exec(const FastProgram& p, const Value* slots, std::size_t slot_count, FastVal& result) {
    FastStack stack;
    FastVal* sp = stack.v + 1;  // the next free entry
    const FastInstr* code = p.code.data();
    const FastVal* consts = p.consts.data();
    std::uint32_t pc = 0;
    FastVal loaded;
// Binary operations: the right operand `y` is popped or read in place (a literal or a
// slot), then `x` is the left one (replaced by the result).
#define DEALERCALC_FAST_BINARY(OP, ...)                                                  \
    case FastOp::OP: {                                                                   \
        const FastVal* y;                                                                \
        if (in.rhs == FastRhs::Const) {                                                  \
            y = &consts[in.arg];                                                         \
        } else if (in.rhs == FastRhs::Slot) {                                            \
            if (!load_slot(slots, slot_count, in.arg, loaded)) return false;             \
            y = &loaded;                                                                 \
        } else {                                                                         \
            y = --sp;                                                                    \
        }                                                                                \
        FastVal& x = sp[-1];                                                             \
        __VA_ARGS__;                                                                     \
        break;                                                                           \
    }
    for (;;) {
        const FastInstr& in = code[pc++];
        switch (in.op) {
            case FastOp::Const: ::new (static_cast<void*>(sp++)) FastVal(consts[in.arg]); break;
            case FastOp::Slot:
                if (!load_slot(slots, slot_count, in.arg, *::new (static_cast<void*>(sp)) FastVal)) return false;
                ++sp;
                break;
            case FastOp::Jump: pc = in.arg; break;
            case FastOp::JumpFalsy:
                --sp;
                if (sp->d.is_zero()) pc = in.arg;
                break;
            case FastOp::AndJump:
                if (sp[-1].d.is_zero()) pc = in.arg;
                else --sp;
                break;
            case FastOp::OrJump:
                if (!sp[-1].d.is_zero()) pc = in.arg;
                else --sp;
                break;
            case FastOp::Fail: return false;
            case FastOp::Not: set_bool(sp[-1], sp[-1].d.is_zero()); break;
            case FastOp::NotNot: set_bool(sp[-1], !sp[-1].d.is_zero()); break;
            // Loose equality compares a boolean as 0 / 1 when the types differ.
            DEALERCALC_FAST_BINARY(Eq, set_bool(x, x.d == y->d))
            DEALERCALC_FAST_BINARY(Ne, set_bool(x, x.d != y->d))
            DEALERCALC_FAST_BINARY(StrictEq, set_bool(x, x.d == y->d && x.is_bool == y->is_bool))
            DEALERCALC_FAST_BINARY(StrictNe, set_bool(x, !(x.d == y->d && x.is_bool == y->is_bool)))
            DEALERCALC_FAST_BINARY(Gt, set_bool(x, x.d > y->d))
            DEALERCALC_FAST_BINARY(Ge, set_bool(x, x.d >= y->d))
            DEALERCALC_FAST_BINARY(Lt, set_bool(x, x.d < y->d))
            DEALERCALC_FAST_BINARY(Le, set_bool(x, x.d <= y->d))
            case FastOp::LtFirst:  // both operands on the stack; b stays when a < b
            case FastOp::LeFirst:
                --sp;
                if (in.op == FastOp::LtFirst ? sp[-1].d < sp[0].d : sp[-1].d <= sp[0].d) {
                    sp[-1] = sp[0];
                } else {
                    set_bool(sp[-1], false);
                    pc = in.arg;
                }
                break;
            case FastOp::Plus:
                if (sp[-1].is_bool) return false;
                set_number(sp[-1], sp[-1].d);
                break;
            DEALERCALC_FAST_BINARY(Add, if (x.is_bool || y->is_bool) return false; set_number(x, x.d + y->d))
            DEALERCALC_FAST_BINARY(Mul, if (x.is_bool || y->is_bool) return false; set_number(x, x.d * y->d))
            case FastOp::MulInt:
                // x × k·10^12 / 10^12 is x × k exactly: what operator* gives, without its
                // divisions. |k| <= 10^11 keeps the raw product far inside 128 bits.
                if (sp[-1].is_bool) return false;
                set_number(sp[-1], Decimal::from_raw(sp[-1].d.raw() * p.ints[in.arg]));
                break;
            DEALERCALC_FAST_BINARY(Sub, set_number(x, x.d - y->d))
            case FastOp::Neg: set_number(sp[-1], -sp[-1].d); break;
            DEALERCALC_FAST_BINARY(Div, if (y->d.is_zero()) return false; set_number(x, x.d / y->d))
            DEALERCALC_FAST_BINARY(Mod, if (y->d.is_zero()) return false; set_number(x, x.d % y->d))
            DEALERCALC_FAST_BINARY(Max, set_number(x, Decimal::max(x.d, y->d)))
            DEALERCALC_FAST_BINARY(Min, set_number(x, Decimal::min(x.d, y->d)))
            case FastOp::ToNumber: set_number(sp[-1], sp[-1].d); break;
            case FastOp::End: result = sp[-1]; return true;
        }
    }
#undef DEALERCALC_FAST_BINARY
}

// Runs a node's numeric form; false to fall back to the general evaluator.
bool run_fast(const LogicNode& n, const std::vector<Value>* slots, FastVal& out) {
    try {
        return fast_exec(n.fast, slots ? slots->data() : nullptr, slots ? slots->size() : 0, out);
    } catch (const DecimalOverflow&) {
        return false;
    } catch (const DivisionByZero&) {
        return false;
    }
}

// The fast path for a node inside a rule: a pointer to the result (a literal, a slot, or
// `out`), or null to evaluate the node in general.
const Value* eval_fast(const LogicNode& n, const Frame& f, Value& out) {
    const std::vector<Value>* slots = f.kind == Frame::Top && f.scope ? f.scope->slots : nullptr;
    FastVal v;
    if (!run_fast(n, slots, v)) return nullptr;
    if (v.src) return v.src;
    out = v.is_bool ? Value(!v.d.is_zero()) : Value(v.d);
    return &out;
}

// Whether a compiled node (its children already marked) qualifies by its own operator.
bool fast_qualifies(const LogicNode& n) {
    const std::size_t count = n.args.size();
    switch (n.op) {
        case Op::Literal: return n.literal.is_number() || n.literal.is_bool();
        case Op::Var:
            // A bound single name: the slot itself (a default only applies without one).
            return n.const_path && !n.var.whole && n.var.segs.size() == 1 && n.var.slot >= 0;
        case Op::Add: return true;
        case Op::If:
        case Op::And:
        case Op::Or:
        case Op::Not:
        case Op::NotNot:
        case Op::Sub:
        case Op::Mul:
        case Op::Max:
        case Op::Min: return count >= 1;
        case Op::Eq:
        case Op::StrictEq:
        case Op::Ne:
        case Op::StrictNe:
        case Op::Gt:
        case Op::Ge:
        case Op::Lt:
        case Op::Le:
        case Op::Div:
        case Op::Mod: return count >= 2;
        default: return false;
    }
}

// Marks the qualifying subtrees, bottom up: a node qualifies when its operator does and
// every argument does (even ones never evaluated, to keep the rule simple); a `var`'s
// arguments are its path and default, not operands.
bool mark_fast(LogicNode& n) {
    bool ok = true;
    for (LogicNode& a : n.args) ok = mark_fast(a) && ok;
    if (n.op == Op::Var) ok = true;
    n.fast_ok = ok && fast_qualifies(n);
    return n.fast_ok;
}

// Compiles a qualifying subtree to postfix, evaluating exactly the operands the general
// evaluator does, in its order.
class FastEmitter {
public:
    explicit FastEmitter(FastProgram& p) : p_(p) {}

    std::uint32_t max_depth() const { return max_depth_; }

    void node(const LogicNode& n) {
        const std::size_t count = n.args.size();
        switch (n.op) {
            case Op::Literal:
                emit(FastOp::Const, constant_index(n));
                push(1);
                return;
            case Op::Var:
                emit(FastOp::Slot, static_cast<std::uint32_t>(n.var.slot));
                push(1);
                return;
            case Op::If: {
                const std::uint32_t base = depth_;
                std::vector<std::size_t> ends;
                std::size_t i = 0;
                for (; i + 1 < count; i += 2) {
                    node(n.args[i]);
                    const std::size_t skip = emit(FastOp::JumpFalsy);
                    depth_ = base;
                    node(n.args[i + 1]);
                    ends.push_back(emit(FastOp::Jump));
                    depth_ = base;
                    patch(skip);
                }
                if (i + 1 == count) {
                    node(n.args[i]);
                } else {
                    emit(FastOp::Fail);
                    push(1);
                }
                for (std::size_t e : ends) patch(e);
                return;
            }
            case Op::And:
            case Op::Or: {
                const std::uint32_t base = depth_;
                std::vector<std::size_t> ends;
                for (std::size_t i = 0; i + 1 < count; ++i) {
                    node(n.args[i]);
                    ends.push_back(emit(n.op == Op::And ? FastOp::AndJump : FastOp::OrJump));
                    depth_ = base;
                }
                node(n.args[count - 1]);
                for (std::size_t e : ends) patch(e);
                return;
            }
            case Op::Not:
            case Op::NotNot:
                node(n.args[0]);
                emit(n.op == Op::Not ? FastOp::Not : FastOp::NotNot);
                return;
            case Op::Eq: binary(n, FastOp::Eq); return;
            case Op::Ne: binary(n, FastOp::Ne); return;
            case Op::StrictEq: binary(n, FastOp::StrictEq); return;
            case Op::StrictNe: binary(n, FastOp::StrictNe); return;
            case Op::Gt: binary(n, FastOp::Gt); return;
            case Op::Ge: binary(n, FastOp::Ge); return;
            case Op::Div: binary(n, FastOp::Div); return;
            case Op::Mod: binary(n, FastOp::Mod); return;
            case Op::Lt:
            case Op::Le: {
                const bool strict = n.op == Op::Lt;
                if (count == 2) {
                    binary(n, strict ? FastOp::Lt : FastOp::Le);
                    return;
                }
                // Between: c is evaluated only when a < b.
                node(n.args[0]);
                node(n.args[1]);
                const std::size_t skip = emit(strict ? FastOp::LtFirst : FastOp::LeFirst);
                pop(1);
                operation(strict ? FastOp::Lt : FastOp::Le, n.args[2]);
                patch(skip);
                return;
            }
            case Op::Sub:
                node(n.args[0]);
                if (count == 1) {
                    emit(FastOp::Neg);
                    return;
                }
                operation(FastOp::Sub, n.args[1]);
                return;
            case Op::Add:
                if (count == 0) {
                    FastVal zero;
                    zero.d = Decimal();
                    zero.src = nullptr;
                    zero.is_bool = false;
                    constant(zero);
                    return;
                }
                fold(n, FastOp::Add, FastOp::Plus);
                return;
            case Op::Mul: {
                if (count == 1) {
                    node(n.args[0]);  // "*" of one operand is that operand, unconverted
                    return;
                }
                // Integer literals multiply exactly; `k * x` is `x * k` (a literal has no
                // effects to order).
                std::int64_t k = 0, k1 = 0;
                std::size_t i = 1;
                if (count == 2 && small_int(n.args[0], k) && !small_int(n.args[1], k1)) {
                    node(n.args[1]);
                    multiply_by(k);
                    return;
                }
                node(n.args[0]);
                for (; i < count; ++i) {
                    if (small_int(n.args[i], k)) multiply_by(k);
                    else operation(FastOp::Mul, n.args[i]);
                }
                return;
            }
            case Op::Max: fold(n, FastOp::Max, FastOp::ToNumber); return;
            case Op::Min: fold(n, FastOp::Min, FastOp::ToNumber); return;
            default: return;  // not reached: only qualifying subtrees are emitted
        }
    }

    std::size_t emit(FastOp op, std::uint32_t arg = 0) {
        p_.code.push_back(FastInstr{op, FastRhs::None, arg});
        return p_.code.size() - 1;
    }

private:
    void push(std::uint32_t k) {
        depth_ += k;
        max_depth_ = std::max(max_depth_, depth_);
    }
    void pop(std::uint32_t k) { depth_ -= k; }
    void patch(std::size_t at) { p_.code[at].arg = static_cast<std::uint32_t>(p_.code.size()); }

    std::uint32_t constant_index(const LogicNode& literal) {
        FastVal v;
        v.is_bool = literal.literal.is_bool();
        v.d = v.is_bool ? (literal.literal.as_bool() ? Decimal(1) : Decimal(0)) : literal.literal.as_number();
        v.src = &literal.literal;
        p_.consts.push_back(v);
        return static_cast<std::uint32_t>(p_.consts.size() - 1);
    }

    void constant(const FastVal& v) {
        emit(FastOp::Const, static_cast<std::uint32_t>(p_.consts.size()));
        p_.consts.push_back(v);
        push(1);
    }

    // An integer literal k with |k| <= 10^11.
    static bool small_int(const LogicNode& n, std::int64_t& k) {
        if (n.op != Op::Literal || !n.literal.is_number()) return false;
        const Decimal::Raw raw = n.literal.as_number().raw();
        if (raw % Decimal::scale() != 0) return false;
        const Decimal::Raw whole = raw / Decimal::scale();
        if (whole > 100000000000LL || whole < -100000000000LL) return false;
        k = static_cast<std::int64_t>(whole);
        return true;
    }

    void multiply_by(std::int64_t k) {
        emit(FastOp::MulInt, static_cast<std::uint32_t>(p_.ints.size()));
        p_.ints.push_back(k);
    }

    void binary(const LogicNode& n, FastOp op) {
        node(n.args[0]);
        operation(op, n.args[1]);
    }

    // A binary operation on the top of the stack and `rhs`: a literal or var operand is
    // read by the operation itself.
    void operation(FastOp op, const LogicNode& rhs) {
        if (rhs.op == Op::Literal) {
            p_.code.push_back(FastInstr{op, FastRhs::Const, constant_index(rhs)});
        } else if (rhs.op == Op::Var) {
            p_.code.push_back(FastInstr{op, FastRhs::Slot, static_cast<std::uint32_t>(rhs.var.slot)});
        } else {
            node(rhs);
            p_.code.push_back(FastInstr{op, FastRhs::Stack, 0});
            pop(1);
        }
    }

    // Left to right, pairwise (the general evaluator's order); `single` for one operand.
    void fold(const LogicNode& n, FastOp op, FastOp single) {
        node(n.args[0]);
        if (n.args.size() == 1) {
            emit(single);
            return;
        }
        for (std::size_t i = 1; i < n.args.size(); ++i) operation(op, n.args[i]);
    }

    FastProgram& p_;
    std::uint32_t depth_ = 0;
    std::uint32_t max_depth_ = 0;
};

// Gives every maximal qualifying subtree that holds an operation its numeric form (a
// lone literal or var gains nothing). Runs on the tree in its final place: the forms
// point at literals in it.
void attach_fast(LogicNode& n) {
    if (n.fast_ok && n.op != Op::Literal && n.op != Op::Var) {
        FastEmitter emitter(n.fast);
        emitter.node(n);
        emitter.emit(FastOp::End);
        if (emitter.max_depth() <= kFastStack && n.fast.code.size() < std::numeric_limits<std::uint32_t>::max()) return;
        n.fast = FastProgram();
    }
    for (LogicNode& a : n.args) attach_fast(a);
}

// ---------------------------------------------------------------------------
// Compilation.

class Compiler {
public:
    Compiler(std::size_t max_depth, const std::function<int(const std::string&)>& bind)
        : max_depth_(max_depth), bind_(bind) {}

    LogicNode compile(const Value& v, const std::string& path, std::size_t depth, bool top) {
        LogicNode n;
        if (v.is_array()) {
            check_depth(path, depth);
            const Array& items = v.as_array();
            bool all_literal = true;
            n.args.reserve(items.size());
            for (std::size_t i = 0; i < items.size(); ++i) {
                n.args.push_back(compile(items[i], pointer_append(path, i), depth + 1, top));
                all_literal = all_literal && n.args.back().op == Op::Literal;
            }
            if (all_literal) {
                n.args.clear();
                n.literal = v;
                n.op = Op::Literal;
            } else {
                n.op = Op::Array;
            }
            return n;
        }
        if (!v.is_object() || v.size() != 1) {
            n.op = Op::Literal;
            n.literal = v;
            return n;
        }
        check_depth(path, depth);
        const Member& m = v.as_object().front();
        if (!find_operator(m.key, n.op))
            throw LogicError("unknown_operator", path, "unknown operator \"" + m.key + "\"");
        n.path = path;
        const std::string op_path = pointer_append(path, m.key);
        const bool iteration = is_per_element(n.op);
        auto child_top = [&](std::size_t i) { return top && !(iteration && i == 1); };
        if (m.value.is_array()) {
            const Array& values = m.value.as_array();
            n.args.reserve(values.size());
            for (std::size_t i = 0; i < values.size(); ++i)
                n.args.push_back(compile(values[i], pointer_append(op_path, i), depth + 1, child_top(i)));
        } else {
            n.args.push_back(compile(m.value, op_path, depth + 1, child_top(0)));
        }
        switch (n.op) {
            case Op::Var: prepare_var(n, top); break;
            case Op::Missing: prepare_missing(n, top); break;
            case Op::MissingSome: prepare_missing_some(n, top); break;
            default: break;
        }
        return n;
    }

private:
    void check_depth(const std::string& path, std::size_t depth) const {
        if (depth > max_depth_)
            throw LogicError("too_deep", path,
                             "rule nested deeper than " + std::to_string(max_depth_) + " levels");
    }

    void bind(VarPath& p, bool top) const {
        if (top && bind_ && !p.whole) p.slot = bind_(p.segs.front().key);
    }

    void prepare_var(LogicNode& n, bool top) const {
        if (!n.args.empty() && n.args[0].op != Op::Literal) return;
        n.var = make_var_path(n.args.empty() ? kUndefined : n.args[0].literal);
        bind(n.var, top);
        n.const_path = true;
    }

    // Keys known at compile time; false when one needs run-time handling.
    bool prepare_keys(LogicNode& n, const Array& keys, bool top) const {
        std::vector<MissingKey> out;
        for (const Value& k : keys) {
            if (is_composite(k)) return false;
            MissingKey mk;
            mk.key = k;
            mk.path = make_var_path(k);
            bind(mk.path, top);
            out.push_back(std::move(mk));
        }
        n.keys = std::move(out);
        n.const_keys = true;
        return true;
    }

    void prepare_missing(LogicNode& n, bool top) const {
        Array values;
        for (const LogicNode& a : n.args) {
            if (a.op != Op::Literal) return;
            values.push_back(a.literal);
        }
        if (!values.empty() && values[0].is_array()) prepare_keys(n, values[0].as_array(), top);
        else prepare_keys(n, values, top);
    }

    void prepare_missing_some(LogicNode& n, bool top) const {
        if (n.args.size() < 2 || n.args[1].op != Op::Literal) return;
        const Value& options = n.args[1].literal;
        if (options.is_array()) {
            const Array& items = options.as_array();
            for (const Value& item : items)
                if (item.is_object() && item.size() == 1) return;  // would be applied as a rule
            const bool nested = !items.empty() && items[0].is_array();
            if (prepare_keys(n, nested ? items[0].as_array() : items, top))
                n.options_length = static_cast<std::int64_t>(items.size());
        } else if (!is_composite(options) && !options.is_null()) {
            if (prepare_keys(n, Array{options}, top))
                n.options_length = options.is_string() ? utf16_length(options.as_string()) : -1;
        }
    }

    std::size_t max_depth_;
    const std::function<int(const std::string&)>& bind_;
};

// Whether a rule value holds no operation (so `var` of it is a constant path).
bool is_constant(const Value& v) {
    std::vector<const Value*> stack{&v};
    while (!stack.empty()) {
        const Value* cur = stack.back();
        stack.pop_back();
        if (cur->is_object() && cur->size() == 1) return false;
        if (cur->is_array())
            for (const Value& e : cur->as_array()) stack.push_back(&e);
    }
    return true;
}

}  // namespace

Logic::Logic() = default;
Logic::~Logic() = default;
Logic::Logic(Logic&&) noexcept = default;
Logic& Logic::operator=(Logic&&) noexcept = default;
Logic::Logic(const Logic&) = default;
Logic& Logic::operator=(const Logic&) = default;

Logic compile_logic(const Value& rule, std::size_t max_depth, const std::function<int(const std::string&)>& bind) {
    Compiler compiler(max_depth, bind);
    Logic logic;
    auto root = std::make_shared<LogicNode>(compiler.compile(rule, "", 1, true));
    mark_fast(*root);
    attach_fast(*root);
    logic.root_ = std::move(root);
    return logic;
}

namespace {

Value apply_root(const LogicNode& root, const LogicScope& scope, bool general) {
    Frame f;
    f.kind = Frame::Top;
    f.scope = &scope;
    f.data = scope.data;
    f.general = general;
    Value out;
    const Value& r = eval_node(root, f, out);
    if (&r == &out) return out;
    return r;
}

}  // namespace

Value apply_logic(const Logic& logic, const LogicScope& scope) {
    const LogicNode* root = logic.root();
    if (!root) return Value();
    if (!root->fast.code.empty()) {
        FastVal v;
        if (run_fast(*root, scope.slots, v)) {
            if (v.src) return *v.src;
            return v.is_bool ? Value(!v.d.is_zero()) : Value(v.d);
        }
    }
    return apply_root(*root, scope, false);
}

Value apply_logic_general(const Logic& logic, const LogicScope& scope) {
    const LogicNode* root = logic.root();
    if (!root) return Value();
    return apply_root(*root, scope, true);
}

bool logic_has_fast_path(const Logic& logic) {
    const LogicNode* root = logic.root();
    return root && !root->fast.code.empty();
}

Value apply_logic(const Value& rule, const Value& data) {
    const Logic logic = compile_logic(rule);
    LogicScope scope;
    scope.data = &data;
    return apply_logic(logic, scope);
}

bool truthy(const Value& v) {
    switch (v.type()) {
        case Value::Type::Null: return false;
        case Value::Type::Bool: return v.as_bool();
        case Value::Type::Number: return !v.as_number().is_zero();
        case Value::Type::String: return !v.as_string().empty();
        case Value::Type::Array: return v.size() != 0;
        case Value::Type::Object: return true;
    }
    return false;
}

LogicVariables logic_variables(const Value& rule) {
    LogicVariables vars;
    auto add_path = [&](const Value& a) {
        const VarPath p = make_var_path(a);
        if (p.whole) vars.dynamic = true;  // reads the whole data
        else vars.names.insert(p.segs.front().key);
    };
    auto add_key = [&](const Value& k) {
        if (k.is_array()) {  // {"var": [path, default]}
            const Array& a = k.as_array();
            if (!a.empty() && is_composite(a[0])) vars.dynamic = true;
            else add_path(a.empty() ? kUndefined : a[0]);
        } else if (k.is_object()) {
            vars.dynamic = true;
        } else {
            add_path(k);
        }
    };
    // Walks the rule without recursion; per-element rules (the second argument of map,
    // filter, reduce, all, none, some) read the elements, not top-level names.
    std::vector<const Value*> stack{&rule};
    std::vector<const Value*> values;
    while (!stack.empty()) {
        const Value* cur = stack.back();
        stack.pop_back();
        if (cur->is_array()) {
            for (const Value& e : cur->as_array()) stack.push_back(&e);
            continue;
        }
        if (!cur->is_object() || cur->size() != 1) continue;
        const Member& m = cur->as_object().front();
        values.clear();
        if (m.value.is_array())
            for (const Value& e : m.value.as_array()) values.push_back(&e);
        else
            values.push_back(&m.value);
        Op op = Op::Literal;
        const bool known = find_operator(m.key, op);
        if (known && op == Op::Var) {
            if (values.empty() || is_constant(*values[0])) {
                add_path(values.empty() ? kUndefined : *values[0]);
            } else {
                vars.dynamic = true;
                stack.push_back(values[0]);
            }
            for (std::size_t i = 1; i < values.size(); ++i) stack.push_back(values[i]);
        } else if (known && op == Op::Missing) {
            if (std::all_of(values.begin(), values.end(), [](const Value* v) { return is_constant(*v); })) {
                if (!values.empty() && values[0]->is_array()) {
                    for (const Value& k : values[0]->as_array()) add_key(k);
                } else {
                    for (const Value* k : values) add_key(*k);
                }
            } else {
                vars.dynamic = true;
                for (const Value* v : values) stack.push_back(v);
            }
        } else if (known && op == Op::MissingSome) {
            if (!values.empty()) stack.push_back(values[0]);
            if (values.size() > 1) {
                const Value& options = *values[1];
                if (!is_constant(options)) {
                    vars.dynamic = true;
                    stack.push_back(&options);
                } else if (options.is_array()) {
                    const Array& items = options.as_array();
                    const Array& keys = !items.empty() && items[0].is_array() ? items[0].as_array() : items;
                    for (const Value& k : keys) add_key(k);
                } else {
                    add_key(options);
                }
            }
        } else if (known && is_per_element(op)) {
            if (!values.empty()) stack.push_back(values[0]);
            if (op == Op::Reduce && values.size() > 2) stack.push_back(values[2]);
        } else {
            for (const Value* v : values) stack.push_back(v);
        }
    }
    return vars;
}

}  // namespace dealercalc
