/* segrule C API: compile a rule file, evaluate records, reload, from any
 * language with a C FFI. UTF-8 JSON text in and out; no C++ types.
 *
 * Stability: within a major version (segrule 0.x counts as major 0) existing
 * functions keep their names, signatures and meaning; new functions may be
 * added in a minor version. Handles are opaque: never rely on their layout.
 *
 * Memory: every `char*` returned by this API is owned by the caller and is
 * freed with segrule_free_string(). Handles are freed with their _free
 * function. Strings passed in are only read during the call.
 *
 * Errors: functions that can fail return NULL (or a negative status) and
 * leave a message for the calling thread in segrule_last_error().
 *
 * Threads: a segrule_ruleset and a segrule_engine may be used from many
 * threads at once; segrule_last_error() is per thread. */
#ifndef SEGRULE_H
#define SEGRULE_H

#include <stddef.h>

#include "segrule/export.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SEGRULE_C_API_VERSION 1

typedef struct segrule_ruleset segrule_ruleset;
typedef struct segrule_engine segrule_engine;

/* The version of the library, e.g. "0.1.0". Static storage: do not free. */
SEGRULE_API const char* segrule_version(void);

/* The last error of the calling thread: a diagnostic text (with file:line:column
 * for rule files), or "" when there is none. Valid until the next call on this thread. */
SEGRULE_API const char* segrule_last_error(void);

/* Frees a string returned by this API. NULL is allowed. */
SEGRULE_API void segrule_free_string(char* text);

/* Compiles rule text of `length` bytes; `file_name` (may be NULL) names it in
 * diagnostics. Returns NULL when it does not compile; the diagnostics are then
 * in segrule_last_error(). */
SEGRULE_API segrule_ruleset* segrule_compile(const char* text, size_t length, const char* file_name);
/* Reads and compiles a file. NULL on failure, as segrule_compile. */
SEGRULE_API segrule_ruleset* segrule_compile_file(const char* path);
SEGRULE_API void segrule_ruleset_free(segrule_ruleset* ruleset);

/* The ruleset's identity as a JSON object:
 * {"name":…,"title":…,"version":…,"effective":…,"owner":…,"content_hash":"sha256:…","file":…} */
SEGRULE_API char* segrule_ruleset_info(const segrule_ruleset* ruleset);

/* Evaluation options as a JSON object, or NULL for the defaults:
 * {"as_of":"2025-06-30","explain":false,"show_pii":false}.
 *
 * Evaluates one record (a JSON object of `length` bytes). Returns a JSON object:
 *   {"ok":true,"result":{…the result as `segrule eval` prints it…},"content_hash":"sha256:…"}
 *   {"ok":false,"error":"…","key":"…","content_hash":"sha256:…"}   (key when readable)
 * A record error is not an API error: it comes back in the returned object.
 * Returns NULL only for an API error (a NULL argument, malformed options). */
SEGRULE_API char* segrule_evaluate(const segrule_ruleset* ruleset, const char* record, size_t length, const char* options);

/* Evaluates a whole input: `format` is "jsonl", "json" or "csv". Writes the
 * result lines (JSON Lines) to *results and the error entries (JSON Lines) to
 * *errors, both caller-owned. Returns the number of records read (results +
 * errors), or -1 for an API error. */
SEGRULE_API long long segrule_evaluate_batch(const segrule_ruleset* ruleset, const char* input, size_t length, const char* format,
                                 const char* options, char** results, char** errors);

/* The explain account of one record: text, or JSON when as_json is nonzero. */
SEGRULE_API char* segrule_explain(const segrule_ruleset* ruleset, const char* record, size_t length, const char* options,
                      int as_json);

/* An engine serving the rule file at `path`, reloadable. NULL when the file
 * does not compile (diagnostics in segrule_last_error()). */
SEGRULE_API segrule_engine* segrule_engine_open(const char* path);
SEGRULE_API void segrule_engine_free(segrule_engine* engine);

/* Re-reads the file. Returns 1 when the new version is serving, 0 when it did
 * not compile and the old version keeps serving (diagnostics in
 * segrule_last_error()), -1 for an API error. */
SEGRULE_API int segrule_engine_reload(segrule_engine* engine);

/* The version serving now, as a ruleset the caller owns (free it with
 * segrule_ruleset_free); it stays valid and unchanged across later reloads. */
SEGRULE_API segrule_ruleset* segrule_engine_current(const segrule_engine* engine);

/* segrule_evaluate on the version serving now. */
SEGRULE_API char* segrule_engine_evaluate(const segrule_engine* engine, const char* record, size_t length, const char* options);

#ifdef __cplusplus
}
#endif

#endif /* SEGRULE_H */
