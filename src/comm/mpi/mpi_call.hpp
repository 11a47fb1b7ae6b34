// The MPI module's plumbing (an internal header): one call-and-check, and one sleeping wait.
// Open MPI's blocking calls busy-poll, and rank 0 shares its cores with workers, so every
// wait in rung polls and sleeps instead.
#pragma once

#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <thread>

#include "rung/config/error.hpp"

namespace rung::mpi {

// Every MPI call goes through here: a failure becomes an MpiError with MPI's own message.
inline void check(int rc, const char* what) {
  if (rc == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int len = 0;
  MPI_Error_string(rc, text, &len);
  throw MpiError(std::string(what) + " failed: " + std::string(text, static_cast<std::size_t>(len)));
}

// Sleep-polling backoff. Starts at 20 us (a decision round trip stays fast) and backs off to
// 2 ms, so a waiting rank costs well under 1% of a core.
class Backoff {
 public:
  void wait() {
    std::this_thread::sleep_for(std::chrono::microseconds(delay_us_));
    delay_us_ = std::min(delay_us_ * 2, 2000);
  }

 private:
  int delay_us_ = 20;
};

// Waits for a non-blocking collective or message, sleeping between tests.
inline void wait(MPI_Request& request) {
  Backoff backoff;
  for (int done = 0;;) {
    check(MPI_Test(&request, &done, MPI_STATUS_IGNORE), "MPI_Test");
    if (done) return;
    backoff.wait();
  }
}

}  // namespace rung::mpi
