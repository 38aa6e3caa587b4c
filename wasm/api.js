// ---- wasm/api.js: the public API (wasm/dealer-calc.d.ts) over the Embind surface of
// wasm/bindings.cpp. Concatenated after the Emscripten glue, which defines
// createDealerCalcModule(), and wasm/lzma.js with the inline WASM (dealerCalcWasm);
// the footer exports createDealerCalc and DealerCalcError.

/** Every failure of the core, with the spec's error code (see dealer-calc.d.ts). */
class DealerCalcError extends Error {
  constructor(error) {
    super(error && typeof error.message === "string" ? error.message : "dealer-calc error");
    this.code = error && typeof error.code === "string" ? error.code : "internal_error";
    this.details = error && Array.isArray(error.details) ? error.details : [];
    if (error && typeof error.line === "number") {
      this.line = error.line;
      this.column = error.column;
    }
  }
}
Object.defineProperty(DealerCalcError.prototype, "name", {
  value: "DealerCalcError", writable: true, configurable: true, enumerable: false,
});

var dealerCalcReady = null;

/** Loads the module once (memoized) and resolves to the API. */
function createDealerCalc() {
  if (!dealerCalcReady) {
    dealerCalcReady = Promise.resolve()
      // The inline WASM (lzma.js or inflate.js), handed over so the glue fetches nothing.
      .then(dealerCalcWasmBinary)
      .then(function (binary) {
        return createDealerCalcModule({ wasmBinary: binary });
      })
      .then(dealerCalcApi);
    // A failed load (no WebAssembly, out of memory, …) may be retried.
    dealerCalcReady.catch(function () { dealerCalcReady = null; });
  }
  return dealerCalcReady;
}

function dealerCalcApi(raw) {
  function internal(message) {
    return new DealerCalcError({ code: "internal_error", message: message, details: [] });
  }

  // Calls the WASM side and turns its answer into a value or a DealerCalcError. The C++
  // side catches everything; this also covers what only JavaScript can throw (an abort
  // after running out of memory, a binding error).
  function call(fn) {
    var out;
    try {
      out = fn();
    } catch (e) {
      if (e instanceof DealerCalcError) throw e;
      if (e instanceof Error) throw internal("dealer-calc: " + e.message);
      throw internal("dealer-calc: unexpected exception " + String(e));
    }
    if (typeof out === "string" && out.charCodeAt(0) === 33 /* '!' */) {
      var parsed;
      try {
        parsed = JSON.parse(out.slice(1)).error;
      } catch (e) {
        throw internal("dealer-calc: unreadable error " + out.slice(1, 200));
      }
      throw new DealerCalcError(parsed);
    }
    return out;
  }

  function jsonValue(what, value) {
    var text = JSON.stringify(value === undefined ? null : value);
    if (text === undefined) throw new TypeError("dealer-calc: " + what + " must be a JSON-compatible value");
    return text;
  }

  // Text for the WASM side. Emscripten's UTF-8 encoder takes any UTF-16 surrogate for the
  // first half of a pair and swallows the character after it ('"a\ud83d"' would lose its
  // closing quote): a lone surrogate becomes U+FFFD first, as TextEncoder (and Node, when
  // it writes the same string to a file for the native CLI) makes it.
  function wellFormed(text) {
    if (!/[\uD800-\uDFFF]/.test(text)) return text;
    return text.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]|[\uD800-\uDFFF]/g, function (m) {
      return m.length === 2 ? m : "\uFFFD";
    });
  }

  // A document given as JSON text or as a value.
  function jsonText(what, value) {
    return wellFormed(typeof value === "string" ? value : jsonValue(what, value));
  }

  function flag(options, key, fallback) {
    if (!options || options[key] === undefined) return fallback;
    return !!options[key];
  }

  function makeProgram(handle) {
    var live = handle;
    var info = JSON.parse(call(function () { return live.info(); }));

    function use(method) {
      if (!live) throw new Error("dealer-calc: Program." + method + "() called after dispose(); load the programme again");
      return live;
    }

    function evaluateJson(figures, options) {
      var h = use("evaluateJson");
      var text = jsonText("figures", figures);
      return call(function () {
        return h.evaluate(text, flag(options, "next", true), flag(options, "projection", true),
          flag(options, "trace", true), flag(options, "pretty", false));
      });
    }

    var program = {
      evaluate: function (figures, options) {
        use("evaluate");
        return JSON.parse(evaluateJson(figures, {
          next: flag(options, "next", true),
          projection: flag(options, "projection", true),
          trace: flag(options, "trace", true),
          pretty: false,
        }));
      },
      evaluateJson: evaluateJson,
      checkFigures: function (figures) {
        var h = use("checkFigures");
        var text = jsonText("figures", figures);
        return JSON.parse(call(function () { return h.checkFigures(text); }));
      },
      parseCsv: function (text) {
        var h = use("parseCsv");
        if (typeof text !== "string") throw new TypeError("dealer-calc: parseCsv() takes the CSV as a string");
        var csv = wellFormed(text);
        return JSON.parse(call(function () { return h.parseCsv(csv); }));
      },
      csvTemplate: function () {
        var h = use("csvTemplate");
        return call(function () { return h.csvTemplate(); });
      },
      summary: function (figures) {
        var h = use("summary");
        var has = figures !== undefined && figures !== null;
        var text = has ? jsonText("figures", figures) : "";
        return call(function () { return h.summary(text, has); });
      },
      batch: function (options) {
        var h = use("batch");
        var input = batchFormat(options, "input");
        var output = batchFormat(options, "output");
        var b = new raw.Batch();
        try {
          call(function () { return b.start(h, input === "jsonl", output === "jsonl", flag(options, "next", false)); });
        } catch (e) {
          b.delete();
          throw e;
        }
        return makeBatch(b);
      },
      dispose: function () {
        if (live) {
          var h = live;
          live = null;
          h.delete();
        }
      },
    };
    Object.defineProperty(program, "info", { value: info, enumerable: true });
    return program;
  }

  function batchFormat(options, key) {
    var value = options && options[key] !== undefined ? options[key] : "csv";
    if (value !== "csv" && value !== "jsonl")
      throw new TypeError("dealer-calc: batch option " + key + ' must be "csv" or "jsonl"');
    return value;
  }

  // A running batch (Program.batch()). Holds WASM memory until dispose(); after a
  // whole-input error (an unusable CSV header) or finish(), push() and finish() throw.
  function makeBatch(handle) {
    var live = handle;
    var over = false;
    // A chunk may end in the first half of a surrogate pair (a string sliced by length):
    // it is held back and joined to the next chunk, so the pair is not torn apart.
    var held = "";

    function use(method) {
      if (!live) throw new Error("dealer-calc: Batch." + method + "() called after dispose()");
      if (over && method !== "status" && method !== "takeProblems")
        throw new Error("dealer-calc: Batch." + method + "() called after the batch ended");
      return live;
    }
    function ending(fn) {
      try {
        return call(fn);
      } catch (e) {
        over = true;
        throw e;
      }
    }

    // Text and bytes go in as UTF-8 through a view of the module's memory and the output
    // comes back through another (bindings.cpp: stage/pushStaged/output): native encoders
    // instead of a JavaScript loop over every character. Without TextEncoder/TextDecoder
    // (a bare vm context) the strings go through Embind as they are.
    var fast = typeof TextEncoder === "function" && typeof TextDecoder === "function";
    var encoder = fast ? new TextEncoder() : null;
    var decoder = fast ? new TextDecoder() : null;

    function feed(h, piece) {
      if (!fast) {
        var text = typeof piece === "string" ? wellFormed(piece) : piece;
        return ending(function () { return h.push(text); });
      }
      var n;
      if (typeof piece === "string") {
        // At most 3 bytes per UTF-16 unit; a lone surrogate is written as U+FFFD.
        n = encoder.encodeInto(piece, h.stage(piece.length * 3)).written;
      } else {
        h.stage(piece.length).set(piece);
        n = piece.length;
      }
      ending(function () { return h.pushStaged(n); });
      return decoder.decode(h.output());
    }

    return {
      push: function (piece) {
        var h = use("push");
        if (piece instanceof ArrayBuffer) piece = new Uint8Array(piece);
        if (piece instanceof Uint8Array) {
          var before = held ? feed(h, held) : "";
          held = "";
          return before + feed(h, piece);
        }
        if (typeof piece !== "string") throw new TypeError("dealer-calc: Batch.push() takes text or UTF-8 bytes");
        var t = held + piece;
        held = "";
        var last = t.charCodeAt(t.length - 1);
        if (last >= 0xd800 && last <= 0xdbff) {
          held = t.slice(-1);
          t = t.slice(0, -1);
        }
        return feed(h, t);
      },
      finish: function () {
        var h = use("finish");
        var out = held ? feed(h, held) : "";
        held = "";
        if (fast) {
          ending(function () { return h.finishStaged(); });
          out += decoder.decode(h.output());
        } else {
          out += ending(function () { return h.finish(); });
        }
        over = true;
        return out;
      },
      status: function () {
        var h = use("status");
        var s = JSON.parse(call(function () { return h.status(); }));
        return {
          rows: s.rows, errors: s.errors, stopped: s.stopped,
          totals: s.totals, unknownColumns: s.unknown_columns,
        };
      },
      takeProblems: function () {
        var h = use("takeProblems");
        return JSON.parse(call(function () { return h.takeProblems(); })).map(function (p) {
          return { row: p.row, error: new DealerCalcError(p.error) };
        });
      },
      dispose: function () {
        if (live) {
          var h = live;
          live = null;
          h.delete();
        }
      },
    };
  }

  var api = {
    version: raw.version(),
    loadProgram: function (source) {
      var text = jsonText("program", source);
      var handle = new raw.Program();
      try {
        call(function () { return handle.load(text); });
        return makeProgram(handle);
      } catch (e) {
        handle.delete();
        throw e;
      }
    },
    evaluateLogic: function (rule, data) {
      // Values, not JSON texts: a string rule is a JsonLogic string literal.
      return JSON.parse(api.evaluateLogicJson(jsonValue("rule", rule), data === undefined ? undefined : jsonValue("data", data)));
    },
    evaluateLogicJson: function (rule, data) {
      if (typeof rule !== "string") throw new TypeError("dealer-calc: evaluateLogicJson() takes the rule as JSON text");
      if (data !== undefined && data !== null && typeof data !== "string")
        throw new TypeError("dealer-calc: evaluateLogicJson() takes the data as JSON text");
      var r = wellFormed(rule);
      var d = data === undefined || data === null ? "null" : wellFormed(data);
      return call(function () { return raw.evaluateLogic(r, d, false); });
    },
    memoryInUse: function () {
      return raw.memoryInUse();
    },
  };
  // Not part of the public API: the Embind module, for dist/cli.mjs and the tests.
  Object.defineProperty(api, "_raw", { value: raw, enumerable: false });
  return Object.freeze(api);
}
