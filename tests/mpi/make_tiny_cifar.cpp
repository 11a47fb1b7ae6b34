// make_tiny_cifar DIR PER_BATCH TEST: writes data_batch_1..5.bin (PER_BATCH records each) and
// test_batch.bin (TEST records) in CIFAR-10's binary format, with learnable classes, for the
// ResNet-20 MPI tests.
#include <cstdio>
#include <cstdlib>

#include "train/image_files.hpp"

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: make_tiny_cifar DIR PER_BATCH TEST\n");
    return 2;
  }
  rung::test_images::write_cifar(argv[1], std::atoi(argv[2]), std::atoi(argv[3]));
  return 0;
}
