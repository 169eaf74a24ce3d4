#!/usr/bin/env bash
# Installs portfolio-sync for the composite action (action.yml), step 1 of 2: a prebuilt release binary.
#
# The release of VERSION (default: the action's own ref, when it is a version tag such as v0.1.0) is downloaded for
# the runner's OS and architecture and verified:
# - always against the `.sha256` file that .github/workflows/release.yml publishes beside it. That catches a
#   corrupted download, not a tampered release (whoever can replace the binary can replace its checksum too);
# - and, when the `gh` CLI is on PATH and logged in (GH_TOKEN; GitHub's runners have gh), against the release's
#   build provenance attestation (`gh attestation verify --repo OWNER/REPO`): a Sigstore signature proving the file
#   was built by this repository's release workflow, which a tampered release cannot forge.
# Either check failing stops the job; the log says which checks were done. When there is no such binary (no version, no
# release, no build for this runner), it says so and prints how to build instead; action.yml then runs
# `cargo install --locked` with a cache.
#
# Reads: VERSION, ACTION_REPOSITORY, ACTION_REF (from action.yml; may be empty), GH_TOKEN (for gh), GITHUB_ACTION_PATH,
#   GITHUB_SERVER_URL, RUNNER_OS, RUNNER_ARCH, RUNNER_TOOL_CACHE or RUNNER_TEMP, GITHUB_OUTPUT, GITHUB_PATH;
#   PORTFOLIO_SYNC_DOWNLOAD_URL overrides the release download address (tests, mirrors).
# Writes to $GITHUB_OUTPUT: installed=true|false; when false: build=path|git, source (the path, or the repository URL),
#   tag (for git), cache-key, root (the `cargo install --root`).
# Bash 3.2 compatible (macOS runners).
set -euo pipefail

note() { printf '%s\n' "$*"; }
output() { printf '%s=%s\n' "$1" "$2" >>"$GITHUB_OUTPUT"; }

action_path="${GITHUB_ACTION_PATH:?GITHUB_ACTION_PATH is not set: this runs inside the action}"
server="${GITHUB_SERVER_URL:-https://github.com}"

# Which repository and ref the action came from. The expressions are empty in some composite contexts, so fall back
# on the path the runner downloaded the action to: .../_actions/OWNER/REPO/REF.
repo="${ACTION_REPOSITORY:-}"
ref="${ACTION_REF:-}"
normalized="$(printf '%s' "$action_path" | tr '\\' '/')"
case "$normalized" in
  */_actions/*/*/*)
    rest="${normalized#*/_actions/}"
    if [ -z "$repo" ]; then repo="$(printf '%s' "$rest" | cut -d/ -f1-2)"; fi
    if [ -z "$ref" ]; then ref="$(printf '%s' "$rest" | cut -d/ -f3-)"; fi
    ;;
esac

version="${VERSION:-}"
if [ -z "$version" ] && printf '%s' "$ref" | grep -Eq '^v[0-9]+\.[0-9]+\.[0-9]+([-+].*)?$'; then
  version="$ref"
fi

target=""
exe=""
case "${RUNNER_OS:-}/${RUNNER_ARCH:-}" in
  Linux/X64) target=x86_64-unknown-linux-gnu ;;
  Linux/ARM64) target=aarch64-unknown-linux-gnu ;;
  macOS/X64) target=x86_64-apple-darwin ;;
  macOS/ARM64) target=aarch64-apple-darwin ;;
  Windows/X64) target=x86_64-pc-windows-msvc; exe=.exe ;;
esac

# The SHA-256 of a file in lower-case hex (sha256sum prefixes a `\` to names with backslashes: dropped).
sha256() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d' ' -f1 | tr -d '\\'
  else
    shasum -a 256 "$1" | cut -d' ' -f1
  fi
}

cache_root="${RUNNER_TOOL_CACHE:-${RUNNER_TEMP:?neither RUNNER_TOOL_CACHE nor RUNNER_TEMP is set}}"
# On Windows (Git Bash) work with the POSIX form of the path, and give GitHub the Windows form.
native() { printf '%s\n' "$1"; }
if command -v cygpath >/dev/null 2>&1; then
  cache_root="$(cygpath -u "$cache_root")"
  native() { cygpath -w "$1"; }
fi

if [ -n "$version" ] && [ -n "$target" ] && { [ -n "$repo" ] || [ -n "${PORTFOLIO_SYNC_DOWNLOAD_URL:-}" ]; }; then
  asset="portfolio-sync-$target$exe"
  base="${PORTFOLIO_SYNC_DOWNLOAD_URL:-$server/$repo/releases/download/$version}"
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  if curl -fsSL --retry 3 --connect-timeout 20 -o "$tmp/$asset" "$base/$asset" &&
    curl -fsSL --retry 3 --connect-timeout 20 -o "$tmp/$asset.sha256" "$base/$asset.sha256"; then
    expected="$(cut -d' ' -f1 <"$tmp/$asset.sha256" | tr -d '\r\n' | tr 'A-F' 'a-f')"
    actual="$(sha256 "$tmp/$asset")"
    if [ "$expected" != "$actual" ]; then
      note "::error title=portfolio-sync: checksum mismatch::$asset of $version has SHA-256 $actual, but $asset.sha256 says ${expected:-nothing}. Not installed."
      exit 1
    fi
    # `gh auth status` also fails when gh has no token: then an attestation cannot be fetched, and saying "checksum
    # only" is more honest than failing a job that could not have checked more.
    if [ -n "$repo" ] && command -v gh >/dev/null 2>&1 && gh auth status >/dev/null 2>&1; then
      if ! gh attestation verify "$tmp/$asset" --repo "$repo" >"$tmp/attestation.log" 2>&1; then
        note "::error title=portfolio-sync: attestation not verified::$asset of $version has no valid build provenance attestation from $repo. Not installed. gh said: $(tr '\r\n' '  ' <"$tmp/attestation.log")"
        exit 1
      fi
      verified="build provenance attestation of $repo (gh attestation verify) and SHA-256 $actual"
    else
      verified="SHA-256 $actual against $asset.sha256 only (no logged-in gh CLI: the build provenance attestation was not checked)"
    fi
    dir="$cache_root/portfolio-sync/$version/$target"
    mkdir -p "$dir"
    mv "$tmp/$asset" "$dir/portfolio-sync$exe"
    chmod +x "$dir/portfolio-sync$exe"
    native "$dir" >>"$GITHUB_PATH"
    output installed true
    note "Installed portfolio-sync $version ($target) from $base. Verified: $verified."
    exit 0
  fi
  note "No release binary $asset for $version at $base: building from source instead."
elif [ -z "$target" ]; then
  note "No release binaries for ${RUNNER_OS:-?}/${RUNNER_ARCH:-?}: building from source."
else
  note "No version to download (the action's ref \"${ref:-none}\" is not a version tag): building from source."
fi

# Build from source: the action's own files when they are the wanted version, else the repository at the tag.
output installed false
output root "$(native "$cache_root/portfolio-sync/cargo")"
if [ -z "${VERSION:-}" ] || [ "${VERSION:-}" = "$ref" ] || [ -z "$repo" ]; then
  # The key changes with any source change, so a moving ref (a branch) never runs a stale build.
  digest="$(cd "$action_path" && find Cargo.toml Cargo.lock src -type f | LC_ALL=C sort | while read -r f; do sha256 "$f"; done | {
    if command -v sha256sum >/dev/null 2>&1; then sha256sum; else shasum -a 256; fi
  } | cut -d' ' -f1)"
  output build path
  output source "$action_path"
  output cache-key "portfolio-sync-${RUNNER_OS:-os}-${RUNNER_ARCH:-arch}-src-$digest"
else
  output build git
  output source "$server/$repo"
  output tag "$version"
  output cache-key "portfolio-sync-${RUNNER_OS:-os}-${RUNNER_ARCH:-arch}-$version"
fi
