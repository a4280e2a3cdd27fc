#!/usr/bin/env bash
# Re-creates the vendored front-end assets in this folder from the npm registry.
# Versions (and the registry's sha512 integrity of each tarball) are pinned below;
# to upgrade, change a version, set its integrity to the value printed by
#   npm view <package>@<version> dist.integrity
# run this script, review the diff, and update VERSIONS.md.
# The file names here are the ones crates/indmon-web/src/assets.rs embeds.
# Needs: bash, npm, node, tar. Touches nothing outside this folder and a temp dir.
set -euo pipefail

ECHARTS_VERSION="6.1.0"
ECHARTS_INTEGRITY="sha512-q0yaFPggC9FUdsWH4blavRWFmxdrIodbkoKNAjJudAI6CA9gNPxHtV2RcZNEepZVlk4yvBYkOkbk6HIVpIyHZA=="
RHC_COMPONENTS_VERSION="12.0.0"
RHC_COMPONENTS_INTEGRITY="sha512-DfDyK5oyPP+HX3RL6Lo/G5LcEbuNzyKn7vYf7o3rwTZzts3MYDFOPHQe81YZiyHrftMEqR15LBrBdoT/UjY5WQ=="
# Design tokens: any NL Design System token package whose CSS file sets the --utrecht-* / --nl-*
# custom properties on one theme class. TOKENS_CSS is that file inside the package.
TOKENS_PACKAGE="@nl-design-system-unstable/voorbeeld-design-tokens"
TOKENS_VERSION="7.4.1"
TOKENS_INTEGRITY="sha512-GNnapAn2mTIzXRcCvs0JMr4Bf9+ivUJ3zFBJLRT1SYpAYm2xPwptVxIM3k4WLJ0c59E9FfxsEBPJluGuAHUVvg=="
TOKENS_CSS="dist/theme.css"
TOKENS_LICENSE_FILE="LICENSE.md"
TOKENS_LICENCE="EUPL-1.2"

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# fetch SPEC INTEGRITY DIR: npm pack SPEC into $work, check its sha512, unpack to $work/DIR
fetch() {
  local spec="$1" integrity="$2" dir="$3" tgz actual
  tgz="$(cd "$work" && npm pack --silent "$spec" | tail -n 1)"
  actual="sha512-$(node -e 'const c=require("crypto"),f=require("fs");process.stdout.write(c.createHash("sha512").update(f.readFileSync(process.argv[1])).digest("base64"))' "$work/$tgz")"
  if [[ "$actual" != "$integrity" ]]; then
    echo "integrity mismatch for $spec: expected $integrity, got $actual" >&2
    exit 1
  fi
  mkdir -p "$work/$dir"
  tar -xzf "$work/$tgz" -C "$work/$dir" --strip-components=1
}

fetch "echarts@${ECHARTS_VERSION}" "$ECHARTS_INTEGRITY" echarts
fetch "@rijkshuisstijl-community/components-css@${RHC_COMPONENTS_VERSION}" "$RHC_COMPONENTS_INTEGRITY" components
fetch "${TOKENS_PACKAGE}@${TOKENS_VERSION}" "$TOKENS_INTEGRITY" tokens

# source-in-package -> file name here
copy() { install -m 0644 "$work/$1" "$here/$2"; }
copy echarts/dist/echarts.min.js      echarts.min.js
copy echarts/LICENSE                  echarts-LICENSE
copy echarts/NOTICE                   echarts-NOTICE
copy echarts/licenses/LICENSE-d3      echarts-LICENSE-d3
copy components/dist/index.css        components.css
copy components/LICENSE.md            components-LICENSE.md
copy "tokens/$TOKENS_CSS"             design-tokens.css
copy "tokens/$TOKENS_LICENSE_FILE"    design-tokens-LICENSE.md

# The pages are served offline under a strict CSP: the CSS must not pull in fonts or
# files from elsewhere. Only data: URIs are expected in url(...).
for css in components.css design-tokens.css; do
  if grep -q '@font-face\|@import' "$here/$css"; then
    echo "$css now contains @font-face or @import: review before use" >&2
    exit 1
  fi
  if grep -oE 'url\([^)]*\)' "$here/$css" | grep -vqE "^url\(['\"]?data:"; then
    echo "$css now references a non-data: url(): review before use" >&2
    exit 1
  fi
done

# NOTICES.txt: the notices and licences of all of the above in one file, served with the pages.
{
  section() { printf '%s\n%s\n%s\n\n' "================================================================================" "$1" "================================================================================"; }
  echo "Third-party files served with these pages, and their notices and licences."
  echo
  echo "  echarts.min.js     echarts ${ECHARTS_VERSION} (Apache-2.0)"
  echo "  components.css     @rijkshuisstijl-community/components-css ${RHC_COMPONENTS_VERSION} (EUPL-1.2)"
  echo "  design-tokens.css  ${TOKENS_PACKAGE} ${TOKENS_VERSION} (${TOKENS_LICENCE})"
  echo
  section "echarts ${ECHARTS_VERSION}: NOTICE"
  cat "$here/echarts-NOTICE"; echo; echo
  section "echarts ${ECHARTS_VERSION}: LICENSE"
  cat "$here/echarts-LICENSE"; echo
  section "echarts ${ECHARTS_VERSION}: licenses/LICENSE-d3"
  cat "$here/echarts-LICENSE-d3"; echo
  section "${TOKENS_PACKAGE} ${TOKENS_VERSION}: ${TOKENS_LICENSE_FILE}"
  cat "$here/design-tokens-LICENSE.md"; echo
  section "@rijkshuisstijl-community/components-css ${RHC_COMPONENTS_VERSION}: LICENSE.md"
  cat "$here/components-LICENSE.md"
} > "$here/NOTICES.txt"

( cd "$here" && ls -l echarts.min.js echarts-LICENSE echarts-NOTICE echarts-LICENSE-d3 \
    components.css components-LICENSE.md design-tokens.css design-tokens-LICENSE.md NOTICES.txt )
