// Fuzz target: bytes as CSV (a header row, then records) for the fixed rule
// file of fuzz_support.cpp -> the CSV reader and evaluation, with and without
// --explain. See check_records for what must hold.

#include "fuzz_support.hpp"

using namespace segrule;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::check_records(fuzz::record_schema(), fuzz::as_text(data, size), InputFormat::csv);
  return 0;
}
