#include "dealercalc/value.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>

namespace dealercalc {

Value::Value(Array a) : type_(Type::Array), array_(std::make_shared<Array>(std::move(a))) {}
Value::Value(Object o) : type_(Type::Object), object_(std::make_shared<Object>(std::move(o))) {}

// Copies share their array/object storage; the first write through a non-const
// accessor takes a private copy, so values behave as independent.
void Value::detach() {
    if (array_ && array_.use_count() > 1) array_ = std::make_shared<Array>(*array_);
    if (object_ && object_.use_count() > 1) object_ = std::make_shared<Object>(*object_);
}

namespace {
const Array kEmptyArray;
const Object kEmptyObject;
}  // namespace

const Array& Value::as_array() const { return array_ ? *array_ : kEmptyArray; }
Array& Value::as_array() {
    if (!array_) {
        *this = Value(Array{});
    }
    detach();
    return *array_;
}
const Object& Value::as_object() const { return object_ ? *object_ : kEmptyObject; }
Object& Value::as_object() {
    if (!object_) {
        *this = Value(Object{});
    }
    detach();
    return *object_;
}

const Value* Value::find(std::string_view key) const {
    if (type_ != Type::Object) return nullptr;
    for (const Member& m : *object_)
        if (m.key == key) return &m.value;
    return nullptr;
}

Value& Value::set(std::string key, Value v) {
    Object& o = as_object();
    for (Member& m : o)
        if (m.key == key) {
            m.value = std::move(v);
            return m.value;
        }
    o.push_back(Member{std::move(key), std::move(v)});
    return o.back().value;
}

Value& Value::push(Value v) {
    Array& a = as_array();
    a.push_back(std::move(v));
    return a.back();
}

std::size_t Value::size() const {
    if (type_ == Type::Array) return array_->size();
    if (type_ == Type::Object) return object_->size();
    return 0;
}

bool operator==(const Value& a, const Value& b) {
    if (a.type_ != b.type_) return false;
    switch (a.type_) {
        case Value::Type::Null: return true;
        case Value::Type::Bool: return a.bool_ == b.bool_;
        case Value::Type::Number: return a.number_ == b.number_;
        case Value::Type::String: return a.string_ == b.string_;
        case Value::Type::Array: return a.as_array() == b.as_array();
        case Value::Type::Object: {
            const Object& x = a.as_object();
            const Object& y = b.as_object();
            if (x.size() != y.size()) return false;
            for (const Member& m : x) {
                const Value* other = b.find(m.key);
                if (!other || !(*other == m.value)) return false;
            }
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
    bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& ex) override {
        // nlohmann's message starts "[json.exception.parse_error.101] parse error at line
        // 1, column 2: ..."; keep only the reason after the location.
        std::string what = ex.what();
        const auto colon = what.find(": ");
        std::string reason = colon == std::string::npos ? what : what.substr(colon + 2);
        return fail(reason, position > 0 ? position - 1 : 0);
    }

    Value result;
    bool failed = false;
    JsonSyntaxError error;

private:
    bool number(const std::string& s) {
        Decimal d;
        try {
            if (!Decimal::parse(s, d)) return fail("invalid number " + s, locate(s));
        } catch (const DecimalOverflow&) {
            return fail("number " + s + " is out of range (magnitude must be below 10^15)", locate(s));
        }
        return add(Value(d));
    }

    std::size_t locate(const std::string& token) const {
        const auto at = text_.find(token);
        return at == std::string_view::npos ? 0 : at;
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
        std::size_t line = 1, column = 1;
        for (std::size_t i = 0; i < position && i < text_.size(); ++i) {
            if (text_[i] == '\n') {
                ++line;
                column = 1;
            } else {
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
};

void write_string(std::string& out, const std::string& s) {
    out.push_back('"');
    for (unsigned char c : s) {
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            case '\b': out += "\\b"; break;
            case '\f': out += "\\f"; break;
            default:
                if (c < 0x20) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04x", c);
                    out += buf;
                } else {
                    out.push_back(static_cast<char>(c));
                }
        }
    }
    out.push_back('"');
}

void write(std::string& out, const Value& v, int indent, int level) {
    auto newline = [&](int lvl) {
        if (indent < 0) return;
        out.push_back('\n');
        out.append(static_cast<std::size_t>(indent * lvl), ' ');
    };
    switch (v.type()) {
        case Value::Type::Null: out += "null"; break;
        case Value::Type::Bool: out += v.as_bool() ? "true" : "false"; break;
        case Value::Type::Number: out += v.as_number().to_string(); break;
        case Value::Type::String: write_string(out, v.as_string()); break;
        case Value::Type::Array: {
            const Array& a = v.as_array();
            out.push_back('[');
            for (std::size_t i = 0; i < a.size(); ++i) {
                if (i) out.push_back(',');
                newline(level + 1);
                write(out, a[i], indent, level + 1);
            }
            if (!a.empty()) newline(level);
            out.push_back(']');
            break;
        }
        case Value::Type::Object: {
            const Object& o = v.as_object();
            out.push_back('{');
            for (std::size_t i = 0; i < o.size(); ++i) {
                if (i) out.push_back(',');
                newline(level + 1);
                write_string(out, o[i].key);
                out += indent < 0 ? ":" : ": ";
                write(out, o[i].value, indent, level + 1);
            }
            if (!o.empty()) newline(level);
            out.push_back('}');
            break;
        }
    }
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
    write(out, v, -1, 0);
    return out;
}

std::string to_json_pretty(const Value& v) {
    std::string out;
    write(out, v, 2, 0);
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
