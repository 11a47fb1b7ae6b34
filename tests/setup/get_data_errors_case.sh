#!/usr/bin/env bash
# scripts/get-data.sh without a network and without the real data: each way it can fail gives
# its exit code (2 usage or no data in the mirror, 3 download failed, 4 checksum or archive)
# and a message naming the cause, and leaves nothing behind in DIR; an archive laid out as the
# official cifar-10-binary.tar.gz (tiny, with its md5 given through RUNG_CIFAR10_MD5) unpacks
# flat into DIR, and a second run leaves it alone. Downloads go to a closed local port, so the
# test never reaches the internet even where there is one.
#   get_data_errors_case.sh SOURCE_DIR WORK
set -uo pipefail
src=$(realpath "$1") work=$(realpath -m "$2")
get=$src/scripts/get-data.sh
fail() { echo "FAIL: $*"; exit 1; }
rm -rf "$work"
mkdir -p "$work"
cd "$work" || exit 1
unset RUNG_DATA_MIRROR RUNG_CIFAR10_URL RUNG_CIFAR10_MD5 RUNG_FASHION_MNIST_URL
unset RUNG_FASHION_MNIST_PACKAGE_DIR
closed=http://127.0.0.1:9

# expect CODE WORDS -- COMMAND...: the exit code, and WORDS (a grep -E pattern) in its output.
expect() {
  local code=$1 words=$2
  shift 3
  "$@" > out.txt 2>&1
  local rc=$?
  echo "\$ ${*#"$get"} -> $rc"
  sed 's/^/    /' out.txt
  ((rc == code)) || fail "exit $rc, expected $code"
  grep -Eq -- "$words" out.txt || fail "output does not say: $words"
}

expect 2 "which data set" -- "$get"
expect 2 "unknown data set 'mnist'" -- "$get" mnist d
expect 2 "unknown option --frm" -- "$get" cifar10 d --frm x
expect 2 "mirror $work/none .*is not a folder" -- "$get" cifar10 d --from "$work/none"
mkdir -p empty
expect 2 "mirror empty holds no CIFAR-10" -- "$get" cifar10 d --from empty
expect 2 "mirror empty holds no CIFAR-10" -- env RUNG_DATA_MIRROR=empty "$get" cifar10 d
expect 2 "has no fashion-mnist/ folder" -- \
  env RUNG_FASHION_MNIST_PACKAGE_DIR="$work/none" "$get" fashion-mnist d --from empty
expect 3 "download of $closed/cifar-10-binary.tar.gz failed.*--from" -- \
  env RUNG_CIFAR10_URL=$closed/cifar-10-binary.tar.gz "$get" cifar10 d
expect 3 "download of $closed/train-images-idx3-ubyte.gz failed" -- \
  env RUNG_FASHION_MNIST_URL=$closed RUNG_FASHION_MNIST_PACKAGE_DIR="$work/none" "$get" fashion-mnist d
[[ ! -e d ]] || fail "a failed run left $work/d behind"

# A small archive in the official layout: 4 records per file, labels 0-9.
mkdir -p m/cifar10 a/cifar-10-batches-bin
for f in data_batch_1 data_batch_2 data_batch_3 data_batch_4 data_batch_5 test_batch; do
  for label in 0 3 7 9; do
    printf '%b' "\\x0$label"
    head -c 3072 /dev/zero
  done > "a/cifar-10-batches-bin/$f.bin"
done
printf 'airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n' > a/cifar-10-batches-bin/batches.meta.txt
tar -czf m/cifar10/cifar-10-binary.tar.gz -C a cifar-10-batches-bin
md5=$(md5sum m/cifar10/cifar-10-binary.tar.gz | cut -d' ' -f1)
expect 4 "has md5 $md5, not the published c32a1d4ab5d03f1284b67883e8d87530" -- \
  "$get" cifar10 d --from m
[[ ! -e d ]] || fail "a checksum mismatch left $work/d behind"
mkdir -p d
expect 0 "CIFAR-10 \\(official\\) is in d" -- env RUNG_CIFAR10_MD5="$md5" "$get" cifar10 d --from m
ls -A d > listing.txt
diff <(printf '%s\n' SOURCE.txt batches.meta.txt data_batch_{1..5}.bin test_batch.bin) listing.txt ||
  fail "d does not hold exactly the official files, flat"
cmp -s d/test_batch.bin a/cifar-10-batches-bin/test_batch.bin || fail "test_batch.bin differs"
grep -q "^CIFAR-10, the official binary version .*md5 $md5" d/SOURCE.txt || fail "SOURCE.txt"
expect 0 "d already holds cifar10" -- "$get" cifar10 d --from m

# An archive without test_batch.bin, and one that is not a tar at all (md5s given).
rm a/cifar-10-batches-bin/test_batch.bin
tar -czf m/cifar10/cifar-10-binary.tar.gz -C a cifar-10-batches-bin
expect 4 "has no cifar-10-batches-bin/test_batch.bin" -- \
  env RUNG_CIFAR10_MD5="$(md5sum m/cifar10/cifar-10-binary.tar.gz | cut -d' ' -f1)" "$get" cifar10 e --from m
echo "not a tar" > m/cifar10/cifar-10-binary.tar.gz
expect 4 "is not a readable .tar.gz" -- \
  env RUNG_CIFAR10_MD5="$(md5sum m/cifar10/cifar-10-binary.tar.gz | cut -d' ' -f1)" "$get" cifar10 e --from m
[[ ! -e e ]] || fail "a bad archive left $work/e behind"

# Fashion-MNIST from a mirror: a damaged file is refused; Debian's files (where the package is
# installed) are taken.
mkdir -p fm/fashion-mnist
for f in train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz; do
  echo damaged | gzip > "fm/fashion-mnist/$f"
done
expect 4 "fm/fashion-mnist/train-images-idx3-ubyte.gz has md5 .*neither Zalando's published 8d4fb7e6c68d591d4c3dfef9ec88bf0d" -- \
  "$get" fashion-mnist f --from fm
[[ ! -e f ]] || fail "a bad Fashion-MNIST file left $work/f behind"
if [[ -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ]]; then
  cp /usr/share/datasets/fashion-mnist/*.gz fm/fashion-mnist/
  expect 0 "Fashion-MNIST is in f" -- "$get" fashion-mnist f --from fm
  grep -q "from mirror fm/fashion-mnist" f/SOURCE.txt || fail "SOURCE.txt does not name the mirror"
fi
echo "PASS"
