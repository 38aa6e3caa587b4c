// Value: the JSON tree with exact Decimal numbers, its parser and its writers.
#include <doctest/doctest.h>

#include <string>
#include <string_view>
#include <utility>

#include "dealercalc/value.hpp"

using dealercalc::Array;
using dealercalc::Decimal;
using dealercalc::JsonSyntaxError;
using dealercalc::Member;
using dealercalc::Object;
using dealercalc::parse_json;
using dealercalc::pointer_append;
using dealercalc::to_json;
using dealercalc::to_json_pretty;
using dealercalc::Value;

namespace {

// The error parse_json throws for `text`; a test failure when it does not throw.
JsonSyntaxError error_of(std::string_view text, std::size_t max_depth = 256) {
    try {
        parse_json(text, max_depth);
    } catch (const JsonSyntaxError& e) {
        return e;
    }
    FAIL_CHECK("parse_json accepted: " << std::string(text.substr(0, 80)));
    return JsonSyntaxError{"<no error>", 0, 0};
}

Decimal D(const char* text) { return Decimal::parse_or_throw(text); }

}  // namespace

// ---------------------------------------------------------------------------
// Parsing

TEST_CASE("Parsing keeps object member order") {
    const Value v = parse_json(R"({"z": 1, "a": 2, "m": {"y": true, "b": null}, "c": [3, 2, 1]})");
    REQUIRE(v.is_object());
    const Object& o = v.as_object();
    REQUIRE(o.size() == 4);
    CHECK(o[0].key == "z");
    CHECK(o[1].key == "a");
    CHECK(o[2].key == "m");
    CHECK(o[3].key == "c");
    CHECK(o[2].value.as_object()[0].key == "y");
    CHECK(o[2].value.as_object()[1].key == "b");
    CHECK(to_json(v) == R"({"z":1,"a":2,"m":{"y":true,"b":null},"c":[3,2,1]})");
}

TEST_CASE("Parsed numbers are exact decimals, never binary doubles") {
    const Value v = parse_json(
        "[0.1, 1e2, -0, 1.50, 0.30000000000000004, 1e-400, 123456789012.123456, -5, 2E-3, "
        "18446744073709551615e-10, 999999999999999.999999999999]");
    REQUIRE(v.is_array());
    REQUIRE(v.size() == 11);
    CHECK(to_json(v) ==
          "[0.1,100,0,1.5,0.3,0,123456789012.123456,-5,0.002,1844674407.3709551615,999999999999999.999999999999]");
    const Array& a = v.as_array();
    CHECK(a[0].is_number());
    CHECK(a[0].as_number() == D("0.1"));
    CHECK(a[0].as_number().to_string() == "0.1");
    CHECK(a[1].as_number() == Decimal(100));
    CHECK_FALSE(a[2].as_number().is_negative());
    // 0.1 + 0.2 from parsed text is the parsed 0.3.
    const Value w = parse_json("[0.1, 0.2, 0.3]");
    CHECK(w.as_array()[0].as_number() + w.as_array()[1].as_number() == w.as_array()[2].as_number());
}

TEST_CASE("Numbers of magnitude 10^15 or more are syntax errors with a location") {
    SUBCASE("an int64 beyond the range, on line 2") {
        const JsonSyntaxError e = error_of("{\"a\": 1,\n \"b\": 123456789012345678}");
        CHECK(e.line == 2);
        CHECK(e.column == 7);
        CHECK(e.message.find("out of range") != std::string::npos);
        CHECK(e.message.find("123456789012345678") != std::string::npos);
    }
    SUBCASE("exactly 10^15, written in several ways") {
        for (const char* text : {"1000000000000000", "-1000000000000000", "1e15", "1E+15", "10e14"}) {
            CAPTURE(text);
            const JsonSyntaxError e = error_of(text);
            CHECK(e.line == 1);
            CHECK(e.column == 1);
        }
    }
    SUBCASE("beyond 64 bits") {
        for (const char* text : {"[18446744073709551615]", "[18446744073709551616]", "[-9223372036854775809]",
                                 "[123456789012345678901234567890]"}) {
            CAPTURE(text);
            const JsonSyntaxError e = error_of(text);
            CHECK(e.line == 1);
            CHECK(e.column == 2);
        }
    }
    SUBCASE("the location is that of the offending number, not of the same text elsewhere") {
        const std::string text = R"(["1000000000000000", 10, {"1000000000000000": 1000000000000000}])";
        const JsonSyntaxError e = error_of(text);
        CHECK(e.line == 1);
        CHECK(e.column == text.rfind("1000000000000000") + 1);
        const std::string text2 = "[1, 10, 100, -1000000000000000]";
        CHECK(error_of(text2).column == text2.find('-') + 1);
    }
    SUBCASE("too large even for a double") {
        const JsonSyntaxError e = error_of("[1,\n  1e400]");
        CHECK(e.line == 2);
        CHECK(e.column == 3);
        CHECK(e.message.find("json.exception") == std::string::npos);
        CHECK_FALSE(e.message.empty());
    }
    SUBCASE("just below the limit is fine") {
        CHECK(to_json(parse_json("[999999999999999, -999999999999999.5]")) == "[999999999999999,-999999999999999.5]");
    }
}

TEST_CASE("Syntax errors give the 1-based line and column of the offending character") {
    struct Case {
        const char* text;
        std::size_t line, column;
    };
    const Case cases[] = {
        {"{\n  \"a\": 1,\n  \"b\" 2\n}", 3, 7},  // missing ':' before the 2 (nlohmann says column 0)
        {"  \n\n    @", 3, 5},
        {"[1,\n  x]", 2, 3},
        {"[1,2,]", 1, 6},
        {"{\"a\":1,}", 1, 8},
        {"[1 2]", 1, 4},
        {"", 1, 1},
        {"   ", 1, 4},
        {"[", 1, 2},
        {"{\"a\":1}x", 1, 8},
        {"[1] [2]", 1, 5},
        {"[01]", 1, 3},
        {"[1.]", 1, 4},
        {"[-]", 1, 3},
        {"[.5]", 1, 2},
        {"{\"a\": tru}", 1, 10},
        {"{'a': 1}", 1, 2},
        {"[\"abc", 1, 6},
        {"[\"a\x01\"]", 1, 4},  // unescaped control character
        {"\"\\uZZ\"", 1, 4},
        {"[1]\r\n\r\n  x", 3, 3},
        {"[1,\t\tx]", 1, 6},
        // Columns count characters as a person does, not UTF-8 bytes.
        {"[\"中文\", x]", 1, 8},
        {"{\"名称\": \"经销商\",\n \"x\": ?}", 2, 7},
        // A byte order mark is not a column.
        {"\xEF\xBB\xBF[1, x]", 1, 5},
    };
    for (const Case& c : cases) {
        CAPTURE(c.text);
        const JsonSyntaxError e = error_of(c.text);
        CHECK(e.line == c.line);
        CHECK(e.column == c.column);
        CHECK_FALSE(e.message.empty());
        CHECK(e.message.find("[json.exception") == std::string::npos);
        CHECK(e.message.find("parse error at line") == std::string::npos);
    }
}

TEST_CASE("Nesting deeper than max_depth is an error, not a crash") {
    SUBCASE("300 nested arrays with the default limit of 256") {
        const std::string text = std::string(300, '[') + std::string(300, ']');
        const JsonSyntaxError e = error_of(text);
        CHECK(e.message.find("nesting") != std::string::npos);
        CHECK(e.line == 1);
        CHECK(e.column == 257);  // the bracket that goes one level too deep
    }
    SUBCASE("exactly 256 levels are allowed, 257 are not") {
        const Value v = parse_json(std::string(256, '[') + std::string(256, ']'));
        CHECK(v.is_array());
        CHECK(to_json(v).size() == 512);
        CHECK(error_of(std::string(257, '[') + std::string(257, ']')).column == 257);
    }
    SUBCASE("a custom limit counts objects and arrays, not brackets inside strings") {
        CHECK(to_json(parse_json("[[[1]]]", 3)) == "[[[1]]]");
        CHECK(error_of("[[[[1]]]]", 3).column == 4);
        const std::string text = R"({"a": "[[[[", "b": [[1]]})";
        const JsonSyntaxError e = error_of(text, 2);
        CHECK(e.column == text.find("[[1") + 2);
        CHECK(error_of(R"({"a":{"a":{"a":1}}})", 2).column == 11);
        CHECK(to_json(parse_json("7", 0)) == "7");
        CHECK(error_of("[]", 0).column == 1);
    }
    SUBCASE("100000 nested brackets, open or balanced") {
        const JsonSyntaxError open = error_of(std::string(100000, '['));
        CHECK(open.message.find("nesting") != std::string::npos);
        CHECK(open.column == 257);
        const JsonSyntaxError balanced = error_of(std::string(100000, '[') + std::string(100000, ']'));
        CHECK(balanced.column == 257);
        std::string objects;
        for (int i = 0; i < 100000; ++i) objects += "{\"a\":";
        CHECK(error_of(objects).message.find("nesting") != std::string::npos);
    }
}

TEST_CASE("Top-level scalars and surrounding whitespace parse") {
    CHECK(parse_json("true").is_bool());
    CHECK(parse_json("true").as_bool());
    CHECK_FALSE(parse_json(" false ").as_bool());
    CHECK(parse_json("null").is_null());
    CHECK(parse_json("\"x\"").as_string() == "x");
    CHECK(parse_json("\n\t 42 \r\n").as_number() == Decimal(42));
    CHECK(parse_json("[]").size() == 0);
    CHECK(parse_json("{}").is_object());
}

// ---------------------------------------------------------------------------
// Strings

TEST_CASE("Strings with escapes and UTF-8 round-trip") {
    const Value v = parse_json(R"("tab\tnl\nq\"bs\\sl\/u\u00e9\u4e2d\ud83d\ude00\u0000end")");
    const std::string want = std::string("tab\tnl\nq\"bs\\sl/u\xC3\xA9\xE4\xB8\xAD\xF0\x9F\x98\x80") +
                             std::string(1, '\0') + "end";
    CHECK(v.as_string() == want);
    CHECK(to_json(v) == "\"tab\\tnl\\nq\\\"bs\\\\sl/u\xC3\xA9\xE4\xB8\xAD\xF0\x9F\x98\x80\\u0000end\"");
    CHECK(parse_json(to_json(v)) == v);

    const std::string chinese = R"({"名称":"经销商激励","说明":["季度","返利 5%"]})";
    const Value c = parse_json(chinese);
    CHECK(c.find("名称")->as_string() == "经销商激励");
    CHECK(to_json(c) == chinese);
    CHECK(parse_json(to_json_pretty(c)) == c);
}

TEST_CASE("Control characters are escaped on output") {
    std::string s = "a";
    s += '\x01';
    s += 'b';
    s += '\x1f';
    s += '\x7f';
    s += '\0';
    s += "\b\f\n\r\t\"\\/";
    const Value v(s);
    const std::string out = to_json(v);
    CHECK(out == "\"a\\u0001b\\u001f\x7f\\u0000\\b\\f\\n\\r\\t\\\"\\\\/\"");
    for (char ch : out) CHECK(static_cast<unsigned char>(ch) >= 0x20);
    CHECK(parse_json(out).as_string() == s);
    // Keys are escaped the same way.
    Value o = Value::object();
    o.set("k\n\x02", Value(1));
    CHECK(to_json(o) == "{\"k\\n\\u0002\":1}");
}

// ---------------------------------------------------------------------------
// Writing

TEST_CASE("Compact output has no spaces and keeps member order") {
    Value v = Value::object();
    v.set("b", Value(D("2.50")));
    v.set("a", Value(Array{Value(1), Value("x"), Value(nullptr), Value(false)}));
    v.set("e", Value::object());
    CHECK(to_json(v) == R"({"b":2.5,"a":[1,"x",null,false],"e":{}})");
    CHECK(to_json(Value()) == "null");
    CHECK(to_json(Value(D("-0.000000000001"))) == "-0.000000000001");
}

TEST_CASE("Every character that needs an escape is escaped, wherever it falls in a string") {
    // The writer checks eight bytes at a time: each special character at every offset
    // of strings up to 20 bytes, next to UTF-8 and to the highest plain characters.
    const auto reference = [](const std::string& text) {
        std::string out = "\"";
        for (unsigned char c : text) {
            if (c == '"') out += "\\\"";
            else if (c == '\\') out += "\\\\";
            else if (c == '\n') out += "\\n";
            else if (c == '\r') out += "\\r";
            else if (c == '\t') out += "\\t";
            else if (c == '\b') out += "\\b";
            else if (c == '\f') out += "\\f";
            else if (c < 0x20) {
                static const char kHex[] = "0123456789abcdef";
                out += "\\u00";
                out += kHex[c >> 4];
                out += kHex[c & 15];
            } else {
                out += static_cast<char>(c);
            }
        }
        return out + "\"";
    };
    const std::string fillers[] = {"abcdefghijklmnopqrst", "\x7f\x7e !#[]^_`{|}~\x7f\x7e !#[]^_", "中文经销商激励x"};
    for (const std::string& filler : fillers) {
        for (std::size_t length = 0; length <= 20 && length <= filler.size(); ++length) {
            const std::string plain = filler.substr(0, length);
            CHECK(to_json(Value(plain)) == reference(plain));
            for (std::size_t at = 0; at < length; ++at) {
                for (char special : {'"', '\\', '\n', '\x01', '\x1f', '\0', '\x1b'}) {
                    std::string text = plain;
                    text[at] = special;
                    CAPTURE(at);
                    CHECK(to_json(Value(text)) == reference(text));
                }
            }
        }
    }
}

TEST_CASE("append_json and append_json_string append what to_json writes") {
    const Value v = parse_json(R"({"a":[1,2.5,{"b":null}],"s":"q\"\\\n\u0001中","t":true,"e":{},"n":-0.000000000001})");
    std::string out = "prefix:";
    dealercalc::append_json(out, v);
    CHECK(out == "prefix:" + to_json(v));
    for (const char* text : {"", "plain", "quote \" and \\ backslash", "tab\tnew\nline\r\x01\x1f\x7f", "经销商"}) {
        CAPTURE(text);
        std::string s = "[";
        dealercalc::append_json_string(s, text);
        CHECK(s == "[" + to_json(Value(text)));
    }
}

TEST_CASE("Pretty output uses two-space indentation") {
    const Value v = parse_json(R"({"name":"x","list":[1,2,{"k":null}],"empty":[],"obj":{},"t":true})");
    const std::string want =
        "{\n"
        "  \"name\": \"x\",\n"
        "  \"list\": [\n"
        "    1,\n"
        "    2,\n"
        "    {\n"
        "      \"k\": null\n"
        "    }\n"
        "  ],\n"
        "  \"empty\": [],\n"
        "  \"obj\": {},\n"
        "  \"t\": true\n"
        "}";
    CHECK(to_json_pretty(v) == want);
    CHECK(parse_json(want) == v);
    CHECK(to_json_pretty(Value(D("1.50"))) == "1.5");
    CHECK(to_json_pretty(Value::array()) == "[]");
    CHECK(to_json_pretty(parse_json("[[]]")) == "[\n  []\n]");
}

// ---------------------------------------------------------------------------
// Value semantics

TEST_CASE("A copy is independent of the original") {
    const Value original = parse_json(R"({"a": [1, {"b": 2}], "c": {"d": "e"}})");
    const std::string before = to_json(original);

    SUBCASE("set and push on the copy") {
        Value copy = original;
        copy.set("a", Value(7));
        copy.set("new", Value("x"));
        CHECK(to_json(original) == before);
        CHECK(to_json(copy) == R"({"a":7,"c":{"d":"e"},"new":"x"})");
    }
    SUBCASE("mutating nested members of the copy") {
        Value copy = original;
        copy.as_object()[0].value.push(Value(3));
        copy.as_object()[0].value.as_array()[1].set("b", Value(9));
        copy.as_object()[1].value.set("d", Value("changed"));
        CHECK(to_json(original) == before);
        CHECK(to_json(copy) == R"({"a":[1,{"b":9},3],"c":{"d":"changed"}})");
    }
    SUBCASE("copy assignment") {
        Value copy = Value(5);
        copy = original;
        copy.as_object()[1].value.set("f", Value(true));
        CHECK(to_json(original) == before);
        CHECK(copy != original);
    }
    SUBCASE("a reference taken before the copy writes only to its own value") {
        Value doc = Value::object();
        Value& list = doc.set("list", Value::array());
        Value copy = doc;
        list.push(Value(1));
        CHECK(to_json(doc) == R"({"list":[1]})");
        CHECK(to_json(copy) == R"({"list":[]})");

        Value arr = Value::array();
        Value& inner = arr.push(Value::object());
        const Value snapshot = arr;
        inner.set("k", Value("v"));
        CHECK(to_json(arr) == R"([{"k":"v"}])");
        CHECK(to_json(snapshot) == "[{}]");
    }
    SUBCASE("mutating the original after copying") {
        Value mutable_original = original;
        const Value copy = mutable_original;
        mutable_original.as_object()[0].value.as_array()[1].set("b", Value(0));
        CHECK(to_json(copy) == before);
    }
}

TEST_CASE("Self-assignment and assignment from a member keep the value valid") {
    Value v = parse_json(R"({"a": [1, 2], "b": {"c": 3}})");
    const Value& alias = v;
    v = alias;
    CHECK(to_json(v) == R"({"a":[1,2],"b":{"c":3}})");
    v = v.as_object()[1].value;  // assign from an element of its own storage
    CHECK(to_json(v) == R"({"c":3})");
    Value w = parse_json("[[1, [2]], 3]");
    w = std::move(w.as_array()[0]);
    CHECK(to_json(w) == "[1,[2]]");
}

TEST_CASE("A moved-from value is null and safe to use") {
    Value a = parse_json("[1, 2, 3]");
    Value b = std::move(a);
    CHECK(to_json(b) == "[1,2,3]");
    CHECK(a.is_null());  // NOLINT(bugprone-use-after-move): documented state
    CHECK(a.size() == 0);
    CHECK(a.find("x") == nullptr);
    Value c = parse_json(R"({"k": 1})");
    Value d;
    d = std::move(c);
    CHECK(c.is_null());  // NOLINT(bugprone-use-after-move)
    CHECK(c.size() == 0);
    CHECK(d.find("k") != nullptr);
}

TEST_CASE("Equality of objects ignores member order") {
    CHECK(parse_json(R"({"a": 1, "b": [1, 2]})") == parse_json(R"({"b": [1, 2], "a": 1})"));
    CHECK(parse_json(R"({"x": {"p": 1, "q": 2}})") == parse_json(R"({"x": {"q": 2, "p": 1}})"));
    CHECK(parse_json(R"({"a": 1.0})") == parse_json(R"({"a": 1})"));
    CHECK(parse_json(R"({"a": 1})") != parse_json(R"({"a": 2})"));
    CHECK(parse_json(R"({"a": 1})") != parse_json(R"({"b": 1})"));
    CHECK(parse_json(R"({"a": 1})") != parse_json(R"({"a": 1, "b": 2})"));
    CHECK(parse_json(R"({"a": 1, "b": 2})") != parse_json(R"({"a": 1})"));
    // Array order matters.
    CHECK(parse_json("[1, 2]") != parse_json("[2, 1]"));
    CHECK(parse_json("[1, 2]") == parse_json("[1, 2.0]"));
    // Types matter.
    CHECK(Value(1) != Value("1"));
    CHECK(Value(nullptr) != Value(false));
    CHECK(Value::array() != Value::object());
    CHECK(Value() == Value(nullptr));
    CHECK(Value("x") == Value(std::string("x")));
    // Repeated keys: equal only to the same members, in either direction.
    const Value dup = parse_json(R"({"k": 1, "k": 1})");
    const Value other = parse_json(R"({"k": 1, "j": 2})");
    CHECK(dup != other);
    CHECK(other != dup);
    const Value dup2 = parse_json(R"({"k": 1, "z": 0, "k": 2})");
    CHECK(dup2 == dup2);
    CHECK(dup2 == parse_json(R"({"z": 0, "k": 1, "k": 2})"));
    CHECK(dup2 != parse_json(R"({"k": 1, "z": 0, "k": 3})"));
}

TEST_CASE("Object and array helpers") {
    Value o = Value::object();
    o.set("a", Value(1));
    o.set("b", Value(2));
    o.set("a", Value(3));  // replaces in place, keeps the first position
    CHECK(to_json(o) == R"({"a":3,"b":2})");
    CHECK(o.size() == 2);
    REQUIRE(o.find("b") != nullptr);
    CHECK(o.find("b")->as_number() == Decimal(2));
    CHECK(o.find("missing") == nullptr);
    CHECK(Value(1).find("a") == nullptr);
    CHECK(Value("s").size() == 0);
    CHECK(Value(1).as_array().empty());
    CHECK(Value(1).as_object().empty());

    Value a = Value::array();
    Value& first = a.push(Value(1));
    first = Value("one");
    a.push(Value(nullptr));
    CHECK(to_json(a) == R"(["one",null])");
    CHECK(a.size() == 2);

    Value n;  // null becomes an array or an object on first push or set
    n.push(Value(true));
    CHECK(to_json(n) == "[true]");
    Value m;
    m.set("k", Value(false));
    CHECK(to_json(m) == R"({"k":false})");
    CHECK(Value(Object{Member{"x", Value(1)}}).find("x")->as_number() == Decimal(1));
}

TEST_CASE("pointer_append escapes tilde and slash") {
    CHECK(pointer_append("", "a") == "/a");
    CHECK(pointer_append("", "a/b~c") == "/a~1b~0c");
    CHECK(pointer_append("/rules", "~1") == "/rules/~01");
    CHECK(pointer_append("/rules", "//") == "/rules/~1~1");
    CHECK(pointer_append("/rules", "") == "/rules/");
    CHECK(pointer_append("/rules/2/tiers", "from") == "/rules/2/tiers/from");
    CHECK(pointer_append("/rules", std::size_t{2}) == "/rules/2");
    CHECK(pointer_append(pointer_append("", std::size_t{0}), "名称") == "/0/名称");
}

// ---------------------------------------------------------------------------
// The compact representation (one payload in place) and the builder helpers

TEST_CASE("add appends without searching; object(n) and array(n) reserve room") {
    Value o = Value::object(3);
    CHECK(o.is_object());
    CHECK(o.size() == 0);
    CHECK(o.as_object().capacity() >= 3);
    const std::size_t capacity = o.as_object().capacity();
    Value& a = o.add("a", Value(1));
    CHECK(a.as_number() == Decimal(1));
    o.add("b", Value("two"));
    o.add("c", Value::array(2));
    CHECK(o.as_object().capacity() == capacity);  // room was made once: no regrowth
    CHECK(to_json(o) == R"({"a":1,"b":"two","c":[]})");
    // set still finds what add appended.
    o.set("b", Value(false));
    CHECK(to_json(o) == R"({"a":1,"b":false,"c":[]})");
    // add on null makes an object, like set.
    Value n;
    n.add("k", Value(nullptr));
    CHECK(to_json(n) == R"({"k":null})");

    Value arr = Value::array(5);
    CHECK(arr.is_array());
    CHECK(arr.size() == 0);
    CHECK(arr.as_array().capacity() >= 5);
    for (int i = 0; i < 5; ++i) arr.push(Value(i));
    CHECK(to_json(arr) == "[0,1,2,3,4]");
    CHECK(Value::object(0).is_object());
    CHECK(Value::array(0).is_array());
}

TEST_CASE("Scalar setters replace any payload; accessors of another type give empty values") {
    Value v = parse_json(R"({"a": [1, "long enough to leave the small-string buffer"]})");
    v.set_number(Decimal(7));
    CHECK(v.is_number());
    CHECK(v.as_number() == Decimal(7));
    CHECK_FALSE(v.is_rounded_number());
    v = Value("a string long enough to live on the heap, not in place");
    v.set_bool(true);
    CHECK(v.is_bool());
    CHECK(v.as_bool());
    CHECK(v.as_number() == Decimal(0));
    v = parse_json("[1, 2]");
    v.set_null();
    CHECK(v.is_null());
    CHECK(v.size() == 0);
    // Whatever a value held before, only its own type's accessor says anything.
    Value s("text");
    CHECK(s.as_number() == Decimal(0));
    CHECK(s.as_array().empty());
    CHECK(s.find("text") == nullptr);
    Value num(Decimal::parse_or_throw("2.5"));
    CHECK(num.as_string().empty());
    num.set_null();
    CHECK(num.as_number() == Decimal(0));
    CHECK(Value::rounded_number(Decimal(3)).is_rounded_number());
    CHECK(Value::rounded_number(Decimal(3)) == Value(3));
}

TEST_CASE("Assignments between every kind of value keep both sides valid") {
    const Value kinds[] = {Value(), Value(true), Value(Decimal::parse_or_throw("-1.25")), Value("short"),
                           Value(std::string(100, 'x')), parse_json(R"([1, "two", [3]])"),
                           parse_json(R"({"k": {"n": [null, "a long string that needs the heap........"]}})")};
    for (const Value& from : kinds) {
        for (const Value& to : kinds) {
            const std::string want = to_json(from);
            Value target = to;
            target = from;  // copy
            CHECK(to_json(target) == want);
            CHECK(to_json(from) == want);
            Value source = from;
            Value moved_into = to;
            moved_into = std::move(source);
            CHECK(to_json(moved_into) == want);
            CHECK(source.is_null());  // NOLINT(bugprone-use-after-move): documented state
            Value constructed(std::move(moved_into));
            CHECK(to_json(constructed) == want);
            CHECK(moved_into.is_null());  // NOLINT(bugprone-use-after-move)
        }
    }
    // A string assigned over a string reuses the target; the source is untouched.
    Value a(std::string(64, 'a'));
    const Value b(std::string(80, 'b'));
    a = b;
    CHECK(a.as_string() == std::string(80, 'b'));
    CHECK(b.as_string() == std::string(80, 'b'));
    // Moving a nested element over its own container.
    Value doc = parse_json(R"({"inner": {"x": "a string long enough to need the heap ......"}})");
    doc = std::move(doc.as_object()[0].value);
    CHECK(to_json(doc) == R"({"x":"a string long enough to need the heap ......"})");
}

TEST_CASE("A Value is compact") {
    // One payload in place (a string, an array, an object or a number): 40 bytes on a
    // 64-bit target, where it used to be 112. Results hold thousands of them.
    if (sizeof(void*) == 8) CHECK(sizeof(Value) == 40);
    CHECK(sizeof(Value) <= 48);
}

// ---------------------------------------------------------------------------
// Shared (immutable) values: what a programme's labels are

TEST_CASE("A shared value is copied by reference count and reads the same") {
    const std::string long_text = "a label long enough to need its own allocation";
    Value label = parse_json(R"({"en": ")" + long_text + R"(", "zh-CN": "内容创作奖励内容创作奖励"})");
    const std::string before = to_json(label);
    label.share();
    CHECK(label.is_shared());
    CHECK(to_json(label) == before);
    CHECK(label.is_object());
    CHECK(label.size() == 2);
    REQUIRE(label.find("en") != nullptr);
    CHECK(label.find("en")->as_string() == long_text);
    CHECK(label.find("en")->is_shared());  // long strings inside are shared too
    const Value& reader = label;  // reading through const access leaves it shared
    CHECK(reader.as_object()[1].key == "zh-CN");
    CHECK(label.is_shared());

    const Value copy = label;
    CHECK(copy.is_shared());
    CHECK(&copy.as_object() == &reader.as_object());  // one storage, two values
    CHECK(copy == label);
    CHECK(label == parse_json(before));
    CHECK(parse_json(before) == copy);
    CHECK(to_json_pretty(copy) == to_json_pretty(parse_json(before)));

    // What a copy does not allocate for is left as it is.
    Value small("short");
    small.share();
    CHECK_FALSE(small.is_shared());
    Value empty = Value::object();
    empty.share();
    CHECK_FALSE(empty.is_shared());
    Value number(Decimal(5));
    number.share();
    CHECK_FALSE(number.is_shared());
    CHECK(number.as_number() == Decimal(5));
    Value text(long_text);
    text.share();
    CHECK(text.is_shared());
    CHECK(text.as_string() == long_text);
    CHECK_FALSE(text.as_bool());
    CHECK(text.as_number() == Decimal(0));
    CHECK(text == Value(long_text));
}

TEST_CASE("Writing into a shared value gives the writer its own copy") {
    Value shared = parse_json(R"({"a": [1, {"b": "a string long enough to be shared between copies"}], "c": "x"})");
    shared.share();
    const std::string before = to_json(shared);

    SUBCASE("set, add and push on a copy") {
        Value copy = shared;
        copy.set("c", Value("changed"));
        copy.add("d", Value(1));
        CHECK_FALSE(copy.is_shared());
        CHECK(to_json(shared) == before);
        CHECK(to_json(copy) == R"({"a":[1,{"b":"a string long enough to be shared between copies"}],"c":"changed","d":1})");
        Value list = shared.find("a") ? *shared.find("a") : Value();
        CHECK(list.is_shared());
        list.push(Value(2));
        CHECK(to_json(*shared.find("a")) == R"([1,{"b":"a string long enough to be shared between copies"}])");
        CHECK(list.size() == 3);
    }
    SUBCASE("nested writes through the non-const accessors") {
        Value copy = shared;
        copy.as_object()[0].value.as_array()[1].set("b", Value(9));
        CHECK(to_json(shared) == before);
        CHECK(to_json(copy) == R"({"a":[1,{"b":9}],"c":"x"})");
    }
    SUBCASE("a reference taken for writing, then a copy, then the write") {
        Value doc = shared;
        Value& inner = doc.as_object()[0].value;  // doc now has its own members
        const Value copy = doc;
        inner.push(Value(3));
        CHECK(to_json(doc) == R"({"a":[1,{"b":"a string long enough to be shared between copies"},3],"c":"x"})");
        CHECK(to_json(copy) == before);
        CHECK(to_json(shared) == before);
    }
    SUBCASE("the original written after copying") {
        const Value copy = shared;
        shared.as_object()[1].value = Value(false);
        CHECK(to_json(copy) == before);
        CHECK(to_json(shared) == R"({"a":[1,{"b":"a string long enough to be shared between copies"}],"c":false})");
    }
    SUBCASE("assignment, moves and setters release the share") {
        Value a = shared;
        Value b = std::move(a);
        CHECK(a.is_null());  // NOLINT(bugprone-use-after-move): documented state
        CHECK_FALSE(a.is_shared());
        CHECK(b.is_shared());
        CHECK(to_json(b) == before);
        Value c(Decimal(1));
        c = b;  // copy-assign a shared value over a scalar
        CHECK(c.is_shared());
        c = Value("plain");
        CHECK_FALSE(c.is_shared());
        CHECK(c.as_string() == "plain");
        b.set_number(Decimal(2));
        CHECK_FALSE(b.is_shared());
        CHECK(b.as_number() == Decimal(2));
        Value d = shared;
        d = std::move(d.as_object()[0].value);  // move a member over its own (now unshared) container
        CHECK(to_json(d) == R"([1,{"b":"a string long enough to be shared between copies"}])");
        Value e = shared;
        e.set_null();
        CHECK(e.is_null());
        CHECK(to_json(shared) == before);
    }
    SUBCASE("sharing an already shared value, or a value holding shared ones") {
        shared.share();
        CHECK(to_json(shared) == before);
        Value outer = Value::array();
        outer.push(shared);
        outer.push(Value(std::string(40, 'z')));
        outer.share();
        const Value copy = outer;
        CHECK(to_json(copy) == "[" + before + ",\"" + std::string(40, 'z') + "\"]");
        Value writer = copy;
        writer.as_array()[0].set("c", Value(0));
        CHECK(to_json(copy) == "[" + before + ",\"" + std::string(40, 'z') + "\"]");
        CHECK(to_json(shared) == before);
    }
}
