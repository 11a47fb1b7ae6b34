#include "rung/train/device_placement.hpp"

#include <algorithm>
#include <cstdlib>
#include <sstream>

#include "rung/config/error.hpp"

namespace rung {
namespace {

const char* const kVisible = "CUDA_VISIBLE_DEVICES";
const char* const kLocalRankVariables[] = {"SLURM_LOCALID", "OMPI_COMM_WORLD_LOCAL_RANK"};

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> items;
  std::string item;
  std::istringstream in(text);
  while (std::getline(in, item, ',')) {
    const auto first = item.find_first_not_of(' ');
    const auto last = item.find_last_not_of(' ');
    if (first != std::string::npos) items.push_back(item.substr(first, last - first + 1));
  }
  return items;
}

const std::string* find(const std::map<std::string, std::string>& env, const std::string& key) {
  const auto it = env.find(key);
  return it == env.end() ? nullptr : &it->second;
}

// The launcher's idea of the node-local rank, compared with MPI's.
std::string cross_check(const PlacementInput& in) {
  for (const char* name : kLocalRankVariables) {
    const std::string* value = find(in.environment, name);
    if (value == nullptr) continue;
    if (*value == std::to_string(in.node_local_rank)) return std::string(", ") + name + " agrees";
    return std::string("; ") + name + "=" + *value + " disagrees with MPI's node-local rank " +
           std::to_string(in.node_local_rank) + " (MPI's is used)";
  }
  return "";
}

}  // namespace

Placement place_worker(const PlacementInput& in) {
  if (in.requested == "cpu") return {"cpu", "cpu", "rung.device is cpu"};
  const std::string* visible_text = find(in.environment, kVisible);
  const std::string visible_note =
      visible_text ? std::string(" (") + kVisible + "=" + *visible_text + ")" : "";
  if (in.visible_devices <= 0) {
    if (in.requested == "cuda") {
      throw InputError("rung.device is cuda, but this rank sees no CUDA device" + visible_note +
                       "; use device: auto to fall back to the CPU, or run on a GPU node");
    }
    return {"cpu", "cpu", "no CUDA device visible" + visible_note};
  }
  const std::vector<std::string> listed =
      visible_text ? split_list(*visible_text) : std::vector<std::string>{};
  if (listed.size() == 1) {
    return {"cuda:0", listed.front(),
            std::string(kVisible) + "=" + listed.front() + " binds one device to this rank"};
  }
  const int slot = in.node_local_rank - (in.coordinator_on_node ? 1 : 0);
  const int per_gpu = std::max(1, in.workers_per_gpu);
  if (slot < 0) throw InputError("the coordinator rank has no device to place");
  if (slot >= in.visible_devices * per_gpu) {
    const int index = slot % in.visible_devices;
    throw InputError(
        "worker slot " + std::to_string(slot) + " on this node (node-local rank " +
        std::to_string(in.node_local_rank) + ") would share cuda:" + std::to_string(index) +
        " with worker slot " + std::to_string(slot - in.visible_devices) + ": " +
        std::to_string(in.visible_devices) + " CUDA device(s) visible" + visible_note +
        " and rung.workers_per_gpu is " + std::to_string(per_gpu) + "; start at most " +
        std::to_string(in.visible_devices * per_gpu) +
        " worker ranks per node, or set rung.workers_per_gpu to share devices on purpose");
  }
  const int index = slot % in.visible_devices;
  const std::string physical = static_cast<std::size_t>(index) < listed.size()
                                   ? listed[static_cast<std::size_t>(index)]
                                   : std::to_string(index);
  return {"cuda:" + std::to_string(index), physical,
          "node-local worker slot " + std::to_string(slot) + " of " +
              std::to_string(in.visible_devices) + " visible device(s)" + visible_note +
              cross_check(in)};
}

std::map<std::string, std::string> placement_environment() {
  std::map<std::string, std::string> env;
  for (const char* name : {kVisible, kLocalRankVariables[0], kLocalRankVariables[1]}) {
    if (const char* value = std::getenv(name)) env[name] = value;
  }
  return env;
}

void check_shared_devices(const std::vector<PlacementRow>& rows, int workers_per_gpu) {
  std::map<std::string, std::vector<int>> users;  // host + physical id -> ranks
  for (const PlacementRow& row : rows) {
    if (row.device.rfind("cuda", 0) != 0) continue;
    auto& ranks = users[row.host + " GPU " + row.physical];
    ranks.push_back(row.rank);
    if (static_cast<int>(ranks.size()) > std::max(1, workers_per_gpu)) {
      std::string list;
      for (int r : ranks) list += (list.empty() ? "" : ", ") + std::to_string(r);
      throw InputError("ranks " + list + " would share GPU " + row.physical + " on " + row.host +
                       " (rung.workers_per_gpu is " + std::to_string(workers_per_gpu) +
                       "); bind one device per rank (e.g. srun --gpus-per-task=1), start fewer "
                       "ranks per node, or raise rung.workers_per_gpu to share on purpose");
    }
  }
}

std::string format_placement_table(const std::vector<PlacementRow>& rows) {
  std::size_t host_width = 4;
  std::size_t device_width = 6;
  for (const auto& row : rows) {
    host_width = std::max(host_width, row.host.size());
    device_width = std::max(device_width, row.device.size());
  }
  auto pad = [](const std::string& s, std::size_t width) {
    return s + std::string(width > s.size() ? width - s.size() : 0, ' ');
  };
  std::ostringstream out;
  out << "placement:\n  " << pad("host", host_width) << "  rank  " << pad("device", device_width)
      << "  why\n";
  for (const auto& row : rows) {
    out << "  " << pad(row.host, host_width) << "  " << pad(std::to_string(row.rank), 4) << "  "
        << pad(row.device, device_width) << "  " << row.reason << '\n';
  }
  return out.str();
}

std::string encode_placement_row(const PlacementRow& row) {
  // Tabs separate the fields and rows travel one per string: neither may appear inside.
  auto flat = [](std::string text) {
    std::replace(text.begin(), text.end(), '\t', ' ');
    std::replace(text.begin(), text.end(), '\n', ' ');
    return text;
  };
  return flat(row.host) + '\t' + std::to_string(row.rank) + '\t' + flat(row.device) + '\t' +
         flat(row.physical) + '\t' + flat(row.reason);
}

PlacementRow decode_placement_row(const std::string& text) {
  std::vector<std::string> fields;
  std::string field;
  std::istringstream in(text);
  while (std::getline(in, field, '\t')) fields.push_back(field);
  fields.resize(5);
  PlacementRow row;
  row.host = fields[0];
  row.rank = std::atoi(fields[1].c_str());
  row.device = fields[2];
  row.physical = fields[3];
  row.reason = fields[4];
  return row;
}

}  // namespace rung
