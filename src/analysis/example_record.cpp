#include "analysis/example_record.hpp"

#include <set>

#include <fmt/format.h>

#include "eval/record.hpp"
#include "eval/result_writer.hpp"
#include "utf8.hpp"

namespace segrule::analysis {

namespace {


// Z3 prints a model string as ASCII with `\u{...}` for other characters.
std::string decode_z3_string(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && s.compare(i, 3, "\\u{") == 0) {
      size_t end = s.find('}', i);
      if (end != std::string::npos && end - i - 3 <= 6) {
        append_utf8(out, static_cast<uint32_t>(std::stoul(s.substr(i + 3, end - i - 3), nullptr, 16)));
        i = end;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

std::string numeral(const z3::model& m, const z3::expr& x) { return SymbolicContext::numeral_text(m.eval(x, true)); }

// An Int count of 10^-scale units as decimal text.
Decimal units_value(const std::string& units, int64_t scale) {
  bool negative = !units.empty() && units[0] == '-';
  std::string digits = negative ? units.substr(1) : units;
  if (digits.size() <= static_cast<size_t>(scale)) digits.insert(0, static_cast<size_t>(scale) - digits.size() + 1, '0');
  if (scale > 0) digits.insert(digits.size() - static_cast<size_t>(scale), ".");
  Decimal d;
  Decimal::parse((negative ? "-" : "") + digits, d);
  return d;
}

std::string number_json(const Decimal& d, BaseType base) {
  Decimal cents;
  // Money prints with two decimals when it is a whole number of cents, as an analyst writes it.
  if (base == BaseType::money && d.round_half_away(2, cents) == DecimalStatus::ok && cents == d) return d.to_fixed(2, false);
  return d.to_string();
}

std::string scalar_json(const Program& p, const Type& t, const Value& v) { return value_json(p, t, v); }

// A list input: the members the model puts in it, then distinct filler items up to its count.
std::string list_json(const Program& p, const FieldVars& vars, const Type& type, const z3::model& m) {
  std::vector<std::string> items;
  std::set<std::string> taken;
  Type element = type.element_type();
  for (const auto& [key, member] : vars.members) {
    std::string text = scalar_json(p, element, member.second);
    taken.insert(text);
    if (m.eval(member.first, true).is_true()) items.push_back(text);
  }
  long long count = std::stoll(numeral(m, *vars.value));
  for (int filler = 1; static_cast<long long>(items.size()) < count && filler < 100000; ++filler) {
    std::string text;
    switch (element.base) {
      case BaseType::string: text = fmt::format("\"item{}\"", filler); break;
      case BaseType::date: text = fmt::format("\"{}\"", to_string(Date{filler})); break;
      default: text = std::to_string(filler); break;
    }
    if (taken.insert(text).second) items.push_back(text);
  }
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) out += (i ? "," : "") + items[i];
  return out + "]";
}

std::string model_json(const Program& p, const InputField& f, const FieldVars& vars, const z3::model& m) {
  if (m.eval(vars.is_null, true).is_true() && (f.type.nullable || f.has_default)) return "null";
  const z3::expr& x = *vars.value;
  switch (f.type.base) {
    case BaseType::int_: return numeral(m, x);
    case BaseType::number: case BaseType::money: return number_json(units_value(numeral(m, x), vars.scale_digits), f.type.base);
    case BaseType::boolean: return m.eval(x, true).is_true() ? "true" : "false";
    case BaseType::string: {
      std::string out;
      write_json_string(decode_z3_string(m.eval(x, true).get_escaped_string()), out);
      return out;
    }
    case BaseType::date: return fmt::format("\"{}\"", to_string(Date{static_cast<int32_t>(std::stol(numeral(m, x)))}));
    case BaseType::symbol: {
      long index = std::stol(numeral(m, x));
      std::string out;
      write_json_string(vars.domain_ids.at(static_cast<size_t>(index)), out);
      return out;
    }
    case BaseType::list: return list_json(p, vars, f.type, m);
    default: return "null";
  }
}

// A field no rule reads: its default, null, or a plain value of its type.
std::string plain_json(const Program& p, const InputField& f, bool is_key, Date as_of) {
  if (f.has_default) return scalar_json(p, f.type, f.default_value);
  if (f.type.nullable) return "null";
  switch (f.type.base) {
    case BaseType::int_: return is_key ? "1" : "0";
    case BaseType::number: return "0";
    case BaseType::money: return "0.00";
    case BaseType::boolean: return "false";
    case BaseType::string: return is_key ? "\"X1\"" : "\"\"";
    case BaseType::date: return fmt::format("\"{}\"", to_string(as_of));
    case BaseType::symbol: return scalar_json(p, f.type, Value::of_symbol(0));
    case BaseType::list: return "[]";
    default: return "null";
  }
}

// `客**` for personal data: a string keeps its first character.
std::string masked_json(const std::string& json) {
  std::string text = json;
  if (text.size() >= 2 && text.front() == '"' && text.back() == '"') text = text.substr(1, text.size() - 2);
  if (text == "null") return json;
  std::string out;
  write_json_string(mask_pii(text), out);
  return out;
}

}  // namespace

std::string value_json(const Program& program, const Type& type, const Value& value) {
  std::string out;
  if (value.kind == ValueKind::number) return number_json(value.number, type.base == BaseType::money ? BaseType::money : BaseType::number);
  write_value(program, type, value, out);
  return out;
}

ExampleRecord example_record(SymbolicContext& context, const std::vector<const SymbolicProgram*>& programs, const z3::model& model,
                             bool show_pii) {
  ExampleRecord record;
  const Program& first = programs.front()->program();
  // The evaluation date: the model's when a rule reads it, else the ruleset's effective date.
  record.as_of = parse_date(first.metadata.effective).value_or(*make_date(2025, 1, 1));
  if (context.used_as_of()) {
    record.as_of = Date{static_cast<int32_t>(std::stol(numeral(model, context.as_of())))};
    record.as_of_matters = true;
  }
  std::set<std::string> written;
  std::string json = "{", shown = "{";
  for (const SymbolicProgram* sp : programs) {
    const Program& p = sp->program();
    for (size_t i = 0; i < p.inputs.size(); ++i) {
      const InputField& f = p.inputs[i];
      if (!written.insert(f.name).second) continue;
      // The variables of the first program that read the field; personal data in any version is masked.
      const FieldVars* vars = nullptr;
      bool pii = false;
      for (const SymbolicProgram* other : programs) {
        auto at = other->program().input_index.find(f.name);
        if (at == other->program().input_index.end()) continue;
        if (!vars) vars = other->vars_of(at->second);
        pii = pii || other->program().inputs[at->second].pii;
      }
      bool is_key = p.key_field == i;
      std::string value = vars ? model_json(p, f, *vars, model) : plain_json(p, f, is_key, record.as_of);
      std::string name;
      write_json_string(f.name, name);
      std::string sep = json.size() > 1 ? "," : "";
      json += sep + name + ":" + value;
      shown += sep + name + ":" + (pii && !show_pii && !is_key ? masked_json(value) : value);
    }
  }
  record.json = json + "}";
  record.shown = shown + "}";
  return record;
}

std::string example_note(const ExampleRecord& record, const std::string& label) {
  if (record.as_of_matters) return fmt::format("{} (as of {}): {}", label, to_string(record.as_of), record.shown);
  return fmt::format("{}: {}", label, record.shown);
}

RecordRun run_record(const Program& program, const std::string& json, Date as_of) {
  RecordRun run;
  reset_outcome(program, run.outcome);
  run.outcome.slots[program.as_of_slot] = Value::of_date(as_of);
  RecordProblem problem;
  if (!record_from_json(program, json, RecordLimits{}, run.outcome.slots, problem)) {
    run.problem = problem.message;
    return run;
  }
  run.read = true;
  run.evaluated = evaluate(program, run.outcome, run.error, &run.trace);
  return run;
}

std::string run_trouble(const RecordRun& run) {
  if (!run.read) return fmt::format("the input schema rejects it: {}", run.problem);
  if (!run.evaluated) return fmt::format("it is rejected: {}", run.error.message);
  return {};
}

}  // namespace segrule::analysis
