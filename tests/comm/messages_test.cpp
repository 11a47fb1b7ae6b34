#include "rung/comm/messages.hpp"

#include <gtest/gtest.h>

#include "rung/comm/inprocess_transport.hpp"
#include "rung/config/error.hpp"

namespace rung {
namespace {

TEST(Messages, assign_round_trips_with_every_value_kind) {
  Assign a;
  a.trial = 41;
  a.name = "job-042";
  a.hyperparameters = {{"units", std::int64_t{128}}, {"lr", 0.001234}, {"act", std::string("relu")}};
  a.start_epoch = 3;
  a.until_epoch = 9;
  a.known_epochs = 5;
  a.seed = 0xDEADBEEFCAFEULL;
  const auto back = std::get<Assign>(decode_to_worker(encode(ToWorker{a})));
  EXPECT_EQ(back.trial, a.trial);
  EXPECT_EQ(back.name, a.name);
  EXPECT_EQ(back.hyperparameters, a.hyperparameters);
  EXPECT_EQ(back.start_epoch, 3);
  EXPECT_EQ(back.until_epoch, 9);
  EXPECT_EQ(back.known_epochs, 5);
  EXPECT_EQ(back.seed, a.seed);
}

TEST(Messages, decision_and_shutdown_round_trip) {
  const auto d = std::get<DecisionMsg>(decode_to_worker(encode(ToWorker{DecisionMsg{7, 2, Verdict::Pause}})));
  EXPECT_EQ(d.trial, 7);
  EXPECT_EQ(d.epoch, 2);
  EXPECT_EQ(d.verdict, Verdict::Pause);
  EXPECT_TRUE(std::holds_alternative<Shutdown>(decode_to_worker(encode(ToWorker{Shutdown{}}))));
}

TEST(Messages, worker_messages_round_trip) {
  EpochReport r{5, 4, {{"validation:accuracy", 0.93}, {"validation:loss", 0.2}}, 1.5, 0.25};
  const auto rb = std::get<EpochReport>(decode_from_worker(encode(FromWorkerBody{r})));
  EXPECT_EQ(rb.trial, 5);
  EXPECT_EQ(rb.epoch, 4);
  EXPECT_EQ(rb.metrics, r.metrics);
  EXPECT_DOUBLE_EQ(rb.train_time_s, 1.5);
  TrialReleased rel{5, 4, TrialOutcome::Failed, "loss is NaN", 0.0};
  const auto relb = std::get<TrialReleased>(decode_from_worker(encode(FromWorkerBody{rel})));
  EXPECT_EQ(relb.outcome, TrialOutcome::Failed);
  EXPECT_EQ(relb.message, "loss is NaN");
  const auto ready = std::get<Ready>(decode_from_worker(encode(FromWorkerBody{Ready{"node1", "cpu"}})));
  EXPECT_EQ(ready.host, "node1");
  const std::string beat = encode(FromWorkerBody{Heartbeat{}});
  EXPECT_EQ(beat.size(), 1u);  // sent every few seconds by every rank: a tag alone
  EXPECT_TRUE(std::holds_alternative<Heartbeat>(decode_from_worker(beat)));
  EXPECT_THROW((void)decode_from_worker(beat + "x"), MpiError);
}

TEST(Messages, truncated_or_unknown_bytes_are_an_error_not_a_crash) {
  std::string bytes = encode(ToWorker{DecisionMsg{7, 2, Verdict::Stop}});
  EXPECT_THROW((void)decode_to_worker(bytes.substr(0, bytes.size() - 1)), MpiError);
  EXPECT_THROW((void)decode_to_worker(bytes + "x"), MpiError);
  EXPECT_THROW((void)decode_to_worker(std::string(1, '\x7f')), MpiError);
  EXPECT_THROW((void)decode_from_worker(""), MpiError);
}

// Found by tests/fuzz (wire_messages): a byte past the enum's values was taken as a verdict or
// an outcome that no decision or release has.
TEST(Messages, unknown_verdict_or_outcome_byte_is_an_error) {
  std::string decision = encode(ToWorker{DecisionMsg{7, 2, Verdict::Stop}});
  decision.back() = '\x09';
  try {
    (void)decode_to_worker(decision);
    ADD_FAILURE() << "verdict 9 decoded";
  } catch (const MpiError& e) {
    EXPECT_NE(std::string(e.what()).find("unknown verdict 9"), std::string::npos) << e.what();
  }
  std::string released = encode(FromWorkerBody{TrialReleased{5, 4, TrialOutcome::Failed, "", 0.0}});
  released[1 + 8 + 4] = '\xff';  // tag, trial, epoch, then the outcome
  EXPECT_THROW((void)decode_from_worker(released), MpiError);
}

TEST(InProcessTransport, delivers_in_order_and_times_out_when_idle) {
  InProcessHub hub(2);
  EXPECT_EQ(hub.coordinator().num_workers(), 2);
  hub.worker(2).send(Ready{"h", "cpu"});
  hub.worker(1).send(EpochReport{1, 1, {}, 0, 0});
  auto first = hub.coordinator().receive(std::chrono::milliseconds(100));
  ASSERT_TRUE(first);
  EXPECT_EQ(first->worker, 2);
  auto second = hub.coordinator().receive(std::chrono::milliseconds(100));
  ASSERT_TRUE(second);
  EXPECT_EQ(second->worker, 1);
  EXPECT_FALSE(hub.coordinator().receive(std::chrono::milliseconds(10)));
  hub.coordinator().send(1, Shutdown{});
  EXPECT_TRUE(std::holds_alternative<Shutdown>(hub.worker(1).receive()));
}

}  // namespace
}  // namespace rung
