#include "rung/tune/suspend_request.hpp"

namespace rung {

std::atomic<int>& suspend_request() noexcept {
  static std::atomic<int> flag{0};
  return flag;
}

}  // namespace rung
