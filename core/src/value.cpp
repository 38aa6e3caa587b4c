#include "dealercalc/value.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cassert>
#include <cstdio>
#include <cstring>

#include "swar.hpp"

namespace dealercalc {

static_assert(sizeof(void*) != 8 || sizeof(Value) == 40, "a Value is 40 bytes on 64-bit targets");

Value::Value(Array a) noexcept : type_(Type::Array) { new (&u_.array) Array(std::move(a)); }
Value::Value(Object o) noexcept : type_(Type::Object) { new (&u_.object) Object(std::move(o)); }

Value Value::array(std::size_t capacity) {
    Array a;
    a.reserve(capacity);
    return Value(std::move(a));
}

Value Value::object(std::size_t capacity) {
    Object o;
    o.reserve(capacity);
    return Value(std::move(o));
}

const std::string& Value::empty_string() {
    static const std::string empty;
    return empty;
}

// Copies are deep. (Sharing the storage copy-on-write, detaching on the first write
// through a non-const accessor, is not enough: a reference taken from the original
// before the copy, e.g. `Value& list = doc.set("list", Value::array())`, would still
// write into the storage the copy shares.)
Value::Value(const Value& other) : type_(other.type_), flag_(other.flag_), shared_(other.shared_) {
    if (shared_) {
        // Immutable: the copy shares it. Relaxed is enough to count up (the copy is made
        // from a live reference); the count down orders the delete.
        u_.shared = other.u_.shared;
        u_.shared->references.fetch_add(1, std::memory_order_relaxed);
        return;
    }
    switch (type_) {
        case Type::String: new (&u_.string) std::string(other.u_.string); break;
        case Type::Array: new (&u_.array) Array(other.u_.array); break;
        case Type::Object: new (&u_.object) Object(other.u_.object); break;
        default: u_.number = other.u_.number; break;
    }
}

void Value::take_payload(Value& other) noexcept {
    switch (other.type_) {
        case Type::String:
            new (&u_.string) std::string(std::move(other.u_.string));
            other.u_.string.~basic_string();
            break;
        case Type::Array:
            new (&u_.array) Array(std::move(other.u_.array));
            other.u_.array.~Array();
            break;
        case Type::Object:
            new (&u_.object) Object(std::move(other.u_.object));
            other.u_.object.~Object();
            break;
        default: break;
    }
}

void Value::release() noexcept {
    if (shared_) {
        if (u_.shared->references.fetch_sub(1, std::memory_order_acq_rel) == 1) delete u_.shared;
        shared_ = false;
        type_ = Type::Null;
        u_.number = Raw16{};
        return;
    }
    switch (type_) {
        case Type::String: u_.string.~basic_string(); break;
        case Type::Array: u_.array.~Array(); break;
        case Type::Object: u_.object.~Object(); break;
        default: break;
    }
    type_ = Type::Null;
    u_.number = Raw16{};
}

Value& Value::assign_slow(const Value& other) {
    if (this == &other) return *this;
    if (type_ == Type::String && other.type_ == Type::String && !shared_ && !other.shared_) {
        u_.string = other.u_.string;  // reuses this string's buffer
        flag_ = other.flag_;
        return *this;
    }
    Value copy(other);  // `other` may live inside this value's own storage
    *this = std::move(copy);
    return *this;
}

namespace {
const Array kEmptyArray;
const Object kEmptyObject;
}  // namespace

const Array& Value::as_array() const { return type_ == Type::Array ? target().u_.array : kEmptyArray; }
Array& Value::as_array() {
    if (type_ != Type::Array) *this = Value(Array{});
    else if (shared_) unshare();
    return u_.array;
}
const Object& Value::as_object() const { return type_ == Type::Object ? target().u_.object : kEmptyObject; }
Object& Value::as_object() {
    if (type_ != Type::Object) *this = Value(Object{});
    else if (shared_) unshare();
    return u_.object;
}

const Value* Value::find(std::string_view key) const {
    if (type_ != Type::Object) return nullptr;
    for (const Member& m : target().u_.object)
        if (m.key == key) return &m.value;
    return nullptr;
}

void Value::unshare() {
    Value own(u_.shared->value);  // one level deep: shared elements stay shared
    release();
    take(own);
}

void Value::share() {
    if (!has_payload() || shared_) return;
    // What a copy does not allocate for is left alone: a string within the small-string
    // buffer, an empty array or object.
    static const std::size_t in_place = std::string().capacity();
    if (type_ == Type::String && u_.string.size() <= in_place) return;
    if (type_ == Type::Array) {
        if (u_.array.empty()) return;
        for (Value& e : u_.array) e.share();
    }
    if (type_ == Type::Object) {
        if (u_.object.empty()) return;
        for (Member& m : u_.object) m.value.share();
    }
    Shared* box = new Shared;
    const Type type = type_;
    box->value.take(*this);
    type_ = type;
    shared_ = true;
    u_.shared = box;
}

Value& Value::set(std::string key, Value v) {
    Object& o = as_object();
    for (Member& m : o)
        if (m.key == key) {
            m.value = std::move(v);
            return m.value;
        }
    if (o.capacity() == 0) o.reserve(4);  // most objects are small: skip the 1-2-4 regrowth
    // Built in place: a Member temporary would move the key (its bytes, when short) twice.
    Member& m = o.emplace_back();
    m.key = std::move(key);
    m.value = std::move(v);
    return m.value;
}

Value& Value::add_slow(std::string_view key, Value v) {
    Object& o = as_object();
    assert(std::none_of(o.begin(), o.end(), [&](const Member& m) { return m.key == key; }) && "add: the key is already there");
    if (o.capacity() == 0) o.reserve(4);
    return o.emplace_back(Member::CopyKey{}, key, std::move(v)).value;
}

Value& Value::push(Value v) {
    Array& a = as_array();
    if (a.capacity() == 0) a.reserve(4);
    a.push_back(std::move(v));
    return a.back();
}

std::size_t Value::size() const {
    if (type_ == Type::Array) return target().u_.array.size();
    if (type_ == Type::Object) return target().u_.object.size();
    return 0;
}

bool operator==(const Value& a, const Value& b) {
    if (a.type_ != b.type_) return false;
    switch (a.type_) {
        case Value::Type::Null: return true;
        case Value::Type::Bool: return a.flag_ == b.flag_;
        case Value::Type::Number: return a.load() == b.load();
        case Value::Type::String: return a.as_string() == b.as_string();
        case Value::Type::Array: return a.as_array() == b.as_array();
        case Value::Type::Object: {
            // Member order does not matter. Compare the members sorted by key (stably, so
            // repeated keys pair up in their order of appearance): checking only that each
            // member of `a` is found in `b` would call {"k":1,"k":1} equal to {"k":1,"j":2}.
            const Object& x = a.as_object();
            const Object& y = b.as_object();
            if (x.size() != y.size()) return false;
            bool same_order = true;
            for (std::size_t i = 0; i < x.size() && same_order; ++i) same_order = x[i].key == y[i].key;
            if (same_order) {
                for (std::size_t i = 0; i < x.size(); ++i)
                    if (!(x[i].value == y[i].value)) return false;
                return true;
            }
            auto by_key = [](const Object& o) {
                std::vector<const Member*> v;
                v.reserve(o.size());
                for (const Member& m : o) v.push_back(&m);
                std::stable_sort(v.begin(), v.end(), [](const Member* p, const Member* q) { return p->key < q->key; });
                return v;
            };
            const std::vector<const Member*> xs = by_key(x), ys = by_key(y);
            for (std::size_t i = 0; i < xs.size(); ++i)
                if (xs[i]->key != ys[i]->key || !(xs[i]->value == ys[i]->value)) return false;
            return true;
        }
    }
    return false;
}

// ---------------------------------------------------------------------------
// Parsing through nlohmann's SAX interface, which hands over each number's text.

namespace {

using nlohmann::json;

class Builder : public nlohmann::json_sax<json> {
public:
    Builder(std::string_view text, std::size_t max_depth) : text_(text), max_depth_(max_depth) {}

    bool null() override { return add(Value()); }
    bool boolean(bool v) override { return add(Value(v)); }
    bool number_integer(number_integer_t v) override { return number(std::to_string(v)); }
    bool number_unsigned(number_unsigned_t v) override { return number(std::to_string(v)); }
    // The token's own text (never the double), so "0.1" stays exact.
    bool number_float(number_float_t, const string_t& s) override { return number(s); }
    bool string(string_t& s) override { return add(Value(std::move(s))); }
    bool binary(binary_t&) override { return fail("binary values are not JSON", 0); }
    bool start_object(std::size_t) override { return open(Value::object()); }
    bool key(string_t& k) override {
        keys_.push_back(std::move(k));
        return true;
    }
    bool end_object() override { return close(); }
    bool start_array(std::size_t) override { return open(Value::array()); }
    bool end_array() override { return close(); }
    bool parse_error(std::size_t position, const std::string& token, const nlohmann::detail::exception& ex) override {
        // `position` counts the bytes read, the offending one included. nlohmann's message
        // is "[json.exception.parse_error.101] parse error at line 1, column 2: <reason>"
        // (its column is not reliable, e.g. 0 after a number): keep only the reason.
        std::string reason = ex.what();
        if (reason.rfind("[json.exception.", 0) == 0) {
            const auto bracket = reason.find("] ");
            if (bracket != std::string::npos) reason.erase(0, bracket + 2);
        }
        if (reason.rfind("parse error", 0) == 0) {
            const auto colon = reason.find(": ");
            if (colon != std::string::npos) reason.erase(0, colon + 2);
        }
        std::size_t at = position > 0 ? position - 1 : 0;
        // A number too large even for a double (406, "number overflow parsing '1e400'"):
        // point at the start of the number, not at its last digit.
        if (ex.id == 406 && token.size() <= position) at = position - token.size();
        return fail(reason, at);
    }

    Value result;
    bool failed = false;
    JsonSyntaxError error;

private:
    bool number(const std::string& s) {
        ++numbers_seen_;
        Decimal d;
        bool inexact = false;
        try {
            if (!Decimal::parse(s, d, &inexact)) return fail("invalid number " + s, locate_number(numbers_seen_));
        } catch (const DecimalOverflow&) {
            return fail("number " + s + " is out of range (magnitude must be below 10^15)",
                        locate_number(numbers_seen_));
        }
        return add(inexact ? Value::rounded_number(d) : Value(d));
    }

    // Byte offset of the n-th (1-based) number token of the text. The SAX interface does
    // not tell where a value is, but the text up to it is valid JSON, where a number is
    // the only token that starts with '-' or a digit outside strings. (Searching for the
    // number's text would find "1" inside "10", or inside a string before it.)
    static bool is_number_char(char c) {
        return (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.' || c == 'e' || c == 'E';
    }

    std::size_t locate_number(std::size_t n) const {
        std::size_t seen = 0;
        for (std::size_t i = 0; i < text_.size(); ++i) {
            const char c = text_[i];
            if (c == '"') {
                for (++i; i < text_.size() && text_[i] != '"'; ++i)
                    if (text_[i] == '\\') ++i;
            } else if (c == '-' || (c >= '0' && c <= '9')) {
                if (++seen == n) return i;
                while (i + 1 < text_.size() && is_number_char(text_[i + 1])) ++i;
            }
        }
        return 0;
    }

    bool add(Value v) {
        if (stack_.empty()) {
            result = std::move(v);
            return true;
        }
        Value& top = *stack_.back();
        if (top.is_array()) {
            top.push(std::move(v));
        } else {
            top.as_object().push_back(Member{std::move(keys_.back()), std::move(v)});
            keys_.pop_back();
        }
        return true;
    }

    bool open(Value v) {
        if (stack_.size() >= max_depth_)
            return fail("nesting deeper than " + std::to_string(max_depth_) + " levels", 0);
        if (stack_.empty()) {
            result = std::move(v);
            stack_.push_back(&result);
            return true;
        }
        Value& top = *stack_.back();
        Value* child;
        if (top.is_array()) {
            child = &top.push(std::move(v));
        } else {
            top.as_object().push_back(Member{std::move(keys_.back()), std::move(v)});
            keys_.pop_back();
            child = &top.as_object().back().value;
        }
        stack_.push_back(child);
        return true;
    }

    bool close() {
        stack_.pop_back();
        return true;
    }

    bool fail(std::string message, std::size_t position) {
        failed = true;
        error.message = std::move(message);
        if (position == 0 && error.message.rfind("nesting", 0) == 0) position = approximate_depth_position();
        // 1-based, as a person counts: characters, not bytes (a UTF-8 continuation byte
        // does not start a new column), and a leading byte order mark is not a column.
        std::size_t line = 1, column = 1;
        std::size_t i = text_.substr(0, 3) == "\xEF\xBB\xBF" && position >= 3 ? 3 : 0;
        for (; i < position && i < text_.size(); ++i) {
            const auto c = static_cast<unsigned char>(text_[i]);
            if (c == '\n') {
                ++line;
                column = 1;
            } else if ((c & 0xC0) != 0x80) {
                ++column;
            }
        }
        error.line = line;
        error.column = column;
        return false;
    }

    // Where nesting first exceeds the limit (brackets outside strings).
    std::size_t approximate_depth_position() const {
        std::size_t depth = 0;
        bool in_string = false;
        for (std::size_t i = 0; i < text_.size(); ++i) {
            const char c = text_[i];
            if (in_string) {
                if (c == '\\') ++i;
                else if (c == '"') in_string = false;
            } else if (c == '"') {
                in_string = true;
            } else if (c == '[' || c == '{') {
                if (++depth > max_depth_) return i;
            } else if (c == ']' || c == '}') {
                if (depth > 0) --depth;
            }
        }
        return 0;
    }

    std::string_view text_;
    std::size_t max_depth_;
    std::vector<Value*> stack_;
    std::vector<std::string> keys_;
    std::size_t numbers_seen_ = 0;
};

// Characters a JSON string must escape: quote, backslash and the controls below 0x20.
bool needs_escape(unsigned char c) { return c < 0x20 || c == '"' || c == '\\'; }

// Whether any character of s needs an escape: eight bytes at a time (portable SWAR; the
// tests may flag a byte after a true hit, never miss one), then byte by byte.
bool any_escape(std::string_view s) {
    const char* p = s.data();
    const char* const end = p + s.size();
    for (; end - p >= 8; p += 8) {
        const std::uint64_t w = load_word(p);
        if (bytes_below(w, 0x20) | bytes_equal(w, '"') | bytes_equal(w, '\\')) return true;
    }
    for (; p < end; ++p)
        if (needs_escape(static_cast<unsigned char>(*p))) return true;
    return false;
}

// Writes into a string's own buffer through a position: the string is lengthened a little
// ahead and cut to what was written at the end, so each piece is a plain copy rather
// than a library call (a result is thousands of small pieces).
class JsonWriter {
public:
    explicit JsonWriter(std::string& out) : out_(out), pos_(out.size()) {}
    JsonWriter(const JsonWriter&) = delete;
    JsonWriter& operator=(const JsonWriter&) = delete;
    // Cuts the string to what was written.
    void finish() { out_.resize(pos_); }

    void put(char c) {
        room(1);
        out_[pos_++] = c;
    }
    void put(const char* s, std::size_t n) {
        room(n);
        std::memcpy(&out_[pos_], s, n);
        pos_ += n;
    }
    void put(std::string_view s) { put(s.data(), s.size()); }
    void spaces(std::size_t n) {
        room(n);
        std::memset(&out_[pos_], ' ', n);
        pos_ += n;
    }
    void number(Decimal d) {
        char buf[Decimal::kMaxChars];
        const char* first = d.write_before(buf + sizeof buf);
        put(first, static_cast<std::size_t>(buf + sizeof buf - first));
    }
    void string(std::string_view s) {
        const char* p = s.data();
        const char* const end = p + s.size();
        // Nearly every string needs no escape: quoted and copied at once.
        if (!any_escape(s)) {
            room(s.size() + 2);
            out_[pos_] = '"';
            std::memcpy(&out_[pos_ + 1], p, s.size());
            out_[pos_ + 1 + s.size()] = '"';
            pos_ += s.size() + 2;
            return;
        }
        put('"');
        while (p < end) {
            const char* run = p;
            while (p < end && !needs_escape(static_cast<unsigned char>(*p))) ++p;
            put(run, static_cast<std::size_t>(p - run));
            if (p == end) break;
            const auto c = static_cast<unsigned char>(*p++);
            switch (c) {
                case '"': put("\\\"", 2); break;
                case '\\': put("\\\\", 2); break;
                case '\n': put("\\n", 2); break;
                case '\r': put("\\r", 2); break;
                case '\t': put("\\t", 2); break;
                case '\b': put("\\b", 2); break;
                case '\f': put("\\f", 2); break;
                default: {
                    static const char kHex[] = "0123456789abcdef";
                    const char esc[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
                    put(esc, sizeof esc);
                }
            }
        }
        put('"');
    }

private:
    void room(std::size_t n) {
        if (pos_ + n > out_.size()) grow(n);
    }
    // A little ahead at a time (the string may be a long batch output appended to), its
    // capacity doubling.
    void grow(std::size_t n) {
        const std::size_t want = pos_ + n + 256;
        if (want > out_.capacity()) out_.reserve(std::max(want, 2 * out_.capacity()));
        out_.resize(want);
    }
    std::string& out_;
    std::size_t pos_;
};

void newline(JsonWriter& w, int indent, int level) {
    if (indent < 0) return;
    w.put('\n');
    w.spaces(static_cast<std::size_t>(indent * level));
}

void write(JsonWriter& w, const Value& v, int indent, int level) {
    switch (v.type()) {
        case Value::Type::Null: w.put("null", 4); break;
        case Value::Type::Bool:
            if (v.as_bool()) w.put("true", 4);
            else w.put("false", 5);
            break;
        case Value::Type::Number: w.number(v.as_number()); break;
        case Value::Type::String: w.string(v.as_string()); break;
        case Value::Type::Array: {
            const Array& a = v.as_array();
            w.put('[');
            for (std::size_t i = 0; i < a.size(); ++i) {
                if (i) w.put(',');
                newline(w, indent, level + 1);
                write(w, a[i], indent, level + 1);
            }
            if (!a.empty()) newline(w, indent, level);
            w.put(']');
            break;
        }
        case Value::Type::Object: {
            const Object& o = v.as_object();
            w.put('{');
            for (std::size_t i = 0; i < o.size(); ++i) {
                if (i) w.put(',');
                newline(w, indent, level + 1);
                w.string(o[i].key);
                if (indent < 0) w.put(':');
                else w.put(": ", 2);
                write(w, o[i].value, indent, level + 1);
            }
            if (!o.empty()) newline(w, indent, level);
            w.put('}');
            break;
        }
    }
}

void write(std::string& out, const Value& v, int indent) {
    JsonWriter w(out);
    write(w, v, indent, 0);
    w.finish();
}

}  // namespace

Value parse_json(std::string_view text, std::size_t max_depth) {
    Builder builder(text, max_depth);
    bool ok = false;
    try {
        ok = json::sax_parse(text.begin(), text.end(), &builder, json::input_format_t::json, true);
    } catch (const std::exception& e) {
        if (!builder.failed) {
            builder.failed = true;
            builder.error.message = e.what();
            builder.error.line = 1;
            builder.error.column = 1;
        }
    }
    if (!ok || builder.failed) {
        if (!builder.failed) builder.error = JsonSyntaxError{"invalid JSON", 1, 1};
        throw builder.error;
    }
    return std::move(builder.result);
}

std::string to_json(const Value& v) {
    std::string out;
    write(out, v, -1);
    return out;
}

void append_json(std::string& out, const Value& v) { write(out, v, -1); }

void append_json_string(std::string& out, std::string_view text) {
    JsonWriter w(out);
    w.string(text);
    w.finish();
}

std::string to_json_pretty(const Value& v) {
    std::string out;
    write(out, v, 2);
    return out;
}

std::string pointer_append(const std::string& base, std::string_view token) {
    std::string out = base;
    out.push_back('/');
    for (char c : token) {
        if (c == '~') out += "~0";
        else if (c == '/') out += "~1";
        else out.push_back(c);
    }
    return out;
}

std::string pointer_append(const std::string& base, std::size_t index) {
    return base + "/" + std::to_string(index);
}

}  // namespace dealercalc
