#pragma once
// What the parser says when a committed rule fails: the words an analyst reads
// instead of a rule name. Every rule used inside `must<>` needs an entry; a
// missing one is a compile error (must_if's static_assert).

#include "grammar.hpp"

namespace segrule::grammar {

struct messages {
  // Only `must<>` raises; a rule with a message may still fail softly elsewhere.
  template <typename Rule>
  static constexpr bool raise_on_failure = false;

  template <typename Rule>
  static constexpr const char* message = nullptr;
};

// clang-format off
template <> inline constexpr const char* messages::message<expr> = "expected an expression";
template <> inline constexpr const char* messages::message<operand> = "expected a value after `-`";
template <> inline constexpr const char* messages::message<unary_expr> = "expected a value after `*` or `/`";
template <> inline constexpr const char* messages::message<mul_expr> = "expected a value after `+` or `-`";
template <> inline constexpr const char* messages::message<add_expr> = "expected a value to compare with";
template <> inline constexpr const char* messages::message<cmp_expr> = "expected a condition after `not`";
template <> inline constexpr const char* messages::message<not_expr> = "expected a condition after `and`";
template <> inline constexpr const char* messages::message<and_expr> = "expected a condition after `or`";
template <> inline constexpr const char* messages::message<or_expr> = "expected a value after `??`";
template <> inline constexpr const char* messages::message<coalesce_expr> = "expected a list after `in`";
template <> inline constexpr const char* messages::message<no_chain> = "comparisons do not chain: join them with `and`, as in `a < b and b < c`";
template <> inline constexpr const char* messages::message<null_lit> = "expected `null` after `is` (write `x is null` or `x is not null`)";
template <> inline constexpr const char* messages::message<paren_close> = "expected `)` to close the parenthesis";
template <> inline constexpr const char* messages::message<list_close> = "expected `,` or `]` to close the list";
template <> inline constexpr const char* messages::message<call_close> = "expected `,` or `)` to close the function call";
template <> inline constexpr const char* messages::message<member_name> = "expected an attribute or value name after `.`";
template <> inline constexpr const char* messages::message<then_kw> = "expected `then` after the condition of `if`";
template <> inline constexpr const char* messages::message<else_kw> = "expected `else`: an `if` needs both branches, as in `if c then a else b`";
template <> inline constexpr const char* messages::message<quant_var> = "expected a variable name after `all` or `any`";
template <> inline constexpr const char* messages::message<quant_in> = "expected `in` and a list, as in `all p in offers: ...`";
template <> inline constexpr const char* messages::message<quant_colon> = "expected `:` before the condition, as in `all p in offers: ...`";
template <> inline constexpr const char* messages::message<escape_code> = "unknown escape: use `\\\"`, `\\\\`, `\\n`, `\\t` or `\\u{4E07}`";
template <> inline constexpr const char* messages::message<string_close> = "unterminated string: close it with `\"` on the same line (write `\\n` for a line break)";
template <> inline constexpr const char* messages::message<string_lit> = "expected a text in double quotes";
template <> inline constexpr const char* messages::message<type> = "expected a type: `string`, `int`, `number`, `money`, `bool`, `date`, `list<...>`, an enum or a catalog";
template <> inline constexpr const char* messages::message<field_type> = "expected a type: `string`, `int`, `number`, `money`, `bool`, `date`, `list<...>`, an enum or a catalog";
template <> inline constexpr const char* messages::message<type_close> = "expected `>` to close `list<...>`";
template <> inline constexpr const char* messages::message<lbracket> = "expected `[` and the enum's values, as in `[C1, C2, C3]`";
template <> inline constexpr const char* messages::message<enum_values> = "expected `[` and the enum's values, as in `[C1, C2, C3]`";
template <> inline constexpr const char* messages::message<enum_values_close> = "expected `,` or `]` to close the list of values";
template <> inline constexpr const char* messages::message<decl_name> = "expected a name for this declaration";
template <> inline constexpr const char* messages::message<block_open> = "expected `{` to open the block";
template <> inline constexpr const char* messages::message<block_close> = "expected `}` to close the block, or another entry";
template <> inline constexpr const char* messages::message<meta_value> = "expected a value: a text in quotes, a date or a number";
template <> inline constexpr const char* messages::message<colon> = "expected `:` between the name and its type";
template <> inline constexpr const char* messages::message<key_field> = "expected the name of the key field after `key`";
template <> inline constexpr const char* messages::message<let_equals> = "expected `=` after the name of the `let`";
template <> inline constexpr const char* messages::message<row_body> = "expected `when` and a condition, or `otherwise`";
template <> inline constexpr const char* messages::message<condition> = "expected a condition";
template <> inline constexpr const char* messages::message<segment_when> = "expected `when` and a condition for this segment";
template <> inline constexpr const char* messages::message<item_values> = "expected `{` and the item's attributes, as in `{ risk: R1 }`";
template <> inline constexpr const char* messages::message<item_close> = "expected `,` or `}` to close the item's attributes";
template <> inline constexpr const char* messages::message<offer_items> = "expected the catalog items to offer, separated by `,`";
template <> inline constexpr const char* messages::message<assign_op> = "expected `=`, `+=`, `offer` or `action`: a strategy sets outputs";
template <> inline constexpr const char* messages::message<strategy_when> = "expected `when` and the condition under which the strategy fires";
template <> inline constexpr const char* messages::message<on_kw> = "expected `on` and the list the constraint filters, as in `on offers as p`";
template <> inline constexpr const char* messages::message<list_name> = "expected the name of a list output after `on`";
template <> inline constexpr const char* messages::message<as_kw> = "expected `as` and a name for each item, as in `on offers as p`";
template <> inline constexpr const char* messages::message<var_name> = "expected a name for each item after `as`";
template <> inline constexpr const char* messages::message<drop_when> = "expected `when` and a condition after `drop`";
template <> inline constexpr const char* messages::message<reason_clause> = "expected `reason \"...\"` after the condition of `drop`";
// clang-format on

// Rules inside `must<>` that cannot fail (`opt<>`, `star<>`) have no message;
// should one ever raise, the analyst still reads words, not a rule name.
template <typename Rule>
struct fallback_control : pegtl::normal<Rule> {
  template <typename ParseInput, typename... States>
  [[noreturn]] static void raise(const ParseInput& in, States&&...) {
    throw pegtl::parse_error("unexpected text here", in);
  }
};

template <typename Rule>
using control = typename pegtl::must_if<messages, fallback_control, false>::template control<Rule>;

}  // namespace segrule::grammar
