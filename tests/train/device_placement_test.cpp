// The device-choice rules over the environment a rank sees, and the cross-rank check.
#include "rung/train/device_placement.hpp"

#include <gtest/gtest.h>

#include <string>

#include "rung/config/error.hpp"

namespace rung {
namespace {

PlacementInput gpu_node(int local_rank, int devices, bool coordinator_here = true) {
  PlacementInput in;
  in.requested = "cuda";
  in.node_local_rank = local_rank;
  in.coordinator_on_node = coordinator_here;
  in.visible_devices = devices;
  return in;
}

std::string refusal(const PlacementInput& in) {
  try {
    (void)place_worker(in);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(DevicePlacement, cpu_when_asked_or_when_auto_finds_no_gpu) {
  PlacementInput in = gpu_node(3, 4);
  in.requested = "cpu";
  EXPECT_EQ(place_worker(in).device, "cpu");
  in.requested = "auto";
  in.visible_devices = 0;
  const Placement p = place_worker(in);
  EXPECT_EQ(p.device, "cpu");
  EXPECT_NE(p.reason.find("no CUDA device visible"), std::string::npos);
  // Many CPU workers on one node never conflict.
  in.node_local_rank = 40;
  EXPECT_EQ(place_worker(in).device, "cpu");
}

TEST(DevicePlacement, cuda_without_a_device_fails_with_the_fix) {
  PlacementInput in = gpu_node(1, 0);
  in.environment["CUDA_VISIBLE_DEVICES"] = "";
  const std::string message = refusal(in);
  EXPECT_NE(message.find("sees no CUDA device"), std::string::npos) << message;
  EXPECT_NE(message.find("device: auto"), std::string::npos) << message;
}

TEST(DevicePlacement, one_visible_device_is_the_ranks_own) {
  PlacementInput in = gpu_node(5, 1);
  in.environment["CUDA_VISIBLE_DEVICES"] = "3";
  const Placement p = place_worker(in);
  EXPECT_EQ(p.device, "cuda:0");
  EXPECT_EQ(p.physical, "3");
  EXPECT_NE(p.reason.find("CUDA_VISIBLE_DEVICES=3"), std::string::npos);
}

TEST(DevicePlacement, node_local_rank_picks_the_device_skipping_the_coordinator) {
  // Node 0: rank 0 coordinates at node-local rank 0; workers 1..4 take devices 0..3.
  for (int local = 1; local <= 4; ++local) {
    EXPECT_EQ(place_worker(gpu_node(local, 4)).device, "cuda:" + std::to_string(local - 1));
  }
  // Another node: no coordinator, node-local ranks 0..3 are devices 0..3.
  EXPECT_EQ(place_worker(gpu_node(0, 4, false)).device, "cuda:0");
  EXPECT_EQ(place_worker(gpu_node(3, 4, false)).device, "cuda:3");
  // A listed CUDA_VISIBLE_DEVICES maps indices to the listed physical devices.
  PlacementInput in = gpu_node(2, 2);
  in.environment["CUDA_VISIBLE_DEVICES"] = "4,6";
  const Placement p = place_worker(in);
  EXPECT_EQ(p.device, "cuda:1");
  EXPECT_EQ(p.physical, "6");
}

TEST(DevicePlacement, launcher_local_rank_is_cross_checked) {
  PlacementInput in = gpu_node(2, 4);
  in.environment["SLURM_LOCALID"] = "2";
  EXPECT_NE(place_worker(in).reason.find("SLURM_LOCALID agrees"), std::string::npos);
  in.environment.clear();
  in.environment["OMPI_COMM_WORLD_LOCAL_RANK"] = "5";
  const Placement p = place_worker(in);
  EXPECT_EQ(p.device, "cuda:1");  // MPI's rank decides
  EXPECT_NE(p.reason.find("OMPI_COMM_WORLD_LOCAL_RANK=5 disagrees"), std::string::npos) << p.reason;
}

TEST(DevicePlacement, two_workers_on_one_device_fail_fast_unless_allowed) {
  // 3 workers on a 2-GPU node: the third would share cuda:0 with the first.
  const std::string message = refusal(gpu_node(3, 2));
  EXPECT_NE(message.find("worker slot 2"), std::string::npos) << message;
  EXPECT_NE(message.find("share cuda:0 with worker slot 0"), std::string::npos) << message;
  EXPECT_NE(message.find("workers_per_gpu"), std::string::npos) << message;
  // Asked for: 4 workers on 2 GPUs at 2 per GPU.
  PlacementInput in = gpu_node(4, 2);
  in.workers_per_gpu = 2;
  EXPECT_EQ(place_worker(in).device, "cuda:1");
  in.node_local_rank = 5;
  EXPECT_FALSE(refusal(in).empty());
}

TEST(DevicePlacement, the_table_check_catches_ranks_bound_to_the_same_gpu) {
  std::vector<PlacementRow> rows = {{"n1", 0, "coordinator", "", "coordinates"},
                                    {"n1", 1, "cuda:0", "3", "CUDA_VISIBLE_DEVICES=3"},
                                    {"n2", 2, "cuda:0", "3", "CUDA_VISIBLE_DEVICES=3"},
                                    {"n1", 3, "cuda:0", "5", "CUDA_VISIBLE_DEVICES=5"}};
  EXPECT_NO_THROW(check_shared_devices(rows, 1));  // same id on other hosts is fine
  rows.push_back({"n1", 4, "cuda:0", "3", "CUDA_VISIBLE_DEVICES=3"});
  try {
    check_shared_devices(rows, 1);
    FAIL() << "two ranks on GPU 3 of n1 passed";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("ranks 1, 4 would share GPU 3 on n1"), std::string::npos)
        << e.what();
  }
  EXPECT_NO_THROW(check_shared_devices(rows, 2));
  rows.push_back({"n1", 5, "cpu", "cpu", "rung.device is cpu"});
  rows.push_back({"n1", 6, "cpu", "cpu", "rung.device is cpu"});
  EXPECT_NO_THROW(check_shared_devices(rows, 2));
}

TEST(DevicePlacement, table_rows_round_trip_and_print) {
  const PlacementRow row{"node-a", 7, "cuda:1", "6", "node-local worker slot 1"};
  const PlacementRow back = decode_placement_row(encode_placement_row(row));
  EXPECT_EQ(back.host, row.host);
  EXPECT_EQ(back.rank, 7);
  EXPECT_EQ(back.device, row.device);
  EXPECT_EQ(back.physical, row.physical);
  EXPECT_EQ(back.reason, row.reason);
  const PlacementRow odd{"node-b", 2, "failed", "", "line one\nline\ttwo"};
  EXPECT_EQ(decode_placement_row(encode_placement_row(odd)).reason, "line one line two");
  const std::string table = format_placement_table({row});
  EXPECT_NE(table.find("node-a  7     cuda:1  node-local worker slot 1"), std::string::npos)
      << table;
}

}  // namespace
}  // namespace rung
