#!/usr/bin/env bash
# The checks of deploy/ that ctest runs (tests/deploy/CMakeLists.txt), one
# step per test; each step can also be run by hand from anywhere:
#
#   deploy_check.sh node-modules        npm ci into tests/deploy when missing or stale
#   deploy_check.sh render OUT          kubectl kustomize every overlay into OUT/NAME.yaml
#   deploy_check.sh schema OUT          Kubernetes schemas (kubernetes-models) + unknown fields
#   deploy_check.sh schema-negative     each fixtures/schema/bad file must fail, as it says
#   deploy_check.sh yamllint OUT        deploy/, the fixtures and the rendered output
#   deploy_check.sh policy OUT          our policy (policy.js) on every rendered overlay
#   deploy_check.sh policy-negative     each fixtures/policy/bad file must trip exactly its rule
#   deploy_check.sh dockerfiles         hadolint-like review + build packages vs tools/setup.sh
#
# Needs kubectl (with its built-in kustomize), yamllint, node and npm.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
overlays=(dev prod)

die() { echo "deploy_check: $*" >&2; exit 1; }

need() {  # need COMMAND HOW-TO-GET-IT
  command -v "$1" >/dev/null 2>&1 || die "$1 not found: $2"
}

# npm ci when node_modules is missing or older than the lock file; under a
# lock, so that steps started together install once.
node_modules() {
  need node "install Node.js (18 or later)"
  need npm "install npm"
  local stamp="$here/node_modules/.package-lock.json"
  (
    flock 9
    if [ ! -f "$stamp" ] || [ "$here/package-lock.json" -nt "$stamp" ]; then
      echo "deploy_check: npm ci --prefix tests/deploy"
      npm ci --prefix "$here" --no-audit --no-fund --loglevel=error >&2
    fi
  ) 9>"${TMPDIR:-/tmp}/smartshop-deploy-npm.lock"
  (cd "$here" && node -e 'require("kubernetes-models/apps/v1/Deployment"); require("yaml")') ||
    die "node modules unusable in $here/node_modules; remove it and run again"
}

render() {  # render OUT
  local out=$1 overlay
  need kubectl "install kubectl 1.27 or later (kustomize is built in); see deploy/README.md"
  mkdir -p "$out"
  for overlay in "${overlays[@]}"; do
    kubectl kustomize "$root/deploy/k8s/overlays/$overlay" >"$out/$overlay.yaml.tmp" ||
      die "kubectl kustomize deploy/k8s/overlays/$overlay failed"
    mv "$out/$overlay.yaml.tmp" "$out/$overlay.yaml"
    echo "$overlay: $(grep -c '^kind:' "$out/$overlay.yaml") objects:" \
      "$(grep '^kind:' "$out/$overlay.yaml" | sort | uniq -c | awk '{printf "%s %s, ", $1, $3}' | sed 's/, $//')"
  done
}

rendered() {  # rendered OUT: the rendered files, rendering them if absent
  local out=$1 overlay
  for overlay in "${overlays[@]}"; do
    [ -f "$out/$overlay.yaml" ] || { render "$out" >/dev/null; break; }
  done
  for overlay in "${overlays[@]}"; do echo "$out/$overlay.yaml"; done
}

# Each bad fixture's first line says what must happen: "# expect: ...".
expectation() { sed -n '1s/^# expect: //p' "$1"; }

schema_negative() {
  local f want out status failures=0
  for f in "$here"/fixtures/schema/bad/*.yaml; do
    want=$(expectation "$f")
    status=0
    out=$(node "$here/validate_schema.js" "$f") || status=$?
    if [ "$status" = 1 ] && grep -qF -- "$want" <<<"$out"; then
      echo "ok: $(basename "$f") refused: $want"
    else
      echo "FAIL: $(basename "$f"): exit $status, wanted 1 with \"$want\":"; echo "$out"
      failures=$((failures + 1))
    fi
  done
  # The policy fixtures are valid objects: they fail only by policy.
  node "$here/validate_schema.js" "$here"/fixtures/policy/*.yaml "$here"/fixtures/policy/bad/*.yaml >/dev/null ||
    { echo "FAIL: the policy fixtures are not schema-valid"; failures=$((failures + 1)); }
  [ "$failures" = 0 ] || die "$failures schema fixtures not refused as expected"
}

policy_negative() {
  local f rule out status rules failures=0 common="$here/fixtures/policy/common.yaml"
  if ! out=$(node "$here/policy.js" "$common" "$here/fixtures/policy/good.yaml"); then
    echo "FAIL: good.yaml must pass:"; echo "$out"
    failures=$((failures + 1))
  fi
  for f in "$here"/fixtures/policy/bad/*.yaml; do
    rule=$(expectation "$f")
    status=0
    out=$(node "$here/policy.js" "$common" "$f") || status=$?
    rules=$(grep -o '^FAIL \[[a-z-]*\]' <<<"$out" | sort -u | sed 's/^FAIL \[\(.*\)\]/\1/' | tr '\n' ' ' || true)
    if [ "$status" = 1 ] && [ "$rules" = "$rule " ]; then
      echo "ok: $(basename "$f") trips [$rule]"
    else
      echo "FAIL: $(basename "$f"): exit $status, rules [${rules% }], wanted 1 and [$rule] alone:"; echo "$out"
      failures=$((failures + 1))
    fi
  done
  # Every rule the checker knows has a bad fixture.
  for rule in $(node -e 'const s=require("fs").readFileSync(process.argv[1],"utf8");
      for (const m of s.matchAll(/^  "([a-z-]+)": "/gm)) console.log(m[1]);' "$here/policy.js"); do
    [ -f "$here/fixtures/policy/bad/$rule.yaml" ] ||
      { echo "FAIL: rule $rule has no fixtures/policy/bad/$rule.yaml"; failures=$((failures + 1)); }
  done
  [ "$failures" = 0 ] || die "$failures policy fixtures not refused as expected"
}

dockerfiles() {
  need python3 "install python3"
  python3 "$here/check_dockerfiles.py" lint "$root"
  local bad="$here/fixtures/docker/bad.Dockerfile" out status=0 word failures=0
  out=$(python3 "$here/check_dockerfiles.py" lint "$root" "$bad") || status=$?
  [ "$status" = 1 ] || { echo "FAIL: bad.Dockerfile: exit $status, wanted 1"; failures=1; }
  for word in $(expectation "$bad"); do
    grep -q -- "$word" <<<"$out" || { echo "FAIL: bad.Dockerfile: no finding with $word"; failures=1; }
  done
  [ "$failures" = 0 ] || { echo "$out"; die "bad.Dockerfile not refused as expected"; }
  echo "ok: bad.Dockerfile refused ($(grep -c '^FAIL' <<<"$out") findings)"
}

step=${1:-}
case "$step" in
  node-modules) node_modules ;;
  render) render "${2:?render OUT}" ;;
  schema)
    node_modules >/dev/null
    mapfile -t files < <(rendered "${2:?schema OUT}")
    node "$here/validate_schema.js" "${files[@]}"
    ;;
  schema-negative) node_modules >/dev/null; schema_negative ;;
  yamllint)
    need yamllint "apt-get install yamllint"
    mapfile -t files < <(rendered "${2:?yamllint OUT}")
    yamllint -c "$root/deploy/.yamllint.yaml" --strict \
      "$root/deploy" "$here/fixtures" "${files[@]}"
    echo "yamllint: deploy/, tests/deploy/fixtures and ${#files[@]} rendered overlays clean"
    ;;
  policy)
    node_modules >/dev/null
    mapfile -t files < <(rendered "${2:?policy OUT}")
    status=0
    for f in "${files[@]}"; do
      echo "$(basename "$f" .yaml):"
      node "$here/policy.js" "$f" || status=1
    done
    exit "$status"
    ;;
  policy-negative) node_modules >/dev/null; policy_negative ;;
  dockerfiles) dockerfiles ;;
  *) sed -n '2,16p' "$0" >&2; exit 2 ;;
esac
