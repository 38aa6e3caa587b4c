// A JSON document whose numbers are exact Decimals and whose objects keep their order.
//
// Numbers are read from the JSON text itself (never through a binary double) and
// written back in their shortest exact form, so 0.3 stays 0.3.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dealercalc/decimal.hpp"

namespace dealercalc {

class Value;
using Array = std::vector<Value>;
struct Member;
using Object = std::vector<Member>;

class Value {
public:
    enum class Type { Null, Bool, Number, String, Array, Object };

    Value() = default;
    Value(std::nullptr_t) {}
    Value(bool b) : type_(Type::Bool), bool_(b) {}
    Value(Decimal d) : type_(Type::Number), number_(d) {}
    // A number read from text that had digits beyond the 12th decimal place (rounded
    // away): validation refuses it rather than accept a silently changed figure.
    static Value rounded_number(Decimal d) {
        Value v(d);
        v.bool_ = true;
        return v;
    }
    bool is_rounded_number() const { return type_ == Type::Number && bool_; }
    Value(int i) : type_(Type::Number), number_(i) {}
    Value(const char* s) : type_(Type::String), string_(s) {}
    Value(std::string s) : type_(Type::String), string_(std::move(s)) {}
    Value(Array a);
    Value(Object o);
    // Copies are deep: a copy never shares storage with the original, so a reference
    // into one (from set, push, as_array, ...) can never change the other. A moved-from
    // Value is null.
    Value(const Value& other);
    Value(Value&& other) noexcept;
    Value& operator=(const Value& other) {
        // Scalars (the slots of every evaluation) are copied in place; only a value with
        // an array or object on either side needs the careful general path.
        if (!array_ && !object_ && !other.array_ && !other.object_) {
            type_ = other.type_;
            bool_ = other.bool_;
            number_ = other.number_;
            if (!string_.empty() || !other.string_.empty()) string_ = other.string_;
            return *this;
        }
        return assign_slow(other);
    }
    Value& operator=(Value&& other) noexcept;
    // Makes this a number or a boolean, reusing the storage (no temporary Value).
    void set_number(Decimal d) {
        if (array_ || object_) {
            *this = Value(d);
            return;
        }
        type_ = Type::Number;
        bool_ = false;
        number_ = d;
        string_.clear();
    }
    void set_null() {
        if (array_ || object_) {
            *this = Value();
            return;
        }
        type_ = Type::Null;
        bool_ = false;
        string_.clear();
    }
    void set_bool(bool b) {
        if (array_ || object_) {
            *this = Value(b);
            return;
        }
        type_ = Type::Bool;
        bool_ = b;
        number_ = Decimal();
        string_.clear();
    }
    ~Value() = default;
    static Value array() { return Value(Array{}); }
    static Value object() { return Value(Object{}); }

    Type type() const { return type_; }
    bool is_null() const { return type_ == Type::Null; }
    bool is_bool() const { return type_ == Type::Bool; }
    bool is_number() const { return type_ == Type::Number; }
    bool is_string() const { return type_ == Type::String; }
    bool is_array() const { return type_ == Type::Array; }
    bool is_object() const { return type_ == Type::Object; }

    bool as_bool() const { return bool_; }
    Decimal as_number() const { return number_; }
    const std::string& as_string() const { return string_; }
    const Array& as_array() const;
    Array& as_array();
    const Object& as_object() const;
    Object& as_object();

    // Object access: nullptr when absent (or when this is not an object).
    const Value* find(std::string_view key) const;
    // Sets or appends a member, keeping the first position of an existing key.
    Value& set(std::string key, Value v);
    // Appends to an array.
    Value& push(Value v);
    std::size_t size() const;

    friend bool operator==(const Value& a, const Value& b);
    friend bool operator!=(const Value& a, const Value& b) { return !(a == b); }

private:
    Type type_ = Type::Null;
    bool bool_ = false;
    Decimal number_;
    std::string string_;
    // Shared and copy-on-write would be faster; plain ownership keeps values independent.
    std::shared_ptr<Array> array_;
    std::shared_ptr<Object> object_;
    void detach();
    Value& assign_slow(const Value& other);
};

struct Member {
    std::string key;
    Value value;
};

// Thrown by parse_json: the text is not JSON (or holds a number out of range).
struct JsonSyntaxError {
    std::string message;
    std::size_t line = 0;    // 1-based
    std::size_t column = 0;  // 1-based, in characters (UTF-8 code points; a leading BOM is not counted)
};

// Parses JSON text; throws JsonSyntaxError. `max_depth` bounds nesting.
Value parse_json(std::string_view text, std::size_t max_depth = 256);

// Serialises compactly (no spaces), in member order, numbers in shortest exact form.
std::string to_json(const Value& v);
// Serialises with two-space indentation, for people.
std::string to_json_pretty(const Value& v);

// JSON Pointer helpers: "/rules/2/tiers" + "from" -> "/rules/2/tiers/from".
std::string pointer_append(const std::string& base, std::string_view token);
std::string pointer_append(const std::string& base, std::size_t index);

}  // namespace dealercalc
