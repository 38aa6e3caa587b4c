// CsvReader (csv.hpp): RFC 4180 records from a byte source, in constant memory.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <utility>

#include "csv_internal.hpp"
#include "swar.hpp"
#include "dealercalc/csv.hpp"

namespace dealercalc {

namespace {
constexpr std::size_t kChunk = 64 * 1024;  // bytes asked from a Source at a time
}  // namespace

CsvReader::CsvReader(Source source, CsvLimits limits) : source_(std::move(source)), limits_(limits) {}

CsvReader::CsvReader(std::string_view text, CsvLimits limits)
    : source_([text, at = std::size_t{0}](char* buffer, std::size_t capacity) mutable {
          const std::size_t n = std::min(capacity, text.size() - at);
          std::copy_n(text.data() + at, n, buffer);
          at += n;
          return n;
      }),
      limits_(limits) {}

// Appends up to one chunk after the unconsumed bytes (which move to the front): the
// buffer never holds more than a chunk and a few bytes, whatever the file size.
bool CsvReader::fill() {
    if (eof_) return false;
    if (pos_ > 0) {
        buffer_.erase(0, pos_);
        pos_ = 0;
    }
    const std::size_t old = buffer_.size();
    buffer_.resize(old + kChunk);
    std::size_t n = source_ ? source_(&buffer_[old], kChunk) : 0;
    n = std::min(n, kChunk);
    buffer_.resize(old + n);
    if (n == 0) {
        eof_ = true;
        return false;
    }
    bytes_read_ += n;
    if (bytes_read_ > limits_.max_bytes)
        throw csv_failure("too_large", line_, field_ > 0 ? field_ : 1,
                          "the file is larger than " + std::to_string(limits_.max_bytes) + " bytes", limit_arg(limits_.max_bytes));
    return true;
}

template <typename Cell>
bool CsvReader::next_cells(std::vector<Cell>& fields) {
    if (!read_record()) {
        fields.clear();
        return false;
    }
    // Strings already in `fields` keep their buffers from record to record (assigning a
    // view copies into them).
    fields.resize(ends_.size());
    if (in_buffer_) {
        for (std::size_t i = 0; i < ends_.size(); ++i)
            fields[i] = std::string_view(buffer_.data() + starts_[i], ends_[i] - starts_[i]);
        return true;
    }
    std::size_t begin = 0;
    for (std::size_t i = 0; i < ends_.size(); ++i) {
        fields[i] = std::string_view(text_.data() + begin, ends_[i] - begin);
        begin = ends_[i];
    }
    return true;
}

bool CsvReader::next(std::vector<std::string>& fields) { return next_cells(fields); }
bool CsvReader::next(std::vector<std::string_view>& fields) { return next_cells(fields); }

namespace {

// Bytes that end an unquoted cell (or are not allowed in one): , CR LF and ".
bool ends_cell(char c) { return c == ',' || c == '\r' || c == '\n' || c == '"'; }

// The first byte in [p, e) that ends an unquoted cell, or e. Eight bytes at a time
// (portable SWAR; most cells are shorter than eight bytes, so the loop's exit is
// predictable), then byte by byte for the tail.
const char* find_cell_end(const char* p, const char* e) {
    while (e - p >= 8) {
        const std::uint64_t w = load_word(p);
        // The lowest flag is exact (bytes_equal), so it gives the first cell end.
        const std::uint64_t hits = bytes_equal(w, ',') | bytes_equal(w, '\r') | bytes_equal(w, '\n') | bytes_equal(w, '"');
        if (hits != 0) {
#if defined(__GNUC__) || defined(__clang__)
            return p + (__builtin_ctzll(hits) >> 3);
#else
            int byte = 0;  // index of the lowest flagged byte
            for (std::uint64_t h = hits; (h & 0x80) == 0; h >>= 8) ++byte;
            return p + byte;
#endif
        }
        p += 8;
    }
    while (p < e && !ends_cell(*p)) ++p;
    return p;
}

}  // namespace

bool CsvReader::read_plain_record() {
    // Where each cell starts and ends in buffer_; nothing is copied, nothing is consumed
    // unless the whole record is there.
    const char* const base = buffer_.data();
    const char* const e = base + buffer_.size();
    const char* p = base + pos_;
    starts_.clear();
    ends_.clear();
    for (std::size_t count = 1;; ++count) {
        const char* const end = find_cell_end(p, e);
        // Past the buffer, a quote, or over a limit: the copying reader takes it (and
        // reports what is wrong where it is).
        if (end == e || *end == '"' || count > limits_.max_columns || static_cast<std::size_t>(end - p) > limits_.max_cell)
            return false;
        starts_.push_back(static_cast<std::size_t>(p - base));
        ends_.push_back(static_cast<std::size_t>(end - base));
        if (*end == ',') {
            p = end + 1;
            continue;
        }
        // The line end: \n, \r\n or a lone \r.
        std::size_t next = static_cast<std::size_t>(end - base) + 1;
        if (*end == '\r') {
            if (end + 1 == e) return false;  // a \n may follow in the next chunk
            if (end[1] == '\n') ++next;
        }
        pos_ = next;
        ++line_;
        return true;
    }
}

bool CsvReader::read_record() {
    // The cells go into text_, back to back (its buffer is reused from record to record),
    // ends_ holds where each one ends; `count` is how many this record has so far.
    std::size_t count = 0;
    field_ = 0;
    text_used_ = 0;
    in_buffer_ = false;
    ends_.clear();
    auto peek = [&]() -> int {
        if (pos_ < buffer_.size() || fill()) return static_cast<unsigned char>(buffer_[pos_]);
        return -1;
    };
    if (!started_) {
        started_ = true;
        while (buffer_.size() - pos_ < 3 && fill()) {
        }
        if (std::string_view(buffer_).substr(pos_, 3) == "\xEF\xBB\xBF") pos_ += 3;  // a BOM
    }
    // Blank lines are skipped; so is the line end after the last record.
    for (;;) {
        const int c = peek();
        if (c < 0) return false;
        if (c == '\n') {
            ++pos_;
            ++line_;
        } else if (c == '\r') {
            ++pos_;
            if (peek() == '\n') ++pos_;
            ++line_;
        } else {
            break;
        }
    }
    record_line_ = line_;
    if (++records_ > limits_.max_rows)
        throw csv_failure("too_many_rows", record_line_, 1, "the file has more than " + std::to_string(limits_.max_rows) + " rows",
                          limit_arg(limits_.max_rows));
    // Most records: no quotes and wholly in the buffer, so their cells can stay there.
    if (read_plain_record()) {
        in_buffer_ = true;
        return true;
    }
    ends_.clear();
    std::size_t cell_start = 0;
    auto append = [&](const char* p, std::size_t n, std::size_t field_line) {
        if (text_used_ - cell_start + n > limits_.max_cell)
            throw csv_failure("cell_too_long", field_line, field_,
                              "a cell is longer than " + std::to_string(limits_.max_cell) + " bytes", limit_arg(limits_.max_cell));
        if (text_used_ + n > text_.size()) text_.resize(std::max(text_.size() * 2, text_used_ + n + 256));
        std::memcpy(&text_[text_used_], p, n);
        text_used_ += n;
    };
    auto stray = [&]() {
        return csv_failure("stray_quote", line_, field_,
                           "a quote (\") in a cell that is not quoted, or after a closing quote; a cell holding quotes must be "
                           "quoted as a whole, with each inner quote doubled (\"\")");
    };
    for (;;) {
        field_ = count + 1;
        if (field_ > limits_.max_columns)
            throw csv_failure("too_many_columns", record_line_, field_,
                              "a row has more than " + std::to_string(limits_.max_columns) + " columns", limit_arg(limits_.max_columns));
        ++count;
        cell_start = text_used_;
        const std::size_t field_line = line_;
        int c = peek();
        if (c == '"') {
            ++pos_;
            for (;;) {
                if (pos_ == buffer_.size() && !fill())
                    throw csv_failure("unterminated_quote", field_line, field_,
                                      "a quoted cell is never closed: the file ends before its closing quote (\")");
                const char* b = buffer_.data() + pos_;
                const char* e = buffer_.data() + buffer_.size();
                const char* p = b;
                while (p < e && *p != '"' && *p != '\r' && *p != '\n') ++p;
                append(b, static_cast<std::size_t>(p - b), field_line);
                pos_ += static_cast<std::size_t>(p - b);
                if (p == e) continue;
                const char special = *p;
                ++pos_;
                if (special == '"') {
                    if (peek() == '"') {
                        ++pos_;
                        append("\"", 1, field_line);
                        continue;
                    }
                    break;
                }
                append(&special, 1, field_line);  // a line break inside the cell, kept as written
                ++line_;
                if (special == '\r' && peek() == '\n') {
                    ++pos_;
                    append("\n", 1, field_line);
                }
            }
            c = peek();
            if (c != ',' && c != '\r' && c != '\n' && c >= 0) throw stray();
        } else {
            for (;;) {
                if (pos_ == buffer_.size() && !fill()) break;
                const char* b = buffer_.data() + pos_;
                const char* e = buffer_.data() + buffer_.size();
                const char* p = find_cell_end(b, e);
                append(b, static_cast<std::size_t>(p - b), field_line);
                pos_ += static_cast<std::size_t>(p - b);
                if (p < e) break;
            }
            c = peek();
            if (c == '"') throw stray();
        }
        ends_.push_back(text_used_);
        if (c == ',') {
            ++pos_;
            continue;
        }
        if (c == '\r') {
            ++pos_;
            if (peek() == '\n') ++pos_;
            ++line_;
        } else if (c == '\n') {
            ++pos_;
            ++line_;
        }
        return true;
    }
}

}  // namespace dealercalc
