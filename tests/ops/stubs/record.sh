# shellcheck shell=bash
# Sourced by the stubs: appends one record [tool, arg...] to $OPS_STUB_LOG, each word NUL-terminated and the
# record ended by a lone RS (\036) word: plain bash, so a stub costs no process start.
record() {
  printf '%s\0' "$@" $'\036' >>"$OPS_STUB_LOG"
}
