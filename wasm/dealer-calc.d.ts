// Typings for dist/dealer-calc.mjs (and the classic-script global `DealerCalc`).
// Hand-written next to the module; see docs/api.md.

/** Text shown to people: a string, or language tag → string ({"zh-CN": "…", "en": "…"}). */
export type LocalizedText = string | Record<string, string>;

export interface ErrorDetail {
  /** JSON Pointer into the offending document ("" = the whole document). */
  path: string;
  /** Stable reason code to translate by: "not_integer", "duplicate_id", … */
  reason?: string;
  /** English text. */
  message: string;
  /** Named parameters for translations: {"max": 2}, {"row": 3, "column": 5, "header": "…"}. */
  args?: Record<string, unknown>;
}

/** Every failure of the core: code is one of the spec's error codes (docs/errors.md). */
export declare class DealerCalcError extends Error {
  readonly name: "DealerCalcError";
  /** parse_error, unsupported_format, invalid_program, invalid_figures, derived_error, invalid_csv, logic_error, internal_error */
  readonly code: string;
  readonly details: ErrorDetail[];
  /** parse_error only: 1-based line and column. */
  readonly line?: number;
  readonly column?: number;
}

export type Category = "content" | "community" | "promotion" | "tools" | "training" | "sales" | "data" | "other";
export type MetricType = "count" | "amount" | "number" | "percent" | "boolean";

export interface MetricInfo {
  id: string;
  label: LocalizedText;
  help?: LocalizedText;
  category: Category;
  type: MetricType;
  min?: number;
  max?: number;
  default?: number | boolean;
  cumulative: boolean;
  /** Most decimal places a figure may have. */
  decimals: number;
  /** Smallest step (1 for counts, 0.01 for CNY amounts, 0.000001 for numbers). */
  resolution: number;
}

export interface UnitInfo {
  id: string;
  label?: LocalizedText;
  precision: number;
  currency: boolean;
}

export interface ProgramInfo {
  id: string;
  version: string;
  name: LocalizedText;
  currency: string;
  units: UnitInfo[];
  period?: { start: string; end: string };
  metrics: MetricInfo[];
  /** The programme document as loaded (labels, help, rules, tiers, caps …). */
  source: Record<string, any>;
}

export interface Figures {
  format?: "dealer-incentive-figures/1";
  dealer?: { id?: string; name?: string; [k: string]: unknown };
  as_of?: string;
  values: Record<string, number | boolean | null>;
}

export interface EvaluateOptions {
  /** Next tiers and unlock drivers (default true). */
  next?: boolean;
  /** Projection when as_of lies in the period (default true). */
  projection?: boolean;
  /** A trace object on every component (default true). */
  trace?: boolean;
}

export interface Driver {
  metric: string;
  increase?: number;
  to: number | boolean;
  /** Change of every unit's total: {"CNY": 1830.5, "points": 0}. */
  gain: Record<string, number>;
}

export interface TierRef {
  index: number;
  name?: LocalizedText;
  from: number;
  rate?: number;
  amount?: number;
  factor?: number;
  award?: { label: LocalizedText };
}

export interface NextTier extends TierRef {
  current: number;
  gap: number;
  drivers?: Driver[];
}

export interface Component {
  id: string;
  kind: "rate" | "tiered" | "multiplier" | "award";
  mode?: "retro" | "marginal" | "fixed";
  category: Category;
  unit?: string;
  label?: LocalizedText;
  status: "earned" | "none" | "locked";
  amount?: number;
  uncapped?: number;
  tier?: TierRef;
  next?: NextTier;
  unlock?: Driver[];
  award?: { label: LocalizedText };
  /** The numbers that produced the amount; shape in docs/trace.md. */
  trace?: Record<string, any>;
}

export interface Adjustment {
  cap: string;
  label?: LocalizedText;
  unit: string;
  amount: number;
  max: number;
  covered: number;
  rules: string[];
}

export interface Warning {
  code: "missing_metric" | "unknown_metric" | "as_of_outside_period" | "cliff" | "projection_failed" | string;
  [k: string]: unknown;
}

export interface ScoreItemResult {
  value: string;
  points: number;
  available: number;
  missing: number;
  current: number | boolean;
  target: number;
  curve: "linear" | "step";
}

export interface Result {
  format: "dealer-incentive-result/1";
  program: { id: string; version: string };
  dealer?: Record<string, unknown>;
  as_of?: string;
  currency: string;
  values: Record<string, number | boolean>;
  scores: Record<string, { total: number; max?: number; items: ScoreItemResult[] }>;
  components: Component[];
  adjustments: Adjustment[];
  totals: Record<string, number>;
  awards: { rule: string; label?: LocalizedText; tier?: number }[];
  warnings: Warning[];
  projection?: {
    as_of: string;
    end: string;
    elapsed_days: number;
    period_days: number;
    factor: number;
    values: Record<string, number | boolean>;
    components: Component[];
    adjustments: Adjustment[];
    totals: Record<string, number>;
    awards: { rule: string; label?: LocalizedText; tier?: number }[];
  };
}

export interface CsvRow {
  /** 1-based line of the file where the row starts. */
  line: number;
  figures: Figures;
  /** Empty when the row is valid; each detail has args {row, column, header}. */
  errors: ErrorDetail[];
}

export interface CsvResult {
  header: { names: string[]; metrics: (string | null)[]; unknown: string[] };
  rows: CsvRow[];
}

export interface BatchOptions {
  /** Rows as CSV (header row of metric ids or labels) or JSON Lines of figures documents. Default "csv". */
  input?: "csv" | "jsonl";
  /** One output line per good row: CSV (formula-safe cells) or JSON Lines. Default "csv". */
  output?: "csv" | "jsonl";
  /** Also the best driver of every component below its top tier (much slower). Default false. */
  next?: boolean;
}

export interface BatchStatus {
  /** Data rows seen, good and bad. */
  rows: number;
  /** Rows skipped, plus a problem that stopped the batch. */
  errors: number;
  /** A malformed CSV record stopped the batch (nothing after it can be trusted). */
  stopped: boolean;
  /** Sum over the good rows, per unit. */
  totals: Record<string, number>;
  /** Header cells that name no metric (CSV), once the header is read. */
  unknownColumns: string[];
}

/**
 * Many dealers through one programme, in constant memory: push the input in pieces of any
 * size; each call returns the output lines of the rows it completed. Holds WASM memory
 * (and keeps its programme alive) until dispose().
 */
export interface Batch {
  /**
   * Feeds more input, as text or as UTF-8 bytes (a piece may end mid-row or mid-character);
   * returns the output of every row it completed (CSV: the header first). Throws invalid_csv
   * when the header is unusable, which ends the batch.
   */
  push(piece: string | Uint8Array | ArrayBuffer): string;
  /** The input is complete: returns the output of the last rows. */
  finish(): string;
  status(): BatchStatus;
  /** Rows skipped since the last call (row = 1-based line; row 0 = a problem with the whole input). */
  takeProblems(): { row: number; error: DealerCalcError }[];
  dispose(): void;
}

/** A loaded, validated programme. Holds WASM memory until dispose(). */
export interface Program {
  readonly info: ProgramInfo;
  /** Evaluates figures (object or JSON text). Throws DealerCalcError (invalid_figures, derived_error). */
  evaluate(figures: Figures | string, options?: EvaluateOptions): Result;
  /** The same, as the exact JSON text the core wrote (numbers in shortest exact form). */
  evaluateJson(figures: Figures | string, options?: EvaluateOptions & { pretty?: boolean }): string;
  /** Validates figures without evaluating; returns the warnings or throws invalid_figures. */
  checkFigures(figures: Figures | string): { warnings: Warning[] };
  /** Parses CSV text (already decoded to a string) into figures rows. Throws invalid_csv. */
  parseCsv(text: string): CsvResult;
  /** A CSV header for this programme: dealer_id,dealer_name,as_of,<metric ids>. */
  csvTemplate(): string;
  /** Starts a batch over many dealers' rows (the CLI's `batch`). */
  batch(options?: BatchOptions): Batch;
  /** The one-line summary the CLI's validate prints. */
  summary(figures?: Figures | string): string;
  /** Releases the WASM memory; the object is unusable afterwards. */
  dispose(): void;
}

export interface DealerCalc {
  readonly version: string;
  /** Parses and validates a programme (object or JSON text). Throws DealerCalcError. */
  loadProgram(program: object | string): Program;
  /** Applies a JsonLogic rule with exact decimal arithmetic. Throws DealerCalcError (logic_error). */
  evaluateLogic(rule: unknown, data?: unknown): unknown;
  /** The same with JSON texts in and out (exact numbers). */
  evaluateLogicJson(rule: string, data?: string): string;
  /** Bytes of WASM linear memory in use by the allocator (for leak checks). */
  memoryInUse(): number;
}

/** Loads the module once (memoized) and resolves to the API. */
export declare function createDealerCalc(): Promise<DealerCalc>;
export default createDealerCalc;
