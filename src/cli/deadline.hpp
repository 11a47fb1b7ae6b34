// When this segment of a run must have suspended: `--deadline` (Unix seconds, or +SECONDS
// from now), else Slurm's SLURM_JOB_END_TIME less kSlurmEndMargin_s, else none.
#pragma once

#include <optional>
#include <string>

namespace rung::cli {

// Room left after a deadline taken from Slurm's end time: the last checkpoints, the outputs,
// and Slurm's own slack before it kills the job.
inline constexpr double kSlurmEndMargin_s = 120.0;

// The time now, in Unix seconds.
[[nodiscard]] double unix_now_s();

// `--deadline VALUE` as Unix seconds. InputError naming the flag, the value and the rule when
// it is not a number, or is already past.
[[nodiscard]] double parse_deadline(const std::string& value);

// The deadline to use (Unix seconds): the flag's, else SLURM_JOB_END_TIME - kSlurmEndMargin_s
// when that is set (InputError when it is not a number), else nullopt.
[[nodiscard]] std::optional<double> segment_deadline(std::optional<double> flag);

}  // namespace rung::cli
