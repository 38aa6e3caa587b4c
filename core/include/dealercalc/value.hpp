// A JSON document whose numbers are exact Decimals and whose objects keep their order.
//
// Numbers are read from the JSON text itself (never through a binary double) and
// written back in their shortest exact form, so 0.3 stays 0.3.
#pragma once

#include <atomic>
#include <cassert>
#include <cstdint>
#include <cstring>
#include <new>
#include <string>
#include <string_view>
#include <type_traits>
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

    Value() noexcept {}
    Value(std::nullptr_t) noexcept {}
    Value(bool b) noexcept : type_(Type::Bool), flag_(b) {}
    Value(Decimal d) noexcept : type_(Type::Number) { store(d); }
    // A number read from text that had digits beyond the 12th decimal place (rounded
    // away): validation refuses it rather than accept a silently changed figure.
    static Value rounded_number(Decimal d) {
        Value v(d);
        v.flag_ = true;
        return v;
    }
    bool is_rounded_number() const { return type_ == Type::Number && flag_; }
    Value(int i) noexcept : Value(Decimal(i)) {}
    Value(const char* s) : type_(Type::String) { new (&u_.string) std::string(s); }
    Value(std::string s) noexcept : type_(Type::String) { new (&u_.string) std::string(std::move(s)); }
    Value(Array a) noexcept;
    Value(Object o) noexcept;
    // Copies are deep: a copy never shares storage with the original, so a reference
    // into one (from set, push, as_array, ...) can never change the other. The one
    // exception is a value made immutable with share(): its copies share it, and since
    // nothing can write into it (a write gives the writer its own copy first), none can
    // tell. A moved-from Value is null.
    Value(const Value& other);
    Value(Value&& other) noexcept { take(other); }
    Value& operator=(const Value& other) {
        // Scalars (the slots of every evaluation) are copied in place; only a value with
        // a string, an array or an object on either side needs a general path.
        if (!has_payload() && !other.has_payload()) {
            type_ = other.type_;
            flag_ = other.flag_;
            u_.number = other.u_.number;
            return *this;
        }
        return assign_slow(other);
    }
    Value& operator=(Value&& other) noexcept {
        if (this == &other) return *this;
        if (!has_payload()) {
            // Nothing of this value's can hold `other`: no old storage to keep alive.
            take(other);
            return *this;
        }
        // `other` may live inside this value's own storage: move it out first.
        Value moved(std::move(other));
        release();
        take(moved);
        return *this;
    }
    ~Value() {
        if (has_payload()) release();
    }
    // Makes this a number or a boolean, reusing the storage (no temporary Value).
    void set_number(Decimal d) {
        if (has_payload()) release();
        type_ = Type::Number;
        flag_ = false;
        store(d);
    }
    void set_null() {
        if (has_payload()) release();
        type_ = Type::Null;
        flag_ = false;
        u_.number = Raw16{};
    }
    void set_bool(bool b) {
        if (has_payload()) release();
        type_ = Type::Bool;
        flag_ = b;
        u_.number = Raw16{};
    }
    static Value array() { return Value(Array{}); }
    static Value object() { return Value(Object{}); }
    // An empty array or object with room for `capacity` elements or members: a builder
    // that knows the size allocates once, and no more than it needs.
    static Value array(std::size_t capacity);
    static Value object(std::size_t capacity);

    Type type() const { return type_; }
    bool is_null() const { return type_ == Type::Null; }
    bool is_bool() const { return type_ == Type::Bool; }
    bool is_number() const { return type_ == Type::Number; }
    bool is_string() const { return type_ == Type::String; }
    bool is_array() const { return type_ == Type::Array; }
    bool is_object() const { return type_ == Type::Object; }

    bool as_bool() const { return flag_; }
    // 0 for anything that is not a number.
    Decimal as_number() const { return type_ == Type::Number ? load() : Decimal(); }
    // Empty for anything that is not a string.
    const std::string& as_string() const;
    // Empty for anything that is not an array (object); the non-const forms first make
    // this an empty array (object) when it is not one.
    const Array& as_array() const;
    Array& as_array();
    const Object& as_object() const;
    Object& as_object();

    // Object access: nullptr when absent (or when this is not an object).
    const Value* find(std::string_view key) const;
    // Sets or appends a member, keeping the first position of an existing key.
    Value& set(std::string key, Value v);
    // Appends a member whose key the caller knows is not there yet (a builder writing
    // fixed keys): no search, and the key is copied once, straight into its place.
    // Checked by an assertion in debug builds.
    inline Value& add(std::string_view key, Value v);
    // Appends to an array.
    Value& push(Value v);
    std::size_t size() const;

    // Makes this value immutable and shared by its copies: copying it then costs a
    // reference count, not a deep copy. Meant for values copied into every result (a
    // programme's labels and tier names). Reading is unchanged; the first write through a
    // non-const accessor (as_array(), as_object(), set, add, push) gives this value its
    // own unshared copy first, so a reference obtained for writing never reaches storage
    // another value shares. Short strings and scalars are copied in place anyway and
    // are left as they are. Sharing is thread-safe (the count is atomic).
    void share();
    bool is_shared() const { return shared_; }

    friend bool operator==(const Value& a, const Value& b);
    friend bool operator!=(const Value& a, const Value& b) { return !(a == b); }

private:
    // A Decimal's bytes, kept with 8-byte alignment (a Decimal itself is 16-aligned,
    // which would pad every Value to 48 bytes).
    struct Raw16 {
        std::uint64_t word[2];  // trivial, so assigning it makes it the union's active member
    };
    // An immutable string, array or object shared by the copies of a shared Value.
    struct Shared;
    // One payload at a time, chosen by type_: the number (null and booleans keep it 0),
    // or the string, the array or the object, owned in place (or, when shared_, a
    // pointer to a Shared one). 40 bytes in all (64-bit).
    union Payload {
        Payload() noexcept : number{{0, 0}} {}
        ~Payload() {}
        Raw16 number;
        std::string string;
        Array array;
        Object object;
        Shared* shared;
    };
    Payload u_;
    Type type_ = Type::Null;
    bool flag_ = false;    // the boolean; for a number, rounded_number
    bool shared_ = false;  // a string, array or object held in u_.shared

    bool has_payload() const { return type_ >= Type::String; }
    // The value whose payload is read: this one, or the shared one it points to.
    const Value& target() const;
    // Replaces a shared payload by an own copy, before a write.
    void unshare();
    void store(Decimal d) {
        static_assert(sizeof(Decimal) == sizeof(Raw16) && std::is_trivially_copyable<Decimal>::value,
                      "a Decimal is 16 bytes that may be copied as bytes");
        // As two 64-bit halves, the way a Decimal is computed and returned: a 16-byte copy
        // of one just written in halves cannot be forwarded from the store buffer (a
        // stall the batch profile showed on every figure read).
        const Decimal::Raw raw = d.raw();
        u_.number.word[0] = static_cast<std::uint64_t>(raw);
        u_.number.word[1] = static_cast<std::uint64_t>(raw >> 64);  // two's complement high half
    }
    Decimal load() const {
        Decimal d;
        std::memcpy(static_cast<void*>(&d), &u_.number, sizeof d);
        return d;
    }
    // Moves other's content into this, which holds no payload; other becomes null.
    void take(Value& other) noexcept {
        type_ = other.type_;
        flag_ = other.flag_;
        shared_ = other.shared_;
        if (shared_) u_.shared = other.u_.shared;
        else if (other.has_payload()) take_payload(other);
        else u_.number = other.u_.number;
        other.type_ = Type::Null;
        other.flag_ = false;
        other.shared_ = false;
        other.u_.number = Raw16{};
    }
    void take_payload(Value& other) noexcept;
    // Destroys the payload; leaves this null-typed with a zero number.
    void release() noexcept;
    Value& assign_slow(const Value& other);
    Value& add_slow(std::string_view key, Value v);
    static const std::string& empty_string();
};

struct Member {
    std::string key;
    Value value;

    Member() = default;
    Member(std::string k, Value v) noexcept : key(std::move(k)), value(std::move(v)) {}
    // Value::add's: the key copied once, straight into place.
    struct CopyKey {};
    Member(CopyKey, std::string_view k, Value&& v) : key(k), value(std::move(v)) {}
};

inline Value& Value::add(std::string_view key, Value v) {
    // The usual case inline: an object with room reserved for its members (a builder's).
    if (type_ == Type::Object && !shared_ && u_.object.size() < u_.object.capacity()) {
        assert(find(key) == nullptr && "add: the key is already there");
        return u_.object.emplace_back(Member::CopyKey{}, key, std::move(v)).value;
    }
    return add_slow(key, std::move(v));
}

struct Value::Shared {
    std::atomic<std::size_t> references{1};
    Value value;  // never shared itself; its elements or members may be
};

inline const Value& Value::target() const { return shared_ ? u_.shared->value : *this; }

inline const std::string& Value::as_string() const {
    if (type_ != Type::String) return empty_string();
    return shared_ ? u_.shared->value.u_.string : u_.string;
}

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
// The same, appended to `out` (for writers of many documents, such as a batch's lines).
void append_json(std::string& out, const Value& v);
// Appends `text` as a JSON string: quoted, with what JSON requires escaped (as to_json).
void append_json_string(std::string& out, std::string_view text);
// Serialises with two-space indentation, for people.
std::string to_json_pretty(const Value& v);

// JSON Pointer helpers: "/rules/2/tiers" + "from" -> "/rules/2/tiers/from".
std::string pointer_append(const std::string& base, std::string_view token);
std::string pointer_append(const std::string& base, std::size_t index);

}  // namespace dealercalc
