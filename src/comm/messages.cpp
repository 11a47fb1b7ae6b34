// Binary wire format: a one-byte message tag, then fields in declaration order.
// Integers little-endian as written by memcpy (all ranks of one job share an architecture),
// strings and maps length-prefixed. A truncated or unknown buffer is an MpiError.
#include "rung/comm/messages.hpp"

#include <cstring>
#include <string>
#include <type_traits>

#include "rung/config/error.hpp"

namespace rung {
namespace {

enum class Tag : std::uint8_t { Assign = 1, Decision, Shutdown, Ready, Report, Released, Heartbeat };
enum class ValueTag : std::uint8_t { Int = 0, Real = 1, Text = 2 };

class Writer {
 public:
  template <typename T>
  void pod(T v) {
    static_assert(std::is_trivially_copyable_v<T>);
    const auto* p = reinterpret_cast<const char*>(&v);
    out_.append(p, sizeof(T));
  }
  void text(const std::string& s) {
    pod<std::uint32_t>(static_cast<std::uint32_t>(s.size()));
    out_.append(s);
  }
  void value(const ParamValue& v) {
    if (const auto* i = std::get_if<std::int64_t>(&v)) {
      pod(ValueTag::Int);
      pod(*i);
    } else if (const auto* d = std::get_if<double>(&v)) {
      pod(ValueTag::Real);
      pod(*d);
    } else {
      pod(ValueTag::Text);
      text(std::get<std::string>(v));
    }
  }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

class Reader {
 public:
  explicit Reader(const std::string& in) : in_(in) {}
  template <typename T>
  T pod() {
    need(sizeof(T));
    T v;
    std::memcpy(&v, in_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return v;
  }
  std::string text() {
    const auto n = pod<std::uint32_t>();
    need(n);
    std::string s = in_.substr(pos_, n);
    pos_ += n;
    return s;
  }
  // An enum sent as its one-byte value: anything past `last` is no value of it.
  template <typename E>
  E enumerated(E last, const char* what) {
    const E v = pod<E>();
    if (v > last) {
      throw MpiError(std::string("malformed message: unknown ") + what + " " +
                     std::to_string(static_cast<int>(v)));
    }
    return v;
  }
  ParamValue value() {
    switch (pod<ValueTag>()) {
      case ValueTag::Int: return pod<std::int64_t>();
      case ValueTag::Real: return pod<double>();
      case ValueTag::Text: return text();
    }
    throw MpiError("malformed message: unknown value tag");
  }
  void finish() const {
    if (pos_ != in_.size()) {
      throw MpiError("malformed message: trailing bytes (" + std::to_string(in_.size() - pos_) +
                     " after byte " + std::to_string(pos_) + ")");
    }
  }

 private:
  void need(std::size_t n) const {
    if (pos_ + n > in_.size()) {
      throw MpiError("malformed message: truncated (" + std::to_string(n) +
                     " bytes wanted at byte " + std::to_string(pos_) + " of " +
                     std::to_string(in_.size()) + ")");
    }
  }
  const std::string& in_;
  std::size_t pos_ = 0;
};

}  // namespace

std::string encode(const ToWorker& msg) {
  Writer w;
  if (const auto* a = std::get_if<Assign>(&msg)) {
    w.pod(Tag::Assign);
    w.pod(a->trial);
    w.text(a->name);
    w.pod<std::uint32_t>(static_cast<std::uint32_t>(a->hyperparameters.size()));
    for (const auto& [k, v] : a->hyperparameters) {
      w.text(k);
      w.value(v);
    }
    w.pod<std::int32_t>(a->start_epoch);
    w.pod<std::int32_t>(a->until_epoch);
    w.pod<std::int32_t>(a->known_epochs);
    w.pod(a->seed);
  } else if (const auto* d = std::get_if<DecisionMsg>(&msg)) {
    w.pod(Tag::Decision);
    w.pod(d->trial);
    w.pod<std::int32_t>(d->epoch);
    w.pod(d->verdict);
  } else {
    w.pod(Tag::Shutdown);
  }
  return w.take();
}

ToWorker decode_to_worker(const std::string& bytes) {
  Reader r(bytes);
  ToWorker out;
  switch (r.pod<Tag>()) {
    case Tag::Assign: {
      Assign a;
      a.trial = r.pod<TrialId>();
      a.name = r.text();
      const auto n = r.pod<std::uint32_t>();
      for (std::uint32_t i = 0; i < n; ++i) {
        std::string k = r.text();
        a.hyperparameters.emplace(std::move(k), r.value());
      }
      a.start_epoch = r.pod<std::int32_t>();
      a.until_epoch = r.pod<std::int32_t>();
      a.known_epochs = r.pod<std::int32_t>();
      a.seed = r.pod<std::uint64_t>();
      out = std::move(a);
      break;
    }
    case Tag::Decision: {
      DecisionMsg d;
      d.trial = r.pod<TrialId>();
      d.epoch = r.pod<std::int32_t>();
      d.verdict = r.enumerated(Verdict::Complete, "verdict");
      out = d;
      break;
    }
    case Tag::Shutdown: out = Shutdown{}; break;
    default: throw MpiError("malformed message to a worker: unknown tag");
  }
  r.finish();
  return out;
}

std::string encode(const FromWorkerBody& msg) {
  Writer w;
  if (const auto* ready = std::get_if<Ready>(&msg)) {
    w.pod(Tag::Ready);
    w.text(ready->host);
    w.text(ready->device);
  } else if (const auto* rep = std::get_if<EpochReport>(&msg)) {
    w.pod(Tag::Report);
    w.pod(rep->trial);
    w.pod<std::int32_t>(rep->epoch);
    w.pod<std::uint32_t>(static_cast<std::uint32_t>(rep->metrics.size()));
    for (const auto& [k, v] : rep->metrics) {
      w.text(k);
      w.pod(v);
    }
    w.pod(rep->train_time_s);
    w.pod(rep->eval_time_s);
    w.pod<std::int32_t>(rep->suspend_signal);
  } else if (std::holds_alternative<Heartbeat>(msg)) {
    w.pod(Tag::Heartbeat);
  } else {
    const auto& rel = std::get<TrialReleased>(msg);
    w.pod(Tag::Released);
    w.pod(rel.trial);
    w.pod<std::int32_t>(rel.epoch);
    w.pod(rel.outcome);
    w.text(rel.message);
    w.pod(rel.checkpoint_time_s);
  }
  return w.take();
}

FromWorkerBody decode_from_worker(const std::string& bytes) {
  Reader r(bytes);
  FromWorkerBody out;
  switch (r.pod<Tag>()) {
    case Tag::Ready: {
      Ready ready;
      ready.host = r.text();
      ready.device = r.text();
      out = std::move(ready);
      break;
    }
    case Tag::Report: {
      EpochReport rep;
      rep.trial = r.pod<TrialId>();
      rep.epoch = r.pod<std::int32_t>();
      const auto n = r.pod<std::uint32_t>();
      for (std::uint32_t i = 0; i < n; ++i) {
        std::string k = r.text();
        rep.metrics.emplace(std::move(k), r.pod<double>());
      }
      rep.train_time_s = r.pod<double>();
      rep.eval_time_s = r.pod<double>();
      rep.suspend_signal = r.pod<std::int32_t>();
      out = std::move(rep);
      break;
    }
    case Tag::Released: {
      TrialReleased rel;
      rel.trial = r.pod<TrialId>();
      rel.epoch = r.pod<std::int32_t>();
      rel.outcome = r.enumerated(TrialOutcome::Failed, "outcome");
      rel.message = r.text();
      rel.checkpoint_time_s = r.pod<double>();
      out = std::move(rel);
      break;
    }
    case Tag::Heartbeat: out = Heartbeat{}; break;
    default: throw MpiError("malformed message from a worker: unknown tag");
  }
  r.finish();
  return out;
}

}  // namespace rung
