#include <doctest/doctest.h>

#include <cstdint>
#include <fstream>
#include <functional>
#include <iterator>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "dealercalc/logic.hpp"
#include "dealercalc/value.hpp"

using namespace dealercalc;

namespace {

Value J(const std::string& text) { return parse_json(text); }

// Applies a rule (JSON text) to data (JSON text) and returns the result as compact JSON.
std::string run(const std::string& rule, const std::string& data = "null") {
    return to_json(apply_logic(J(rule), J(data)));
}

// The LogicError a rule throws, or a default one (reason "") when it throws nothing.
LogicError error_of(const std::string& rule, const std::string& data = "null") {
    try {
        apply_logic(J(rule), J(data));
    } catch (const LogicError& e) {
        return e;
    }
    return LogicError("", "", "no error");
}

// Builds {"!": {"!": ... true ...}} `levels` deep without recursion.
Value nested_not(std::size_t levels) {
    Value v(true);
    for (std::size_t i = 0; i < levels; ++i) {
        Value o = Value::object();
        o.set("!", std::move(v));
        v = std::move(o);
    }
    return v;
}

// Tears a deeply nested single-member object down level by level (no deep recursion).
void dismantle(Value v) {
    while (v.is_object() && v.size() == 1) {
        Value inner = std::move(v.as_object().front().value);
        v = std::move(inner);
    }
}

}  // namespace

TEST_CASE("The official JsonLogic suite passes") {
    std::ifstream in(DEALERCALC_SOURCE_DIR "/tests/jsonlogic/tests.json");
    REQUIRE(in.good());
    std::stringstream text;
    text << in.rdbuf();
    const Value suite = parse_json(text.str());
    REQUIRE(suite.is_array());
    CHECK(suite.size() == 262);
    std::size_t index = 0, passed = 0;
    for (const Value& t : suite.as_array()) {
        REQUIRE(t.is_array());
        REQUIRE(t.size() == 3);
        const Value& rule = t.as_array()[0];
        const Value& data = t.as_array()[1];
        const Value& expected = t.as_array()[2];
        std::string got;
        try {
            got = to_json(apply_logic(rule, data));
        } catch (const LogicError& e) {
            got = std::string("LogicError ") + e.reason + " at '" + e.path + "': " + e.what();
        }
        INFO("case " << index << ": " << to_json(rule) << " with data " << to_json(data));
        CHECK(got == to_json(expected));
        if (got == to_json(expected)) ++passed;
        ++index;
    }
    CHECK(passed == 262);
}

TEST_CASE("Literals and arrays evaluate as json-logic-js does") {
    CHECK(run("17") == "17");
    CHECK(run("\"apple\"") == "\"apple\"");
    CHECK(run("[1, {\"var\": \"a\"}, [{\"+\": [1, 1]}]]", "{\"a\": \"x\"}") == "[1,\"x\",[2]]");
    // An object with no or several keys is a literal, not an operation.
    CHECK(run("{}") == "{}");
    CHECK(run("{\"a\": 1, \"b\": {\"+\": [1, 2]}}") == "{\"a\":1,\"b\":{\"+\":[1,2]}}");
}

TEST_CASE("Var reads dot paths and array indexes") {
    const std::string data = R"({"a": {"b": [10, {"c": "deep"}]}, "n": null, "s": "héllo", "list": [1, 2, 3]})";
    CHECK(run(R"({"var": "a.b.0"})", data) == "10");
    CHECK(run(R"({"var": "a.b.1.c"})", data) == "\"deep\"");
    CHECK(run(R"({"var": ["a.b.1.c"]})", data) == "\"deep\"");
    CHECK(run(R"({"var": "a.b.01"})", data) == "null");  // not a canonical index
    CHECK(run(R"({"var": "list.length"})", data) == "3");
    CHECK(run(R"({"var": "s.1"})", data) == "\"é\"");
    CHECK(run(R"({"var": "s.length"})", data) == "5");
    CHECK(run(R"({"var": 1})", "[\"zero\", \"one\"]") == "\"one\"");
    CHECK(run(R"({"var": "1.1"})", "[0, [\"x\", \"y\"]]") == "\"y\"");
    // Defaults apply when the path is undefined, not when the value is null.
    CHECK(run(R"({"var": ["missing", 7]})", data) == "7");
    CHECK(run(R"({"var": ["n", 7]})", data) == "null");
    CHECK(run(R"({"var": ["n.x", 7]})", data) == "7");
    // "", null and [] read the whole data.
    CHECK(run(R"({"var": ""})", "[1]") == "[1]");
    CHECK(run(R"({"var": null})", "{\"q\": 1}") == "{\"q\":1}");
    CHECK(run(R"({"var": []})", "5") == "5");
    // A computed path.
    CHECK(run(R"({"var": {"cat": ["a.", "b.", 0]}})", data) == "10");
}

TEST_CASE("Missing and missing_some list absent names") {
    const std::string data = R"({"a": 1, "b": "", "c": null, "d": {"e": 0}})";
    CHECK(run(R"({"missing": ["a", "b", "c", "x", "d.e", "d.f"]})", data) == R"(["b","c","x","d.f"])");
    CHECK(run(R"({"missing": [["a", "x"]]})", data) == R"(["x"])");
    CHECK(run(R"({"missing": {"merge": ["a", ["y"]]}})", data) == R"(["y"])");
    CHECK(run(R"({"missing_some": [1, ["a", "x"]]})", data) == "[]");
    CHECK(run(R"({"missing_some": [2, ["a", "x", "y"]]})", data) == R"(["x","y"])");
    CHECK(run(R"({"missing_some": [1, {"merge": [["x"], ["a"]]}]})", data) == "[]");
}

TEST_CASE("Logic operators return the deciding value") {
    CHECK(run(R"({"or": [0, "", "x", 5]})") == "\"x\"");
    CHECK(run(R"({"or": [0, ""]})") == "\"\"");
    CHECK(run(R"({"and": [1, [], 2]})") == "[]");
    CHECK(run(R"({"and": [1, "a", 2]})") == "2");
    CHECK(run(R"({"and": []})") == "null");
    CHECK(run(R"({"!": [[]]})") == "true");
    CHECK(run(R"({"!!": ["0"]})") == "true");
    CHECK(run(R"({"!!": {"var": "o"}})", R"({"o": {}})") == "true");
    CHECK(run(R"({"if": [false, 1, 0, 2, "", 3, 4]})") == "4");
    CHECK(run(R"({"?:": [true, "yes", "no"]})") == "\"yes\"");
    CHECK(run(R"({"if": [false, 1]})") == "null");
    CHECK(run(R"({"if": []})") == "null");
}

TEST_CASE("Truthiness follows json-logic-js") {
    CHECK_FALSE(truthy(J("false")));
    CHECK_FALSE(truthy(J("null")));
    CHECK_FALSE(truthy(J("0")));
    CHECK_FALSE(truthy(J("0.0")));
    CHECK_FALSE(truthy(J("\"\"")));
    CHECK_FALSE(truthy(J("[]")));
    CHECK(truthy(J("\"0\"")));
    CHECK(truthy(J("{}")));
    CHECK(truthy(J("[0]")));
    CHECK(truthy(J("-0.5")));
}

TEST_CASE("Equality uses JavaScript coercion") {
    CHECK(run(R"({"==": [1, "1"]})") == "true");
    CHECK(run(R"({"==": [1.5, " 1.50 "]})") == "true");
    CHECK(run(R"({"==": [0, ""]})") == "true");
    CHECK(run(R"({"==": [0, "abc"]})") == "false");
    CHECK(run(R"({"==": [true, "1"]})") == "true");
    CHECK(run(R"({"==": [false, []]})") == "true");
    CHECK(run(R"({"==": [null, 0]})") == "false");
    CHECK(run(R"({"==": [null, null]})") == "true");
    CHECK(run(R"({"==": [[1, 2], "1,2"]})") == "true");
    CHECK(run(R"({"==": [16, "0x10"]})") == "true");
    CHECK(run(R"({"===": [1, 1.0]})") == "true");
    CHECK(run(R"({"===": [1, "1"]})") == "false");
    CHECK(run(R"({"!=": [1, "2"]})") == "true");
    CHECK(run(R"({"!==": [null, null]})") == "false");
    // Arrays and objects compare by identity, as in JavaScript.
    CHECK(run(R"({"==": [[1], [1]]})") == "false");
    CHECK(run(R"({"===": [{"var": "a"}, {"var": "a"}]})", R"({"a": [1]})") == "true");
}

TEST_CASE("Comparisons coerce like JavaScript and are false with NaN") {
    CHECK(run(R"({"<": ["10", "9"]})") == "true");  // both strings: lexicographic
    CHECK(run(R"({"<": ["10", 9]})") == "false");
    CHECK(run(R"({">": ["abc", 1]})") == "false");
    CHECK(run(R"({"<": ["abc", 1]})") == "false");
    CHECK(run(R"({"<=": ["abc", "abc"]})") == "true");
    CHECK(run(R"({">=": [null, 0]})") == "true");
    CHECK(run(R"({">": [true, 0.5]})") == "true");
    CHECK(run(R"({"<": [1, "1e20"]})") == "true");
    CHECK(run(R"({"<": [1, 2, 3]})") == "true");
    CHECK(run(R"({"<": [1, 3, 3]})") == "false");
    CHECK(run(R"({"<=": [1, 3, 3]})") == "true");
    CHECK(run(R"({"<=": [0.15, {"-": [{"/": [115, 100]}, 1]}, 0.2]})") == "true");
}

TEST_CASE("Arithmetic is exact decimal") {
    CHECK(run(R"({"+": [0.1, 0.2]})") == "0.3");
    CHECK(run(R"({"==": [{"+": [0.1, 0.2]}, 0.3]})") == "true");
    CHECK(run(R"({"-": [{"/": [115, 100]}, 1]})") == "0.15");
    CHECK(run(R"({"===": [{"-": [{"/": [115, 100]}, 1]}, 0.15]})") == "true");
    CHECK(run(R"({"*": [0.015, 67]})") == "1.005");
    CHECK(run(R"({"/": [1, 3]})") == "0.333333333333");
    CHECK(run(R"({"%": [-7, 3]})") == "-1");
    CHECK(run(R"({"%": [7.5, 2]})") == "1.5");
    CHECK(run(R"({"-": [5]})") == "-5");
    CHECK(run(R"({"+": []})") == "0");
    CHECK(run(R"({"max": [1, "3", 2]})") == "3");
    CHECK(run(R"({"min": [1, null, 2]})") == "0");
}

TEST_CASE("Strings coerce to numbers in arithmetic") {
    CHECK(run(R"({"+": "0"})") == "0");
    CHECK(run(R"({"+": ["1.5", 2]})") == "3.5");
    CHECK(run(R"({"+": ["3 apples", 1]})") == "4");  // parseFloat reads a prefix
    CHECK(run(R"({"*": ["2", "0.5"]})") == "1");
    CHECK(run(R"({"*": ["2"]})") == "\"2\"");  // one argument is returned untouched
    CHECK(run(R"({"-": [" 10 ", "4"]})") == "6");
    CHECK(run(R"({"-": ["", 1]})") == "-1");  // ToNumber("") is 0
    CHECK(run(R"({"/": ["1e2", "4"]})") == "25");
    CHECK(run(R"({"-": [true, null]})") == "1");
    CHECK(run(R"({"+": [{"var": "x"}, 1]})", R"({"x": "41"})") == "42");
}

TEST_CASE("String operators cat, substr and in") {
    CHECK(run(R"({"cat": ["I love", " pie ", 3.50, null, true, [1, [2, null]]]})") == "\"I love pie 3.5true1,2,\"");
    CHECK(run(R"({"cat": [0.1, "/", 1200]})") == "\"0.1/1200\"");
    CHECK(run(R"({"substr": ["jsonlogic", 4]})") == "\"logic\"");
    CHECK(run(R"({"substr": ["jsonlogic", -5]})") == "\"logic\"");
    CHECK(run(R"({"substr": ["jsonlogic", 1, 3]})") == "\"son\"");
    CHECK(run(R"({"substr": ["jsonlogic", 4, -2]})") == "\"log\"");
    CHECK(run(R"({"substr": ["jsonlogic", -5, -2]})") == "\"log\"");
    CHECK(run(R"({"substr": ["内容创作奖励", 2, 2]})") == "\"创作\"");
    CHECK(run(R"({"substr": [12345, 1, 2]})") == "\"23\"");
    CHECK(run(R"({"in": ["Spring", "Springfield"]})") == "true");
    CHECK(run(R"({"in": ["", ""]})") == "false");
    CHECK(run(R"({"in": [1, "a1"]})") == "true");
    CHECK(run(R"({"in": ["1", [1, 2]]})") == "false");  // strict equality in arrays
    CHECK(run(R"({"in": [2, [1, 2]]})") == "true");
    CHECK(run(R"({"in": [2, 2]})") == "false");
}

TEST_CASE("Array operators iterate with the element as data") {
    const std::string data = R"({"xs": [1, 2, 3, 4], "k": 10, "people": [{"age": 20}, {"age": 40}]})";
    CHECK(run(R"({"map": [{"var": "xs"}, {"*": [{"var": ""}, 2]}]})", data) == "[2,4,6,8]");
    CHECK(run(R"({"filter": [{"var": "xs"}, {"%": [{"var": ""}, 2]}]})", data) == "[1,3]");
    CHECK(run(R"({"reduce": [{"var": "xs"}, {"+": [{"var": "current"}, {"var": "accumulator"}]}, 0]})", data) ==
          "10");
    CHECK(run(R"({"reduce": [{"var": "xs"}, {"var": ""}, {"var": "k"}]})", data) ==
          R"({"current":4,"accumulator":{"current":3,"accumulator":{"current":2,"accumulator":{"current":1,"accumulator":10}}}})");
    CHECK(run(R"({"reduce": [{"var": "none"}, {"var": "current"}, {"var": "k"}]})", data) == "10");
    CHECK(run(R"({"all": [{"var": "people"}, {">": [{"var": "age"}, 18]}]})", data) == "true");
    CHECK(run(R"({"all": [[], true]})") == "false");
    CHECK(run(R"({"some": [{"var": "people"}, {">": [{"var": "age"}, 30]}]})", data) == "true");
    CHECK(run(R"({"none": [{"var": "people"}, {">": [{"var": "age"}, 50]}]})", data) == "true");
    CHECK(run(R"({"none": ["not an array", true]})") == "true");
    CHECK(run(R"({"map": [7, 1]})") == "[]");
    CHECK(run(R"({"merge": [1, [2, [3]], [], "x"]})") == R"([1,2,[3],"x"])");
    CHECK(run(R"({"log": "hello"})") == "\"hello\"");
}

TEST_CASE("Unknown operators are errors at the operation's pointer") {
    LogicError e = error_of(R"({"if": [{"foo": 1}, 2, 3]})");
    CHECK(e.reason == "unknown_operator");
    CHECK(e.path == "/if/0");
    CHECK(std::string(e.what()).find("foo") != std::string::npos);

    e = error_of(R"({"foo/bar": 1})");
    CHECK(e.reason == "unknown_operator");
    CHECK(e.path == "");

    e = error_of(R"([1, {"+": [1, {"nope": []}]}])");
    CHECK(e.reason == "unknown_operator");
    CHECK(e.path == "/1/+/1");

    // Unknown even where json-logic-js would not evaluate it: compiled up front.
    CHECK_THROWS_AS(compile_logic(J(R"({"if": [true, 1, {"bogus": 2}]})")), LogicError);
    // An object with two keys is data, so no error.
    CHECK_NOTHROW(compile_logic(J(R"({"if": [true, {"bogus": 1, "x": 2}]})")));
}

TEST_CASE("Division by zero, NaN and overflow are errors") {
    LogicError e = error_of(R"({"+": [1, {"/": [{"var": "a"}, 0]}]})", R"({"a": 5})");
    CHECK(e.reason == "division_by_zero");
    CHECK(e.path == "/+/1");

    e = error_of(R"({"%": [5, "0"]})");
    CHECK(e.reason == "division_by_zero");
    CHECK(e.path == "");

    e = error_of(R"({"*": [2, {"-": ["abc", 1]}]})");
    CHECK(e.reason == "not_a_number");
    CHECK(e.path == "/*/1");

    CHECK(error_of(R"({"+": [1, "abc"]})").reason == "not_a_number");
    CHECK(error_of(R"({"+": [1, null]})").reason == "not_a_number");  // parseFloat(null) is NaN
    CHECK(error_of(R"({"-": [1, {"a": 1, "b": 2}]})").reason == "not_a_number");
    CHECK(error_of(R"({"max": []})").reason == "not_a_number");
    CHECK(error_of(R"({"min": [1, "x"]})").reason == "not_a_number");
    CHECK(error_of(R"({"/": [1]})").reason == "not_a_number");
    CHECK(error_of(R"({"*": [100000000000000, 100]})").reason == "overflow");
    CHECK(error_of(R"({"+": [1, "1e20"]})").reason == "overflow");
    CHECK(error_of(R"({"*": []})").reason == "bad_arguments");
    CHECK(error_of(R"({"missing_some": [1, {"var": "nothing"}]})").reason == "bad_arguments");
    CHECK(error_of(R"({"missing_some": [1]})").reason == "bad_arguments");
    // Comparisons with NaN are false, never errors.
    CHECK(error_of(R"({"<": ["x", 1]})").reason == "");
}

TEST_CASE("Rules nested too deep are rejected at compile time") {
    // Exactly max_depth levels compile; one more does not.
    CHECK_NOTHROW(compile_logic(nested_not(5), 5));
    try {
        compile_logic(nested_not(6), 5);
        FAIL("expected too_deep");
    } catch (const LogicError& e) {
        CHECK(e.reason == "too_deep");
        CHECK(e.path == "/!/!/!/!/!");
    }
    CHECK(run(to_json(nested_not(kMaxLogicDepth))) == "true");
    CHECK_THROWS_AS(compile_logic(nested_not(kMaxLogicDepth + 1)), LogicError);

    // 100000 levels (built without parse_json, which limits depth itself) neither
    // overflow the stack nor compile.
    Value deep = nested_not(100000);
    std::string reason;
    try {
        compile_logic(deep);
    } catch (const LogicError& e) {
        reason = e.reason;
    }
    CHECK(reason == "too_deep");
    dismantle(std::move(deep));

    Value deep_array(1);
    for (int i = 0; i < 100000; ++i) {
        Array wrap;
        wrap.push_back(std::move(deep_array));
        deep_array = Value(std::move(wrap));
    }
    reason.clear();
    try {
        compile_logic(deep_array);
    } catch (const LogicError& e) {
        reason = e.reason;
    }
    CHECK(reason == "too_deep");
    while (deep_array.is_array() && deep_array.size() == 1) {
        Value inner = std::move(deep_array.as_array().front());
        deep_array = std::move(inner);
    }
}

TEST_CASE("Bound variables read slots") {
    const std::vector<std::string> names{"sales", "target", "profile"};
    auto bind = [&](const std::string& name) -> int {
        for (std::size_t i = 0; i < names.size(); ++i)
            if (names[i] == name) return static_cast<int>(i);
        return -1;
    };
    std::vector<Value> slots{Value(Decimal::parse_or_throw("115")), Value(100), J(R"({"tier": "gold"})")};
    const Value data = J(R"({"sales": 1, "target": 1, "other": 7})");

    const Logic growth = compile_logic(J(R"({"-": [{"/": [{"var": "sales"}, {"var": "target"}]}, 1]})"),
                                       kMaxLogicDepth, bind);
    LogicScope scope;
    scope.slots = &slots;
    scope.data = &data;  // bound vars read slots even when data is given
    CHECK(to_json(apply_logic(growth, scope)) == "0.15");

    // Paths continue past the slot; unbound names read the data.
    const Logic mixed =
        compile_logic(J(R"({"cat": [{"var": "profile.tier"}, "-", {"var": "other"}]})"), kMaxLogicDepth, bind);
    CHECK(to_json(apply_logic(mixed, scope)) == "\"gold-7\"");

    // Without data, unbound and computed names resolve through slot_of.
    LogicScope by_name;
    by_name.slots = &slots;
    by_name.slot_of = bind;
    const Logic dynamic = compile_logic(J(R"({"var": {"cat": ["tar", "get"]}})"), kMaxLogicDepth, bind);
    CHECK(to_json(apply_logic(dynamic, by_name)) == "100");
    const Logic unbound = compile_logic(J(R"({"cat": [{"var": "sales"}, "/", {"var": ["nothing", "none"]}]})"));
    CHECK(to_json(apply_logic(unbound, by_name)) == R"("115/none")");
    const Logic missing = compile_logic(J(R"({"missing": ["sales", "nothing"]})"));
    CHECK(to_json(apply_logic(missing, by_name)) == R"(["nothing"])");
    slots[0] = Value();
    CHECK(to_json(apply_logic(missing, by_name)) == R"(["sales","nothing"])");
    slots[0] = Value(Decimal::parse_or_throw("115"));

    // Inside map/filter/... the element is the data: those vars are never bound.
    std::vector<std::string> asked;
    auto record = [&](const std::string& name) {
        asked.push_back(name);
        return bind(name);
    };
    std::vector<Value> list_slots{J("[1, 2, 3]")};
    const Logic mapped = compile_logic(
        J(R"({"map": [{"var": "sales"}, {"+": [{"var": ""}, {"var": ["target", 10]}]}]})"), kMaxLogicDepth, record);
    CHECK(asked == std::vector<std::string>{"sales"});
    LogicScope list_scope;
    list_scope.slots = &list_slots;
    CHECK(to_json(apply_logic(mapped, list_scope)) == "[11,12,13]");

    // A compiled Logic is copyable and applies many times.
    const Logic copy = growth;
    slots[0] = Value(230);
    slots[1] = Value(200);
    CHECK(to_json(apply_logic(copy, scope)) == "0.15");
    slots[0] = Value(300);
    CHECK(to_json(apply_logic(copy, scope)) == "0.5");
}

TEST_CASE("Map over a bound slot applies the element rule to each element") {
    auto bind = [](const std::string& name) { return name == "xs" ? 0 : -1; };
    std::vector<Value> slots{J("[{\"v\": 1}, {\"v\": 2}]")};
    LogicScope scope;
    scope.slots = &slots;
    const Logic l = compile_logic(J(R"({"map": [{"var": "xs"}, {"*": [{"var": "v"}, 10]}]})"), kMaxLogicDepth, bind);
    CHECK(to_json(apply_logic(l, scope)) == "[10,20]");
    const Logic sum = compile_logic(
        J(R"({"reduce": [{"var": "xs"}, {"+": [{"var": "accumulator"}, {"var": "current.v"}]}, 0.5]})"),
        kMaxLogicDepth, bind);
    CHECK(to_json(apply_logic(sum, scope)) == "3.5");
}

TEST_CASE("Logic variables lists the names a rule reads at top level") {
    LogicVariables v = logic_variables(J(R"({"if": [{">": [{"var": "sales.total"}, {"var": ["target", 0]}]},
        {"missing": ["a", "b.c"]}, {"missing_some": [1, ["d", "e"]]}]})"));
    CHECK(v.names == std::set<std::string>{"sales", "target", "a", "b", "d", "e"});
    CHECK_FALSE(v.dynamic);

    // Element rules read elements, not top-level names; the source is top level.
    v = logic_variables(J(R"({"map": [{"var": "items"}, {"var": "price"}]})"));
    CHECK(v.names == std::set<std::string>{"items"});
    CHECK_FALSE(v.dynamic);
    v = logic_variables(J(R"({"reduce": [{"var": "items"}, {"var": "current"}, {"var": "start"}]})"));
    CHECK(v.names == std::set<std::string>{"items", "start"});

    // Computed names make the set incomplete.
    v = logic_variables(J(R"({"var": {"cat": ["a", {"var": "suffix"}]}})"));
    CHECK(v.names == std::set<std::string>{"suffix"});
    CHECK(v.dynamic);
    v = logic_variables(J(R"({"missing": {"var": "names"}})"));
    CHECK(v.names == std::set<std::string>{"names"});
    CHECK(v.dynamic);
    CHECK(logic_variables(J(R"({"var": ""})")).dynamic);
    CHECK(logic_variables(J("17")).names.empty());

    // Deep rules are walked without recursion.
    Value deep = nested_not(100000);
    Value* inner = &deep;
    while (inner->is_object()) inner = &inner->as_object().front().value;
    *inner = J(R"({"var": "bottom"})");
    CHECK(logic_variables(deep).names == std::set<std::string>{"bottom"});
    dismantle(std::move(deep));
}

namespace {

// splitmix64: a fixed, portable sequence (std distributions differ between libraries).
struct Rng {
    std::uint64_t state;
    std::uint64_t next() {
        std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        return z ^ (z >> 31);
    }
    int below(int n) { return static_cast<int>(next() % static_cast<std::uint64_t>(n)); }
    bool chance(int percent) { return below(100) < percent; }
};

constexpr int kFastSlots = 6;

int fast_slot_of(const std::string& name) {
    if (name.size() == 2 && name[0] == 'v' && name[1] >= '0' && name[1] < '0' + kFastSlots) return name[1] - '0';
    return -1;
}

// Numbers that exercise exact decimals: zero, small and negative integers, six-decimal
// fractions, and magnitudes that overflow when multiplied or added.
Value random_number(Rng& r) {
    static const char* const kFixed[] = {"0",      "1",     "-1",        "2",        "100",      "0.1",
                                         "0.5",    "-0.5",  "3",         "7",        "0.000001", "-0.000001",
                                         "1000000", "30",   "999999999999999", "-999999999999999", "123456789012.5"};
    switch (r.below(8)) {
        case 0:
        case 1: return Value(Decimal::parse_or_throw(kFixed[r.below(static_cast<int>(std::size(kFixed)))]));
        case 2:
        case 3:
        case 4: return Value(Decimal::from_int(r.below(21) - 10));
        case 5:
        case 6: {  // up to six decimals, either sign
            const std::int64_t micros = static_cast<std::int64_t>(r.next() % 2000000000ULL) - 1000000000;
            return Value(Decimal::from_int(micros) / Decimal::from_int(1000000));
        }
        default: {  // large: products and sums of these overflow
            const std::int64_t whole = static_cast<std::int64_t>(r.next() % 900000000000000ULL);
            return Value(Decimal::from_int(r.chance(50) ? whole : -whole));
        }
    }
}

Value random_leaf(Rng& r) {
    const int k = r.below(100);
    if (k < 30) return random_number(r);
    if (k < 40) return Value(r.chance(50));
    Value var = Value::object();
    const std::string name = "v" + std::to_string(r.below(kFastSlots));
    if (r.chance(15)) var.set("var", Value(Array{Value(name), random_number(r)}));  // with a default
    else var.set("var", Value(name));
    return var;
}

// A random expression over the fast path's operators, with arities at and beyond the
// usual ones (unary -, one-operand * and max, between, `if` without else, ...).
Value random_expr(Rng& r, int depth, bool root = false) {
    if (!root && (depth == 0 || r.chance(20))) return random_leaf(r);
    struct Kind {
        const char* op;
        int min_args, max_args;
    };
    static const Kind kKinds[] = {
        {"+", 0, 3},  {"-", 1, 3},   {"*", 1, 3},   {"/", 2, 3},   {"%", 2, 2},   {"min", 1, 3}, {"max", 1, 3},
        {"==", 2, 3}, {"===", 2, 2}, {"!=", 2, 2},  {"!==", 2, 2}, {">", 2, 2},   {">=", 2, 2},  {"<", 2, 3},
        {"<=", 2, 3}, {"!", 1, 1},   {"!!", 1, 1},  {"and", 1, 3}, {"or", 1, 3},  {"if", 1, 5},  {"?:", 3, 3},
    };
    const Kind& kind = kKinds[r.below(static_cast<int>(std::size(kKinds)))];
    const int count = kind.min_args + r.below(kind.max_args - kind.min_args + 1);
    Array args;
    for (int i = 0; i < count; ++i) {
        // Integer literals as operands of * take their own route.
        if (std::string(kind.op) == "*" && r.chance(25)) args.push_back(Value(Decimal::from_int(r.below(2001) - 1000)));
        else args.push_back(random_expr(r, depth - 1));
    }
    Value e = Value::object();
    if (count == 1 && r.chance(30)) e.set(kind.op, std::move(args[0]));  // {"!": x}
    else e.set(kind.op, Value(std::move(args)));
    // Now and then something the fast path does not handle, around or inside: the
    // qualifying parts below still take it.
    if (r.chance(4)) {
        Value s = Value::object();
        s.set("cat", Value(Array{Value("="), std::move(e)}));
        return s;
    }
    if (r.chance(3)) {
        Value o = Value::object();
        o.set("+", Value(Array{std::move(e), Value("1")}));
        return o;
    }
    return e;
}

Value random_slot(Rng& r) {
    const int k = r.below(100);
    if (k < 62) return random_number(r);
    if (k < 84) return Value(r.chance(50));
    if (k < 88) return Value::rounded_number(random_number(r).as_number());
    if (k < 93) {  // strings coerce: the general evaluator takes over
        static const char* const kTexts[] = {"3", "", "abc", "-2.5", " 7 ", "true"};
        return Value(kTexts[r.below(static_cast<int>(std::size(kTexts)))]);
    }
    if (k < 97) return Value();
    return J("[1]");
}

// The result of applying, or the error, as one comparable text.
std::string outcome(const std::function<Value()>& apply) {
    try {
        const Value v = apply();
        std::string s = to_json(v);
        if (v.is_rounded_number()) s += " (rounded)";
        return s;
    } catch (const LogicError& e) {
        return std::string("LogicError ") + e.reason + " at '" + e.path + "': " + e.what();
    }
}

}  // namespace

TEST_CASE("The numeric fast path agrees with the general evaluator") {
    Rng rng{20270101};
    const std::function<int(const std::string&)> bind = fast_slot_of;
    std::vector<Value> slots(kFastSlots);
    LogicScope scope;
    scope.slots = &slots;
    int rules = 0, fast_rules = 0, runs = 0, errors = 0;
    std::set<std::string> reasons;
    for (int i = 0; i < 5000; ++i) {
        const Value rule = random_expr(rng, 1 + rng.below(5), true);
        const Logic logic = compile_logic(rule, kMaxLogicDepth, bind);
        ++rules;
        if (logic_has_fast_path(logic)) ++fast_rules;
        for (int k = 0; k < 6; ++k) {
            // Mostly numbers and booleans; sometimes a slot the fast path must refuse.
            const bool plain = k < 4;
            for (Value& s : slots) {
                s = random_slot(rng);
                while (plain && !s.is_number() && !s.is_bool()) s = random_slot(rng);
            }
            const std::string fast = outcome([&] { return apply_logic(logic, scope); });
            const std::string general = outcome([&] { return apply_logic_general(logic, scope); });
            INFO("rule " << to_json(rule) << " with slots " << to_json(Value(Array(slots))));
            CHECK(fast == general);
            ++runs;
            if (general.rfind("LogicError ", 0) == 0) {
                ++errors;
                reasons.insert(general.substr(11, general.find(' ', 11) - 11));
            }
        }
    }
    INFO("rules: " << rules << " (" << fast_rules << " wholly numeric), runs: " << runs << ", errors: " << errors);
    CHECK(fast_rules > rules / 2);
    CHECK(errors > runs / 50);           // division by zero, booleans in + and *, overflow
    CHECK(errors < runs / 2);
    CHECK(reasons == std::set<std::string>{"division_by_zero", "not_a_number", "overflow"});
}

TEST_CASE("The numeric fast path keeps json-logic-js results") {
    auto bind = [](const std::string& name) -> int {
        static const std::vector<std::string> names{"a", "b", "flag", "text", "nothing"};
        for (std::size_t i = 0; i < names.size(); ++i)
            if (names[i] == name) return static_cast<int>(i);
        return -1;
    };
    std::vector<Value> slots{Value(Decimal::parse_or_throw("12.5")), Value(0), Value(true), Value("4"), Value()};
    LogicScope scope;
    scope.slots = &slots;
    auto check = [&](const std::string& rule, const std::string& expected) {
        const Logic logic = compile_logic(J(rule), kMaxLogicDepth, bind);
        INFO(rule);
        CHECK(outcome([&] { return apply_logic(logic, scope); }) == expected);
        CHECK(outcome([&] { return apply_logic_general(logic, scope); }) == expected);
    };
    auto fast = [&](const std::string& rule) { return logic_has_fast_path(compile_logic(J(rule), kMaxLogicDepth, bind)); };

    // The sample programme's shapes.
    CHECK(fast(R"({"if": [{">": [{"var": "b"}, 0]}, {"*": [{"/": [{"var": "a"}, {"var": "b"}]}, 100]}, 0]})"));
    check(R"({"if": [{">": [{"var": "b"}, 0]}, {"*": [{"/": [{"var": "a"}, {"var": "b"}]}, 100]}, 0]})", "0");
    check(R"({"if": [{">": [{"var": "a"}, 0]}, {"min": [100, {"*": [{"/": [1, {"var": "a"}]}, 100]}]}, 0]})", "8");
    check(R"({"and": [{"var": "flag"}, {">=": [{"var": "a"}, 12.5]}]})", "true");
    // and / or / if give the deciding operand or the branch itself, unconverted.
    check(R"({"or": [{"var": "b"}, {"var": "flag"}]})", "true");
    check(R"({"and": [{"var": "flag"}, {"var": "b"}, 5]})", "0");
    check(R"({"if": [{"var": "b"}, 1, {"var": "flag"}]})", "true");
    check(R"({"*": [{"var": "flag"}]})", "true");
    check(R"({"max": [{"var": "flag"}]})", "1");
    // Booleans are 0 / 1 in - / % comparisons and ==, but parseFloat makes them NaN in + and *.
    check(R"({"-": [{"var": "flag"}, 3]})", "-2");
    check(R"({"==": [{"var": "flag"}, 1]})", "true");
    check(R"({"===": [{"var": "flag"}, 1]})", "false");
    check(R"({"<": [0, {"var": "flag"}, 2]})", "true");
    check(R"({"+": [{"var": "flag"}, 1]})", "LogicError not_a_number at '': \"+\": true is not a number");
    check(R"({"*": [2, {"var": "flag"}]})", "LogicError not_a_number at '': \"*\": true is not a number");
    // Errors come from the general evaluator, with its pointer.
    check(R"({"if": [true, {"/": [{"var": "a"}, {"var": "b"}]}]})", "LogicError division_by_zero at '/if/1': \"/\": division by zero");
    check(R"({"*": [999999999999999, 10]})",
          "LogicError overflow at '': \"*\": result out of range (magnitude must stay below 10^15)");
    // `if` without a taken branch is null.
    check(R"({"if": [{"var": "b"}, 1]})", "null");
    // Slots holding strings or null take the general evaluator: JavaScript coercions.
    check(R"({"+": [{"var": "text"}, 1]})", "5");
    check(R"({"==": [{"var": "text"}, 4]})", "true");
    check(R"({"*": [{"var": "nothing"}, 1]})", "LogicError not_a_number at '': \"*\": null is not a number");
    check(R"({"<": [{"var": "nothing"}, 1]})", "true");
    // A numeric part inside a rule that is not: evaluated by the fast path, the rest in general.
    CHECK_FALSE(fast(R"({"cat": ["x", {"*": [{"var": "a"}, 2]}]})"));
    check(R"({"cat": ["x", {"*": [{"var": "a"}, 2]}]})", "\"x25\"");
    // A number rounded on reading passes through unchanged.
    slots[1] = Value::rounded_number(Decimal(3));
    check(R"({"if": [true, {"var": "b"}]})", "3 (rounded)");
    check(R"({"+": [{"var": "b"}]})", "3");
}
