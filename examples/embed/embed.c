/* Embedding segrule from C: compile, evaluate one record, read an error.
 *
 *   embed_c RULES.seg */
#include <stdio.h>
#include <string.h>

#include <segrule/segrule.h>

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: embed_c RULES.seg\n");
    return 2;
  }
  segrule_ruleset* rules = segrule_compile_file(argv[1]);
  if (!rules) {
    fputs(segrule_last_error(), stderr);
    return 1;
  }
  char* info = segrule_ruleset_info(rules);
  printf("%s\n", info);
  segrule_free_string(info);

  const char* record =
      "{\"id\":\"C1\",\"age\":52,\"retired\":false,\"occupation\":null,\"opened\":\"2012-04-01\","
      "\"risk_level\":\"C3\",\"credit_rating\":\"AA\",\"demand_deposits\":100000,\"time_deposits\":3200000,"
      "\"wealth_products\":1000000,\"investments\":700000,\"loans\":0,\"aum\":5000000.00,"
      "\"monthly_txn_count\":4,\"products_held\":[]}";
  const char* options = "{\"as_of\":\"2025-06-30\"}";
  char* result = segrule_evaluate(rules, record, strlen(record), options);
  if (!result) {
    fprintf(stderr, "segrule_evaluate: %s\n", segrule_last_error());
    segrule_ruleset_free(rules);
    return 1;
  }
  printf("%s\n", result);
  segrule_free_string(result);

  /* A record error comes back as {"ok":false,...}, not as an API error. */
  const char* bad = "{\"id\":\"C3\",\"age\":\"forty\"}";
  char* rejected = segrule_evaluate(rules, bad, strlen(bad), options);
  printf("%s\n", rejected);
  segrule_free_string(rejected);

  /* A malformed options object is an API error: NULL and a message. */
  char* none = segrule_evaluate(rules, record, strlen(record), "{\"as_of\":20250630}");
  printf("API error: %s\n", none ? "(none)" : segrule_last_error());
  segrule_free_string(none);

  segrule_ruleset_free(rules);
  return 0;
}
