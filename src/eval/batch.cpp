#include "eval/batch.hpp"

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <streambuf>
#include <thread>

#include "eval/fast_record.hpp"
#include "eval/record_stream.hpp"
#include "explain/explain.hpp"

namespace segrule {

namespace {

// Records go through in blocks: the calling thread reads a block while worker
// threads evaluate the blocks before it, and blocks are written in input
// order. So the output never depends on the number of threads, and memory is
// bounded by the blocks in flight, whatever the size of the input. A JSON
// Lines block is the whole lines of one read (about 2,800 customers per MiB)
// and at most kBlockRecords; CSV and JSON array blocks are kBlockRecords records.
constexpr size_t kBlockRecords = 4096;
constexpr size_t kReadBytes = 1 << 20;

struct Block {
  LineBlock lines;                 // JSON Lines: the records, as views into the block's own bytes
  std::vector<RawRecord> records;  // CSV and JSON arrays; reused from block to block: their strings keep their capacity
  size_t count = 0;                // records of this block (records.size() may be more)
  std::string out;                 // every output line of the block, one after the other
  std::vector<size_t> ends;        // where each record's line ends in `out`
  std::vector<uint8_t> is_error;
  bool done = false;               // evaluated; guarded by the pipeline's mutex
};

// What one thread keeps from record to record, so evaluating allocates nothing.
struct Worker {
  Outcome outcome;
  std::vector<Value> inputs;  // --explain: the inputs as read, before evaluation
  RawRecord line;             // JSON Lines: the line number of the record being read (no early error)
};

class BlockEvaluator {
 public:
  BlockEvaluator(const Program& p, const BatchOptions& options) : p_(p), options_(options), fast_(p) {}

  // CSV: the header's columns, set before the first block is evaluated.
  void set_columns(CsvColumns columns) { columns_ = std::move(columns); }

  void run(Block& b, Worker& w) const {
    b.out.clear();
    b.ends.clear();
    b.is_error.clear();
    const bool jsonl = options_.format == InputFormat::jsonl;
    for (size_t i = 0; i < b.count; ++i) {
      bool evaluated;
      if (!jsonl) {
        evaluated = evaluate_record(b.records[i], b.records[i].text, w, b.out);
      } else {
        const LineBlock::Line& line = b.lines.lines[i];
        if (line.error != LineBlock::kNoError) {
          evaluated = evaluate_record(b.lines.errors[line.error], {}, w, b.out);
        } else {
          w.line.line = line.line;
          evaluated = evaluate_record(w.line, b.lines.text(line), w, b.out);
        }
      }
      b.is_error.push_back(!evaluated);
      b.ends.push_back(b.out.size());
    }
  }

 private:
  // Appends the record's result line, or its error entry (returns false).
  // `raw` gives the line, an early error or CSV cells; `text` is a JSON record's text.
  bool evaluate_record(const RawRecord& raw, std::string_view text, Worker& w, std::string& out) const {
    const Program& p = p_;
    RecordProblem problem;
    reset_outcome(p, w.outcome);
    Value& as_of = w.outcome.slots[p.as_of_slot];
    as_of.kind = ValueKind::date;
    as_of.date = options_.as_of;
    bool ok;
    bool fast = false;
    if (!raw.early_error.empty()) {
      problem.message = raw.early_error;
      problem.key = raw.key;
      ok = false;
    } else if (options_.format == InputFormat::csv) {
      ok = record_from_csv(p, columns_, raw.cells, w.outcome.slots, problem);
    } else {
      // The fast reader takes the common shapes; anything else, errors included,
      // is read again by the full reader, which says exactly what is wrong.
      ok = fast_.read_or_fall_back(text, options_.limits, w.outcome.slots, problem, &fast);
    }
    bool evaluated = false;
    if (ok) {
      if (options_.explain) w.inputs = w.outcome.slots;  // explain_json evaluates again, with its own trace
      EvalError err;
      evaluated = evaluate(p, w.outcome, err, nullptr);
      if (!evaluated) {
        problem.message = std::move(err.message);
        // The entry names the record by its key as written (`1.50`, not `1.5`):
        // the fast reader keeps no text, so the full reader reads it again.
        if (fast) {
          RecordProblem again;
          record_from_json(p, text, options_.limits, w.outcome.slots, again);
          problem.key = std::move(again.key);
        }
      }
    }
    if (evaluated) writer_.write(w.outcome, out);
    else write_error(raw.line, problem.key, problem.message, out);
    if (options_.explain) {  // the line just written ends `out`: its object gets one more member
      ExplainOptions explain{options_.show_pii, false};
      add_member(out, "explain",
                 ok ? explain_json(p, w.inputs, explain) : explain_record_error_json(p, problem, options_.as_of, explain));
    }
    return evaluated;
  }

  const Program& p_;
  const BatchOptions& options_;
  FastRecordReader fast_;
  ResultWriter writer_{p_};
  CsvColumns columns_;
};

// Evaluates blocks on `threads` worker threads, or on the calling thread when
// there is one. Destroying it stops the workers after their current block.
class Pipeline {
 public:
  Pipeline(const BlockEvaluator& evaluator, unsigned threads) : evaluator_(evaluator) {
    if (threads <= 1) return;
    for (unsigned t = 0; t < threads; ++t) workers_.emplace_back([this] { work(); });
  }
  ~Pipeline() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    wake_workers_.notify_all();
    for (auto& t : workers_) t.join();
  }
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  bool threaded() const { return !workers_.empty(); }

  void submit(Block& b) {
    if (!threaded()) {
      evaluator_.run(b, inline_worker_);
      b.done = true;
      return;
    }
    {
      std::lock_guard lock(mutex_);
      b.done = false;
      queue_.push_back(&b);
    }
    wake_workers_.notify_one();
  }

  void wait(Block& b) {
    if (!threaded()) return;
    std::unique_lock lock(mutex_);
    block_done_.wait(lock, [&] { return b.done; });
  }

 private:
  void work() {
    Worker worker;
    for (;;) {
      Block* b = nullptr;
      {
        std::unique_lock lock(mutex_);
        wake_workers_.wait(lock, [&] { return stop_ || !queue_.empty(); });
        if (stop_) return;
        b = queue_.front();
        queue_.pop_front();
      }
      evaluator_.run(*b, worker);
      {
        std::lock_guard lock(mutex_);
        b->done = true;
      }
      block_done_.notify_all();
    }
  }

  const BlockEvaluator& evaluator_;
  Worker inline_worker_;
  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_workers_, block_done_;
  std::deque<Block*> queue_;
  bool stop_ = false;
};

// Reads up to kBlockRecords records into `b`; false when there are none left.
bool fill_block(RecordStream& stream, Block& b) {
  if (stream.format() == InputFormat::jsonl) {
    stream.next_lines(b.lines, kBlockRecords);
    b.count = b.lines.lines.size();
    return b.count > 0;
  }
  b.count = 0;
  while (b.count < kBlockRecords) {
    if (b.records.size() == b.count) b.records.emplace_back();
    if (!stream.next(b.records[b.count])) break;
    ++b.count;
  }
  return b.count > 0;
}

// An istream over text in memory, without copying it.
class ViewBuffer : public std::streambuf {
 public:
  explicit ViewBuffer(std::string_view text) {
    // The get area is only read; streambuf's interface is not const-correct.
    char* begin = const_cast<char*>(text.data());
    setg(begin, begin, begin + text.size());
  }
};

bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() > suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

}  // namespace

InputFormat input_format_for(std::string_view path) {
  if (ends_with(path, ".csv")) return InputFormat::csv;
  if (ends_with(path, ".json")) return InputFormat::json;
  return InputFormat::jsonl;
}

BatchCounts run_batch(const Program& p, std::istream& input, const BatchOptions& options, const BatchSink& sink) {
  BatchCounts counts;
  std::string key_field = p.key_field == kNone ? std::string() : p.inputs[p.key_field].name;
  RecordStream stream(input, options.format, options.limits, kReadBytes, key_field);
  BlockEvaluator evaluator(p, options);
  unsigned threads = std::max(1u, options.threads);
  // Declared before the pipeline, so the workers stop before the blocks go.
  std::deque<std::unique_ptr<Block>> in_flight;
  std::vector<std::unique_ptr<Block>> spare;
  Pipeline pipeline(evaluator, threads);
  // Enough blocks queued that no worker waits while the results of one are written.
  size_t max_in_flight = pipeline.threaded() ? 2 * threads : 0;
  bool columns_set = false;

  auto write_oldest = [&] {
    Block& b = *in_flight.front();
    pipeline.wait(b);
    size_t begin = 0;
    for (size_t i = 0; i < b.count; ++i) {
      ++counts.read;
      ++(b.is_error[i] ? counts.errors : counts.results);
      sink(b.is_error[i], std::string_view(b.out.data() + begin, b.ends[i] - begin));
      begin = b.ends[i];
    }
    spare.push_back(std::move(in_flight.front()));
    in_flight.pop_front();
  };

  for (;;) {
    std::unique_ptr<Block> b;
    if (spare.empty()) {
      b = std::make_unique<Block>();
    } else {
      b = std::move(spare.back());
      spare.pop_back();
    }
    if (!fill_block(stream, *b)) break;
    if (options.format == InputFormat::csv && !columns_set) {
      evaluator.set_columns(csv_columns(p, stream.header()));  // the header was read with the first row
      columns_set = true;
    }
    pipeline.submit(*b);
    in_flight.push_back(std::move(b));
    while (in_flight.size() > max_in_flight) write_oldest();
  }
  while (!in_flight.empty()) write_oldest();
  counts.input_failed = stream.failed();
  return counts;
}

BatchCounts run_batch(const Program& program, std::string_view input, const BatchOptions& options, const BatchSink& sink) {
  ViewBuffer buffer(input);
  std::istream in(&buffer);
  return run_batch(program, in, options, sink);
}

}  // namespace segrule
