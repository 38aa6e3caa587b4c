#include "dealercalc/error.hpp"

namespace dealercalc {

Value Error::to_value() const {
    Value e = Value::object();
    e.set("code", code);
    e.set("message", message);
    if (line > 0) {
        e.set("line", Decimal::from_int(static_cast<std::int64_t>(line)));
        e.set("column", Decimal::from_int(static_cast<std::int64_t>(column)));
    }
    Value list = Value::array();
    for (const ErrorDetail& d : details) {
        Value item = Value::object();
        item.set("path", d.path);
        if (!d.reason.empty()) item.set("reason", d.reason);
        item.set("message", d.message);
        if (d.args.is_object()) item.set("args", d.args);
        list.push(std::move(item));
    }
    e.set("details", std::move(list));
    Value root = Value::object();
    root.set("error", std::move(e));
    return root;
}

Failure make_failure(std::string code, std::string message, std::string path, std::string reason, Value args) {
    Error e;
    e.code = std::move(code);
    e.message = message;
    if (!path.empty() || !reason.empty()) e.details.push_back(ErrorDetail{std::move(path), std::move(reason), std::move(message), std::move(args)});
    return Failure(std::move(e));
}

Value parse_document(std::string_view text, std::size_t max_depth) {
    try {
        return parse_json(text, max_depth);
    } catch (const JsonSyntaxError& e) {
        Error err;
        err.code = "parse_error";
        err.message = "not valid JSON at line " + std::to_string(e.line) + ", column " + std::to_string(e.column) + ": " + e.message;
        err.line = e.line;
        err.column = e.column;
        Value a = Value::object();
        a.set("line", Decimal::from_int(static_cast<std::int64_t>(e.line)));
        a.set("column", Decimal::from_int(static_cast<std::int64_t>(e.column)));
        err.details.push_back(ErrorDetail{"", "syntax", e.message, a});
        throw Failure(std::move(err));
    }
}

}  // namespace dealercalc
