-- segrule 0.1: evaluate segmentation rule files (.seg) on jsonb records.
-- See docs/postgres.md.
\echo Use "CREATE EXTENSION segrule" to load this file. \quit

-- The result object `segrule eval` prints for the record, or for a record that
-- cannot be evaluated an error entry {"key": …, "error": …}. Rules that do not
-- compile raise an ERROR with the diagnostics.
--
-- IMMUTABLE: the result depends on the arguments only. The default as_of, today
-- in UTC as the command line takes it, is worked out by the caller's query, once
-- per transaction (now() is the transaction's start), so it is a constant when
-- the query reaches parallel workers or Citus/Greenplum segments.
CREATE FUNCTION segrule_eval(rules text, record jsonb,
                             as_of date DEFAULT (now() AT TIME ZONE 'UTC')::date)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'pg_segrule_eval'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 1000;

-- What `segrule check` reports for the rule text, one row per diagnostic
-- (errors, then the analysis's warnings); no rows when the text is clean.
-- line and "column" are 1-based (column counts characters); notes carry the
-- analysis's example records. analysis => false skips the static analysis.
CREATE FUNCTION segrule_check(rules text, analysis boolean DEFAULT true,
                              OUT severity text, OUT code text, OUT message text, OUT help text,
                              OUT line integer, OUT "column" integer, OUT notes text[])
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'pg_segrule_check'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 10000 ROWS 5;

-- The ruleset's identity: name, title, version, effective, owner, content_hash.
CREATE FUNCTION segrule_info(rules text)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'pg_segrule_info'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- This backend's cache of compiled rulesets (each backend and parallel worker has its own).
CREATE FUNCTION segrule_cache_stats(OUT entries integer, OUT capacity integer,
                                    OUT hits bigint, OUT compiles bigint, OUT evictions bigint)
RETURNS record
AS 'MODULE_PATHNAME', 'pg_segrule_cache_stats'
LANGUAGE C VOLATILE STRICT PARALLEL RESTRICTED;

-- The engine's version, e.g. '0.1.0'.
CREATE FUNCTION segrule_version()
RETURNS text
AS 'MODULE_PATHNAME', 'pg_segrule_version'
LANGUAGE C STABLE PARALLEL SAFE;
