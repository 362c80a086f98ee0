#include "eval/batch.hpp"

#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <streambuf>
#include <thread>
#include <type_traits>

#include "eval/fast_record.hpp"
#include "eval/record_stream.hpp"
#include "explain/explain.hpp"

namespace segrule {

namespace {

// Records go through in blocks, read, evaluated and written in input order
// (with threads, see ThreadedRun). So the output never depends on the number
// of threads, and memory is bounded by the blocks in flight, whatever the
// size of the input. A JSON
// Lines block is the whole lines of one read (about 2,800 customers per MiB)
// and at most kBlockRecords; CSV and JSON array blocks are kBlockRecords records.
constexpr size_t kBlockRecords = 4096;
constexpr size_t kReadBytes = 1 << 20;

struct Block {
  LineBlock lines;                 // JSON Lines: the records, as views into the block's own bytes
  std::vector<RawRecord> records;  // CSV and JSON arrays; reused from block to block: their strings keep their capacity
  size_t count = 0;                // records of this block (records.size() may be more)
  // Every output line of the block, each ending in a newline: out[0, used).
  // The string keeps its size from block to block, so the writer finds room
  // already made instead of growing (and zeroing) it for every record.
  std::string out;
  size_t used = 0;
  std::vector<size_t> ends;        // where each record's line ends in `out`, after its newline
  std::vector<uint8_t> is_error;
  size_t errors = 0;               // how many of is_error are set
  bool done = false;               // evaluated; guarded by ThreadedRun's mutex
};

// What one thread keeps from record to record, so evaluating allocates nothing.
struct Worker {
  Outcome outcome;
  std::vector<Value> inputs;  // --explain: the inputs as read, before evaluation
  RawRecord line;             // JSON Lines: the line number of the record being read (no early error)
  std::string entry;          // an error entry, or a result with --explain, before it joins the block
};

class BlockEvaluator {
 public:
  BlockEvaluator(const Program& p, const BatchOptions& options) : p_(p), options_(options), fast_(p) {}

  // CSV: the header's columns, set before the first block is evaluated.
  void set_columns(CsvColumns columns) { columns_ = std::move(columns); }

  void run(Block& b, Worker& w) const {
    b.used = 0;
    b.ends.clear();
    b.is_error.clear();
    b.errors = 0;
    const bool jsonl = options_.format == InputFormat::jsonl;
    for (size_t i = 0; i < b.count; ++i) {
      bool evaluated;
      if (!jsonl) {
        evaluated = evaluate_record(b.records[i], b.records[i].text, w, b);
      } else {
        const LineBlock::Line& line = b.lines.lines[i];
        if (line.error != LineBlock::kNoError) {
          evaluated = evaluate_record(b.lines.errors[line.error], {}, w, b);
        } else {
          w.line.line = line.line;
          evaluated = evaluate_record(w.line, b.lines.text(line), w, b);
        }
      }
      b.is_error.push_back(!evaluated);
      b.errors += !evaluated;
      b.ends.push_back(b.used);
    }
  }

 private:
  // Adds the record's result line, or its error entry (returns false), to the block.
  // `raw` gives the line, an early error or CSV cells; `text` is a JSON record's text.
  bool evaluate_record(const RawRecord& raw, std::string_view text, Worker& w, Block& b) const {
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
    if (evaluated && !options_.explain) {  // the common case: straight into the block
      b.used = writer_.write_line_at(w.outcome, b.out, b.used);
      return true;
    }
    std::string& entry = w.entry;
    entry.clear();
    if (evaluated) writer_.write(w.outcome, entry);
    else write_error(raw.line, problem.key, problem.message, entry);
    if (options_.explain) {  // the object just written gets one more member
      ExplainOptions explain{options_.show_pii, false};
      add_member(entry, "explain",
                 ok ? explain_json(p, w.inputs, explain) : explain_record_error_json(p, problem, options_.as_of, explain));
    }
    entry += '\n';
    if (b.out.size() < b.used + entry.size()) b.out.resize(std::max(b.used + entry.size(), 2 * b.out.size()));
    std::memcpy(b.out.data() + b.used, entry.data(), entry.size());
    b.used += entry.size();
    return evaluated;
  }

  const Program& p_;
  const BatchOptions& options_;
  FastRecordReader fast_;
  ResultWriter writer_{p_};
  CsvColumns columns_;
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

// Hands a block's lines to the sink, in order, one call per line.
void write_block(const Block& b, BatchCounts& counts, const BatchSink& sink) {
  size_t begin = 0;
  for (size_t i = 0; i < b.count; ++i) {
    ++counts.read;
    ++(b.is_error[i] ? counts.errors : counts.results);
    sink(b.is_error[i], std::string_view(b.out.data() + begin, b.ends[i] - 1 - begin));
    begin = b.ends[i];
  }
}

// Hands a block's lines to the sink in runs of one kind: the whole block at
// once when no record failed.
void write_block(const Block& b, BatchCounts& counts, const BatchRunSink& sink) {
  counts.read += b.count;
  counts.errors += b.errors;
  counts.results += b.count - b.errors;
  if (b.count == 0) return;
  if (b.errors == 0) {
    sink(false, std::string_view(b.out.data(), b.used), b.count);
    return;
  }
  size_t begin = 0, first = 0;
  for (size_t i = 1; i <= b.count; ++i) {
    if (i < b.count && b.is_error[i] == b.is_error[first]) continue;
    size_t end = b.ends[i - 1];
    sink(b.is_error[first], std::string_view(b.out.data() + begin, end - begin), i - first);
    begin = end;
    first = i;
  }
}

// With worker threads, each worker reads the next block itself, one worker at
// a time so blocks keep their input order, and evaluates it on the same core
// while the bytes are still in its cache. Results are written block by block
// in input order: for a line sink (BatchSink) by the calling thread, so that
// sink is only ever called on the caller's thread; for a run sink
// (BatchRunSink) by the workers themselves: the one that finishes the oldest
// block not yet written writes it, and every finished block after it, while
// the others go on evaluating. Its output is then written from the core that
// made it, and no third thread takes the cores from the workers. At most 2
// blocks per worker are in flight, which bounds memory whatever the input's size.
class ThreadedRun {
 public:
  // `run_sink` set: the workers write (see above), adding to `counts`.
  ThreadedRun(RecordStream& stream, BlockEvaluator& evaluator, const Program& p, unsigned threads,
              const BatchRunSink* run_sink = nullptr, BatchCounts* counts = nullptr)
      : stream_(stream), evaluator_(evaluator), p_(p), run_sink_(run_sink), counts_(counts) {
    for (unsigned i = 0; i < 2 * threads; ++i) {
      blocks_.push_back(std::make_unique<Block>());
      free_.push_back(blocks_.back().get());
    }
    for (unsigned t = 0; t < threads; ++t) workers_.emplace_back([this] { work(); });
  }
  ~ThreadedRun() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    block_free_.notify_all();
    for (auto& t : workers_) t.join();
  }
  ThreadedRun(const ThreadedRun&) = delete;
  ThreadedRun& operator=(const ThreadedRun&) = delete;

  // With a run sink: waits until the workers have written every block;
  // rethrows what a worker or the sink threw.
  void wait_written() {
    std::unique_lock lock(mutex_);
    block_done_.wait(lock, [&] { return failure_ || (input_done_ && in_order_.empty() && !writing_); });
    if (failure_) std::rethrow_exception(failure_);
  }

  // Writes every block's results in input order; rethrows what a worker or the sink threw.
  template <typename Sink>
  void write_all(BatchCounts& counts, const Sink& sink) {
    for (;;) {
      Block* b;
      {
        std::unique_lock lock(mutex_);
        block_done_.wait(lock, [&] { return failure_ || (!in_order_.empty() && in_order_.front()->done) || (input_done_ && in_order_.empty()); });
        if (failure_) std::rethrow_exception(failure_);
        if (in_order_.empty()) return;
        b = in_order_.front();
        in_order_.pop_front();
      }
      write_block(*b, counts, sink);
      {
        std::lock_guard lock(mutex_);
        b->done = false;
        free_.push_back(b);
      }
      block_free_.notify_one();
    }
  }

 private:
  void work() {
    Worker worker;
    try {
      for (;;) {
        Block* b;
        {
          std::unique_lock lock(mutex_);
          block_free_.wait(lock, [&] { return stop_ || input_done_ || !free_.empty(); });
          if (stop_ || input_done_) return;
          b = free_.back();
          free_.pop_back();
        }
        if (!read_next(*b)) return;
        evaluator_.run(*b, worker);
        if (run_sink_) {
          write_finished(*b);
          continue;
        }
        {
          std::lock_guard lock(mutex_);
          b->done = true;
        }
        block_done_.notify_one();
      }
    } catch (...) {
      {
        std::lock_guard lock(mutex_);
        if (!failure_) failure_ = std::current_exception();
        stop_ = true;
      }
      block_done_.notify_one();
      block_free_.notify_all();
    }
  }

  // A run sink's writing: marks `b` finished and, unless another worker is
  // writing (it will take `b` too), writes the finished blocks at the front
  // of the queue, in order. The check for more and the hand-back of the
  // writer's role happen under one lock, so no finished block is left behind.
  void write_finished(Block& b) {
    std::unique_lock lock(mutex_);
    b.done = true;
    if (writing_) return;
    writing_ = true;
    while (!stop_ && !in_order_.empty() && in_order_.front()->done) {
      Block* front = in_order_.front();
      in_order_.pop_front();
      lock.unlock();
      try {
        write_block(*front, *counts_, *run_sink_);
      } catch (...) {
        lock.lock();
        writing_ = false;
        throw;  // work() records it and stops the run
      }
      lock.lock();
      front->done = false;
      free_.push_back(front);
      block_free_.notify_one();
    }
    writing_ = false;
    lock.unlock();
    block_done_.notify_all();  // the caller waits for the last block written
  }

  // Fills `b` with the next records and queues it for writing; false at the end of the input.
  bool read_next(Block& b) {
    std::lock_guard read_lock(read_mutex_);  // taken before mutex_, never after
    bool got = fill_block(stream_, b);
    if (got && stream_.format() == InputFormat::csv && !columns_set_) {
      evaluator_.set_columns(csv_columns(p_, stream_.header()));  // the header was read with the first row
      columns_set_ = true;
    }
    {
      std::lock_guard lock(mutex_);
      if (got) {
        in_order_.push_back(&b);
      } else {
        free_.push_back(&b);
        input_done_ = true;
      }
    }
    if (!got) {
      block_done_.notify_one();
      block_free_.notify_all();
    }
    return got;
  }

  RecordStream& stream_;
  BlockEvaluator& evaluator_;
  const Program& p_;
  std::vector<std::unique_ptr<Block>> blocks_;
  std::vector<std::thread> workers_;
  std::mutex read_mutex_;  // the stream, the CSV columns, and the order blocks are queued in
  std::mutex mutex_;       // everything below
  std::condition_variable block_done_, block_free_;
  std::vector<Block*> free_;
  std::deque<Block*> in_order_;  // read, in input order, not written yet
  bool columns_set_ = false;     // guarded by read_mutex_
  bool input_done_ = false;
  bool stop_ = false;
  bool writing_ = false;         // a worker is writing finished blocks (run sink)
  std::exception_ptr failure_;
  const BatchRunSink* run_sink_;
  BatchCounts* counts_;          // written by the writing worker only
};

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

namespace {

// run_batch for either kind of sink.
template <typename Sink>
BatchCounts run_stream(const Program& p, std::istream& input, const BatchOptions& options, const Sink& sink) {
  BatchCounts counts;
  std::string key_field = p.key_field == kNone ? std::string() : p.inputs[p.key_field].name;
  RecordStream stream(input, options.format, options.limits, kReadBytes, key_field);
  BlockEvaluator evaluator(p, options);
  unsigned threads = std::max(1u, options.threads);
  if (threads > 1) {
    if constexpr (std::is_same_v<Sink, BatchRunSink>) {
      ThreadedRun run(stream, evaluator, p, threads, &sink, &counts);
      run.wait_written();
    } else {
      ThreadedRun run(stream, evaluator, p, threads);
      run.write_all(counts, sink);
    }
  } else {
    // One thread: read a block, evaluate it, write it, with one block and one
    // worker's state kept from block to block.
    Block b;
    Worker worker;
    bool columns_set = false;
    while (fill_block(stream, b)) {
      if (options.format == InputFormat::csv && !columns_set) {
        evaluator.set_columns(csv_columns(p, stream.header()));  // the header was read with the first row
        columns_set = true;
      }
      evaluator.run(b, worker);
      write_block(b, counts, sink);
    }
  }
  counts.input_failed = stream.failed();
  return counts;
}

// Runs over text in memory, without copying it.
template <typename Sink>
BatchCounts run_text(const Program& program, std::string_view input, const BatchOptions& options, const Sink& sink) {
  ViewBuffer buffer(input);
  std::istream in(&buffer);
  return run_stream(program, in, options, sink);
}

}  // namespace

BatchCounts run_batch(const Program& p, std::istream& input, const BatchOptions& options, const BatchSink& sink) {
  return run_stream(p, input, options, sink);
}

BatchCounts run_batch(const Program& p, std::istream& input, const BatchOptions& options, const BatchRunSink& sink) {
  return run_stream(p, input, options, sink);
}

BatchCounts run_batch(const Program& p, std::string_view input, const BatchOptions& options, const BatchSink& sink) {
  return run_text(p, input, options, sink);
}

BatchCounts run_batch(const Program& p, std::string_view input, const BatchOptions& options, const BatchRunSink& sink) {
  return run_text(p, input, options, sink);
}

}  // namespace segrule
