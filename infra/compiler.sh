#!/bin/sh
# The compiler Pulumi runs (Pulumi.yaml runtime.options.compiler), on every preview and update and
# more than once each: it runs a prebuilt, ReadyToRun copy of the program, and rebuilds that copy first
# whenever any input (code, catalog, provider schemas, project files) differs from what it was built from.
# Only the program reaches stdout: build output goes to stderr, which Pulumi shows when the build fails.
# Linux and macOS (POSIX sh, find, sha256sum or shasum). Usage: sh infra/compiler.sh <command> [args]
set -eu
# Everything this script creates (the build, the cache of programs, which hold the lab's names and ids) is the user's
# alone: folders 0700, files 0600.
umask 077
# MIMICINFRA_ROOT builds the program from another checkout (the tests use copies); the build always goes to that
# checkout's infra/.compiler, never to a folder named from outside.
root=${MIMICINFRA_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
out=$root/infra/.compiler

# Paths this script runs or serves must be the user's and writable by nobody else; anything else is refused, never
# used. One POSIX find for all of them (-prune: the paths themselves, not what is below).
me=$(id -u)
private_or_refuse() {
  bad=$(find "$@" -prune \( ! -user "$me" -o -perm -020 -o -perm -002 \) -print 2>/dev/null || true)
  if [ -n "$bad" ]; then
    echo "compiler: refusing to run or serve $(printf '%s' "$bad" | head -n 1): it is not owned by $(id -un) or is writable by other users (remove it, or chmod go-w)" >&2
    exit 1
  fi
}
# The checkout whose code is built and run: the user's, and not writable by every user of the machine.
if [ -n "$(find "$root" -prune \( ! -user "$me" -o -perm -002 \) -print)" ]; then
  echo "compiler: $root is not owned by $(id -un) or is writable by every user; refusing to build from it" >&2; exit 1
fi

# SHA-256 (coreutils on Linux, shasum on macOS): a collision would run a stale build or serve another program.
sha() { if command -v sha256sum >/dev/null 2>&1; then sha256sum | cut -c1-64; else shasum -a 256 | cut -c1-64; fi; }

# What the build depends on: every file under the inputs, by path and content (a deleted, added or
# restored file changes it too, whatever its modification time).
fingerprint() {
  cd "$root"
  files=$(find infra/MimicInfra schemas infra/provider-schemas/aws.json infra/provider-schemas/gcp.json Directory.Build.props -type f ! -path '*/bin/*' ! -path '*/obj/*' 2>/dev/null | LC_ALL=C sort)
  { printf '%s\n' "$files"; printf '%s\n' "$files" | tr '\n' '\0' | xargs -0 cat; } | sha
  cd - >/dev/null
}

if [ "${1:-}" = "--fingerprint" ]; then fingerprint; exit 0; fi

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) rid=linux-x64 ;; Linux-aarch64 | Linux-arm64) rid=linux-arm64 ;;
  Darwin-x86_64) rid=osx-x64 ;; Darwin-arm64) rid=osx-arm64 ;;
  *) rid= ;;
esac

want=$(fingerprint)
if [ "$(cat "$out/fingerprint" 2>/dev/null || true)" != "$want" ]; then
  # One build at a time (Pulumi may start the compiler again while a build runs).
  lock="$out.lock"
  n=0
  until mkdir "$lock" 2>/dev/null; do
    n=$((n + 1)); [ "$n" -lt 600 ] || { echo "compiler: $lock is held; remove it if no build is running" >&2; exit 1; }
    sleep 1
  done
  trap 'rmdir "$lock" 2>/dev/null || true' EXIT INT TERM
  if [ "$(cat "$out/fingerprint" 2>/dev/null || true)" != "$want" ]; then
    echo "compiler: building infra/MimicInfra (code, catalog or schemas changed)" >&2
    rm -rf "$out.new"
    # NuGet audit is advisory here: a new advisory must never block a deploy (the tests still audit).
    if [ -n "$rid" ]; then r2r="-r $rid --self-contained false -p:PublishReadyToRun=true"; else r2r=; fi
    # shellcheck disable=SC2086
    dotnet publish "$root/infra/MimicInfra/MimicInfra.csproj" -c Release $r2r -o "$out.new" --artifacts-path "$out.build" --nologo -v quiet \
      -p:NuGetAudit=false -p:TreatWarningsAsErrors=false 1>&2
    printf '%s\n' "$want" > "$out.new/fingerprint"
    chmod -R go-rwx "$out.new"   # whatever modes the build wrote
    rm -rf "$out"
    mv "$out.new" "$out"
  fi
  rmdir "$lock"   # before exec: an exec'd shell runs no EXIT trap
  trap - EXIT INT TERM
fi

# A build of an earlier version of this script may be readable by others: make it private once, then check it.
if [ -n "$(find "$out" -prune -user "$me" \( -perm -040 -o -perm -004 \) -print)" ]; then chmod -R go-rwx "$out"; fi
private_or_refuse "$out" "$out/MimicInfra.dll"

# The program is a pure function of its build, its arguments, the PULUMI_* environment, the stack file
# (its secure: keys) and the UTC date (expiry): Pulumi runs it several times per preview and update with
# the same inputs, so a successful run's output is kept under that key and served again. Outputs hold
# no secret values (secrets are only ever referenced), and a failed run is never kept.
if [ "${1:-}" = "pulumi-program" ] && [ -z "${MIMICINFRA_NO_CACHE:-}" ]; then
  stackfile="${PULUMI_ROOT_DIRECTORY:-$root}/stacks/Pulumi.${PULUMI_STACK:-}.yaml"
  key=$( { printf '%s\n' "$want" "$(date -u +%Y-%m-%d)" "$*" "${PULUMI_STACK:-}" "${PULUMI_PROJECT:-}" "${PULUMI_ORGANIZATION:-}" \
             "${PULUMI_ROOT_DIRECTORY:-}" "${PULUMI_CONFIG:-}" "${PULUMI_CONFIG_SECRET_KEYS:-}"; \
           if [ -n "${PULUMI_STACK:-}" ] && [ -f "$stackfile" ]; then cat "$stackfile"; fi; } | sha)
  cached="$out/cache/$key.program"   # not *.yaml: Pulumi's YAML host scans the project for those
  # Served only if it is the user's, writable by nobody else, and its content has the SHA-256 recorded when it was kept.
  if [ -f "$cached" ] && [ -f "$cached.sha256" ]; then
    private_or_refuse "$out/cache" "$cached" "$cached.sha256"
    if [ "$(sha < "$cached")" = "$(cat "$cached.sha256")" ]; then cat "$cached"; exit 0; fi
    echo "compiler: $cached does not match its recorded SHA-256; compiling again" >&2
    rm -f "$cached" "$cached.sha256"
  fi
  mkdir -p "$out/cache"
  private_or_refuse "$out/cache"
  tmp="$out/cache/.$key.$$"
  if dotnet "$out/MimicInfra.dll" "$@" > "$tmp"; then
    sha < "$tmp" > "$tmp.sha256"
    mv "$tmp.sha256" "$cached.sha256"
    mv "$tmp" "$cached"
    cat "$cached"
    find "$out/cache" \( -name '*.program' -o -name '*.program.sha256' \) -mtime +1 -exec rm -f {} + 2>/dev/null || true
    exit 0
  else
    status=$?
    rm -f "$tmp" "$tmp.sha256"
    exit "$status"
  fi
fi
exec dotnet "$out/MimicInfra.dll" "$@"
