// Trial checkpoints (rung/ckpt/checkpoint_file.hpp) as a resuming worker reads them: the
// input's bytes become a file, CheckpointReader opens and checks it, then every group,
// dataset and attribute in it is listed and read (as trainers read their parameters).
// Every failure must be a CheckpointError naming the file.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_support.hpp"
#include "rung/ckpt/checkpoint_file.hpp"
#include "rung/config/error.hpp"

namespace {

constexpr int kMaxDepth = 8;  // rung writes two levels ("params/fc1.weight")

void read_everything(const rung::CheckpointReader& reader, const std::string& group, int depth) {
  const std::string prefix = group.empty() ? "" : group + "/";
  for (const std::string& name : reader.list_attributes(group)) {
    try {
      (void)reader.get_string(prefix + name);
    } catch (const rung::CheckpointError&) {
      (void)reader.get_int(prefix + name);  // each attribute is one of the two
    }
  }
  if (depth >= kMaxDepth) return;
  for (const std::string& name : reader.list(group)) {
    const std::string child = prefix + name;
    try {
      const rung::ArrayData array = reader.get_array(child);
      if (array.bytes.size() != array.element_count() * rung::dtype_size(array.dtype)) {
        rung::fuzz::fail("checkpoint", "array \"" + child + "\" has the wrong byte count");
      }
    } catch (const rung::CheckpointError& e) {
      // Not a dataset (a group, or a dataset of a type rung does not read): a group lists.
      if (std::string(e.what()).find("is not a dataset") == std::string::npos) throw;
      read_everything(reader, child, depth + 1);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string& path = rung::fuzz::scratch_path(".ckpt.h5");
  rung::fuzz::write_scratch(path, data, size);
  rung::fuzz::expect_rung_errors("checkpoint", [&] {
    const rung::CheckpointReader reader(path);
    (void)reader.has("epoch");
    read_everything(reader, "", 0);
  }, path);
  return 0;
}
