// The root-only BPF tests run in a private network namespace: see bpf_test_support.h.
#include <gtest/gtest.h>

#include <cstdio>

#include "bpf_test_support.h"

int main(int argc, char** argv) {
  testing::InitGoogleTest(&argc, argv);
  const auto reason = observo::bpftest::enter_private_netns();
  if (!reason.empty()) std::fprintf(stderr, "BPF tests skip: %s\n", reason.c_str());
  return RUN_ALL_TESTS();
}
