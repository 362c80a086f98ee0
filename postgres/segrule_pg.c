/* segrule as a PostgreSQL extension: the SQL-callable functions.
 *
 * The engine is C++; everything that touches it goes through bridge.h, which
 * never throws and never calls PostgreSQL, so an ereport() (a longjmp) only
 * ever crosses the C frames of this file. Strings the bridge returns are
 * malloc()ed and copied into palloc()ed memory at once (take_string). */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/fmgrprotos.h"
#include "utils/guc.h"
#include "utils/jsonb.h"

#include "bridge.h"
#include "segrule/segrule.h"

PG_MODULE_MAGIC;

/* segrule.cache_size: compiled rulesets kept per backend. */
static int cache_size = 16;

static void assign_cache_size(int value, void* extra) {
  (void)extra;
  segpg_set_cache_capacity(value);
}

void _PG_init(void);
void _PG_init(void) {
  DefineCustomIntVariable("segrule.cache_size", "Compiled rulesets kept per backend (least recently used go first).",
                          NULL, &cache_size, 16, 1, 1024, PGC_USERSET, 0, NULL, assign_cache_size, NULL);
  MarkGUCPrefixReserved("segrule");
}

/* Copies a malloc()ed string from the bridge into palloc()ed memory and
 * frees it, even when palloc fails. */
static char* take_string(char* text) {
  char* volatile copy = NULL;
  PG_TRY();
  { copy = pstrdup(text); }
  PG_FINALLY();
  { segpg_free(text); }
  PG_END_TRY();
  return copy;
}

/* A failure of the bridge other than bad rules: it only fails when memory runs out. */
static void bridge_failed(char* message) pg_attribute_noreturn();
static void bridge_failed(char* message) {
  const char* text = message ? take_string(message) : "out of memory";
  ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("segrule: %s", text)));
}

/* Text in the database's encoding as UTF-8, which segrule reads. */
static const char* to_utf8(const char* text, size_t* length) {
  const char* converted = pg_server_to_any(text, (int)*length, PG_UTF8);
  if (converted != text) *length = strlen(converted);
  return converted;
}

/* The jsonb value of JSON text in UTF-8. */
static Datum jsonb_from_utf8(const char* json) {
  char* server = pg_any_to_server(json, (int)strlen(json), PG_UTF8);
  return DirectFunctionCall1(jsonb_in, CStringGetDatum(server));
}

/* The compiled ruleset for the `rules` argument; rules that do not compile
 * are a bug in the query, so they stop it with the diagnostics. */
static const segpg_ruleset* ruleset_argument(text* rules) {
  size_t length = VARSIZE_ANY_EXHDR(rules);
  const char* utf8 = to_utf8(VARDATA_ANY(rules), &length);
  char* message = NULL;
  int bad_rules = 0;
  const segpg_ruleset* ruleset = segpg_ruleset_for(utf8, length, &bad_rules, &message);
  if (ruleset) return ruleset;
  if (!bad_rules || !message) bridge_failed(message);
  {
    char* utf8_rendered = take_string(message);
    char* rendered = pg_any_to_server(utf8_rendered, (int)strlen(utf8_rendered), PG_UTF8);
    ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("segrule: the rules do not compile"),
                    errdetail("%s", rendered),
                    errhint("SELECT * FROM segrule_check(rules) lists the diagnostics as rows.")));
  }
  pg_unreachable();
}

/* The evaluation date as segrule writes it; only a real calendar date will do. */
static void as_of_text(DateADT date, char out[11]) {
  int year, month, day;
  if (DATE_NOT_FINITE(date))
    ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("segrule: as_of must be a finite date")));
  j2date(date + POSTGRES_EPOCH_JDATE, &year, &month, &day);
  if (year < 1 || year > 9999)
    ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                    errmsg("segrule: as_of must fall in the years 1 to 9999")));
  snprintf(out, 11, "%04d-%02d-%02d", year, month, day);
}

/* segrule_eval(rules text, record jsonb, as_of date) returns jsonb: the
 * result object, or an error entry {"key":…,"error":…} for a record that
 * cannot be evaluated (a value, not an SQL error). */
PG_FUNCTION_INFO_V1(pg_segrule_eval);
Datum pg_segrule_eval(PG_FUNCTION_ARGS) {
  text* rules = PG_GETARG_TEXT_PP(0);
  Jsonb* record = PG_GETARG_JSONB_P(1);
  char as_of[11];
  const segpg_ruleset* ruleset;
  char* record_text;
  size_t record_length;
  const char* record_utf8;
  char* message = NULL;
  char* result;

  as_of_text(PG_GETARG_DATEADT(2), as_of);
  ruleset = ruleset_argument(rules);
  record_text = JsonbToCString(NULL, &record->root, VARSIZE(record));
  record_length = strlen(record_text);
  record_utf8 = to_utf8(record_text, &record_length);
  result = segpg_evaluate(ruleset, record_utf8, record_length, as_of, &message);
  if (!result) bridge_failed(message);
  PG_RETURN_DATUM(jsonb_from_utf8(take_string(result)));
}

/* segrule_info(rules text) returns jsonb: name, version, content_hash, … */
PG_FUNCTION_INFO_V1(pg_segrule_info);
Datum pg_segrule_info(PG_FUNCTION_ARGS) {
  const segpg_ruleset* ruleset = ruleset_argument(PG_GETARG_TEXT_PP(0));
  char* message = NULL;
  char* info = segpg_info(ruleset, &message);
  if (!info) bridge_failed(message);
  PG_RETURN_DATUM(jsonb_from_utf8(take_string(info)));
}

static Datum text_from_utf8(const char* utf8) {
  return CStringGetTextDatum(pg_any_to_server(utf8, (int)strlen(utf8), PG_UTF8));
}

/* One row of segrule_check per diagnostic. */
static void put_diagnostic(Tuplestorestate* store, TupleDesc desc, const segpg_diagnostic* d) {
  Datum values[7];
  bool nulls[7] = {false, false, false, false, false, false, false};
  Datum* notes = palloc(sizeof(Datum) * (d->note_count ? d->note_count : 1));
  size_t i;

  values[0] = CStringGetTextDatum(d->severity);
  values[1] = CStringGetTextDatum(d->code);
  values[2] = text_from_utf8(d->message);
  values[3] = text_from_utf8(d->help);
  nulls[3] = d->help[0] == '\0';
  values[4] = Int32GetDatum(d->line);
  values[5] = Int32GetDatum(d->column);
  nulls[4] = nulls[5] = d->line == 0; /* a diagnostic about the whole text */
  for (i = 0; i < d->note_count; ++i) notes[i] = text_from_utf8(d->notes[i]);
  values[6] = PointerGetDatum(construct_array(notes, (int)d->note_count, TEXTOID, -1, false, TYPALIGN_INT));
  tuplestore_putvalues(store, desc, values, nulls);
}

/* segrule_check(rules text, analysis boolean) returns setof record: what
 * `segrule check` reports, one row per diagnostic; no rows when clean. */
PG_FUNCTION_INFO_V1(pg_segrule_check);
Datum pg_segrule_check(PG_FUNCTION_ARGS) {
  text* rules = PG_GETARG_TEXT_PP(0);
  bool analysis = PG_GETARG_BOOL(1);
  ReturnSetInfo* rsinfo = (ReturnSetInfo*)fcinfo->resultinfo;
  size_t length = VARSIZE_ANY_EXHDR(rules);
  const char* utf8;
  char* message = NULL;
  segpg_check_result* volatile result;

  InitMaterializedSRF(fcinfo, 0);
  utf8 = to_utf8(VARDATA_ANY(rules), &length);
  result = segpg_check(utf8, length, analysis, &message);
  if (!result) bridge_failed(message);
  PG_TRY();
  {
    size_t i, count = segpg_check_count(result);
    for (i = 0; i < count; ++i) put_diagnostic(rsinfo->setResult, rsinfo->setDesc, segpg_check_at(result, i));
  }
  PG_FINALLY();
  { segpg_check_free(result); }
  PG_END_TRY();
  return (Datum)0;
}

/* segrule_cache_stats(): this backend's cache of compiled rulesets. */
PG_FUNCTION_INFO_V1(pg_segrule_cache_stats);
Datum pg_segrule_cache_stats(PG_FUNCTION_ARGS) {
  segpg_cache_stats stats = segpg_get_cache_stats();
  TupleDesc desc;
  Datum values[5];
  bool nulls[5] = {false, false, false, false, false};

  if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
    ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED), errmsg("segrule: the result type must be a record")));
  values[0] = Int32GetDatum((int32)stats.entries);
  values[1] = Int32GetDatum((int32)stats.capacity);
  values[2] = Int64GetDatum(stats.hits);
  values[3] = Int64GetDatum(stats.compiles);
  values[4] = Int64GetDatum(stats.evictions);
  PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(desc), values, nulls)));
}

/* segrule_version(): the engine's version, as `segrule version` prints it. */
PG_FUNCTION_INFO_V1(pg_segrule_version);
Datum pg_segrule_version(PG_FUNCTION_ARGS) {
  (void)fcinfo;
  PG_RETURN_TEXT_P(cstring_to_text(segrule_version()));
}
