// The grammar itself: PEGTL's analysis finds no rule that can loop without
// consuming input, and the whole-file rule accepts the seed policy.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include <tao/pegtl/contrib/analyze.hpp>

#include "grammar/grammar.hpp"

namespace pegtl = tao::pegtl;

TEST_CASE("grammar: pegtl::analyze finds no problems") {
  CHECK(pegtl::analyze<segrule::grammar::file>(1) == 0);
}

TEST_CASE("grammar: the seed policy matches the whole-file rule") {
  std::ifstream in(SEGRULE_SOURCE_DIR "/rulesets/retail-2025.seg");
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  pegtl::memory_input<> input(text, "retail-2025.seg");
  CHECK(pegtl::parse<segrule::grammar::file>(input));
}

TEST_CASE("grammar: keywords are not identifiers") {
  for (const char* word : {"when", "tiers", "otherwise", "and", "not", "is", "pii", "all"}) {
    pegtl::memory_input<> input(word, "word");
    CHECK_FALSE(pegtl::parse<pegtl::seq<segrule::grammar::identifier, pegtl::eof>>(input));
  }
  for (const char* word : {"whenever", "tiers_x", "客户", "储蓄型", "_x1", "andy"}) {
    pegtl::memory_input<> input(word, "word");
    CHECK(pegtl::parse<pegtl::seq<segrule::grammar::identifier, pegtl::eof>>(input));
  }
}
