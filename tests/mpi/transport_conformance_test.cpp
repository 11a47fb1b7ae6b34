// What the coordinator and the worker loop may rely on, whichever transport carries their
// messages: one typed suite over the in-process hub (threads), MPI (real ranks under mpirun)
// and the simulated transport. A new transport is tested like the others by adding a harness
// to `Transports`.
//
// Each test is a conversation: a coordinator script on one side, workers on the other. For
// the in-process and MPI transports the workers are `loopback_worker`, which answers exactly
// as the simulator's built-in workers do (an epoch's metrics come from the same CurveSource),
// so one script sees the same messages from all three transports.
//
// Where the simulated transport differs, and why:
// - It has no worker side: its workers are state machines inside the transport, so the tests
//   that need a WorkerTransport (what a worker receives arrives whole; a worker vanishes) skip
//   it. Its workers are themselves the fake and cannot vanish.
// - It delivers by simulated time, deterministically; the others keep only each worker's
//   messages in the order that worker sent them. The suite compares per-worker transcripts.
// - Its Ready names host and device "simulated"; the loopback worker's name its own.
// - A message to a worker after its Shutdown is an Error there; the others deliver it to no
//   one (an MPI message would wait for a receive that never comes). No script sends one.
// - It resumes a paused trial only from the checkpoint it recorded at that epoch (else the
//   trial fails); a real worker reads the checkpoint file, the loopback worker trusts
//   start_epoch.
//
// Under MPI a worker that vanishes is one that stops answering: a rank that exits takes the
// whole job down (mpirun aborts every rank), and resume recovers from that.
//
// Run under `mpirun -np N` with N >= 3: rank 0 plays the coordinator of the MPI tests and runs
// the in-process and simulated tests with the same N - 1 workers; ranks 1..N-1 are the MPI
// workers. Failures on any rank are gathered to rank 0 and printed once, and every rank exits
// with rank 0's code.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "rung/comm/inprocess_transport.hpp"
#include "rung/comm/mpi_gather.hpp"
#include "rung/comm/mpi_transport.hpp"
#include "rung/config/error.hpp"
#include "rung/sim/curve_source.hpp"
#include "rung/sim/simulated_transport.hpp"

namespace rung {
namespace {

constexpr std::chrono::milliseconds kPatience{20000};  // for a message that must come
constexpr std::chrono::milliseconds kSilence{300};     // for one that must not
constexpr const char* kNoWorkerSide =
    "the simulated workers live inside the transport: there is no WorkerTransport to test";

MpiEnvironment* g_mpi = nullptr;  // set by main() for the run's lifetime

// Worker count of every test: the MPI world's, so all three transports run the same
// conversations at the same size.
int workers() { return g_mpi->size() - 1; }

// Curves that depend on every hyperparameter, so a value changed in transit changes the
// metrics. Six epochs; a trial asked for a seventh fails.
class TableCurves final : public CurveSource {
 public:
  [[nodiscard]] std::map<std::string, double> metrics_at(const HyperParameters& hp,
                                                         int epoch) const override {
    double weight = 1.0;
    for (const auto& [name, value] : hp) {
      if (const auto* i = std::get_if<std::int64_t>(&value)) {
        weight += static_cast<double>(*i);
      } else if (const auto* d = std::get_if<double>(&value)) {
        weight += *d;
      } else {
        weight += static_cast<double>(std::get<std::string>(value).size());
      }
    }
    return {{"validation:accuracy", 1.0 - 1.0 / (1.0 + epoch * weight)},
            {"validation:loss", 1.0 / (epoch + weight)}};
  }
  [[nodiscard]] double epoch_seconds(const HyperParameters& /*hp*/, int epoch) const override {
    return 1.0 + 0.25 * epoch;
  }
  [[nodiscard]] int max_epochs() const override { return 6; }
  [[nodiscard]] std::string name() const override { return "table"; }
};

const CurveSource& curves() {
  static const TableCurves table;
  return table;
}

// A worker that answers as the simulator's workers do: Ready first; per Assign an epoch
// report, then one more per Continue; a release on Pause, Stop or Complete; Failed when the
// next epoch is past the curves' last. After reporting the first epoch of a trial with the
// hyperparameter "vanish" it stops answering (returns before its Shutdown).
void loopback_worker(WorkerTransport& t) {
  t.send(Ready{"worker-" + std::to_string(t.worker_id()), "cpu"});
  TrialId trial = -1;
  HyperParameters hp;
  int epoch = 0;
  const auto release = [&](TrialOutcome outcome, std::string message) {
    t.send(TrialReleased{trial, epoch, outcome, std::move(message), 0.0});
    trial = -1;
    hp.clear();
    epoch = 0;
  };
  const auto report_next_epoch = [&] {
    const int next = epoch + 1;
    if (next > curves().max_epochs()) {
      release(TrialOutcome::Failed, "the curve source " + curves().name() + " has only " +
                                        std::to_string(curves().max_epochs()) + " epochs");
      return;
    }
    EpochReport report;
    report.trial = trial;
    report.epoch = next;
    report.metrics = curves().metrics_at(hp, next);
    report.train_time_s = curves().epoch_seconds(hp, next);
    epoch = next;
    t.send(report);
  };
  for (;;) {
    const ToWorker msg = t.receive();
    if (std::holds_alternative<Shutdown>(msg)) return;
    if (const auto* a = std::get_if<Assign>(&msg)) {
      EXPECT_EQ(trial, -1) << "worker " << t.worker_id() << " assigned trial " << a->trial
                           << " while busy with " << trial;
      trial = a->trial;
      hp = a->hyperparameters;
      epoch = a->start_epoch;
      report_next_epoch();
      if (hp.count("vanish") != 0) return;
      continue;
    }
    const auto& d = std::get<DecisionMsg>(msg);
    EXPECT_EQ(d.trial, trial) << "worker " << t.worker_id();
    EXPECT_EQ(d.epoch, epoch) << "worker " << t.worker_id();
    switch (d.verdict) {
      case Verdict::Continue:
        report_next_epoch();
        break;
      case Verdict::Pause:
        release(TrialOutcome::Paused, "");
        break;
      case Verdict::Stop:
        release(TrialOutcome::Stopped, "");
        break;
      case Verdict::Complete:
        release(TrialOutcome::Completed, "");
        break;
    }
  }
}

using WorkerScript = std::function<void(WorkerTransport&)>;
using CoordinatorScript = std::function<void(CoordinatorTransport&)>;

// The coordinator's side as the harness sees it: which workers were sent Shutdown, so that
// after a script (finished or failed) every other worker is shut down and no rank hangs.
class WatchedCoordinator final : public CoordinatorTransport {
 public:
  explicit WatchedCoordinator(CoordinatorTransport& inner) : inner_(inner) {}
  [[nodiscard]] int num_workers() const override { return inner_.num_workers(); }
  void send(int worker, const ToWorker& msg) override {
    inner_.send(worker, msg);
    if (std::holds_alternative<Shutdown>(msg)) shut_down_.insert(worker);
  }
  [[nodiscard]] std::optional<FromWorker> receive(std::chrono::milliseconds timeout) override {
    return inner_.receive(timeout);
  }
  void run(const CoordinatorScript& script) {
    try {
      script(*this);
    } catch (const std::exception& e) {
      ADD_FAILURE() << "the coordinator script threw: " << e.what();
    }
    for (int w = 1; w <= inner_.num_workers(); ++w) {
      if (shut_down_.count(w) == 0) inner_.send(w, Shutdown{});
    }
  }

 private:
  CoordinatorTransport& inner_;
  std::set<int> shut_down_;
};

// The worker's side as the harness sees it: a worker script that returned before its
// Shutdown (a vanished worker, or one whose test failed) reads on until it, so that nothing
// sent to it is left for the next test.
class WatchedWorker final : public WorkerTransport {
 public:
  explicit WatchedWorker(WorkerTransport& inner) : inner_(inner) {}
  [[nodiscard]] int worker_id() const override { return inner_.worker_id(); }
  void send(const FromWorkerBody& msg) override { inner_.send(msg); }
  [[nodiscard]] ToWorker receive() override {
    ToWorker msg = inner_.receive();
    if (std::holds_alternative<Shutdown>(msg)) has_shut_down_ = true;
    return msg;
  }
  void run(const WorkerScript& script) {
    try {
      script(*this);
    } catch (const std::exception& e) {
      ADD_FAILURE() << "worker " << worker_id() << " threw: " << e.what();
    }
    while (!has_shut_down_) (void)receive();
  }

 private:
  WorkerTransport& inner_;
  bool has_shut_down_ = false;
};

// --- The transports under test. Each harness runs one conversation. ---

struct InProcess {
  static constexpr bool kHasWorkerSide = true;
  static bool runs_here() { return g_mpi->rank() == 0; }
  static void converse(const WorkerScript& worker, const CoordinatorScript& coordinator) {
    InProcessHub hub(workers());
    std::vector<std::thread> threads;
    for (int w = 1; w <= workers(); ++w) {
      threads.emplace_back([&hub, &worker, w] { WatchedWorker(hub.worker(w)).run(worker); });
    }
    WatchedCoordinator(hub.coordinator()).run(coordinator);
    for (auto& t : threads) t.join();
  }
};

struct Mpi {
  static constexpr bool kHasWorkerSide = true;
  static bool runs_here() { return true; }  // every rank takes part
  static void converse(const WorkerScript& worker, const CoordinatorScript& coordinator) {
    if (g_mpi->rank() == 0) {
      MpiCoordinatorTransport transport(g_mpi->size());
      WatchedCoordinator(transport).run(coordinator);
    } else {
      MpiWorkerTransport transport(g_mpi->rank());
      WatchedWorker(transport).run(worker);
    }
    // Every worker has read its Shutdown and sends nothing more; what rank 0 did not read
    // (a failed script) is drained before any worker starts the next test, so each test
    // starts from empty queues.
    g_mpi->barrier();
    if (g_mpi->rank() == 0) {
      MpiCoordinatorTransport transport(g_mpi->size());
      while (transport.receive(kSilence)) {
      }
    }
    g_mpi->barrier();
  }
};

struct Simulated {
  static constexpr bool kHasWorkerSide = false;
  static bool runs_here() { return g_mpi->rank() == 0; }
  // Its workers are built in and behave as loopback_worker; there is no worker script to run.
  static void converse(const WorkerScript& /*worker*/, const CoordinatorScript& coordinator) {
    SimulatedTransport transport(workers(), curves(), SimulationOptions{});
    WatchedCoordinator(transport).run(coordinator);
  }
};

// --- What the coordinator scripts use. ---

std::string describe(const FromWorkerBody& body) {
  std::ostringstream out;
  out.precision(17);
  if (std::holds_alternative<Ready>(body)) {
    out << "Ready";
  } else if (std::holds_alternative<Heartbeat>(body)) {
    out << "Heartbeat";
  } else if (const auto* r = std::get_if<EpochReport>(&body)) {
    out << "EpochReport trial " << r->trial << " epoch " << r->epoch << " train " << r->train_time_s
        << " s eval " << r->eval_time_s << " s signal " << r->suspend_signal << " metrics";
    for (const auto& [name, value] : r->metrics) out << " " << name << "=" << value;
  } else {
    const auto& t = std::get<TrialReleased>(body);
    out << "TrialReleased trial " << t.trial << " epoch " << t.epoch << " outcome "
        << static_cast<int>(t.outcome) << " checkpoint " << t.checkpoint_time_s << " s message '"
        << t.message << "'";
  }
  return out.str();
}

// The messages from the workers, read in the order each worker sent them: take(w) returns
// worker w's next message, keeping those of other workers that arrive first. Throws (fails
// the test, never hangs) when a message does not come.
class Inbox {
 public:
  explicit Inbox(CoordinatorTransport& transport) : transport_(transport) {}

  FromWorkerBody take(int worker) {
    auto& queue = pending_[worker];
    while (queue.empty()) receive_one();
    FromWorkerBody body = std::move(queue.front());
    queue.erase(queue.begin());
    return body;
  }
  // Any worker's next message.
  FromWorker take_any() {
    for (auto& [worker, queue] : pending_) {
      if (queue.empty()) continue;
      FromWorker m{worker, std::move(queue.front())};
      queue.erase(queue.begin());
      return m;
    }
    receive_one();
    return take_any();
  }
  // Every worker's Ready, once each: the start of every conversation.
  std::map<int, Ready> take_ready() {
    std::map<int, Ready> ready;
    for (int w = 1; w <= transport_.num_workers(); ++w) {
      FromWorkerBody body = take(w);
      const auto* r = std::get_if<Ready>(&body);
      if (r == nullptr)
        throw Error("worker " + std::to_string(w) + " began with " + describe(body));
      ready[w] = *r;
    }
    return ready;
  }
  // Nothing more comes, and receive() gives up on time instead of blocking.
  void expect_silence() {
    for (const auto& [worker, queue] : pending_) {
      EXPECT_TRUE(queue.empty()) << "worker " << worker << " sent " << queue.size()
                                 << " message(s) more than expected, the first "
                                 << describe(queue.front());
    }
    const std::optional<FromWorker> extra = transport_.receive(kSilence);
    EXPECT_FALSE(extra.has_value())
        << "worker " << extra->worker << " sent " << describe(extra->body);
  }

 private:
  void receive_one() {
    std::optional<FromWorker> m = transport_.receive(kPatience);
    if (!m)
      throw Error("no message from any worker for " + std::to_string(kPatience.count()) + " ms");
    if (m->worker < 1 || m->worker > transport_.num_workers()) {
      throw Error("a message from worker " + std::to_string(m->worker) + ", not one of 1.." +
                  std::to_string(transport_.num_workers()));
    }
    pending_[m->worker].push_back(std::move(m->body));
  }

  CoordinatorTransport& transport_;
  std::map<int, std::vector<FromWorkerBody>> pending_;
};

// What loopback_worker (and the simulator) answer, for the expected transcripts.
FromWorkerBody epoch_report(TrialId trial, const HyperParameters& hp, int epoch) {
  EpochReport r;
  r.trial = trial;
  r.epoch = epoch;
  r.metrics = curves().metrics_at(hp, epoch);
  r.train_time_s = curves().epoch_seconds(hp, epoch);
  return r;
}

FromWorkerBody released(TrialId trial, int epoch, TrialOutcome outcome, std::string message = "") {
  return TrialReleased{trial, epoch, outcome, std::move(message), 0.0};
}

Assign assign(TrialId trial, HyperParameters hp, int start_epoch = 0) {
  Assign a;
  a.trial = trial;
  a.name = "conformance-" + std::to_string(trial);
  a.hyperparameters = std::move(hp);
  a.start_epoch = start_epoch;
  a.until_epoch = curves().max_epochs();
  a.known_epochs = start_epoch;
  a.seed = 1000 + static_cast<std::uint64_t>(trial);
  return a;
}

template <typename Harness>
class TransportConformance : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!Harness::runs_here()) GTEST_SKIP() << "runs on rank 0 only";
    if (workers() < 2) GTEST_SKIP() << "needs two workers or more: mpirun -np 3 or more";
  }
};

using Transports = ::testing::Types<InProcess, Mpi, Simulated>;
TYPED_TEST_SUITE(TransportConformance, Transports);

TYPED_TEST(TransportConformance, every_worker_says_ready_once_numbered_from_one) {
  TypeParam::converse(loopback_worker, [](CoordinatorTransport& c) {
    EXPECT_EQ(c.num_workers(), workers());
    Inbox inbox(c);
    for (const auto& [worker, ready] : inbox.take_ready()) {
      EXPECT_FALSE(ready.host.empty()) << "worker " << worker;
      EXPECT_FALSE(ready.device.empty()) << "worker " << worker;
    }
    inbox.expect_silence();
  });
}

TYPED_TEST(TransportConformance, a_trial_pauses_resumes_stops_completes_and_fails_the_same_way) {
  const HyperParameters first = {
      {"units", std::int64_t{16}}, {"lr", 0.01}, {"act", std::string("relu")}};
  const HyperParameters second = {{"units", std::int64_t{3}}, {"lr", 0.5}};
  TypeParam::converse(loopback_worker, [&](CoordinatorTransport& c) {
    Inbox inbox(c);
    (void)inbox.take_ready();
    // Worker 1: trial 7 trains two epochs and pauses; worker 2: trial 8 runs one epoch and
    // stops meanwhile.
    c.send(1, assign(7, first));
    c.send(2, assign(8, second));
    EXPECT_EQ(describe(inbox.take(1)), describe(epoch_report(7, first, 1)));
    EXPECT_EQ(describe(inbox.take(2)), describe(epoch_report(8, second, 1)));
    c.send(1, DecisionMsg{7, 1, Verdict::Continue});
    c.send(2, DecisionMsg{8, 1, Verdict::Stop});
    EXPECT_EQ(describe(inbox.take(1)), describe(epoch_report(7, first, 2)));
    EXPECT_EQ(describe(inbox.take(2)), describe(released(8, 1, TrialOutcome::Stopped)));
    c.send(1, DecisionMsg{7, 2, Verdict::Pause});
    EXPECT_EQ(describe(inbox.take(1)), describe(released(7, 2, TrialOutcome::Paused)));
    // Trial 7 resumes from its checkpoint at epoch 2 and completes after epoch 3.
    c.send(1, assign(7, first, 2));
    EXPECT_EQ(describe(inbox.take(1)), describe(epoch_report(7, first, 3)));
    c.send(1, DecisionMsg{7, 3, Verdict::Complete});
    EXPECT_EQ(describe(inbox.take(1)), describe(released(7, 3, TrialOutcome::Completed)));
    // Trial 9 is asked to train past the curves' last epoch: a failure with a message, and
    // the worker is free again.
    c.send(2, assign(9, second, 0));
    EXPECT_EQ(describe(inbox.take(2)), describe(epoch_report(9, second, 1)));
    for (int epoch = 1; epoch < curves().max_epochs(); ++epoch) {
      c.send(2, DecisionMsg{9, epoch, Verdict::Continue});
      EXPECT_EQ(describe(inbox.take(2)), describe(epoch_report(9, second, epoch + 1)));
    }
    c.send(2, DecisionMsg{9, curves().max_epochs(), Verdict::Continue});
    EXPECT_EQ(describe(inbox.take(2)),
              describe(released(9, curves().max_epochs(), TrialOutcome::Failed,
                                "the curve source table has only 6 epochs")));
    c.send(2, assign(10, first));
    EXPECT_EQ(describe(inbox.take(2)), describe(epoch_report(10, first, 1)));
    c.send(2, DecisionMsg{10, 1, Verdict::Complete});
    EXPECT_EQ(describe(inbox.take(2)), describe(released(10, 1, TrialOutcome::Completed)));
    inbox.expect_silence();
  });
}

TYPED_TEST(TransportConformance, every_worker_busy_at_once_loses_and_reorders_nothing) {
  // Each worker trains 8 trials to the last epoch; the coordinator answers whoever reports.
  constexpr int kTrialsPerWorker = 8;
  TypeParam::converse(loopback_worker, [&](CoordinatorTransport& c) {
    Inbox inbox(c);
    (void)inbox.take_ready();
    const auto hp_of = [](TrialId trial) {
      return HyperParameters{{"units", std::int64_t{trial}},
                             {"lr", 0.001 * static_cast<double>(trial)}};
    };
    std::map<int, int> started;  // worker -> trials started
    std::map<int, TrialId> trial_of;
    std::map<int, int> epoch_of;  // worker -> last epoch reported
    const auto start_next = [&](int w) {
      const TrialId trial = 100 * w + started[w]++;
      trial_of[w] = trial;
      epoch_of[w] = 0;
      c.send(w, assign(trial, hp_of(trial)));
    };
    for (int w = 1; w <= c.num_workers(); ++w) start_next(w);
    int finished = 0;
    while (finished < c.num_workers() * kTrialsPerWorker) {
      const FromWorker m = inbox.take_any();
      const TrialId trial = trial_of[m.worker];
      if (std::holds_alternative<EpochReport>(m.body)) {
        const int epoch = ++epoch_of[m.worker];
        ASSERT_EQ(describe(m.body), describe(epoch_report(trial, hp_of(trial), epoch)))
            << "worker " << m.worker;
        const bool is_last = epoch == curves().max_epochs();
        c.send(m.worker,
               DecisionMsg{trial, epoch, is_last ? Verdict::Complete : Verdict::Continue});
        continue;
      }
      ASSERT_EQ(describe(m.body),
                describe(released(trial, curves().max_epochs(), TrialOutcome::Completed)))
          << "worker " << m.worker;
      ++finished;
      if (started[m.worker] < kTrialsPerWorker) start_next(m.worker);
    }
    inbox.expect_silence();
  });
}

TYPED_TEST(TransportConformance, a_shut_down_worker_falls_silent_and_the_others_go_on) {
  const HyperParameters hp = {{"units", std::int64_t{5}}};
  TypeParam::converse(loopback_worker, [&](CoordinatorTransport& c) {
    Inbox inbox(c);
    (void)inbox.take_ready();
    c.send(1, Shutdown{});
    c.send(2, assign(3, hp));
    EXPECT_EQ(describe(inbox.take(2)), describe(epoch_report(3, hp, 1)));
    c.send(2, DecisionMsg{3, 1, Verdict::Complete});
    EXPECT_EQ(describe(inbox.take(2)), describe(released(3, 1, TrialOutcome::Completed)));
    for (int w = 2; w <= c.num_workers(); ++w) c.send(w, Shutdown{});
    inbox.expect_silence();
  });
}

TYPED_TEST(TransportConformance, sending_to_a_worker_that_does_not_exist_is_an_error) {
  TypeParam::converse(loopback_worker, [](CoordinatorTransport& c) {
    Inbox inbox(c);
    (void)inbox.take_ready();
    EXPECT_THROW(c.send(0, Shutdown{}), Error);
    EXPECT_THROW(c.send(c.num_workers() + 1, Shutdown{}), Error);
    inbox.expect_silence();
  });
}

TYPED_TEST(TransportConformance, what_a_worker_receives_and_sends_arrives_whole) {
  if (!TypeParam::kHasWorkerSide) GTEST_SKIP() << kNoWorkerSide;
  // Every field set, every value kind, and a hyperparameter large enough that MPI sends it
  // by rendezvous rather than eagerly.
  Assign sent = assign(41, {{"units", std::int64_t{-128}},
                            {"lr", 1.0 / 3.0},
                            {"act", std::string("relu\n\"é\"")},
                            {"blob", std::string(300000, 'x')}});
  sent.start_epoch = 3;
  sent.until_epoch = 9;
  sent.known_epochs = 5;
  sent.seed = 0xDEADBEEFCAFEF00DULL;
  const DecisionMsg decision{41, 4, Verdict::Pause};
  const EpochReport report{41,     4,    {{"validation:accuracy", 0.1 + 0.2}, {"a b", -0.0}},
                           1.5e-7, 2.25, 10};
  const TrialReleased release{41, 4, TrialOutcome::Failed, std::string(5000, 'm') + "\nlast line",
                              0.125};
  const auto worker = [&](WorkerTransport& t) {
    t.send(Ready{std::string(200, 'h'), "cuda:" + std::to_string(t.worker_id())});
    const ToWorker first = t.receive();
    const auto* a = std::get_if<Assign>(&first);
    ASSERT_NE(a, nullptr) << "worker " << t.worker_id();
    EXPECT_EQ(a->trial, sent.trial);
    EXPECT_EQ(a->name, sent.name);
    EXPECT_EQ(a->hyperparameters, sent.hyperparameters);
    EXPECT_EQ(a->start_epoch, sent.start_epoch);
    EXPECT_EQ(a->until_epoch, sent.until_epoch);
    EXPECT_EQ(a->known_epochs, sent.known_epochs);
    EXPECT_EQ(a->seed, sent.seed);
    const ToWorker second = t.receive();
    const auto* d = std::get_if<DecisionMsg>(&second);
    ASSERT_NE(d, nullptr) << "worker " << t.worker_id();
    EXPECT_EQ(d->trial, decision.trial);
    EXPECT_EQ(d->epoch, decision.epoch);
    EXPECT_EQ(d->verdict, decision.verdict);
    t.send(report);
    t.send(release);
  };
  TypeParam::converse(worker, [&](CoordinatorTransport& c) {
    Inbox inbox(c);
    for (const auto& [w, ready] : inbox.take_ready()) {
      EXPECT_EQ(ready.host, std::string(200, 'h'));
      EXPECT_EQ(ready.device, "cuda:" + std::to_string(w));
    }
    for (int w = 1; w <= c.num_workers(); ++w) {
      c.send(w, sent);
      c.send(w, decision);
    }
    for (int w = 1; w <= c.num_workers(); ++w) {
      const FromWorkerBody r = inbox.take(w);
      const auto* got = std::get_if<EpochReport>(&r);
      ASSERT_NE(got, nullptr) << describe(r);
      EXPECT_EQ(got->trial, report.trial);
      EXPECT_EQ(got->epoch, report.epoch);
      EXPECT_EQ(got->metrics, report.metrics);
      EXPECT_EQ(got->train_time_s, report.train_time_s);
      EXPECT_EQ(got->eval_time_s, report.eval_time_s);
      EXPECT_EQ(got->suspend_signal, report.suspend_signal);
      const FromWorkerBody rel = inbox.take(w);
      const auto* gone = std::get_if<TrialReleased>(&rel);
      ASSERT_NE(gone, nullptr) << describe(rel);
      EXPECT_EQ(gone->trial, release.trial);
      EXPECT_EQ(gone->epoch, release.epoch);
      EXPECT_EQ(gone->outcome, release.outcome);
      EXPECT_EQ(gone->message, release.message);
      EXPECT_EQ(gone->checkpoint_time_s, release.checkpoint_time_s);
    }
    inbox.expect_silence();
  });
}

TYPED_TEST(TransportConformance, a_worker_that_vanishes_blocks_nothing_and_the_others_go_on) {
  if (!TypeParam::kHasWorkerSide) GTEST_SKIP() << kNoWorkerSide;
  const HyperParameters gone = {{"units", std::int64_t{4}}, {"vanish", std::int64_t{1}}};
  const HyperParameters hp = {{"units", std::int64_t{4}}};
  TypeParam::converse(loopback_worker, [&](CoordinatorTransport& c) {
    Inbox inbox(c);
    (void)inbox.take_ready();
    c.send(1, assign(1, gone));
    c.send(2, assign(2, hp));
    // What worker 1 sent before it vanished still arrives.
    EXPECT_EQ(describe(inbox.take(1)), describe(epoch_report(1, gone, 1)));
    EXPECT_EQ(describe(inbox.take(2)), describe(epoch_report(2, hp, 1)));
    // A decision for a worker that no longer reads returns at once.
    c.send(1, DecisionMsg{1, 1, Verdict::Continue});
    c.send(2, DecisionMsg{2, 1, Verdict::Continue});
    EXPECT_EQ(describe(inbox.take(2)), describe(epoch_report(2, hp, 2)));
    c.send(2, DecisionMsg{2, 2, Verdict::Complete});
    EXPECT_EQ(describe(inbox.take(2)), describe(released(2, 2, TrialOutcome::Completed)));
    // Silence from worker 1: receive gives up on time rather than waiting for it.
    inbox.expect_silence();
  });
}

// Gathers each worker rank's failures to rank 0, which prints them once; worker ranks print
// nothing else.
class RankFailures : public ::testing::EmptyTestEventListener {
 public:
  explicit RankFailures(int rank) : rank_(rank) {}
  // The test's name is kept here: GoogleTest holds its lock while it reports a result, so
  // asking it for the current test from OnTestPartResult would deadlock.
  void OnTestStart(const ::testing::TestInfo& test) override {
    test_ = std::string(test.test_suite_name()) + "." + test.name();
  }
  void OnTestEnd(const ::testing::TestInfo& /*test*/) override { test_ = "(outside a test)"; }
  // Called from the thread that failed (in-process workers are threads): one lock for text_.
  void OnTestPartResult(const ::testing::TestPartResult& result) override {
    if (!result.failed()) return;
    const std::lock_guard<std::mutex> lock(mutex_);
    text_ += "rank " + std::to_string(rank_) + ", " + test_ + ": " +
             (result.file_name() != nullptr ? result.file_name() : "?") + ":" +
             std::to_string(result.line_number()) + "\n" + result.message() + "\n";
  }
  [[nodiscard]] std::string text() const {
    const std::lock_guard<std::mutex> lock(mutex_);
    return text_;
  }

 private:
  int rank_;
  std::string test_ = "(outside a test)";
  mutable std::mutex mutex_;
  std::string text_;
};

}  // namespace
}  // namespace rung

int main(int argc, char** argv) {
  rung::MpiEnvironment mpi(argc, argv);
  rung::g_mpi = &mpi;
  ::testing::InitGoogleTest(&argc, argv);
  auto& listeners = ::testing::UnitTest::GetInstance()->listeners();
  auto* failures = new rung::RankFailures(mpi.rank());
  if (mpi.rank() != 0) delete listeners.Release(listeners.default_result_printer());
  listeners.Append(failures);  // owned by gtest from here on
  const int mine = RUN_ALL_TESTS();
  const std::vector<std::string> all = rung::gather_strings_to_root(mpi, failures->text());
  int failed_ranks = mine;
  for (std::size_t rank = 1; rank < all.size(); ++rank) {
    if (all[rank].empty()) continue;
    std::printf("\nFailures on worker rank %zu:\n%s", rank, all[rank].c_str());
    failed_ranks = 1;
  }
  std::fflush(stdout);
  return static_cast<int>(mpi.broadcast_from_root(failed_ranks));
}
