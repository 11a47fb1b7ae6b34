#!/usr/bin/env bash
# then_check.sh OUT CHECK_FLAGS -- SCRIPT ARGS...
# Runs one of the MPI resume scripts (kill_resume_case.sh, suspend_resume_case.sh) on a
# command-trainer job, then the continuation checks on the run it left in OUT.
set -uo pipefail
out=$1 flags=$2
shift 3
"$@" || exit 1
# shellcheck disable=SC2086
/usr/bin/python3 "$(dirname "$0")/check_continuation.py" "$out" $flags
