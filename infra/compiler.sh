#!/bin/sh
# The compiler Pulumi runs (Pulumi.yaml runtime.options.compiler), on every preview and update and
# more than once each: it runs a prebuilt, ReadyToRun copy of the program, and rebuilds that copy first
# whenever any input (code, catalog, provider schemas, project files) differs from what it was built from.
# Only the program reaches stdout: build output goes to stderr, which Pulumi shows when the build fails.
# Linux and macOS (POSIX sh, find, sha256sum or shasum). Usage: sh infra/compiler.sh <command> [args]
set -eu
root=${MIMICINFRA_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
out=${MIMICINFRA_COMPILER_DIR:-$root/infra/.compiler}

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
    rm -rf "$out"
    mv "$out.new" "$out"
  fi
  rmdir "$lock"   # before exec: an exec'd shell runs no EXIT trap
  trap - EXIT INT TERM
fi

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
  if [ -f "$cached" ]; then cat "$cached"; exit 0; fi
  mkdir -p "$out/cache"
  tmp="$out/cache/.$key.$$"
  if dotnet "$out/MimicInfra.dll" "$@" > "$tmp"; then
    mv "$tmp" "$cached"
    cat "$cached"
    find "$out/cache" -name '*.program' -mtime +1 -exec rm -f {} + 2>/dev/null || true
    exit 0
  else
    status=$?
    rm -f "$tmp"
    exit "$status"
  fi
fi
exec dotnet "$out/MimicInfra.dll" "$@"
