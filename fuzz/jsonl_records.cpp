// Fuzz target: bytes as JSON Lines records for a fixed rule file
// (fuzz_support.cpp's kRecordSchema) -> the batch reader and evaluation, with
// and without --explain. See check_records for what must hold. The same bytes
// also go through the reader of a JSON array of records (`--format json`),
// whose splitter sees text it was not written for.

#include "fuzz_support.hpp"

using namespace segrule;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input = fuzz::as_text(data, size);
  fuzz::check_records(fuzz::record_schema(), input, InputFormat::jsonl);
  BatchOptions array;
  array.format = InputFormat::json;
  array.as_of = fuzz::fuzz_as_of();
  fuzz::run_checked_batch(fuzz::record_schema(), input, array);
  return 0;
}
