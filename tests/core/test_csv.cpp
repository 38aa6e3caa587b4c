// CSV figures (spec §9): the reader, header resolution, row conversion and output.
#include <doctest/doctest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "dealercalc/csv.hpp"
#include "dealercalc/figures.hpp"
#include "dealercalc/program.hpp"

using namespace dealercalc;

namespace {

const char* const kProgram = R"({
  "format": "dealer-incentive-program/1",
  "id": "csv-test", "version": "1",
  "name": {"zh-CN": "测试方案", "en": "Test programme"},
  "currency": "CNY",
  "metrics": [
    {"id": "content_reads", "label": {"zh-CN": "内容阅读量", "en": "Content reads"}, "category": "content", "type": "count", "max": 100000000},
    {"id": "sales_amount", "label": {"zh-CN": "销售额", "en": "Sales amount"}, "category": "sales", "type": "amount"},
    {"id": "crm_on_time_rate", "label": {"zh-CN": "CRM 及时率", "en": "CRM on-time rate"}, "category": "tools", "type": "percent", "min": 0, "max": 100},
    {"id": "joined_live", "label": {"zh-CN": "参加直播", "en": "Joined live"}, "category": "promotion", "type": "boolean"}
  ],
  "rules": [{"id": "read_bonus", "kind": "rate", "category": "content", "base": "content_reads", "rate": 0.01}]
})";

const Program& program() {
    static const Program p = load_program(parse_document(kProgram));
    return p;
}

using Records = std::vector<std::vector<std::string>>;

Records read_all(CsvReader& reader, std::vector<std::size_t>* lines = nullptr) {
    Records out;
    std::vector<std::string> fields;
    while (reader.next(fields)) {
        out.push_back(fields);
        if (lines) lines->push_back(reader.line());
    }
    return out;
}

// A source that hands out `text` (which must outlive it) in pieces of at most `piece` bytes.
CsvReader::Source pieces_of(const std::string& text, std::size_t piece) {
    return [&text, piece, at = std::size_t{0}](char* buffer, std::size_t capacity) mutable {
        const std::size_t n = std::min({piece, capacity, text.size() - at});
        text.copy(buffer, n, at);
        at += n;
        return n;
    };
}

Records read_text(std::string_view text, CsvLimits limits = {}) {
    CsvReader reader(text, limits);
    return read_all(reader);
}

// Runs f, which must throw a Failure; returns its error.
template <class F>
Error failure_of(F&& f) {
    try {
        f();
    } catch (const Failure& e) {
        return e.error;
    }
    FAIL("expected a Failure");
    return Error{};
}

std::string arg_string(const Value& args, const char* key) {
    const Value* v = args.find(key);
    return v && v->is_string() ? v->as_string() : std::string("<missing>");
}

long arg_number(const Value& args, const char* key) {
    const Value* v = args.find(key);
    return v && v->is_number() ? static_cast<long>(v->as_number().to_double()) : -1;
}

Value number(const char* text) { return Value(Decimal::parse_or_throw(text)); }

// One data row against a header, through csv_row_figures.
struct Converted {
    Value figures;
    std::vector<ErrorDetail> errors;
};
Converted convert(const std::vector<std::string>& header_cells, const std::vector<std::string>& row, std::size_t line = 2) {
    const CsvHeader header = resolve_csv_header(program(), header_cells);
    Converted c;
    c.figures = csv_row_figures(program(), header, row, line, c.errors);
    // The batch path reads the same cells as views: the same values and the same errors.
    CsvRowValues from_strings, from_views;
    std::vector<ErrorDetail> string_errors, view_errors;
    const bool strings_ok = csv_row_values(program(), header, row, line, from_strings, string_errors);
    const std::vector<std::string_view> views(row.begin(), row.end());
    const bool views_ok = csv_row_values(program(), header, views, line, from_views, view_errors);
    CHECK(strings_ok == views_ok);
    CHECK(strings_ok == c.errors.empty());
    CHECK(from_views.values == from_strings.values);
    CHECK(from_views.dealer_id == from_strings.dealer_id);
    CHECK(from_views.dealer_name == from_strings.dealer_name);
    CHECK(from_views.as_of == from_strings.as_of);
    REQUIRE(view_errors.size() == string_errors.size());
    for (std::size_t i = 0; i < view_errors.size(); ++i) {
        CHECK(view_errors[i].message == string_errors[i].message);
        CHECK(view_errors[i].message == c.errors[i].message);
        CHECK(to_json(view_errors[i].args) == to_json(string_errors[i].args));
    }
    return c;
}

const Value* value_of(const Converted& c, const char* metric) {
    const Value* values = c.figures.find("values");
    return values ? values->find(metric) : nullptr;
}

}  // namespace

TEST_CASE("CSV reader handles quoted fields with commas, quotes and newlines") {
    const Records r = read_text("name,note\n\"Acme, Ltd\",\"said \"\"hi\"\"\nthen left\"\n\"\",x\n");
    REQUIRE(r.size() == 3);
    CHECK(r[0] == std::vector<std::string>{"name", "note"});
    CHECK(r[1] == std::vector<std::string>{"Acme, Ltd", "said \"hi\"\nthen left"});
    CHECK(r[2] == std::vector<std::string>{"", "x"});
    // Empty fields at either end of a record are fields too.
    CHECK(read_text(",a,\n") == Records{{"", "a", ""}});
}

TEST_CASE("CSV reader accepts CRLF, LF and CR-only line ends, a BOM and blank lines") {
    const Records expected{{"a", "b"}, {"1", "2"}, {"3", "4"}};
    CHECK(read_text("a,b\r\n1,2\r\n3,4\r\n") == expected);
    CHECK(read_text("a,b\n1,2\n3,4") == expected);
    CHECK(read_text("a,b\r1,2\r3,4\r") == expected);
    CHECK(read_text("\xEF\xBB\xBF" "a,b\r\n\r\n1,2\n\n\n3,4\r\n\r\n") == expected);
    // Only a BOM at the very start is skipped.
    CHECK(read_text("a,\xEF\xBB\xBF" "b\n") == Records{{"a", "\xEF\xBB\xBF" "b"}});
    CHECK(read_text("").empty());
    CHECK(read_text("\xEF\xBB\xBF").empty());
    CHECK(read_text("\r\n\n").empty());

    // line() is the physical line each record starts on, counting breaks inside quotes.
    CsvReader reader(std::string_view("a,b\r\n\r\n\"x\r\ny\",2\r3,4\n"));
    std::vector<std::size_t> lines;
    const Records r = read_all(reader, &lines);
    REQUIRE(r.size() == 3);
    CHECK(r[1][0] == "x\r\ny");
    CHECK(lines == std::vector<std::size_t>{1, 3, 5});
}

TEST_CASE("CSV reader streaming one byte at a time gives the same records as the whole text") {
    const std::string text =
        "\xEF\xBB\xBF" "dealer_id,\"note, with comma\",内容阅读量\r\n"
        "D-1,\"multi\r\nline \"\"quoted\"\"\",12\r\n"
        "\r\n"
        "D-2,,\"\"\r"
        "D-3,plain,7";
    std::size_t at = 0;
    std::size_t calls = 0;
    CsvReader streamed(
        [&](char* buffer, std::size_t capacity) -> std::size_t {
            ++calls;
            if (at >= text.size() || capacity == 0) return 0;
            buffer[0] = text[at++];
            return 1;
        });
    std::vector<std::size_t> stream_lines, whole_lines;
    const Records from_stream = read_all(streamed, &stream_lines);
    CsvReader whole{std::string_view(text)};
    const Records from_text = read_all(whole, &whole_lines);
    REQUIRE(from_text.size() == 4);
    CHECK(from_stream == from_text);
    CHECK(stream_lines == whole_lines);
    CHECK(from_text[1][1] == "multi\r\nline \"quoted\"");
    CHECK(calls > text.size());  // really fed byte by byte
}

TEST_CASE("CSV reader gives the same records as views as it does as strings") {
    const std::string text =
        "\xEF\xBB\xBF" "dealer_id,\"note, with comma\",内容阅读量\r\n"
        "D-1,\"multi\r\nline \"\"quoted\"\"\",12\r\n"
        "\r\n"
        "D-2,,\"\"\r"
        ",\n"
        "D-3,plain," + std::string(300, 'x') + "\n"
        "D-4,\"\"\"\",7";
    for (std::size_t chunk : {std::size_t{1}, std::size_t{3}, std::size_t{64 * 1024}}) {
        CAPTURE(chunk);
        CsvReader viewed(pieces_of(text, chunk));
        Records from_views;
        std::vector<std::size_t> view_lines, string_lines;
        std::vector<std::string_view> views;
        while (viewed.next(views)) {
            from_views.emplace_back(views.begin(), views.end());  // copied before the next call
            view_lines.push_back(viewed.line());
        }
        CHECK(views.empty());
        CsvReader whole{std::string_view(text)};
        const Records from_strings = read_all(whole, &string_lines);
        REQUIRE(from_strings.size() == 6);
        CHECK(from_views == from_strings);
        CHECK(view_lines == string_lines);
        CHECK(from_strings[3] == std::vector<std::string>{"", ""});
        CHECK(from_strings[4][2] == std::string(300, 'x'));
        CHECK(from_strings[5][1] == "\"");
    }
    // The limits are checked the same way.
    CsvLimits limits;
    limits.max_cell = 4;
    CsvReader reader(std::string_view("abcd,ok\nabcde\n"), limits);
    std::vector<std::string_view> views;
    CHECK(reader.next(views));
    const Error e = failure_of([&] { reader.next(views); });
    CHECK(e.details[0].reason == "cell_too_long");
    CHECK(arg_number(e.details[0].args, "row") == 2);
}

TEST_CASE("Randomized CSV texts read the same whole, in pieces of every size and byte by byte") {
    // Whole, most records are plain and lie in the buffer: their cells are not copied.
    // Fed a byte at a time, every record is copied cell by cell. Both must agree on every
    // cell and every line number, whatever mix of quoted cells, empty cells, line ends
    // and blank lines the text has, and wherever the pieces end.
    std::mt19937 rng(7);
    const char* const plain[] = {"", "D-1", "12", "3.5", "内容", "x y", "-7", "abcdefghijklmnopq"};
    const char* const quoted[] = {"\"a,b\"", "\"say \"\"hi\"\"\"", "\"two\nlines\"", "\"\"", "\"cr\r\nlf\""};
    const char* const ends[] = {"\n", "\r\n", "\r"};
    int checked = 0;
    for (int iter = 0; iter < 400; ++iter) {
        std::string text;
        const int records = 1 + static_cast<int>(rng() % 12);
        for (int r = 0; r < records; ++r) {
            if (rng() % 8 == 0) text += ends[rng() % 3];  // a blank line
            const int cells = 1 + static_cast<int>(rng() % 6);
            for (int c = 0; c < cells; ++c) {
                if (c) text += ',';
                text += rng() % 5 == 0 ? quoted[rng() % 5] : plain[rng() % 8];
            }
            if (r + 1 < records || rng() % 2) text += ends[rng() % 3];
        }
        if (text.empty() || text[0] == '\n' || text[0] == '\r') continue;
        CAPTURE(text);
        const auto read_in_pieces = [&](std::size_t piece, std::vector<std::size_t>& lines) {
            CsvReader reader(pieces_of(text, piece));
            Records out;
            std::vector<std::string_view> views;
            while (reader.next(views)) {
                out.emplace_back(views.begin(), views.end());
                lines.push_back(reader.line());
            }
            return out;
        };
        std::vector<std::size_t> byte_lines;
        const Records by_byte = read_in_pieces(1, byte_lines);
        for (std::size_t piece : {std::size_t{2}, std::size_t{7}, std::size_t{1} + rng() % 40, text.size()}) {
            CAPTURE(piece);
            std::vector<std::size_t> lines;
            CHECK(read_in_pieces(piece, lines) == by_byte);
            CHECK(lines == byte_lines);
        }
        ++checked;
    }
    CHECK(checked > 300);
}

TEST_CASE("CSV reader finds every cell end, wherever it falls in a word of eight bytes") {
    // The unquoted scan looks at eight bytes at a time: cells of every length up to 20,
    // each ended by each of the separators, and a stray quote at every position.
    for (std::size_t length = 0; length <= 20; ++length) {
        const std::string cell(length, 'x');
        CAPTURE(length);
        CHECK(read_text(cell + "," + cell + "\n") == Records{{cell, cell}});
        CHECK(read_text("a," + cell) == Records{{"a", cell}});
        if (length == 0) continue;  // an empty line is no record
        CHECK(read_text(cell + "\r\n" + cell) == Records{{cell}, {cell}});
        CHECK(read_text(cell + "\r" + cell + "\r") == Records{{cell}, {cell}});
        for (std::size_t at = 0; at < length; ++at) {
            std::string bad = cell;
            bad[at] = '"';
            if (at == 0) continue;  // a quote first opens a quoted cell
            CAPTURE(at);
            const Error e = failure_of([&] { read_text("ab," + bad + "\n"); });
            CHECK(e.details[0].reason == "stray_quote");
            CHECK(arg_number(e.details[0].args, "column") == 2);
        }
    }
    // Bytes above 0x7F (UTF-8) never look like separators.
    CHECK(read_text("内容阅读量,\xFF\xFE\xAC\xA2\x8D\x8A\xA2\xAC\xAC,x\n") ==
          Records{{"内容阅读量", "\xFF\xFE\xAC\xA2\x8D\x8A\xA2\xAC\xAC", "x"}});
}

TEST_CASE("CSV reader streams a large file through a small source") {
    // 200,000 rows (about 3 MB) generated on the fly: never held as one string.
    const std::size_t rows = 200000;
    std::size_t row = 0;
    std::string pending;
    CsvReader reader([&](char* buffer, std::size_t capacity) -> std::size_t {
        while (pending.size() < capacity && row < rows) {
            pending += "D-" + std::to_string(row) + ",\"x,y\"," + std::to_string(row % 97) + "\n";
            ++row;
        }
        const std::size_t n = std::min(capacity, pending.size());
        pending.copy(buffer, n);
        pending.erase(0, n);
        return n;
    });
    std::vector<std::string> fields;
    std::size_t count = 0;
    bool ok = true;
    while (reader.next(fields)) {
        ok = ok && fields.size() == 3 && fields[0] == "D-" + std::to_string(count) && fields[1] == "x,y";
        ++count;
    }
    CHECK(ok);
    CHECK(count == rows);
    CHECK(reader.line() == rows);
}

TEST_CASE("CSV reader reports an unterminated quote where the quoted cell opens") {
    const Error e = failure_of([] { read_text("a,b,c\n1,2,3\n4,\"open\nstill open\n"); });
    CHECK(e.code == "invalid_csv");
    REQUIRE(e.details.size() == 1);
    CHECK(e.details[0].reason == "unterminated_quote");
    CHECK(arg_number(e.details[0].args, "row") == 3);
    CHECK(arg_number(e.details[0].args, "column") == 2);
    CHECK(e.message.find("row 3, column 2") != std::string::npos);
}

TEST_CASE("CSV reader reports a stray quote with its row and column") {
    Error e = failure_of([] { read_text("a,b\n1,ab\"c\n"); });
    CHECK(e.details.at(0).reason == "stray_quote");
    CHECK(arg_number(e.details[0].args, "row") == 2);
    CHECK(arg_number(e.details[0].args, "column") == 2);
    e = failure_of([] { read_text("a,b\n\"x\"y,1\n"); });
    CHECK(e.details.at(0).reason == "stray_quote");
    CHECK(arg_number(e.details[0].args, "column") == 1);
}

TEST_CASE("CSV reader enforces the row, column, cell and size limits") {
    CsvLimits limits;
    limits.max_rows = 3;
    CHECK(read_text("a\n1\n2\n", limits).size() == 3);
    Error e = failure_of([&] { read_text("a\n1\n\n2\n3\n", limits); });
    CHECK(e.details.at(0).reason == "too_many_rows");
    CHECK(arg_number(e.details[0].args, "row") == 5);
    CHECK(arg_number(e.details[0].args, "max") == 3);

    limits = CsvLimits{};
    limits.max_columns = 3;
    CHECK(read_text("a,b,c\n", limits).size() == 1);
    e = failure_of([&] { read_text("a,b,c\n1,2,3,4\n", limits); });
    CHECK(e.details.at(0).reason == "too_many_columns");
    CHECK(arg_number(e.details[0].args, "row") == 2);
    CHECK(arg_number(e.details[0].args, "column") == 4);

    limits = CsvLimits{};
    limits.max_cell = 5;
    CHECK(read_text("12345,\"1\"\"345\"\n", limits).size() == 1);
    e = failure_of([&] { read_text("a,b\nok,123456\n", limits); });
    CHECK(e.details.at(0).reason == "cell_too_long");
    CHECK(arg_number(e.details[0].args, "row") == 2);
    CHECK(arg_number(e.details[0].args, "column") == 2);
    e = failure_of([&] { read_text("\"1234\n56\"\n", limits); });
    CHECK(e.details.at(0).reason == "cell_too_long");
    CHECK(arg_number(e.details[0].args, "row") == 1);

    limits = CsvLimits{};
    limits.max_bytes = 10;
    CHECK(read_text("abc,def\n12", limits).size() == 2);
    e = failure_of([&] { read_text("abc,def\n123", limits); });
    CHECK(e.code == "invalid_csv");
    CHECK(e.details.at(0).reason == "too_large");
}

TEST_CASE("CSV header resolves metric ids, zh-CN labels and en labels") {
    const CsvHeader by_id = resolve_csv_header(program(), {"content_reads", "sales_amount", "crm_on_time_rate", "joined_live"});
    CHECK(by_id.metric == std::vector<int>{0, 1, 2, 3});
    CHECK(by_id.unknown.empty());

    const CsvHeader zh = resolve_csv_header(program(), {"经销商编号", "经销商名称", "截至日期", " 参加直播 ", "内容阅读量", "CRM 及时率"});
    CHECK(zh.dealer_id == 0);
    CHECK(zh.dealer_name == 1);
    CHECK(zh.as_of == 2);
    CHECK(zh.metric == std::vector<int>{-1, -1, -1, 3, 0, 2});

    const CsvHeader en = resolve_csv_header(program(), {"SALES AMOUNT", "content reads", "Dealer_ID"});
    CHECK(en.metric == std::vector<int>{1, 0, -1});
    CHECK(en.dealer_id == 2);
    CHECK(en.names == std::vector<std::string>{"SALES AMOUNT", "content reads", "Dealer_ID"});

    // Ids match exactly: a differently cased id is not an id (nor a label).
    const CsvHeader cased = resolve_csv_header(program(), {"Content_Reads", "sales_amount"});
    CHECK(cased.metric == std::vector<int>{-1, 1});
}

TEST_CASE("CSV header tolerates a unit in parentheses after a label") {
    const CsvHeader h = resolve_csv_header(program(), {"内容阅读量 (次)", "销售额（元）", "Joined live(yes/no)", "unknown (x)"});
    CHECK(h.metric == std::vector<int>{0, 1, 3, -1});
    CHECK(h.unknown == std::vector<std::string>{"unknown (x)"});
}

TEST_CASE("CSV header lists unknown columns and ignores unnamed ones") {
    const CsvHeader h = resolve_csv_header(program(), {"dealer_id", "region", "content_reads", "", "备注"});
    CHECK(h.unknown == std::vector<std::string>{"region", "备注"});
    CHECK(h.metric == std::vector<int>{-1, -1, 0, -1, -1});
    CHECK(h.dealer_name == -1);
    CHECK(h.as_of == -1);
}

TEST_CASE("CSV header with a metric twice is refused naming both columns") {
    const Error e = failure_of([] { resolve_csv_header(program(), {"dealer_id", "content_reads", "as_of", "内容阅读量"}); });
    CHECK(e.code == "invalid_csv");
    const ErrorDetail& d = e.details.at(0);
    CHECK(d.reason == "duplicate_column");
    CHECK(arg_string(d.args, "metric") == "content_reads");
    CHECK(arg_number(d.args, "first_column") == 2);
    CHECK(arg_number(d.args, "column") == 4);
    CHECK(e.message.find("columns 2 (content_reads) and 4 (内容阅读量)") != std::string::npos);

    const Error twice = failure_of([] { resolve_csv_header(program(), {"dealer_id", "content_reads", "经销商编号"}); });
    CHECK(twice.details.at(0).reason == "duplicate_column");
}

TEST_CASE("CSV header without metric columns or with semicolons is refused") {
    Error e = failure_of([] { resolve_csv_header(program(), {"dealer_id", "region"}); });
    CHECK(e.code == "invalid_csv");
    CHECK(e.details.at(0).reason == "no_metric_columns");
    e = failure_of([] { resolve_csv_header(program(), {"dealer_id;content_reads;sales_amount"}); });
    CHECK(e.details.at(0).reason == "wrong_separator");
    e = failure_of([] { resolve_csv_header(program(), {"dealer_id\tcontent_reads"}); });
    CHECK(e.details.at(0).reason == "wrong_separator");
    e = failure_of([] { parse_figures_csv(program(), "dealer_id;内容阅读量;销售额,,\r\nD-1;5;6,,\r\n"); });
    CHECK(e.details.at(0).reason == "wrong_separator");
    CHECK(arg_string(e.details[0].args, "separator") == ";");
    // Through the whole-file parser the header's row is known.
    e = failure_of([] { parse_figures_csv(program(), "\n\ndealer_id,region\nD-1,x\n"); });
    CHECK(e.details.at(0).reason == "no_metric_columns");
    CHECK(arg_number(e.details[0].args, "row") == 3);
    e = failure_of([] { parse_figures_csv(program(), "\xEF\xBB\xBF\r\n"); });
    CHECK(e.details.at(0).reason == "empty");
}

TEST_CASE("CSV row reports a cell that is not a number with its row and column") {
    const Converted c = convert({"dealer_id", "dealer_name", "as_of", "sales_amount", "content_reads"},
                                {"D-1", "Acme", "2027-03-15", "100", "12x"}, 3);
    REQUIRE(c.errors.size() == 1);
    const ErrorDetail& d = c.errors[0];
    CHECK(d.reason == "not_a_number");
    CHECK(d.path == "/values/content_reads");
    CHECK(arg_number(d.args, "row") == 3);
    CHECK(arg_number(d.args, "column") == 5);
    CHECK(arg_string(d.args, "header") == "content_reads");
    CHECK(arg_string(d.args, "metric") == "content_reads");
    CHECK(d.message == "row 3, column 5 (content_reads): \"12x\" is not a number");
    // The valid cell is still converted; the bad one is left out.
    CHECK(value_of(c, "sales_amount") != nullptr);
    CHECK(value_of(c, "content_reads") == nullptr);
    // Exponents, stray letters and lone signs are not numbers either.
    for (const char* bad : {"1e3", "1.23E+11", "-", "+", ".", "5.", "1 000", "12-", "0x10", "1..2"}) {
        CAPTURE(bad);
        const Converted b = convert({"sales_amount"}, {bad});
        REQUIRE(b.errors.size() == 1);
        CHECK(b.errors[0].reason == "not_a_number");
    }
}

TEST_CASE("CSV row refuses a fraction in a count, keeping check_figure's reason") {
    const Converted c = convert({"dealer_id", "内容阅读量"}, {"D-1", "12.5"}, 7);
    REQUIRE(c.errors.size() == 1);
    const ErrorDetail& d = c.errors[0];
    CHECK(d.reason == "not_integer");
    CHECK(d.path == "/values/content_reads");
    CHECK(arg_number(d.args, "row") == 7);
    CHECK(arg_number(d.args, "column") == 2);
    CHECK(arg_string(d.args, "header") == "内容阅读量");
    CHECK(d.message.rfind("row 7, column 2 (内容阅读量): ", 0) == 0);

    // More decimals than Decimal keeps must not round into a whole number.
    const Converted tiny = convert({"content_reads"}, {"1.0000000000001"});
    REQUIRE(tiny.errors.size() == 1);
    CHECK(tiny.errors[0].reason == "not_integer");

    // Range and decimals come from check_figure too.
    const Converted range = convert({"crm_on_time_rate", "sales_amount", "content_reads"}, {"101", "1.005", "-3"});
    REQUIRE(range.errors.size() == 3);
    CHECK(range.errors[0].reason == "above_max");
    CHECK(range.errors[1].reason == "too_many_decimals");
    CHECK(range.errors[2].reason == "below_min");
    CHECK(arg_number(range.errors[1].args, "column") == 2);
}

TEST_CASE("CSV row reads percents, thousands separators, full-width digits and currency symbols") {
    const Converted c = convert({"crm_on_time_rate", "content_reads", "sales_amount"}, {"92.5%", "12,345,678", " +1,234.50 "});
    CHECK(c.errors.empty());
    REQUIRE(value_of(c, "crm_on_time_rate"));
    CHECK(*value_of(c, "crm_on_time_rate") == number("92.5"));
    CHECK(*value_of(c, "content_reads") == number("12345678"));
    CHECK(*value_of(c, "sales_amount") == number("1234.5"));

    // Full-width digits, separators, minus and percent as Chinese IMEs type them.
    const Converted wide = convert({"crm_on_time_rate", "content_reads", "sales_amount"},
                                   {"８５．５％", "１２，３４５", "\xEF\xBF\xA5" "９,８００.００"});
    CHECK(wide.errors.empty());
    REQUIRE(value_of(wide, "content_reads"));
    CHECK(*value_of(wide, "crm_on_time_rate") == number("85.5"));
    CHECK(*value_of(wide, "content_reads") == number("12345"));
    CHECK(*value_of(wide, "sales_amount") == number("9800"));
    const Converted minus = convert({"crm_on_time_rate"}, {"－5"});
    REQUIRE(minus.errors.size() == 1);
    CHECK(minus.errors[0].reason == "below_min");  // read as -5, then out of range

    // A '%' only suits a percent metric; separators only in groups of three.
    for (const auto& item : std::vector<std::pair<std::string, std::string>>{
             {"content_reads", "85%"}, {"content_reads", "1,2345"}, {"content_reads", "12,34"}, {"content_reads", ",123"},
             {"content_reads", "1234,567"}, {"content_reads", "1,23,456"}, {"sales_amount", "1,234.5,6"}, {"sales_amount", "$12"}}) {
        // (no structured bindings: clang cannot capture them in CAPTURE's lambda in C++17)
        const std::string& cell = item.second;
        CAPTURE(cell);
        const Converted bad = convert({item.first}, {cell});
        REQUIRE(bad.errors.size() == 1);
        CHECK(bad.errors[0].reason == "not_a_number");
    }
}

TEST_CASE("CSV row reads booleans in Chinese and English") {
    const std::vector<std::pair<const char*, bool>> cases{
        {"是", true}, {"否", false}, {"TRUE", true}, {"false", false}, {"Yes", true}, {"no", false},
        {"y", true},  {"N", false},  {"1", true},    {"0", false},     {" 是 ", true},
        {"YES", true}, {"yEs", true}, {"FALSE", false}, {"No", false}};
    for (const auto& item : cases) {
        const char* cell = item.first;
        const bool expected = item.second;
        CAPTURE(cell);
        const Converted c = convert({"参加直播"}, {cell});
        CHECK(c.errors.empty());
        REQUIRE(value_of(c, "joined_live"));
        CHECK(*value_of(c, "joined_live") == Value(expected));
    }
    for (const char* other : {"yess", "t", "ye", "10", "是的", "TRUEE"}) {
        CAPTURE(other);
        const Converted c = convert({"joined_live"}, {other});
        REQUIRE(c.errors.size() == 1);
        CHECK(c.errors[0].reason == "not_boolean");
    }
    const Converted bad = convert({"dealer_id", "joined_live"}, {"D-1", "maybe"}, 4);
    REQUIRE(bad.errors.size() == 1);
    CHECK(bad.errors[0].reason == "not_boolean");
    CHECK(arg_number(bad.errors[0].args, "column") == 2);
    CHECK(bad.errors[0].message.rfind("row 4, column 2 (joined_live): ", 0) == 0);
}

TEST_CASE("CSV row normalises as_of dates and refuses bad ones") {
    const std::vector<std::pair<const char*, const char*>> good{
        {"2027-03-15", "2027-03-15"}, {"2027/03/15", "2027-03-15"}, {"2027/3/5", "2027-03-05"},
        {"2027.3.5", "2027-03-05"},   {"2027年3月5日", "2027-03-05"}, {" ２０２７/１２/３１ ", "2027-12-31"},
        {"2024-02-29", "2024-02-29"}, {" 2027-01-31 ", "2027-01-31"}, {"２０２７-０３-１５", "2027-03-15"}};
    for (const auto& item : good) {
        const char* cell = item.first;
        const char* iso = item.second;
        CAPTURE(cell);
        const Converted c = convert({"as_of", "content_reads"}, {cell, "1"});
        CHECK(c.errors.empty());
        const Value* as_of = c.figures.find("as_of");
        REQUIRE(as_of);
        CHECK(as_of->as_string() == iso);
    }
    for (const char* bad : {"2027-02-30", "15/03/2027", "2027-3-15x", "2027/03-15", "27/3/15", "tomorrow", "2027-13-01",
                            "2023-02-29", "2027-00-10", "2027-12-32", "2027-0--15", "2027-1a-15", "20271-3-15"}) {
        CAPTURE(bad);
        const Converted c = convert({"content_reads", "as_of"}, {"1", bad}, 9);
        REQUIRE(c.errors.size() == 1);
        CHECK(c.errors[0].reason == "bad_date");
        CHECK(c.errors[0].path == "/as_of");
        CHECK(arg_number(c.errors[0].args, "row") == 9);
        CHECK(arg_number(c.errors[0].args, "column") == 2);
        CHECK(c.figures.find("as_of") == nullptr);
    }
}

TEST_CASE("CSV row puts dealer columns in dealer and leaves empty cells out") {
    const Converted c = convert({"dealer_id", "dealer_name", "content_reads", "sales_amount", "region"},
                                {" D-0042 ", "华东 Acme, Ltd", "48210", "", "east"});
    CHECK(c.errors.empty());
    const Value* dealer = c.figures.find("dealer");
    REQUIRE(dealer);
    CHECK(arg_string(*dealer, "id") == "D-0042");
    CHECK(arg_string(*dealer, "name") == "华东 Acme, Ltd");
    CHECK(arg_string(c.figures, "format") == kFiguresFormat);
    const Value* values = c.figures.find("values");
    REQUIRE(values);
    CHECK(values->size() == 1);
    CHECK(value_of(c, "sales_amount") == nullptr);
    // The document is a valid figures document.
    const Figures f = load_figures(program(), c.figures);
    CHECK(f.given == std::vector<bool>{true, false, false, false});
}

TEST_CASE("CSV row may be shorter than the header but not longer") {
    const Converted short_row = convert({"dealer_id", "content_reads", "sales_amount", "joined_live"}, {"D-1", "5"});
    CHECK(short_row.errors.empty());
    CHECK(*value_of(short_row, "content_reads") == number("5"));

    // Trailing empty cells, as spreadsheets write them, are harmless.
    CHECK(convert({"dealer_id", "content_reads"}, {"D-1", "5", "", " "}).errors.empty());

    const Converted long_row = convert({"dealer_id", "content_reads"}, {"D-1", "5", "", "oops"}, 6);
    REQUIRE(long_row.errors.size() == 1);
    CHECK(long_row.errors[0].reason == "extra_cells");
    CHECK(arg_number(long_row.errors[0].args, "row") == 6);
    CHECK(arg_number(long_row.errors[0].args, "column") == 4);
    CHECK(long_row.errors[0].message.rfind("row 6, column 4: ", 0) == 0);
}

TEST_CASE("CSV file converts every row and keeps per-row problems in the rows") {
    const std::string text =
        "\xEF\xBB\xBF" "经销商编号,经销商名称,截至日期,内容阅读量,销售额,CRM 及时率,参加直播,备注\r\n"
        "D-1,\"Acme, Ltd\",2027/3/15,\"48,210\",\"12,000.50\",92.5%,是,first\r\n"
        ",,,,,,,\r\n"
        "\r\n"
        "D-2,Beta,2027-03-15,12x,,,否,\r\n";
    const CsvFigures f = parse_figures_csv(program(), text);
    CHECK(f.header.unknown == std::vector<std::string>{"备注"});
    REQUIRE(f.rows.size() == 2);
    CHECK(f.rows[0].line == 2);
    CHECK(f.rows[0].errors.empty());
    CHECK(to_json(f.rows[0].figures) ==
          R"({"format":"dealer-incentive-figures/1","dealer":{"id":"D-1","name":"Acme, Ltd"},"as_of":"2027-03-15",)"
          R"("values":{"content_reads":48210,"sales_amount":12000.5,"crm_on_time_rate":92.5,"joined_live":true}})");
    const Figures loaded = load_figures(program(), f.rows[0].figures);
    CHECK(loaded.has_as_of);
    CHECK(f.rows[1].line == 5);
    REQUIRE(f.rows[1].errors.size() == 1);
    CHECK(f.rows[1].errors[0].reason == "not_a_number");
    CHECK(arg_number(f.rows[1].errors[0].args, "row") == 5);
    CHECK(arg_number(f.rows[1].errors[0].args, "column") == 4);

    // A malformed file fails as a whole, with the location.
    const Error e = failure_of([] { parse_figures_csv(program(), "content_reads\n1\n\"2\n"); });
    CHECK(e.details.at(0).reason == "unterminated_quote");
    CHECK(arg_number(e.details[0].args, "row") == 3);
    // Limits are passed through.
    CsvLimits limits;
    limits.max_rows = 2;
    CHECK(failure_of([&] { parse_figures_csv(program(), "content_reads\n1\n2\n", limits); }).details.at(0).reason ==
          "too_many_rows");
}

TEST_CASE("CSV cell quotes when needed and neutralises formulas") {
    CHECK(csv_cell("plain") == "plain");
    CHECK(csv_cell("") == "");
    CHECK(csv_cell("内容阅读量") == "内容阅读量");
    CHECK(csv_cell("a,b") == "\"a,b\"");
    CHECK(csv_cell("say \"hi\"") == "\"say \"\"hi\"\"\"");
    CHECK(csv_cell("two\nlines") == "\"two\nlines\"");
    CHECK(csv_cell("cr\rhere") == "\"cr\rhere\"");
    CHECK(csv_cell("=SUM(A1:A9)") == "'=SUM(A1:A9)");
    CHECK(csv_cell("+cmd") == "'+cmd");
    CHECK(csv_cell("-2+3") == "'-2+3");
    CHECK(csv_cell("@SUM(1)") == "'@SUM(1)");
    CHECK(csv_cell("\tx") == "'\tx");
    CHECK(csv_cell("\rx") == "\"'\rx\"");
    CHECK(csv_cell("=HYPERLINK(\"http://x\",\"y\")") == "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"");
    CHECK(csv_cell("-12.5") == "-12.5");
    CHECK(csv_cell("+3") == "+3");
    CHECK(csv_cell("-") == "'-");
    CHECK(csv_cell("-1.") == "'-1.");
    CHECK(csv_cell("a=b") == "a=b");
    // What csv_cell writes reads back as the same cell (apart from the apostrophe).
    CHECK(read_text(csv_cell("a,\"b\"\nc") + "," + csv_cell("x") + "\r\n") == Records{{"a,\"b\"\nc", "x"}});
}

TEST_CASE("CSV template lists the dealer columns and the metric ids") {
    const std::string t = csv_template(program(), "zh-CN");
    CHECK(t == "dealer_id,dealer_name,as_of,content_reads,sales_amount,crm_on_time_rate,joined_live\r\n");
    CHECK(csv_template(program(), "en") == t);
    // The template reads back as a header naming every metric and dealer column.
    const CsvFigures f = parse_figures_csv(program(), t);
    CHECK(f.rows.empty());
    CHECK(f.header.metric == std::vector<int>{-1, -1, -1, 0, 1, 2, 3});
    CHECK(f.header.dealer_id == 0);
    CHECK(f.header.as_of == 2);
}
