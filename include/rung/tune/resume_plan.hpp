// What a resumed run starts from: the interrupted run's verified journal and what rank 0
// found in its checkpoint directory. `rung run` builds it (after checking that the output
// directory holds this job); the coordinator replays it (Coordinator::resume_from).
#pragma once

#include <map>
#include <string>
#include <vector>

namespace rung {

struct ResumePlan {
  std::string journal_path;         // for messages
  std::vector<std::string> events;  // the journal's verified events, in order
  // Trial name -> the epoch its committed checkpoint holds, for every checkpoint that could
  // be read. An unreadable one is left out (never trusted): that trial restarts earlier.
  std::map<std::string, int> checkpoint_epochs;
  std::vector<std::string> notes;   // what was found and not trusted (torn record, temp files)
  std::string slurm_restart_count;  // SLURM_RESTART_COUNT, when set
  std::string slurm_job_id;         // SLURM_JOB_ID, when set
};

}  // namespace rung
