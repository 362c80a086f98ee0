#include "fuzz_support.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "check/checker.hpp"

namespace segrule::fuzz {

void fail(std::string_view promise, std::string_view evidence) {
  std::fprintf(stderr, "\n==== fuzz check failed: %.*s\n%.*s\n====\n", static_cast<int>(promise.size()), promise.data(),
               static_cast<int>(evidence.size()), evidence.data());
  std::fflush(stderr);
  std::abort();
}

Date fuzz_as_of() {
  static const Date as_of = *parse_date("2025-06-30");
  return as_of;
}

nlohmann::json parse_json_line(std::string_view line, std::string_view what) {
  nlohmann::json value = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) fail(std::string(what) + " is not valid JSON", line);
  return value;
}

std::vector<std::string> comment_texts(const Ast& ast) {
  std::vector<std::string> texts;
  for (const Comment& c : ast.comments) texts.push_back(c.text);
  std::sort(texts.begin(), texts.end());
  return texts;
}

std::shared_ptr<Program> compile_text(std::string_view text, Diagnostics& diagnostics) {
  auto source = std::make_shared<SourceFile>("fuzz.seg", std::string(text));
  return compile_source(source, diagnostics);
}

const char* const kRecordSchema = R"SEG(
ruleset fuzz_records {
  title     "fuzz: every input type"
  version   "1"
  effective 2025-06-01
}

enum rating [C, B, BB, BBB, A, AA, AAA]
enum risk   [C1 "保守型", C2, C3, C4, C5 "进取型"]
enum grade  [R1, R2, R3, R4, R5]

input customer key id {
  id                : string
  name              : string pii
  age               : int
  retired           : bool
  occupation        : string?
  opened            : date
  risk_level        : risk
  credit_rating     : rating
  demand_deposits   : money
  time_deposits     : money
  aum               : money
  loans             : money = 0
  monthly_txn_count : int
  large_inflow_30d  : money = 0
  products_held     : list<string>
  risk_history      : list<risk>
  weight            : number = 0.5
  bonus             : money?
  birthday          : date?
  target_rating     : rating = A
  vip               : bool?
}

let time_share   = share(time_deposits, aum)
let demand_share = share(demand_deposits, aum)
let debt_ratio   = loans / max(aum, 1)
let tenure       = years_between(opened, as_of)
let days_open    = days_between(opened, as_of)
let age_at_open  = if birthday is not null then years_between(birthday, opened) else -1
let per_year     = aum / (age - 17)                    # rejects a record with age 17
let bonus_total  = (bonus ?? 0) + large_inflow_30d * weight
let fee          = round(abs(aum - loans) * 1.5%, 2)
let is_senior    = age >= 60 or retired or (vip ?? false)
let worst_risk   = if count(risk_history) > 0 and C5 in risk_history then risk.C5 else risk_level

tiers value_tier {
  private  "私人银行客户" when aum >= 500万 and credit_rating >= BBB
  platinum "铂金客户"     when aum >= 100万 or bonus_total >= 1亿
  gold     "黄金客户"     when aum >= 20万
  vip      "贵宾客户"     when aum >= 10万 and tenure >= 1
  mass     "大众客户"     when aum >= 0
}

segments customer_type {
  savings    "储蓄型" when time_share >= 50%                                 score time_share
  settlement "结算型" when demand_share >= 50% or monthly_txn_count >= 30    score demand_share
  liability  "负债型" when loans > 0 and debt_ratio > 0.8
  senior     "长者"   when is_senior                                         score min(age, 100) / 100
  named      "有职业" when occupation is not null and starts_with(occupation, "civil")
  collector  "藏家"   when "gold" in products_held or contains(products_held, "trust")
}

catalog product {
  risk    : grade
  min_aum : money = 0
  channel : string?

  time_deposit "定期存款" { risk: R1 }
  money_fund   "货币基金" { risk: R1, channel: "mobile" }
  bond_fund    "债券基金" { risk: R2 }
  equity_fund  "股票基金" { risk: R4 }
  trust_plan   "信托计划" { risk: R5, min_aum: 300万 }
}

output {
  contact_cadence : enum [yearly, quarterly, monthly, weekly] = yearly
  advisor         : enum [digital, shared, dedicated]
  credit_limit    : money
  note            : string
  review_after    : date
  priority        : int = 0
  actions         : list<string>
  offers          : list<product>
}

strategy private_banking "私人银行" when value_tier == private {
  contact_cadence = weekly
  advisor = dedicated
  offer trust_plan, equity_fund
}
strategy high_value when value_tier in [platinum, gold] or credit_rating >= target_rating {
  contact_cadence = monthly
  advisor = if value_tier == platinum then dedicated else shared
  credit_limit = max(aum * 20%, 5万) - loans
  priority = rank(value_tier) * 10 + count(customer_type)
}
strategy savers when savings in customer_type {
  offer time_deposit, money_fund
  note = "saver" when false
  action "large_inflow_alert" when large_inflow_30d >= 50万
}
strategy seniors when customer_type_primary == senior or (birthday is not null and birthday < 1960-01-01) {
  review_after = 2026-01-01
  note = occupation ?? "unknown"
  actions += ["senior_review", "call"]
}
strategy everyone "全体" when true {
  contact_cadence = quarterly
  offer bond_fund when worst_risk >= C2
  priority = tenure + age_at_open
  action if fee > 1000 then "fee_notice" else "fee_waived" when aum > 0
}

constraint suitability "适当性管理" on offers as p {
  drop when rank(p.risk) > rank(worst_risk)      reason "risk"
  drop when aum < p.min_aum                      reason "min_aum"
  drop when (p.channel ?? "") == "mobile" and age >= 80  reason "channel"
}

invariant few_actions "至多三个提醒" { count(actions) <= 3 }
)SEG";

const Program& record_schema() {
  static const std::shared_ptr<Program> program = [] {
    Diagnostics diagnostics;
    auto compiled = compile_text(kRecordSchema, diagnostics);
    if (!compiled) {
      auto source = std::make_shared<SourceFile>("record_schema.seg", kRecordSchema);
      source->locate(diagnostics);
      fail("the fixed record schema compiles", render_diagnostics(diagnostics, source.get()));
    }
    return compiled;
  }();
  return *program;
}

BatchRun run_checked_batch(const Program& program, std::string_view input, const BatchOptions& options) {
  BatchRun run;
  run.counts = run_batch(program, input, options, [&](bool is_error, std::string_view text) {
    run.lines.emplace_back(text);
    run.is_error.push_back(is_error);
    run.joined.append(text).push_back('\n');
  });
  const BatchCounts& c = run.counts;
  if (c.read != c.results + c.errors || c.read != run.lines.size())
    fail("records read = results + errors = lines written",
         "read " + std::to_string(c.read) + ", results " + std::to_string(c.results) + ", errors " +
             std::to_string(c.errors) + ", lines " + std::to_string(run.lines.size()));
  for (size_t i = 0; i < run.lines.size(); ++i) {
    const std::string& line = run.lines[i];
    if (line.find('\n') != std::string::npos) fail("an output line holds no line break", line);
    nlohmann::json value = parse_json_line(line, run.is_error[i] ? "an error entry" : "a result line");
    if (!value.is_object()) fail("every output line is a JSON object", line);
    if (run.is_error[i]) {
      if (!value.contains("line") || !value["line"].is_number_unsigned() || !value.contains("error") ||
          !value["error"].is_string())
        fail("an error entry has a line number and an error message", line);
    } else if (!value.contains("dropped") || !value["dropped"].is_array()) {
      fail("a result line has a `dropped` list", line);
    }
  }
  return run;
}

void check_records(const Program& program, std::string_view input, InputFormat format) {
  BatchOptions options;
  options.format = format;
  options.as_of = fuzz_as_of();
  BatchRun plain = run_checked_batch(program, input, options);
  options.explain = true;
  BatchRun explained = run_checked_batch(program, input, options);
  if (explained.lines.size() != plain.lines.size())
    fail("eval --explain gives as many lines as eval", plain.joined + "----\n" + explained.joined);
  for (size_t i = 0; i < plain.lines.size(); ++i) {
    // `{...}` becomes `{...,"explain":{...}}`: the same text, one member more.
    const std::string& line = plain.lines[i];
    std::string expected_prefix = line.substr(0, line.size() - 1) + ",\"explain\":{";
    if (explained.is_error[i] != plain.is_error[i] || explained.lines[i].compare(0, expected_prefix.size(), expected_prefix) != 0)
      fail("eval --explain adds an `explain` member and changes nothing else", line + "\n" + explained.lines[i]);
  }
}

}  // namespace segrule::fuzz
