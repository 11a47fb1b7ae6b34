#!/usr/bin/env bash
# Gets a data set that rung's jobs train on, checks it, and lays it out as rung's readers
# expect (dataset.path in the job files), so a cluster needs nothing beside the checkout.
#   scripts/get-data.sh cifar10|fashion-mnist [DIR] [--from MIRROR]
# DIR defaults to data/<name> under the current directory (jobs/resnet20_cifar10.yaml reads
# data/cifar10). Where the files come from:
#   cifar10        the mirror when one is given, else the official cifar-10-binary.tar.gz
#                  (www.cs.toronto.edu/~kriz, md5 checked), unpacked flat into DIR:
#                  data_batch_1.bin .. data_batch_5.bin, test_batch.bin, batches.meta.txt
#   fashion-mnist  the mirror when it has fashion-mnist/, else Debian's dataset-fashion-mnist
#                  when installed, else Zalando's files on GitHub (md5 checked); the four
#                  gzip'd IDX files, as rung reads them
# A mirror (--from MIRROR, else $RUNG_DATA_MIRROR) is a local folder for offline machines;
# nothing is downloaded when one is given:
#   MIRROR/cifar10/cifar-10-binary.tar.gz      the official archive (md5 checked), or
#   MIRROR/cifar10/cifar10-jpeg.tar.gz and make_cifar10.py
#                                              a STAND-IN rebuilt from a public JPEG copy
#                                              (this project's CI mirror): not the official
#                                              bytes, so its own SHA-256 sums are checked
#   MIRROR/fashion-mnist/<the four .gz files>  Zalando's (or Debian's) files, md5 checked
# DIR/SOURCE.txt says what DIR holds and where it came from; a DIR that already holds the
# data set (with its SOURCE.txt) is left as it is. Files are unpacked beside DIR and renamed
# into it, so a file under its final name is complete.
# Environment: RUNG_DATA_MIRROR (above); RUNG_CIFAR10_URL, RUNG_FASHION_MNIST_URL (another
# copy of the official files, e.g. a site proxy; still checked); RUNG_CIFAR10_MD5 (the
# archive's expected md5; tests set it to unpack a small archive);
# RUNG_FASHION_MNIST_PACKAGE_DIR (where Debian's package puts the files).
# Exit status: 0 done or already there; 2 usage, or a mirror without the data set; 3 download
# failed; 4 checksum mismatch or unusable archive; 5 a tool it needs is missing.
set -euo pipefail

usage="usage: scripts/get-data.sh cifar10|fashion-mnist [DIR] [--from MIRROR]"
die() {  # die CODE MESSAGE...
  local code=$1
  shift
  echo "get-data: error: $*" >&2
  exit "$code"
}
say() { echo "get-data: $*"; }

name="" dir="" mirror=${RUNG_DATA_MIRROR:-}
while (($#)); do
  case $1 in
    --from) (($# >= 2)) || die 2 "--from needs a folder. $usage"; mirror=$2; shift 2 ;;
    --from=*) mirror=${1#--from=}; shift ;;
    -h | --help) echo "$usage"; exit 0 ;;
    -*) die 2 "unknown option $1. $usage" ;;
    *)
      if [[ -z $name ]]; then name=$1
      elif [[ -z $dir ]]; then dir=$1
      else die 2 "unexpected argument $1. $usage"
      fi
      shift ;;
  esac
done
case $name in
  cifar10 | fashion-mnist) ;;
  "") die 2 "which data set? $usage" ;;
  *) die 2 "unknown data set '$name' (cifar10 or fashion-mnist). $usage" ;;
esac
dir=${dir:-data/$name}
[[ -z $mirror || -d $mirror ]] || die 2 "the mirror $mirror (--from or RUNG_DATA_MIRROR) is not a folder"

cifar_url=${RUNG_CIFAR10_URL:-https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz}
cifar_md5=${RUNG_CIFAR10_MD5:-c32a1d4ab5d03f1284b67883e8d87530}  # published with the archive
cifar_files=(data_batch_1.bin data_batch_2.bin data_batch_3.bin data_batch_4.bin
             data_batch_5.bin test_batch.bin batches.meta.txt)
# The stand-in's files as make_cifar10.py writes them (the CI mirror's README lists them).
declare -A standin_sha256=(
  [data_batch_1.bin]=4a5257f033f911d3e069b6545f71076035233e8b3accdb5081bd4ab0c880c996
  [data_batch_2.bin]=1b393146cc165838f1648a6566d2fa1ceccaf23ea5e5aa09a4d51df8e8386626
  [data_batch_3.bin]=f080b4e09bd9439c8dbe79bfc9d4166ae1de4b9e630d253056ab5807b53e3ecf
  [data_batch_4.bin]=914a976689c2ac8ac21f284d71a085965d0795e667ad4a8b24191d58e0650732
  [data_batch_5.bin]=da29276046ec08a964d9544951fb4f9083893cdf6367fb2e6dbf5523ace9f13d
  [test_batch.bin]=2f913c3a1e2042249bf9072770f1af171763255228a14b4389054694862c4abb
  [batches.meta.txt]=2ce042b1e0b48db4bb214408e6414ba18b2731c24af244f2d6c112fddf31af00
)
fashion_url=${RUNG_FASHION_MNIST_URL:-https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion}
fashion_package_dir=${RUNG_FASHION_MNIST_PACKAGE_DIR:-/usr/share/datasets/fashion-mnist}
fashion_files=(train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz
               t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz)
# Zalando's published md5 of each file, and Debian's copies (dataset-fashion-mnist
# 0.0~git20200523.55506a9-1: the same images, gzip'd again without the file name).
declare -A fashion_md5=(
  [train-images-idx3-ubyte.gz]="8d4fb7e6c68d591d4c3dfef9ec88bf0d cf8536b0aa1a6ac5fa3f23001093305c"
  [train-labels-idx1-ubyte.gz]="25c81989df183df01b3e8a0aad5dffbe 10bea18fdb374794d4bb42e356e600c9"
  [t10k-images-idx3-ubyte.gz]="bef4ecab320f06d8554ea6380940ec79 f78720b4224f21cce2f2ccf2d7a94c9a"
  [t10k-labels-idx1-ubyte.gz]="bb300cfdad3c16e7a12a480ee83cd310 0d30e22e447f3c33dab9ed536400ac01"
)

# --- what DIR holds already ----------------------------------------------------------------
is_cifar_record_file() {  # a non-empty whole number of 3,073-byte records
  local size
  size=$(stat -c %s "$1" 2>/dev/null) || return 1
  ((size > 0 && size % 3073 == 0))
}
is_complete() {
  local f
  [[ -f $dir/SOURCE.txt ]] || return 1
  if [[ $name == cifar10 ]]; then
    for f in "${cifar_files[@]}"; do
      if [[ $f == *.bin ]]; then
        is_cifar_record_file "$dir/$f" || return 1
      else
        [[ -s $dir/$f ]] || return 1
      fi
    done
  else
    for f in "${fashion_files[@]}"; do [[ -s $dir/$f ]] || return 1; done
  fi
}
if is_complete; then
  say "$dir already holds $name: $(head -1 "$dir/SOURCE.txt")"
  exit 0
fi

# --- a staging folder beside the files, renamed into place at the end ------------------------
created_dir=""
[[ -d $dir ]] || created_dir=yes
mkdir -p "$dir" || die 2 "cannot create $dir"
stage=$(mktemp -d "$dir/.get-data.XXXXXX") || die 2 "cannot write in $dir"
# On failure nothing stays behind: no staging folder, and no DIR this run created.
trap 'rm -rf "$stage"; [[ -z $created_dir ]] || rmdir "$dir" 2>/dev/null || true' EXIT

download() {  # download URL FILE
  local url=$1 file=$2 rc=0
  say "downloading $url"
  if command -v curl >/dev/null; then
    curl -fL --retry 2 --connect-timeout 20 -sS -o "$file" "$url" || rc=$?
  elif command -v wget >/dev/null; then
    wget -q -O "$file" "$url" || rc=$?
  else
    die 5 "neither curl nor wget is installed to download $url" \
      "(apt-get install curl, or use --from MIRROR with a copy of the files)"
  fi
  if ((rc != 0)); then
    die 3 "download of $url failed (exit $rc): no network here? Copy the files to a folder" \
      "laid out as a mirror (see the top of scripts/get-data.sh) and run again with" \
      "--from FOLDER (or RUNG_DATA_MIRROR=FOLDER)"
  fi
}
md5_of() { md5sum "$1" | cut -d' ' -f1; }
sha256_of() { sha256sum "$1" | cut -d' ' -f1; }
# The files in the staging folder go into DIR under their final names, then SOURCE.txt.
commit() {  # commit SOURCE-LINE FILE...
  local line=$1 f
  shift
  for f in "$@"; do mv -f "$stage/$f" "$dir/$f"; done
  printf '%s\n%s\n' "$line" "fetched $(date -u +%FT%TZ) by scripts/get-data.sh" >"$stage/SOURCE.txt"
  mv -f "$stage/SOURCE.txt" "$dir/SOURCE.txt"
}

# --- CIFAR-10 --------------------------------------------------------------------------------
unpack_official_cifar() {  # unpack_official_cifar ARCHIVE FROM
  local archive=$1 from=$2 got f
  got=$(md5_of "$archive")
  if [[ $got != "$cifar_md5" ]]; then
    die 4 "$archive has md5 $got, not the published $cifar_md5 of cifar-10-binary.tar.gz" \
      "(a damaged download, or another file under that name); nothing was written to $dir"
  fi
  say "md5 $got is the expected checksum; unpacking"
  tar -xzf "$archive" -C "$stage" || die 4 "$archive is not a readable .tar.gz"
  for f in "${cifar_files[@]}"; do
    [[ -f $stage/cifar-10-batches-bin/$f ]] ||
      die 4 "$archive has no cifar-10-batches-bin/$f: not CIFAR-10's binary version"
    mv "$stage/cifar-10-batches-bin/$f" "$stage/$f"
    if [[ $f == *.bin ]] && ! is_cifar_record_file "$stage/$f"; then
      die 4 "$archive: $f is not a whole number of 3,073-byte CIFAR-10 records"
    fi
  done
  commit "CIFAR-10, the official binary version (cifar-10-binary.tar.gz, md5 $got) from $from" \
    "${cifar_files[@]}"
  say "CIFAR-10 (official) is in $dir"
}

# A Python with numpy and PIL for make_cifar10.py: Debian's first (a cluster's default python3
# may be a module or a virtual environment without them).
python_with_numpy_and_pil() {
  local p
  for p in /usr/bin/python3 python3; do
    if command -v "$p" >/dev/null && "$p" -c 'import numpy, PIL' 2>/dev/null; then
      command -v "$p"
      return
    fi
  done
  return 1
}

build_cifar_standin() {  # build_cifar_standin MIRROR_CIFAR_DIR
  local src=$1 python f got
  python=$(python_with_numpy_and_pil) ||
    die 5 "rebuilding the CIFAR-10 stand-in needs Python 3 with numpy and PIL" \
      "(apt-get install python3-numpy python3-pil)"
  say "CIFAR-10 STAND-IN: $src holds a copy rebuilt from a public JPEG version" \
    "(cifar10-jpeg.tar.gz; see its README.md), not the official archive. Its pixels differ" \
    "slightly from CIFAR-10's (JPEG compression) and its records are in another order, so" \
    "the official checksum cannot match; its own SHA-256 sums are checked instead."
  say "running $python $src/make_cifar10.py (about 10 s)"
  "$python" "$src/make_cifar10.py" "$stage" || die 4 "$src/make_cifar10.py failed"
  for f in "${cifar_files[@]}"; do
    [[ -f $stage/$f ]] || die 4 "$src/make_cifar10.py wrote no $f"
    got=$(sha256_of "$stage/$f")
    [[ $got == "${standin_sha256[$f]}" ]] ||
      die 4 "the rebuilt $f has SHA-256 $got, not ${standin_sha256[$f]}" \
        "(another version of the JPEG copy or of the converter?); nothing was written to $dir"
  done
  commit "CIFAR-10 STAND-IN rebuilt from a public JPEG copy ($src/cifar10-jpeg.tar.gz with make_cifar10.py; SHA-256 checked): not the official files, its pixels differ slightly" \
    "${cifar_files[@]}"
  say "CIFAR-10 stand-in (not the official files) is in $dir"
}

get_cifar10() {
  if [[ -n $mirror ]]; then
    local m
    for m in "$mirror/cifar10" "$mirror"; do
      if [[ -f $m/cifar-10-binary.tar.gz ]]; then
        say "using the official archive in mirror $m"
        unpack_official_cifar "$m/cifar-10-binary.tar.gz" "$m"
        return
      fi
      if [[ -f $m/cifar10-jpeg.tar.gz && -f $m/make_cifar10.py ]]; then
        build_cifar_standin "$m"
        return
      fi
    done
    die 2 "mirror $mirror holds no CIFAR-10: expected cifar10/cifar-10-binary.tar.gz, or" \
      "cifar10/cifar10-jpeg.tar.gz with make_cifar10.py"
  fi
  download "$cifar_url" "$stage/cifar-10-binary.tar.gz"
  unpack_official_cifar "$stage/cifar-10-binary.tar.gz" "$cifar_url"
}

# --- Fashion-MNIST ---------------------------------------------------------------------------
check_fashion_file() {  # check_fashion_file FILE NAME FROM: Zalando's or Debian's bytes
  local got
  got=$(md5_of "$1")
  [[ " ${fashion_md5[$2]} " == *" $got "* ]] ||
    die 4 "$3 has md5 $got, neither Zalando's published ${fashion_md5[$2]%% *} nor Debian's" \
      "${fashion_md5[$2]##* } for $2; nothing was written to $dir"
}

copy_fashion_from() {  # copy_fashion_from FOLDER WHAT
  local from=$1 what=$2 f
  for f in "${fashion_files[@]}"; do
    [[ -f $from/$f ]] || die 2 "$from has no $f"
    cp "$from/$f" "$stage/$f"
    check_fashion_file "$stage/$f" "$f" "$from/$f"
  done
  commit "Fashion-MNIST (the four gzip'd IDX files, md5 checked) from $what" "${fashion_files[@]}"
  say "Fashion-MNIST is in $dir"
}

get_fashion_mnist() {
  local f
  if [[ -n $mirror && -d $mirror/fashion-mnist ]]; then
    copy_fashion_from "$mirror/fashion-mnist" "mirror $mirror/fashion-mnist"
  elif [[ -f $fashion_package_dir/${fashion_files[0]} ]]; then
    copy_fashion_from "$fashion_package_dir" "Debian's dataset-fashion-mnist ($fashion_package_dir)"
  elif [[ -n $mirror ]]; then
    die 2 "mirror $mirror has no fashion-mnist/ folder and Debian's dataset-fashion-mnist is" \
      "not installed ($fashion_package_dir): apt-get install dataset-fashion-mnist, or put the" \
      "four files in $mirror/fashion-mnist/"
  else
    for f in "${fashion_files[@]}"; do
      download "$fashion_url/$f" "$stage/$f"
      check_fashion_file "$stage/$f" "$f" "$fashion_url/$f"
    done
    commit "Fashion-MNIST (the four gzip'd IDX files, md5 checked) from $fashion_url" \
      "${fashion_files[@]}"
    say "Fashion-MNIST is in $dir"
  fi
}

case $name in
  cifar10) get_cifar10 ;;
  fashion-mnist) get_fashion_mnist ;;
esac
