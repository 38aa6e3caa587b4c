// JsonLogic (jsonlogic.com) with json-logic-js semantics and exact Decimal arithmetic.
//
// A rule is compiled once into a Logic tree (operators resolved, constant `var` paths
// split, and — for the engine — top-level variable names bound to value slots), then
// applied many times.
#pragma once

#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "dealercalc/error.hpp"
#include "dealercalc/value.hpp"

namespace dealercalc {

// Thrown while compiling or applying a rule. `path` is a JSON Pointer into the rule
// (relative to the rule's root, e.g. "/if/1"); `reason` is stable:
// unknown_operator, too_deep, division_by_zero, not_a_number, overflow, bad_arguments.
class LogicError : public std::runtime_error {
public:
    LogicError(std::string reason, std::string path, std::string message)
        : std::runtime_error(message), reason(std::move(reason)), path(std::move(path)) {}
    std::string reason;
    std::string path;
};

struct LogicNode;

class Logic {
public:
    Logic();
    ~Logic();
    Logic(Logic&&) noexcept;
    Logic& operator=(Logic&&) noexcept;
    Logic(const Logic&);
    Logic& operator=(const Logic&);

    const LogicNode* root() const { return root_.get(); }

private:
    friend Logic compile_logic(const Value&, std::size_t, const std::function<int(const std::string&)>&);
    std::shared_ptr<const LogicNode> root_;
};

// Maximum nesting of operators in one rule; deeper is a LogicError("too_deep").
constexpr std::size_t kMaxLogicDepth = 64;

// Compiles a rule. `bind` (optional) maps a top-level variable name (the first segment of
// a constant `var` path outside map/filter/reduce/all/none/some) to a slot index, or -1.
// Throws LogicError for an unknown operator or a rule nested deeper than max_depth.
Logic compile_logic(const Value& rule, std::size_t max_depth = kMaxLogicDepth,
                    const std::function<int(const std::string&)>& bind = {});

// Where a top-level `var` reads from while applying. A bound var reads slots[index]
// directly; anything else resolves against `data`, or — when data is null and slots
// are given — by name through `slot_of`.
struct LogicScope {
    const Value* data = nullptr;
    const std::vector<Value>* slots = nullptr;
    std::function<int(const std::string&)> slot_of;
};

// Applies a compiled rule. Throws LogicError (division_by_zero, not_a_number, overflow).
Value apply_logic(const Logic& logic, const LogicScope& scope);
// Convenience: compile and apply against a plain data document.
Value apply_logic(const Value& rule, const Value& data);

// Numeric fast path. compile_logic also gives every (sub)tree that only uses number and
// boolean literals, bound single-name `var`s and + - * / % min max == === != !== > >= <
// <= ! !! and or if ?: a compact numeric form, which apply_logic evaluates without
// building Values whenever the slots it reads hold numbers or booleans (otherwise, and on
// any error, the general evaluator decides: results and errors are the same either way).
// apply_logic_general never takes the fast path (for testing and comparison);
// logic_has_fast_path tells whether the whole rule has a numeric form.
Value apply_logic_general(const Logic& logic, const LogicScope& scope);
bool logic_has_fast_path(const Logic& logic);

// JsonLogic truthiness (json-logic-js): false, null, 0, "" and [] are falsy.
bool truthy(const Value& v);

// The variables a rule reads at top level: the first segment of every constant `var`
// path (and every name in `missing`/`missing_some` lists). `dynamic` is set when a
// variable name is computed at run time, so the set may be incomplete.
struct LogicVariables {
    std::set<std::string> names;
    bool dynamic = false;
};
LogicVariables logic_variables(const Value& rule);

}  // namespace dealercalc
