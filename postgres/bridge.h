/* The C++ side of the PostgreSQL extension, seen from C.
 *
 * PostgreSQL's headers are C and its errors are longjmp()s, which must never
 * cross a C++ frame; segrule reports errors as values and may throw
 * std::bad_alloc. So the two meet here: every function below catches
 * everything, returns plain C data, and never calls into PostgreSQL.
 * segrule_pg.c calls them and turns failures into ereport()s.
 *
 * Strings returned through `char**` or as `char*` are malloc()ed: free them
 * with segpg_free(). A backend is single-threaded; none of this is
 * thread-safe (each backend and each parallel worker has its own cache). */
#ifndef SEGRULE_PG_BRIDGE_H
#define SEGRULE_PG_BRIDGE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A compiled ruleset held by the backend's cache. */
typedef struct segpg_ruleset segpg_ruleset;

/* The compiled ruleset for this rule text: from the cache, or compiled and
 * cached (the least recently used entry makes room). Returns NULL when the
 * text does not compile (*bad_rules set to 1, *message to the rendered
 * diagnostics) or when memory runs out (*bad_rules 0, *message says so).
 * The pointer is valid until the next call of segpg_ruleset_for() or
 * segpg_set_cache_capacity(). */
const segpg_ruleset* segpg_ruleset_for(const char* rules, size_t length, int* bad_rules, char** message);

/* Evaluates one record (JSON text) at `as_of` ("YYYY-MM-DD"). Returns the
 * result object as `segrule eval` prints it, or for a rejected record the
 * error entry {"key":…,"error":…} (key when readable). Returns NULL only when
 * memory runs out (*message says so). */
char* segpg_evaluate(const segpg_ruleset* ruleset, const char* record, size_t length, const char* as_of,
                     char** message);

/* The ruleset's identity as a JSON object (name, title, version, effective,
 * owner, content_hash, file); NULL when memory runs out. */
char* segpg_info(const segpg_ruleset* ruleset, char** message);

/* One diagnostic of `segrule check`; the strings belong to the check result. */
typedef struct segpg_diagnostic {
  const char* severity; /* "error" or "warning" */
  const char* code;     /* "E0001" */
  const char* message;
  const char* help;     /* "" when none */
  int line;             /* 1-based */
  int column;           /* 1-based, in characters */
  size_t note_count;
  const char* const* notes;
} segpg_diagnostic;

typedef struct segpg_check_result segpg_check_result;

/* Runs `segrule check` on rule text (with the static analysis when
 * `analysis` is nonzero). NULL only when memory runs out (*message says so). */
segpg_check_result* segpg_check(const char* rules, size_t length, int analysis, char** message);
size_t segpg_check_count(const segpg_check_result* result);
const segpg_diagnostic* segpg_check_at(const segpg_check_result* result, size_t index);
void segpg_check_free(segpg_check_result* result);

/* The cache's size limit (entries); lowering it evicts at once. */
void segpg_set_cache_capacity(int capacity);

typedef struct segpg_cache_stats {
  long long entries, capacity, hits, compiles, evictions;
} segpg_cache_stats;
segpg_cache_stats segpg_get_cache_stats(void);

void segpg_free(void* text);

#ifdef __cplusplus
}
#endif

#endif /* SEGRULE_PG_BRIDGE_H */
