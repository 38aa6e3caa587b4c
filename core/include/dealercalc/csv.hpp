// Figures from CSV text (spec §9): one row per dealer; the header holds metric ids or
// labels in any of the programme's languages, plus optional dealer_id, dealer_name and
// as_of columns. Decoding (UTF-8, GB18030) happens before this; the text here is UTF-8.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "dealercalc/error.hpp"
#include "dealercalc/program.hpp"
#include "dealercalc/value.hpp"

namespace dealercalc {

struct CsvLimits {
    std::size_t max_bytes = 64 * 1024 * 1024;
    std::size_t max_rows = 1000000;
    std::size_t max_columns = 1000;
    std::size_t max_cell = 10000;  // bytes in one cell
};

// RFC 4180 records, incrementally: quoted fields (with "" escapes and line breaks),
// CRLF or LF, a UTF-8 byte order mark at the start skipped. Reads from `source`, which
// fills a buffer and returns how many bytes it wrote (0 at the end), so a caller can
// stream a file of any size in constant memory.
class CsvReader {
public:
    using Source = std::function<std::size_t(char* buffer, std::size_t capacity)>;
    explicit CsvReader(Source source, CsvLimits limits = {});
    explicit CsvReader(std::string_view text, CsvLimits limits = {});

    // The next record's fields; false at the end. Throws Failure(invalid_csv) with the
    // line and column of a malformed record (an unterminated quote, a stray quote, a
    // cell or a row over the limits).
    bool next(std::vector<std::string>& fields);
    // The same, as views of the reader's own copy of the record: valid until the next
    // call. No string per cell (the batch path).
    bool next(std::vector<std::string_view>& fields);
    // 1-based line on which the record last returned by next() started.
    std::size_t line() const { return record_line_; }
    // After next() returned false because the source ran dry at a record boundary: the
    // source has more now (a pushed chunk), so reading goes on where it stopped.
    void resume() { eof_ = false; }

private:
    bool fill();
    // Reads the next record into text_ and ends_ (or, see in_buffer_, into starts_ and
    // ends_); false at the end.
    bool read_record();
    // The record at pos_ when it has no quoted cell and ends within buffer_: its cells'
    // places in buffer_ go into starts_ and ends_, and pos_ moves past it. False, with
    // nothing consumed, for any other record (read_record then copies it into text_).
    bool read_plain_record();
    // next() for either kind of cell: each is assigned a view of its text.
    template <typename Cell>
    bool next_cells(std::vector<Cell>& fields);
    Source source_;
    CsvLimits limits_;
    std::string buffer_;
    std::size_t pos_ = 0;
    bool eof_ = false;
    bool started_ = false;
    std::size_t line_ = 1;
    std::size_t record_line_ = 0;
    std::size_t records_ = 0;
    std::size_t bytes_read_ = 0;  // for max_bytes
    std::size_t field_ = 0;       // 1-based field of the record being read, for error locations
    // The record last read: its cells unescaped, back to back in text_[0, text_used_),
    // cell i ending at ends_[i]. The buffers are reused from record to record.
    std::string text_;
    std::size_t text_used_ = 0;
    std::vector<std::size_t> ends_;
    // Or, when in_buffer_, cell i is buffer_[starts_[i], ends_[i]) (no copy: most
    // records are plain and lie in the buffer; next() gives views either way).
    bool in_buffer_ = false;
    std::vector<std::size_t> starts_;
};

// How the header maps onto the programme.
struct CsvHeader {
    std::vector<int> metric;      // per column: metric index, or -1
    int dealer_id = -1, dealer_name = -1, as_of = -1;  // column indexes, or -1
    std::vector<std::string> names;  // the header cells as written
    std::vector<std::string> unknown;  // columns that name nothing (reported as warnings)
};

// Resolves header cells: metric id, or a metric label in any language of the programme
// (case- and surrounding-space-insensitive), or dealer_id/dealer_name/as_of (also their
// zh-CN forms 经销商编号/经销商名称/截至日期). Throws Failure(invalid_csv) when a metric
// appears twice or no column names a metric.
CsvHeader resolve_csv_header(const Program& program, const std::vector<std::string>& cells);

// Turns one data row into a figures document ({"format", "dealer", "as_of", "values"}).
// Cells: numbers as written (a leading '+', thousands separators "12,345", a trailing
// '%' for percent metrics, surrounding spaces are accepted); booleans as
// true/false/yes/no/y/n/1/0/是/否; an empty cell is a missing figure. Problems go into
// `errors`, each with path "/values/<metric id>", and args {"row", "column", "header"}
// (1-based line and column), so the page can say "row 3, column F (内容阅读量): …".
Value csv_row_figures(const Program& program, const CsvHeader& header, const std::vector<std::string>& cells,
                      std::size_t line, std::vector<ErrorDetail>& errors);

// The same conversion without building a document (the batch path): the metric values
// (null where the cell was empty) in metric order, and the dealer columns. Returns false
// when the row had errors (appended to `errors`).
struct CsvRowValues {
    std::vector<Value> values;
    std::string dealer_id, dealer_name, as_of;
};
bool csv_row_values(const Program& program, const CsvHeader& header, const std::vector<std::string>& cells,
                    std::size_t line, CsvRowValues& out, std::vector<ErrorDetail>& errors);
// The same over views (what CsvReader::next gives without a string per cell).
bool csv_row_values(const Program& program, const CsvHeader& header, const std::vector<std::string_view>& cells,
                    std::size_t line, CsvRowValues& out, std::vector<ErrorDetail>& errors);

// A whole CSV text: every row converted and checked against the metrics (check_figure).
struct CsvFigures {
    CsvHeader header;
    struct Row {
        std::size_t line = 0;
        Value figures;                     // figures document
        std::vector<ErrorDetail> errors;   // empty when the row is valid
    };
    std::vector<Row> rows;
};
// Throws Failure(invalid_csv) for a malformed file (with line and column) or an
// unusable header; per-row problems stay in the rows.
CsvFigures parse_figures_csv(const Program& program, std::string_view text, const CsvLimits& limits = {});

// A CSV template for the programme: a header of metric ids, a second header row of
// labels is not added (the page adds its own); returns "dealer_id,dealer_name,as_of,...\r\n".
std::string csv_template(const Program& program, const std::string& language);

// Quotes a cell for CSV output, and neutralises spreadsheet formulas (a cell starting
// with = + - @, tab or CR gets a leading apostrophe) unless it is a plain number.
std::string csv_cell(std::string_view text);
// The same, appended to `out`.
void append_csv_cell(std::string& out, std::string_view text);

}  // namespace dealercalc
