#!/usr/bin/env bash
# Installs the Debian packages that the real validators need:
#   chromium                  axe-core, Ace (puppeteer), the SCORM player (playwright)
#   libreoffice-writer-nogui  "does Word open it": headless --convert-to pdf
#   poppler-utils             pdftoppm / pdfinfo / pdffonts / pdftotext for the PDFs
#   libpango-1.0-0, libpangoft2-1.0-0, libharfbuzz-subset0
#                             WeasyPrint's text layout and font subsetting (the PDF output)
#   default-jre-headless      vnu.jar and EPUBCheck
#   fonts-dejavu, fonts-liberation  so pages and PDFs render with real metrics
#   nodejs, npm               only if no node/npm is on PATH at all
#
# Idempotent: apt-get runs only when something is missing. Needs root then.
set -euo pipefail

wanted=(chromium libreoffice-writer-nogui poppler-utils fonts-dejavu-core fonts-liberation
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0)

missing=()
is_installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}
for pkg in "${wanted[@]}"; do
    is_installed "$pkg" || missing+=("$pkg")
done
# Any Java 17+ runtime will do; only ask for one when there is no java at all.
if ! command -v java >/dev/null 2>&1; then
    missing+=(default-jre-headless)
fi
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    missing+=(nodejs npm)
fi
# The commands the validators call, in case a package is present but broken.
for cmd in chromium soffice pdftoppm; do
    if ! command -v "$cmd" >/dev/null 2>&1; then
        case "$cmd" in
            chromium) missing+=(chromium) ;;
            soffice)  missing+=(libreoffice-writer-nogui) ;;
            pdftoppm) missing+=(poppler-utils) ;;
        esac
    fi
done

if [ ${#missing[@]} -eq 0 ]; then
    echo "install-system-packages: all system packages present"
    exit 0
fi

# de-duplicate
mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
echo "install-system-packages: missing: ${missing[*]}"

if [ "$(id -u)" -ne 0 ]; then
    echo "install-system-packages: ERROR: these Debian packages are missing and this is not root:" >&2
    echo "    sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"

for cmd in java chromium soffice pdftoppm node npm; do
    command -v "$cmd" >/dev/null 2>&1 || {
        echo "install-system-packages: ERROR: '$cmd' still not on PATH after install" >&2
        exit 1
    }
done
echo "install-system-packages: done"
