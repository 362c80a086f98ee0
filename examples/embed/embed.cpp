// Embedding segrule from C++: compile a rule file once, then evaluate a record
// given as JSON text and one built field by field, and explain a decision.
//
//   embed_cpp RULES.seg
#include <cstdio>
#include <string>

#include <segrule/segrule.hpp>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: embed_cpp RULES.seg\n");
    return 2;
  }
  segrule::CompileResult compiled = segrule::Ruleset::compile_file(argv[1]);
  if (!compiled) {
    std::fputs(compiled.rendered.c_str(), stderr);  // file:line:column, caret, help
    return 1;
  }
  const segrule::Ruleset& rules = *compiled.ruleset;
  std::printf("ruleset %s version %s (%s)\n", rules.info().name.c_str(), rules.info().version.c_str(),
              rules.info().content_hash.c_str());

  segrule::EvalOptions options;
  options.as_of = "2025-06-30";  // fixed, so the output is reproducible

  // A record as JSON text: numbers are read exactly from their digits.
  segrule::RecordResult r = rules.evaluate(
      R"({"id":"C1","age":52,"retired":false,"occupation":null,"opened":"2012-04-01","risk_level":"C3",)"
      R"("credit_rating":"AA","demand_deposits":100000,"time_deposits":3200000,"wealth_products":1000000,)"
      R"("investments":700000,"loans":0,"aum":5000000.00,"monthly_txn_count":4,"products_held":[]})",
      options);
  std::printf("%s\n", r.ok ? r.json.c_str() : r.error.c_str());

  // The same kind of record built field by field; a missing field is a record error, not an exception.
  segrule::RecordBuilder record;
  record.set_string("id", "C2").set_int("age", 30).set_bool("retired", false).set_null("occupation");
  record.set_string("opened", "2020-01-15").set_string("risk_level", "C2").set_string("credit_rating", "A");
  record.set_number("demand_deposits", "150000").set_number("time_deposits", "50000");
  record.set_number("wealth_products", "0").set_number("investments", "0").set_number("loans", "0");
  record.set_number("aum", "200000.00").set_int("monthly_txn_count", 40).set_strings("products_held", {"debit_card"});
  segrule::RecordResult built = rules.evaluate(record, options);
  std::printf("%s\n", built.ok ? built.json.c_str() : built.error.c_str());

  segrule::RecordResult rejected = rules.evaluate(R"({"id":"C3","age":"forty"})", options);
  std::printf("C3 rejected: %s\n", rejected.error.c_str());
  return r.ok && built.ok && !rejected.ok ? 0 : 1;
}
