// Figures from CSV text (spec §9). See csv.hpp for the contract; where the spec is
// silent, the choices made are noted in the comments below.
#include "dealercalc/csv.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <utility>

#include "csv_internal.hpp"
#include "dealercalc/figures.hpp"

namespace dealercalc {

namespace {

Value num(std::size_t n) { return Value(Decimal::from_int(static_cast<std::int64_t>(n))); }

std::string where(std::size_t row, std::size_t column) {
    return "row " + std::to_string(row) + ", column " + std::to_string(column);
}

}  // namespace

// A malformed file: code invalid_csv, one detail with the reason and {"row", "column", ...}.
Failure csv_failure(const std::string& reason, std::size_t row, std::size_t column, const std::string& text,
                    Value extra) {
    Value args = Value::object();
    if (row > 0) args.set("row", num(row));
    if (column > 0) args.set("column", num(column));
    if (extra.is_object())
        for (const Member& m : extra.as_object()) args.set(m.key, m.value);
    std::string message = text;
    if (row > 0 && column > 0) message = where(row, column) + ": " + text;
    else if (row > 0) message = "row " + std::to_string(row) + ": " + text;
    else if (column > 0) message = "column " + std::to_string(column) + ": " + text;
    return make_failure("invalid_csv", message, "", reason, std::move(args));
}

Value limit_arg(std::size_t max) {
    Value a = Value::object();
    a.set("max", num(max));
    return a;
}

namespace {

// ---- text helpers --------------------------------------------------------------------

bool starts_with(std::string_view s, std::string_view p) { return s.size() >= p.size() && s.compare(0, p.size(), p) == 0; }
bool ends_with(std::string_view s, std::string_view p) {
    return s.size() >= p.size() && s.compare(s.size() - p.size(), p.size(), p) == 0;
}

// Removes surrounding white space: ASCII blanks, no-break space (U+00A0), ideographic
// space (U+3000, typed by Chinese IMEs) and a stray byte order mark (U+FEFF).
// Kept out of line (where the compiler allows saying so): trim() below, called for
// every cell, is then a leaf that returns at once in the usual case.
#if defined(__GNUC__) || defined(__clang__)
__attribute__((noinline))
#endif
std::string_view trim_ends(std::string_view s) {
    static const std::string_view kWide[] = {"\xC2\xA0", "\xE3\x80\x80", "\xEF\xBB\xBF"};
    for (bool again = true; again && !s.empty();) {
        again = false;
        const char c = s.front();
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f') {
            s.remove_prefix(1);
            again = true;
            continue;
        }
        for (std::string_view w : kWide)
            if (starts_with(s, w)) {
                s.remove_prefix(w.size());
                again = true;
                break;
            }
    }
    for (bool again = true; again && !s.empty();) {
        again = false;
        const char c = s.back();
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f') {
            s.remove_suffix(1);
            again = true;
            continue;
        }
        for (std::string_view w : kWide)
            if (ends_with(s, w)) {
                s.remove_suffix(w.size());
                again = true;
                break;
            }
    }
    return s;
}

// `inline`: a hint the size-optimised WASM build needs to inline it at its six call sites.
inline std::string_view trim(std::string_view s) {
    // Most cells have nothing to trim: printable ASCII at both ends (checked inline, as
    // this runs for every cell).
    const auto plain = [](char c) { return c > ' ' && c < 0x7F; };
    if (s.empty() || (plain(s.front()) && plain(s.back()))) return s;
    return trim_ends(s);
}

std::string lower_ascii(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

// Full-width ASCII forms (U+FF01..U+FF5E: "０１２", "－", "．", "％", "ｙｅｓ") and the
// minus sign U+2212 become plain ASCII; ideographic spaces become spaces.
std::string narrow(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size();) {
        const auto b0 = static_cast<unsigned char>(s[i]);
        if (b0 == 0xEF && i + 2 < s.size()) {
            const auto b1 = static_cast<unsigned char>(s[i + 1]);
            const auto b2 = static_cast<unsigned char>(s[i + 2]);
            if (b1 == 0xBC && b2 >= 0x81 && b2 <= 0xBF) {  // U+FF01..U+FF3F
                out.push_back(static_cast<char>(b2 - 0x80 + 0x20));
                i += 3;
                continue;
            }
            if (b1 == 0xBD && b2 >= 0x80 && b2 <= 0x9E) {  // U+FF40..U+FF5E
                out.push_back(static_cast<char>(b2 - 0x80 + 0x60));
                i += 3;
                continue;
            }
        }
        if (starts_with(s.substr(i), "\xE2\x88\x92")) {  // U+2212 MINUS SIGN
            out.push_back('-');
            i += 3;
            continue;
        }
        if (starts_with(s.substr(i), "\xE3\x80\x80")) {  // U+3000 IDEOGRAPHIC SPACE
            out.push_back(' ');
            i += 3;
            continue;
        }
        out.push_back(s[i]);
        ++i;
    }
    return out;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// The currency symbols a spreadsheet may put before an amount of the programme's currency.
std::vector<std::string_view> currency_symbols(const std::string& currency) {
    if (currency == "CNY" || currency == "JPY") return {"\xEF\xBF\xA5", "\xC2\xA5"};  // ￥ ¥
    if (currency == "USD" || currency == "HKD" || currency == "SGD" || currency == "TWD" || currency == "AUD" ||
        currency == "CAD" || currency == "NZD")
        return {"$"};
    if (currency == "EUR") return {"\xE2\x82\xAC"};
    if (currency == "GBP") return {"\xC2\xA3"};
    return {};
}

enum class NumberParse { Ok, NotANumber, TooManyPlaces, Overflow };

// A figure as a person writes it: [sign] digits with optional thousands separators in
// groups of three, optional fraction. No exponents: a spreadsheet writes "1.23E+11" only
// when it has already dropped digits, so such a cell is refused rather than guessed.
NumberParse parse_number(std::string_view text, Decimal& out) {
    if (Decimal::parse_plain(text, out)) return NumberParse::Ok;  // "-123.45": most cells
    std::string_view s = text;
    bool negative = false;
    if (!s.empty() && (s.front() == '+' || s.front() == '-')) {
        negative = s.front() == '-';
        s.remove_prefix(1);
    }
    const std::size_t dot = s.find('.');
    std::string_view int_part = s.substr(0, dot);
    std::string_view frac = dot == std::string_view::npos ? std::string_view() : s.substr(dot + 1);
    if (dot != std::string_view::npos && frac.empty()) return NumberParse::NotANumber;  // "5."
    if (int_part.empty() && frac.empty()) return NumberParse::NotANumber;
    for (char c : frac)
        if (!is_digit(c)) return NumberParse::NotANumber;
    std::string digits;
    if (int_part.find(',') != std::string_view::npos) {
        // 1,234 or 12,345,678: a first group of 1-3 digits, then groups of exactly three.
        std::size_t group = 0;
        bool first = true;
        for (char c : int_part) {
            if (c == ',') {
                if (group == 0 || (first && group > 3) || (!first && group != 3)) return NumberParse::NotANumber;
                first = false;
                group = 0;
            } else if (is_digit(c)) {
                digits.push_back(c);
                ++group;
            } else {
                return NumberParse::NotANumber;
            }
        }
        if (group != 3) return NumberParse::NotANumber;
    } else {
        for (char c : int_part) {
            if (!is_digit(c)) return NumberParse::NotANumber;
            digits.push_back(c);
        }
    }
    const std::size_t nz = digits.find_first_not_of('0');
    digits = nz == std::string::npos ? "0" : digits.substr(nz);
    while (!frac.empty() && frac.back() == '0') frac.remove_suffix(1);
    if (frac.size() > static_cast<std::size_t>(Decimal::kPlaces)) return NumberParse::TooManyPlaces;
    if (digits.size() > 15) return NumberParse::Overflow;
    std::string canonical = (negative ? "-" : "") + digits;
    if (!frac.empty()) canonical += "." + std::string(frac);
    try {
        if (!Decimal::parse(canonical, out)) return NumberParse::NotANumber;
    } catch (const DecimalOverflow&) {
        return NumberParse::Overflow;
    }
    return NumberParse::Ok;
}

// `text` equals `lower` (lower case) ignoring the case of ASCII letters.
bool equals_ignoring_case(std::string_view text, std::string_view lower) {
    if (text.size() != lower.size()) return false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        if (c != lower[i]) return false;
    }
    return true;
}

// true/false/yes/no/y/n/1/0/是/否 (any case); returns false when the cell is none of them.
bool parse_boolean(std::string_view text, bool& out) {
    static const char* const kTrue[] = {"true", "yes", "y", "1", "\xE6\x98\xAF"};   // 是
    static const char* const kFalse[] = {"false", "no", "n", "0", "\xE5\x90\xA6"};  // 否
    for (const char* t : kTrue)
        if (equals_ignoring_case(text, t)) return out = true, true;
    for (const char* f : kFalse)
        if (equals_ignoring_case(text, f)) return out = false, true;
    return false;
}

// YYYY-MM-DD, also YYYY/M/D, YYYY.M.D and YYYY年M月D日, normalised to YYYY-MM-DD.
bool parse_date(std::string_view text, std::string& iso) {
    // Already YYYY-MM-DD (nearly every file): what the general path below would give.
    const auto plain = [](std::string_view t) {
        if (t.size() != 10 || t[4] != '-' || t[7] != '-') return false;
        for (std::size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u})
            if (!is_digit(t[i])) return false;
        return true;
    };
    if (plain(text)) {
        iso.assign(text);
        Date date;
        return Date::parse(iso, date);
    }
    const std::string s = narrow(text);
    std::string_view v = trim(s);
    auto take_digits = [&](std::size_t min, std::size_t max, std::string& out) {
        std::size_t n = 0;
        while (n < v.size() && is_digit(v[n])) ++n;
        if (n < min || n > max) return false;
        out.assign(v.substr(0, n));
        v.remove_prefix(n);
        return true;
    };
    std::string y, m, d;
    if (!take_digits(4, 4, y)) return false;
    std::string_view sep1, sep2, end;
    if (starts_with(v, "\xE5\xB9\xB4")) {  // 年 月 日
        sep1 = "\xE5\xB9\xB4";
        sep2 = "\xE6\x9C\x88";
        end = "\xE6\x97\xA5";
    } else if (!v.empty() && (v.front() == '-' || v.front() == '/' || v.front() == '.')) {
        sep1 = sep2 = v.substr(0, 1);
    } else {
        return false;
    }
    v.remove_prefix(sep1.size());
    if (!take_digits(1, 2, m) || !starts_with(v, sep2)) return false;
    v.remove_prefix(sep2.size());
    if (!take_digits(1, 2, d)) return false;
    if (!end.empty() && starts_with(v, end)) v.remove_prefix(end.size());
    if (!v.empty()) return false;
    if (m.size() == 1) m = "0" + m;
    if (d.size() == 1) d = "0" + d;
    iso = y + "-" + m + "-" + d;
    Date date;
    return Date::parse(iso, date);
}

// ---- header --------------------------------------------------------------------------

// Labels of a metric in every language, lower-cased and trimmed.
std::vector<std::string> label_keys(const Value& label) {
    std::vector<std::string> out;
    if (label.is_string()) {
        out.push_back(lower_ascii(trim(label.as_string())));
    } else if (label.is_object()) {
        for (const Member& m : label.as_object())
            if (m.value.is_string()) out.push_back(lower_ascii(trim(m.value.as_string())));
    }
    return out;
}

// Strips a trailing unit in parentheses, "内容阅读量 (次)" or "内容阅读量（次）"; returns
// false when there is none.
bool strip_unit(std::string_view name, std::string& out) {
    static const std::string_view kClose[] = {")", "\xEF\xBC\x89"};  // ) ）
    static const std::string_view kOpen[] = {"(", "\xEF\xBC\x88"};   // ( （
    for (std::string_view close : kClose) {
        if (!ends_with(name, close)) continue;
        std::size_t best = std::string_view::npos;
        for (std::string_view open : kOpen) {
            const std::size_t at = name.rfind(open);
            if (at != std::string_view::npos && (best == std::string_view::npos || at > best)) best = at;
        }
        if (best == std::string_view::npos || best == 0) return false;
        const std::string_view rest = trim(name.substr(0, best));
        if (rest.empty()) return false;
        out.assign(rest);
        return true;
    }
    return false;
}

enum Fixed { kNone = -1, kDealerId = 0, kDealerName = 1, kAsOf = 2 };

int fixed_column(const std::string& key) {
    static const std::pair<const char*, int> kNames[] = {
        {"dealer_id", kDealerId},
        {"dealer id", kDealerId},
        {"\xE7\xBB\x8F\xE9\x94\x80\xE5\x95\x86\xE7\xBC\x96\xE5\x8F\xB7", kDealerId},  // 经销商编号
        {"dealer_name", kDealerName},
        {"dealer name", kDealerName},
        {"\xE7\xBB\x8F\xE9\x94\x80\xE5\x95\x86\xE5\x90\x8D\xE7\xA7\xB0", kDealerName},  // 经销商名称
        {"as_of", kAsOf},
        {"as of", kAsOf},
        {"\xE6\x88\xAA\xE8\x87\xB3\xE6\x97\xA5\xE6\x9C\x9F", kAsOf},  // 截至日期
        {"\xE6\x88\xAA\xE6\xAD\xA2\xE6\x97\xA5\xE6\x9C\x9F", kAsOf},  // 截止日期 (the common variant)
    };
    for (const auto& [name, which] : kNames)
        if (key == name) return which;
    return kNone;
}

const char* fixed_id(int which) {
    switch (which) {
        case kDealerId: return "dealer_id";
        case kDealerName: return "dealer_name";
        default: return "as_of";
    }
}

struct Match {
    int metric = -1;
    int fixed = kNone;
};

Match match_name(const Program& program, const std::vector<std::vector<std::string>>& labels, std::string_view name) {
    Match m;
    for (std::size_t i = 0; i < program.metrics.size(); ++i)
        if (program.metrics[i].id == name) return m.metric = static_cast<int>(i), m;
    const std::string key = lower_ascii(name);
    if ((m.fixed = fixed_column(key)) != kNone) return m;
    for (std::size_t i = 0; i < program.metrics.size(); ++i)
        for (const std::string& l : labels[i])
            if (!l.empty() && l == key) return m.metric = static_cast<int>(i), m;
    return m;
}

// resolve_csv_header, knowing the line the header is on (0 when unknown).
CsvHeader resolve_header(const Program& program, const std::vector<std::string>& cells, std::size_t line) {
    CsvHeader h;
    h.names = cells;
    h.metric.assign(cells.size(), -1);
    std::vector<std::vector<std::string>> labels;
    labels.reserve(program.metrics.size());
    for (const Metric& m : program.metrics) labels.push_back(label_keys(m.label));
    std::vector<int> metric_column(program.metrics.size(), -1);
    int* fixed[] = {&h.dealer_id, &h.dealer_name, &h.as_of};
    bool any_metric = false;
    for (std::size_t c = 0; c < cells.size(); ++c) {
        const std::string_view name = trim(cells[c]);
        if (name.empty()) continue;  // an unnamed column (spreadsheets add them): ignored
        Match m = match_name(program, labels, name);
        std::string bare;
        if (m.metric < 0 && m.fixed == kNone && strip_unit(name, bare)) m = match_name(program, labels, bare);
        auto duplicate = [&](int first, const std::string& what, Value extra) {
            extra.set("first_column", num(static_cast<std::size_t>(first) + 1));
            extra.set("header", std::string(name));
            extra.set("columns", Value(Array{num(static_cast<std::size_t>(first) + 1), num(c + 1)}));
            const std::string first_name(trim(cells[static_cast<std::size_t>(first)]));
            return csv_failure("duplicate_column", line, c + 1,
                               "columns " + std::to_string(first + 1) + " (" + first_name + ") and " + std::to_string(c + 1) + " (" +
                                   std::string(name) + ") both hold " + what + "; keep one of them",
                               std::move(extra));
        };
        if (m.metric >= 0) {
            const auto i = static_cast<std::size_t>(m.metric);
            if (metric_column[i] >= 0) {
                Value extra = Value::object();
                extra.set("metric", program.metrics[i].id);
                throw duplicate(metric_column[i], "the metric \"" + program.metrics[i].id + "\"", std::move(extra));
            }
            metric_column[i] = static_cast<int>(c);
            h.metric[c] = m.metric;
            any_metric = true;
        } else if (m.fixed != kNone) {
            int& slot = *fixed[m.fixed];
            if (slot >= 0) {
                Value extra = Value::object();
                extra.set("field", fixed_id(m.fixed));
                throw duplicate(slot, std::string("\"") + fixed_id(m.fixed) + "\"", std::move(extra));
            }
            slot = static_cast<int>(c);
        } else {
            h.unknown.push_back(cells[c]);
        }
    }
    if (!any_metric) {
        // "a;b;c" (a spreadsheet saved with a European list separator) or a tab-separated
        // file reads as one cell, perhaps followed by empty ones.
        std::vector<std::string_view> named;
        for (const std::string& cell : cells)
            if (!trim(cell).empty()) named.push_back(cell);
        if (named.size() == 1 && named[0].find_first_of(";\t") != std::string_view::npos) {
            Value extra = Value::object();
            extra.set("separator", named[0].find(';') != std::string_view::npos ? ";" : "\t");
            throw csv_failure("wrong_separator", line, 0,
                              "the columns are separated by semicolons or tabs; save the file as CSV with commas "
                              "(\"CSV UTF-8 (Comma delimited)\")",
                              std::move(extra));
        }
        throw csv_failure("no_metric_columns", line, 0,
                          "no column names a metric of this programme; the first row must hold metric ids or labels "
                          "(download the template)");
    }
    return h;
}

std::string header_name(const CsvHeader& header, std::size_t column) {
    return column < header.names.size() ? std::string(trim(header.names[column])) : std::string();
}

void add_location(ErrorDetail& e, std::size_t line, std::size_t column, const std::string& header) {
    if (!e.args.is_object()) e.args = Value::object();
    e.args.set("row", num(line));
    e.args.set("column", num(column + 1));
    e.args.set("header", header);
    e.message = where(line, column + 1) + " (" + header + "): " + e.message;
}

}  // namespace

// ---- header and rows -----------------------------------------------------------------

CsvHeader resolve_csv_header(const Program& program, const std::vector<std::string>& cells) {
    return resolve_header(program, cells, 0);
}

namespace {

bool row_values(const Program& program, const CsvHeader& header, const std::vector<std::string_view>& cells,
                std::size_t line, CsvRowValues& out, std::vector<ErrorDetail>& errors) {
    out.values.resize(program.metrics.size());
    for (Value& v : out.values) v.set_null();
    out.dealer_id.clear();
    out.dealer_name.clear();
    out.as_of.clear();
    const std::size_t errors_before = errors.size();
    const std::size_t columns = header.names.size();
    const Decimal input_limit = Decimal::pow10(12);  // figures stay below 10^12 in magnitude
    std::string norm;    // reused: full-width forms narrowed
    std::string joined;  // reused: an amount without its currency symbol
    for (std::size_t c = 0; c < cells.size(); ++c) {
        const std::string_view cell = trim(cells[c]);
        if (cell.empty()) continue;  // a missing figure
        if (c >= columns) {
            Value a = Value::object();
            a.set("row", num(line));
            a.set("column", num(c + 1));
            a.set("max", num(columns));
            a.set("value", std::string(cell));
            errors.push_back(ErrorDetail{"", "extra_cells",
                                         where(line, c + 1) + ": the row has more cells than the header (" +
                                             std::to_string(columns) + " columns)",
                                         std::move(a)});
            break;  // one report per row is enough
        }
        // Names and pointers are only built for an error: this loop runs per cell.
        const auto name = [&] { return header_name(header, c); };
        if (static_cast<int>(c) == header.dealer_id) {
            out.dealer_id.assign(cell);
            continue;
        }
        if (static_cast<int>(c) == header.dealer_name) {
            out.dealer_name.assign(cell);
            continue;
        }
        if (static_cast<int>(c) == header.as_of) {
            if (!parse_date(cell, out.as_of)) {
                out.as_of.clear();
                Value a = Value::object();
                a.set("value", std::string(cell));
                ErrorDetail e{"/as_of", "bad_date", "\"" + std::string(cell) + "\" is not a date such as 2027-03-15", a};
                add_location(e, line, c, name());
                errors.push_back(std::move(e));
            }
            continue;
        }
        const int mi = c < header.metric.size() ? header.metric[c] : -1;
        if (mi < 0) continue;  // an unknown column, reported once with the header
        const Metric& m = program.metrics[static_cast<std::size_t>(mi)];
        // The common case first: a plain number within the metric's type and range (the
        // checks of check_figure, with the decimal places known from the text). A plain
        // number is ASCII, so the cell needs no narrowing to be tried.
        const auto plain_figure = [&](std::string_view text) {
            if (m.type == MetricType::Boolean) return false;
            Decimal d;
            int places = 0;
            if (Decimal::parse_plain(text, d, &places) && places <= m.decimals &&
                (m.type != MetricType::Count || places == 0) && (!m.min || *m.min <= d) && (!m.max || d <= *m.max) &&
                d.abs() < input_limit) {
                out.values[static_cast<std::size_t>(mi)].set_number(d);
                return true;
            }
            return false;
        };
        if (plain_figure(cell)) continue;
        const auto path = [&] { return pointer_append("/values", m.id); };
        std::string_view text = cell;
        if (std::any_of(cell.begin(), cell.end(), [](char ch) { return static_cast<unsigned char>(ch) >= 0x80; })) {
            norm = narrow(cell);
            text = trim(norm);
            if (plain_figure(text)) continue;  // full-width digits, say
        }
        auto fail = [&](const char* reason, const std::string& message, Value args) {
            args.set("metric", m.id);
            args.set("value", std::string(cell));
            ErrorDetail e{path(), reason, message, std::move(args)};
            add_location(e, line, c, name());
            errors.push_back(std::move(e));
        };
        Value v;
        if (m.type == MetricType::Boolean) {
            bool b = false;
            if (!parse_boolean(text, b)) {
                fail("not_boolean",
                     "\"" + std::string(cell) + "\" is not yes or no: write 是/否, yes/no, true/false or 1/0", Value::object());
                continue;
            }
            v = Value(b);
        } else {
            if (m.type == MetricType::Percent && !text.empty() && text.back() == '%') text = trim(text.substr(0, text.size() - 1));
            if (m.type == MetricType::Amount && !text.empty() && !is_digit(text.front())) {
                std::string_view sign;
                std::string_view rest = text;
                if (!rest.empty() && (rest.front() == '-' || rest.front() == '+')) {
                    sign = rest.substr(0, 1);
                    rest.remove_prefix(1);
                }
                for (std::string_view sym : currency_symbols(program.currency))
                    if (starts_with(rest, sym)) {
                        rest.remove_prefix(sym.size());
                        joined.assign(sign);
                        joined.append(rest);
                        text = joined;
                        break;
                    }
            }
            Decimal d;
            const NumberParse r = parse_number(text, d);
            if (r == NumberParse::NotANumber) {
                fail("not_a_number", "\"" + std::string(cell) + "\" is not a number", Value::object());
                continue;
            }
            if (r == NumberParse::TooManyPlaces) {
                Value a = Value::object();
                if (m.type == MetricType::Count) {
                    fail("not_integer", "\"" + m.id + "\" is a count: whole numbers only (got " + std::string(cell) + ")", a);
                } else {
                    a.set("max", m.decimals);
                    fail("too_many_decimals",
                         "\"" + m.id + "\" allows at most " + std::to_string(m.decimals) + " decimal places (got " + std::string(cell) + ")", a);
                }
                continue;
            }
            if (r == NumberParse::Overflow) {
                fail("out_of_range", "\"" + m.id + "\" must be below 10^12 in magnitude", Value::object());
                continue;
            }
            v = Value(d);
        }
        if (auto bad = check_figure(program, m, v, std::string())) {
            bad->path = path();
            if (!bad->args.is_object()) bad->args = Value::object();
            bad->args.set("value", std::string(cell));
            add_location(*bad, line, c, name());
            errors.push_back(std::move(*bad));
            continue;
        }
        out.values[static_cast<std::size_t>(mi)] = std::move(v);
    }
    return errors.size() == errors_before;
}

}  // namespace

bool csv_row_values(const Program& program, const CsvHeader& header, const std::vector<std::string>& cells,
                    std::size_t line, CsvRowValues& out, std::vector<ErrorDetail>& errors) {
    // Through views: one instantiation of row_values (10 KB of WASM each) for both.
    const std::vector<std::string_view> views(cells.begin(), cells.end());
    return row_values(program, header, views, line, out, errors);
}

bool csv_row_values(const Program& program, const CsvHeader& header, const std::vector<std::string_view>& cells,
                    std::size_t line, CsvRowValues& out, std::vector<ErrorDetail>& errors) {
    return row_values(program, header, cells, line, out, errors);
}

Value csv_row_figures(const Program& program, const CsvHeader& header, const std::vector<std::string>& cells,
                      std::size_t line, std::vector<ErrorDetail>& errors) {
    CsvRowValues row;
    csv_row_values(program, header, cells, line, row, errors);
    Value doc = Value::object();
    doc.set("format", kFiguresFormat);
    Value dealer = Value::object();
    if (!row.dealer_id.empty()) dealer.set("id", row.dealer_id);
    if (!row.dealer_name.empty()) dealer.set("name", row.dealer_name);
    Value values = Value::object();
    // Values in column order, as the dealer's file has them.
    for (std::size_t c = 0; c < header.metric.size(); ++c) {
        const int mi = header.metric[c];
        if (mi >= 0 && !row.values[static_cast<std::size_t>(mi)].is_null())
            values.set(program.metrics[static_cast<std::size_t>(mi)].id, row.values[static_cast<std::size_t>(mi)]);
    }
    if (dealer.size() > 0) doc.set("dealer", std::move(dealer));
    if (!row.as_of.empty()) doc.set("as_of", row.as_of);
    doc.set("values", std::move(values));
    return doc;
}

CsvFigures parse_figures_csv(const Program& program, std::string_view text, const CsvLimits& limits) {
    CsvReader reader(text, limits);
    CsvFigures out;
    std::vector<std::string> cells;
    if (!reader.next(cells))
        throw csv_failure("empty", 0, 0, "the file is empty: its first row must name the columns (download the template)");
    out.header = resolve_header(program, cells, reader.line());
    while (reader.next(cells)) {
        // Rows of empty cells (",,,," as spreadsheets save them) are not dealers.
        if (std::all_of(cells.begin(), cells.end(), [](const std::string& s) { return trim(s).empty(); })) continue;
        CsvFigures::Row row;
        row.line = reader.line();
        row.figures = csv_row_figures(program, out.header, cells, row.line, row.errors);
        out.rows.push_back(std::move(row));
    }
    return out;
}

// ---- output --------------------------------------------------------------------------

std::string csv_template(const Program& program, const std::string& language) {
    // The header holds ids, whatever the reader's language, so the file reads back the
    // same in every language; the page shows the labels next to it.
    (void)language;
    std::string out = "dealer_id,dealer_name,as_of";
    for (const Metric& m : program.metrics) out += "," + csv_cell(m.id);
    out += "\r\n";
    return out;
}

void append_csv_cell(std::string& out, std::string_view text) {
    // A plain number ("-12.5", "+3") is left alone: it is data, not a formula.
    auto plain_number = [](std::string_view s) {
        if (!s.empty() && (s.front() == '+' || s.front() == '-')) s.remove_prefix(1);
        const std::size_t dot = s.find('.');
        const std::string_view i = s.substr(0, dot);
        const std::string_view f = dot == std::string_view::npos ? std::string_view("0") : s.substr(dot + 1);
        auto digits = [](std::string_view d) { return !d.empty() && std::all_of(d.begin(), d.end(), is_digit); };
        return digits(i) && digits(f);
    };
    const auto formula_start = [](char c) { return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r'; };
    const bool formula = !text.empty() && formula_start(text.front()) && !plain_number(text);
    // Written out: find_first_of would look each character up in the set with memchr.
    const bool needs_quotes =
        std::any_of(text.begin(), text.end(), [](char c) { return c == ',' || c == '"' || c == '\r' || c == '\n'; });
    if (!needs_quotes) {
        if (formula) out += '\'';
        out.append(text);
        return;
    }
    out += '"';
    if (formula) out += '\'';
    for (char c : text) {
        if (c == '"') out += '"';
        out += c;
    }
    out += '"';
}

std::string csv_cell(std::string_view text) {
    std::string cell;
    append_csv_cell(cell, text);
    return cell;
}

}  // namespace dealercalc
