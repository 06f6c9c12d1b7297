#!/usr/bin/env bash
# Before the tests: the real tools they check generated files with (nginx -t, caddy validate,
# cloud-init schema, shellcheck, ssh-keygen, openssl). Installs the missing ones from Debian's
# packages when it can (root with apt-get, as on CI and the dev machines); otherwise prints the exact
# install line and fails, so a missing tool is never a confusing test failure.
set -euo pipefail

declare -A package_of=(
  [nginx]=nginx
  [caddy]=caddy
  [cloud-init]=cloud-init
  [shellcheck]=shellcheck
  [ssh-keygen]=openssh-client
  [openssl]=openssl
)
missing=()
for tool in "${!package_of[@]}"; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("${package_of[$tool]}")
done
[ "${#missing[@]}" -eq 0 ] && exit 0

mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
install=(apt-get install -y -qq --no-install-recommends "${missing[@]}")
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing what the tests need: ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  "${install[@]}" >/dev/null
  exit 0
fi
echo "The tests need: ${missing[*]}. Install them first:" >&2
echo "  sudo ${install[*]}" >&2
exit 1
