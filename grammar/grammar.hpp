#pragma once
// The `.seg` language as PEGTL rules. Rules only: the parse tree they select is
// turned into the AST by src/parse/parser.cpp, and every rule that can fail
// inside `must<>` has a message in grammar/messages.hpp.
//
// Conventions: every token rule swallows the whitespace and comments after it
// (`tok<>`), so sequences read like the language. `must<>` commits after a
// keyword: from there on a failure is a syntax error, not a backtrack.

#include <tao/pegtl.hpp>

namespace segrule::grammar {

namespace pegtl = tao::pegtl;
using pegtl::at;
using pegtl::eof;
using pegtl::if_must;
using pegtl::list;
using pegtl::must;
using pegtl::not_at;
using pegtl::not_one;
using pegtl::one;
using pegtl::opt;
using pegtl::plus;
using pegtl::rep;
using pegtl::rep_min_max;
using pegtl::seq;
using pegtl::sor;
using pegtl::star;
using pegtl::until;

// ---- whitespace and comments ----------------------------------------------
struct comment : seq<one<'#'>, until<pegtl::eolf>> {};
struct blank : sor<one<' ', '\t', '\r', '\n', '\v', '\f'>, comment> {};
struct sp : star<blank> {};
template <typename Rule>
struct tok : seq<Rule, sp> {};

// ---- identifiers and keywords ---------------------------------------------
// CJK ideographs may appear anywhere in a name (客户, 储蓄型).
struct cjk : sor<pegtl::utf8::range<0x3400, 0x4DBF>, pegtl::utf8::range<0x4E00, 0x9FFF>,
                 pegtl::utf8::range<0xF900, 0xFAFF>> {};
struct ident_first : sor<pegtl::ascii::alpha, one<'_'>, cjk> {};
struct ident_char : sor<pegtl::ascii::alnum, one<'_'>, cjk> {};

template <typename Word>
struct key : seq<Word, not_at<ident_char>> {};

// clang-format off
struct kw_ruleset : key<TAO_PEGTL_STRING("ruleset")> {};
struct kw_enum : key<TAO_PEGTL_STRING("enum")> {};
struct kw_input : key<TAO_PEGTL_STRING("input")> {};
struct kw_key : key<TAO_PEGTL_STRING("key")> {};
struct kw_let : key<TAO_PEGTL_STRING("let")> {};
struct kw_tiers : key<TAO_PEGTL_STRING("tiers")> {};
struct kw_segments : key<TAO_PEGTL_STRING("segments")> {};
struct kw_catalog : key<TAO_PEGTL_STRING("catalog")> {};
struct kw_output : key<TAO_PEGTL_STRING("output")> {};
struct kw_strategy : key<TAO_PEGTL_STRING("strategy")> {};
struct kw_constraint : key<TAO_PEGTL_STRING("constraint")> {};
struct kw_invariant : key<TAO_PEGTL_STRING("invariant")> {};
struct kw_when : key<TAO_PEGTL_STRING("when")> {};
struct kw_otherwise : key<TAO_PEGTL_STRING("otherwise")> {};
struct kw_score : key<TAO_PEGTL_STRING("score")> {};
struct kw_offer : key<TAO_PEGTL_STRING("offer")> {};
struct kw_action : key<TAO_PEGTL_STRING("action")> {};
struct kw_on : key<TAO_PEGTL_STRING("on")> {};
struct kw_as : key<TAO_PEGTL_STRING("as")> {};
struct kw_drop : key<TAO_PEGTL_STRING("drop")> {};
struct kw_reason : key<TAO_PEGTL_STRING("reason")> {};
struct kw_if : key<TAO_PEGTL_STRING("if")> {};
struct kw_then : key<TAO_PEGTL_STRING("then")> {};
struct kw_else : key<TAO_PEGTL_STRING("else")> {};
struct kw_and : key<TAO_PEGTL_STRING("and")> {};
struct kw_or : key<TAO_PEGTL_STRING("or")> {};
struct kw_not : key<TAO_PEGTL_STRING("not")> {};
struct kw_in : key<TAO_PEGTL_STRING("in")> {};
struct kw_true : key<TAO_PEGTL_STRING("true")> {};
struct kw_false : key<TAO_PEGTL_STRING("false")> {};
struct kw_null : key<TAO_PEGTL_STRING("null")> {};
struct kw_is : key<TAO_PEGTL_STRING("is")> {};
struct kw_pii : key<TAO_PEGTL_STRING("pii")> {};
struct kw_all : key<TAO_PEGTL_STRING("all")> {};
struct kw_any : key<TAO_PEGTL_STRING("any")> {};

struct keyword : sor<kw_ruleset, kw_enum, kw_input, kw_key, kw_let, kw_tiers, kw_segments, kw_catalog,
                     kw_output, kw_strategy, kw_constraint, kw_invariant, kw_when, kw_otherwise, kw_score,
                     kw_offer, kw_action, kw_on, kw_as, kw_drop, kw_reason, kw_if, kw_then, kw_else, kw_and,
                     kw_or, kw_not, kw_in, kw_true, kw_false, kw_null, kw_is, kw_pii, kw_all, kw_any> {};
// clang-format on

struct identifier : seq<not_at<keyword>, ident_first, star<ident_char>> {};
struct name : tok<identifier> {};

// ---- punctuation ------------------------------------------------------------
template <char C>
struct sym : tok<one<C>> {};
struct lbrace : sym<'{'> {};
struct rbrace : sym<'}'> {};
struct lbracket : sym<'['> {};
struct rbracket : sym<']'> {};
struct lparen : sym<'('> {};
struct rparen : sym<')'> {};
struct comma : sym<','> {};
struct colon : sym<':'> {};
struct question : sym<'?'> {};
struct langle : sym<'<'> {};
struct rangle : sym<'>'> {};
struct equals : tok<seq<one<'='>, not_at<one<'='>>>> {};
struct plus_equals : tok<TAO_PEGTL_STRING("+=")> {};

// ---- literals -----------------------------------------------------------------
struct escape_code : sor<one<'"', '\\', 'n', 't'>, seq<one<'u'>, one<'{'>, rep_min_max<1, 6, pegtl::ascii::xdigit>, one<'}'>>> {};
struct escape : seq<one<'\\'>, must<escape_code>> {};
struct string_char : sor<escape, not_one<'"', '\\', '\n', '\r'>> {};
struct string_close : one<'"'> {};
struct string_body : seq<one<'"'>, star<string_char>, must<string_close>> {};
struct string_lit : tok<string_body> {};

struct date_body : seq<rep<4, pegtl::ascii::digit>, one<'-'>, rep<2, pegtl::ascii::digit>, one<'-'>,
                       rep<2, pegtl::ascii::digit>, not_at<pegtl::ascii::digit>> {};
struct date_lit : tok<date_body> {};

struct digits : seq<pegtl::ascii::digit, star<opt<one<'_'>>, pegtl::ascii::digit>> {};
// The unit is captured loosely (any letters, `%`, CJK) so that `5万万` or `12e5`
// gets a precise "invalid unit" error from the parser rather than a vague one here.
struct number_unit : star<sor<one<'%'>, ident_char>> {};
struct number_body : seq<digits, opt<one<'.'>, pegtl::ascii::digit, star<opt<one<'_'>>, pegtl::ascii::digit>>, number_unit> {};
struct number_lit : tok<number_body> {};

struct true_lit : tok<kw_true> {};
struct false_lit : tok<kw_false> {};
struct null_lit : tok<kw_null> {};

// ---- expressions ----------------------------------------------------------------
// Loosest first: if; ??; or; and; not; comparisons / in / is; + -; * /; unary -;
// `.` attribute; calls and parentheses. Binary chains are `star<>` loops (no
// recursion per operand), so only brackets nest, and the parser bounds those.
struct expr;


struct paren_close : rparen {};
struct paren_expr : seq<lparen, must<expr>, must<paren_close>> {};
struct list_close : rbracket {};
struct list_items : list<expr, comma> {};
struct list_lit : seq<lbracket, opt<list_items>, must<list_close>> {};
struct call_close : rparen {};
struct call_args : list<expr, comma> {};
struct call : seq<tok<identifier>, lparen, opt<call_args>, must<call_close>> {};
struct primary : sor<paren_expr, list_lit, call, date_lit, number_lit, string_lit, true_lit, false_lit, null_lit, name> {};

struct member_name : name {};
struct member : seq<sym<'.'>, must<member_name>> {};
struct postfix_expr : seq<primary, star<member>> {};

struct op_neg : tok<one<'-'>> {};
struct operand : postfix_expr {};
struct unary_expr : sor<seq<plus<op_neg>, must<operand>>, operand> {};

struct op_mul : tok<one<'*'>> {};
struct op_div : tok<one<'/'>> {};
struct mul_expr : seq<unary_expr, star<sor<op_mul, op_div>, must<unary_expr>>> {};

struct op_add : tok<seq<one<'+'>, not_at<one<'='>>>> {};
struct op_sub : tok<one<'-'>> {};
struct add_expr : seq<mul_expr, star<sor<op_add, op_sub>, must<mul_expr>>> {};

struct op_eq : tok<TAO_PEGTL_STRING("==")> {};
struct op_ne : tok<TAO_PEGTL_STRING("!=")> {};
struct op_le : tok<TAO_PEGTL_STRING("<=")> {};
struct op_ge : tok<TAO_PEGTL_STRING(">=")> {};
struct op_lt : tok<one<'<'>> {};
struct op_gt : tok<one<'>'>> {};
struct op_in : tok<kw_in> {};
struct op_not_in : seq<tok<kw_not>, tok<kw_in>> {};
struct op_is_not_null : seq<tok<kw_is>, tok<kw_not>, must<null_lit>> {};
struct op_is_null : seq<tok<kw_is>, must<null_lit>> {};
struct cmp_op : sor<op_eq, op_ne, op_le, op_ge, op_lt, op_gt> {};
struct no_chain : not_at<sor<cmp_op, op_in, op_not_in, tok<kw_is>>> {};
struct cmp_tail : sor<seq<cmp_op, must<add_expr>>, seq<sor<op_in, op_not_in>, must<add_expr>>, op_is_not_null, op_is_null> {};
struct cmp_expr : seq<add_expr, opt<cmp_tail, must<no_chain>>> {};

struct op_not : tok<kw_not> {};
struct not_expr : sor<seq<plus<op_not>, must<cmp_expr>>, cmp_expr> {};
struct and_expr : seq<not_expr, star<tok<kw_and>, must<not_expr>>> {};
struct or_expr : seq<and_expr, star<tok<kw_or>, must<and_expr>>> {};
struct coalesce_op : tok<TAO_PEGTL_STRING("??")> {};
struct coalesce_expr : seq<or_expr, star<coalesce_op, must<or_expr>>> {};

struct then_kw : tok<kw_then> {};
struct else_kw : tok<kw_else> {};
struct if_expr : seq<tok<kw_if>, must<expr>, must<then_kw>, must<expr>, must<else_kw>, must<expr>> {};

// Quantifiers for invariants: `all p in offers: COND`.
struct quant_var : name {};
struct quant_in : tok<kw_in> {};
struct quant_colon : colon {};
struct quant_all : tok<kw_all> {};
struct quant_any : tok<kw_any> {};
struct quantifier : seq<sor<quant_all, quant_any>, must<quant_var>, must<quant_in>, must<coalesce_expr>, must<quant_colon>, must<expr>> {};

struct expr : sor<if_expr, quantifier, coalesce_expr> {};

// ---- types --------------------------------------------------------------------
struct type;
struct type_close : rangle {};
struct list_type : seq<tok<TAO_PEGTL_KEYWORD("list")>, langle, must<type>, must<type_close>> {};
struct enum_values_close : rbracket {};
struct enum_value : seq<name, opt<string_lit>> {};
struct enum_values : seq<must<lbracket>, list<enum_value, comma>, must<enum_values_close>> {};
struct inline_enum : seq<tok<kw_enum>, must<enum_values>> {};
struct named_type : name {};
struct nullable_mark : question {};
struct type : seq<sor<list_type, inline_enum, named_type>, opt<nullable_mark>> {};

// ---- declarations ---------------------------------------------------------------
struct decl_name : name {};
struct label : string_lit {};
struct block_open : lbrace {};
struct block_close : rbrace {};
struct condition : expr {};

// ruleset NAME { title "..." version "..." effective 2025-06-01 owner "..." }
struct meta_value : sor<string_lit, date_lit, number_lit> {};
struct meta_entry : seq<name, must<meta_value>> {};
struct ruleset_decl : if_must<tok<kw_ruleset>, decl_name, block_open, star<meta_entry>, block_close> {};

// enum NAME [A, B, C]
struct enum_decl : if_must<tok<kw_enum>, decl_name, enum_values> {};

// input NAME key FIELD { FIELD : TYPE [pii] [= DEFAULT] ... }
struct field_type : type {};
struct pii_mark : tok<kw_pii> {};
struct default_value : seq<equals, must<expr>> {};
struct field_decl : seq<name, must<colon>, must<field_type>, opt<pii_mark>, opt<default_value>> {};
struct key_field : name {};
struct key_clause : if_must<tok<kw_key>, key_field> {};
struct input_decl : if_must<tok<kw_input>, decl_name, opt<key_clause>, block_open, star<field_decl>, block_close> {};

// let NAME = EXPR
struct let_equals : equals {};
struct let_decl : if_must<tok<kw_let>, decl_name, let_equals, expr> {};

// tiers NAME { ID "label" when COND ... ID "label" otherwise }
struct row_name : name {};
struct otherwise_mark : tok<kw_otherwise> {};
struct when_clause : if_must<tok<kw_when>, condition> {};
struct row_body : sor<when_clause, otherwise_mark> {};
struct tier_row : seq<row_name, opt<label>, must<row_body>> {};
struct tiers_decl : if_must<tok<kw_tiers>, decl_name, block_open, star<tier_row>, block_close> {};

// segments NAME { ID "label" when COND [score EXPR] ... }
struct score_clause : if_must<tok<kw_score>, expr> {};
struct segment_when : when_clause {};
struct segment_row : seq<row_name, opt<label>, must<segment_when>, opt<score_clause>> {};
struct segments_decl : if_must<tok<kw_segments>, decl_name, block_open, star<segment_row>, block_close> {};

// catalog NAME { ATTR : TYPE [= DEFAULT] ...  ITEM "label" { ATTR: VALUE, ... } ... }
struct attr_value : seq<name, must<colon>, must<expr>> {};
struct item_close : rbrace {};
struct item_values : seq<lbrace, opt<list<attr_value, comma>>, must<item_close>> {};
struct catalog_item : seq<row_name, opt<label>, must<item_values>> {};
struct catalog_attr : seq<name, colon, must<field_type>, opt<default_value>> {};
struct catalog_decl : if_must<tok<kw_catalog>, decl_name, block_open, star<sor<catalog_attr, catalog_item>>, block_close> {};

// output { FIELD : TYPE [= DEFAULT] ... }
struct output_decl : if_must<tok<kw_output>, block_open, star<field_decl>, block_close> {};

// strategy ID "label" when COND { STATEMENT [when COND] ... }
struct offer_item : seq<name, opt<member>> {};
struct offer_items : list<offer_item, comma> {};
struct offer_stmt : if_must<tok<kw_offer>, offer_items> {};
struct action_stmt : if_must<tok<kw_action>, expr> {};
struct assign_target : name {};
struct assign_op : sor<plus_equals, equals> {};
struct assign_stmt : seq<assign_target, must<assign_op>, must<expr>> {};
struct statement_when : when_clause {};
struct statement : seq<sor<offer_stmt, action_stmt, assign_stmt>, opt<statement_when>> {};
struct strategy_when : when_clause {};
struct strategy_decl : if_must<tok<kw_strategy>, decl_name, opt<label>, strategy_when, block_open, star<statement>, block_close> {};

// constraint ID "label" on LIST as VAR { drop when COND reason "text" ... }
struct on_kw : tok<kw_on> {};
struct as_kw : tok<kw_as> {};
struct list_name : name {};
struct var_name : name {};
struct reason_clause : if_must<tok<kw_reason>, string_lit> {};
struct drop_when : when_clause {};
struct drop_row : if_must<tok<kw_drop>, drop_when, reason_clause> {};
struct constraint_decl : if_must<tok<kw_constraint>, decl_name, opt<label>, on_kw, list_name, as_kw, var_name, block_open, star<drop_row>, block_close> {};

// invariant ID "label" { EXPR }
struct invariant_decl : if_must<tok<kw_invariant>, decl_name, opt<label>, block_open, expr, block_close> {};

struct declaration : sor<ruleset_decl, enum_decl, input_decl, let_decl, tiers_decl, segments_decl, catalog_decl,
                         output_decl, strategy_decl, constraint_decl, invariant_decl> {};

// One declaration at a time: the parser drives this rule in a loop so that it
// can report an error and resume at the next declaration.
struct one_declaration : seq<sp, declaration, sp> {};

// The whole file, for `pegtl::analyze` and for tools that want a single pass.
struct file : seq<sp, star<declaration>, eof> {};

}  // namespace segrule::grammar
