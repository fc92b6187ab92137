/* The SCORM runtime of a workbook package (SCORM 1.2 and 2004 4th Edition).
 *
 * pipeline/render/scorm.py prepends `window.WorkbookScormConfig = {...}` (the
 * version, the pages, questions and statements in order, the passing score and
 * the suspend_data limit; in a per-section package, `scos`: each SCO's share of
 * them, by index). Everything below works with `config`: the package's config
 * narrowed to the SCO this window belongs to (see scoConfig).
 *
 * In the launcher (scorm-launch.html, the SCO's launch file) it finds the LMS
 * API, opens one session for the whole visit, shows the bookmarked page in the
 * frame and closes the session on exit. In a workbook page it defines
 * window.WorkbookStore (read by workbook.js) on top of the launcher's session,
 * and turns workbook.js's events into commits and quiz reports. A page opened
 * on its own (preview, or an LMS that launches a page directly) runs a session
 * of its own. A launcher that finds no LMS, or one that refuses to start the
 * session, says so on the page: the learner's progress is not being recorded.
 *
 * The learner state is the object of docs/architecture.md. suspend_data holds
 * it compacted; when the answers do not fit, it holds a valid compact state
 * without the longest answers, the learner is told and offered a download, and
 * the full state is always in localStorage as well: nothing is cut silently.
 * That copy is read back only into a resumed attempt (entry "resume"), and
 * only its typed answers: a new attempt starts afresh.
 *
 * Status: completion once every page is seen and, in a SCO with a quiz, the
 * quiz checked; success (passed/failed) on checking, against the passing
 * score. SCORM 1.2 has one status for both: "incomplete" until then, and then
 * "completed" without a quiz, "passed" or "failed" with one (its score is
 * reported with it, as an LMS judges a score against adlcp:masteryscore).
 * exit is "suspend" until the attempt is over, then normal ("" in 1.2).
 */
(function () {
  "use strict";

  var packageConfig = window.WorkbookScormConfig;
  if (!packageConfig) { return; }

  // --- which SCO this window belongs to ----------------------------------------
  // A per-section package has one SCO per top-level section, each with its own
  // launcher (data-scorm-sco names the SCO) and its own LMS session; a page in
  // a launcher's frame belongs to that launcher's SCO, a page on its own to the
  // SCO that holds it. A single-SCO package has no `scos`: one SCO, everything.

  var isLauncher = document.documentElement.hasAttribute("data-scorm-launcher");
  var launcher = null; // the session of the launcher framing this page, if any
  if (!isLauncher) {
    try {
      if (window.parent !== window && window.parent.WorkbookScormSession) { launcher = window.parent.WorkbookScormSession; }
    } catch (e) { launcher = null; }
  }
  var thisPage = (window.location.pathname.split("/").pop() || "").replace(/\.html$/, "");

  function scoHolding(slug) {
    var found = null;
    (packageConfig.scos || []).forEach(function (sco) {
      if (!found && sco.pages.some(function (index) { return packageConfig.pages[index] === slug; })) { found = sco; }
    });
    return found;
  }

  function scoNamed(key) {
    var found = null;
    (packageConfig.scos || []).forEach(function (sco) { if (sco.id === key) { found = sco; } });
    return found;
  }

  // The package's config with only the SCO's pages, questions and statements,
  // in order (pipeline/render/scorm.py runtime_config narrows it the same way).
  function scoConfig(sco) {
    if (!sco) { return packageConfig; }
    var narrowed = {};
    Object.keys(packageConfig).forEach(function (key) { narrowed[key] = packageConfig[key]; });
    var pick = function (list, indices) { return indices.map(function (index) { return list[index]; }); };
    narrowed.sco = sco.id;
    narrowed.layout = sco.layout;
    narrowed.pages = pick(packageConfig.pages, sco.pages);
    narrowed.questions = pick(packageConfig.questions, sco.questions);
    narrowed.statements = pick(packageConfig.statements, sco.statements);
    ["choices", "checklists", "ratings"].forEach(function (name) {
      narrowed[name] = pick(packageConfig[name] || [], sco[name] || []);
    });
    return narrowed;
  }

  var config = scoConfig(isLauncher ? scoNamed(document.documentElement.getAttribute("data-scorm-sco"))
    : launcher ? scoNamed(launcher.sco) : scoHolding(thisPage));

  var MAX_PARENTS = 10; // how far up the frames to look for the LMS API
  var V12 = {
    apiName: "API", initialize: "LMSInitialize", terminate: "LMSFinish", getValue: "LMSGetValue",
    setValue: "LMSSetValue", commit: "LMSCommit", lastError: "LMSGetLastError",
    learnerId: "cmi.core.student_id", location: "cmi.core.lesson_location",
    exit: "cmi.core.exit", sessionTime: "cmi.core.session_time", entry: "cmi.core.entry",
    exitFinished: ""
  };
  var V2004 = {
    apiName: "API_1484_11", initialize: "Initialize", terminate: "Terminate", getValue: "GetValue",
    setValue: "SetValue", commit: "Commit", lastError: "GetLastError",
    learnerId: "cmi.learner_id", location: "cmi.location",
    exit: "cmi.exit", sessionTime: "cmi.session_time", entry: "cmi.entry",
    exitFinished: "normal"
  };
  var names = config.version === "1.2" ? V12 : V2004;
  ["choices", "checklists", "ratings"].forEach(function (name) { config[name] = config[name] || []; });

  // A SCO with a quiz (true/false statements or choices) is scored when the quiz is checked.
  function scored() { return config.statements.length + config.choices.length > 0; }

  // --- finding the LMS API, the way the SCORM run-time specs describe --------

  function scanForApi(win) {
    for (var steps = 0; win && steps <= MAX_PARENTS; steps += 1) {
      try {
        if (win[names.apiName]) { return win[names.apiName]; }
      } catch (e) { /* a frame from another origin: keep walking */ }
      var parent;
      try { parent = win.parent; } catch (e2) { parent = null; }
      if (!parent || parent === win) { break; }
      win = parent;
    }
    return null;
  }

  function findApi() {
    var api = scanForApi(window);
    if (!api) {
      try { if (window.opener) { api = scanForApi(window.opener); } } catch (e) { api = null; }
    }
    return api;
  }

  // --- the state and its compact form in suspend_data -------------------------
  // templates/html/assets/workbook-state.js (pipeline/render/scorm.py puts it
  // ahead of this file) normalises, compacts and expands it for this layout.

  var State = window.WorkbookState;

  function has(object, key) { return Object.prototype.hasOwnProperty.call(object, key); }
  var pageIndex = {};
  config.pages.forEach(function (slug, index) { pageIndex[slug] = index; });

  function emptyState() { return State.normalise(null, config.pages); }

  function normalise(state) { return State.normalise(state, config.pages); }

  function fitState(state, carried) { return State.fit(state, config, carried); }

  function expand(text) { return State.expand(text, config); }

  // --- time formats ------------------------------------------------------------

  function pad(number, width) {
    var text = String(number);
    while (text.length < width) { text = "0" + text; }
    return text;
  }

  function sessionTime(milliseconds) {
    var centis = Math.max(0, Math.round(milliseconds / 10));
    var hours = Math.floor(centis / 360000);
    var minutes = Math.floor(centis / 6000) % 60;
    var seconds = Math.floor(centis / 100) % 60;
    var fraction = centis % 100;
    if (config.version === "1.2") { // CMITimespan: HHHH:MM:SS.SS
      return pad(Math.min(hours, 9999), 4) + ":" + pad(minutes, 2) + ":" + pad(seconds, 2) + "." + pad(fraction, 2);
    }
    return "PT" + hours + "H" + minutes + "M" + seconds + "." + pad(fraction, 2) + "S"; // ISO 8601 duration
  }

  // 2004 time(second,10,0) in UTC: YYYY-MM-DDThh:mm:ss.ssZ (the format allows a
  // time zone designator only after a fraction of a second).
  function timestamp(date) {
    return date.getUTCFullYear() + "-" + pad(date.getUTCMonth() + 1, 2) + "-" + pad(date.getUTCDate(), 2) + "T" +
      pad(date.getUTCHours(), 2) + ":" + pad(date.getUTCMinutes(), 2) + ":" + pad(date.getUTCSeconds(), 2) + "." +
      pad(Math.floor(date.getUTCMilliseconds() / 10), 2) + "Z";
  }

  function sameIds(one, other) {
    return one.length === other.length && one.every(function (id) { return other.indexOf(id) !== -1; });
  }

  // At most `limit` UTF-16 code units, never half of a surrogate pair (an emoji, say).
  function clip(text, limit) {
    if (text.length <= limit) { return text; }
    var cut = text.slice(0, limit);
    return /[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut;
  }

  // --- local storage (the backup, and the store when there is no LMS) ---------

  function readLocal(key) {
    try {
      var text = window.localStorage.getItem(key);
      return text ? JSON.parse(text) : null;
    } catch (e) { return null; }
  }

  function localStorageWorks() {
    try {
      window.localStorage.setItem("workbook-scorm:probe", "1");
      window.localStorage.removeItem("workbook-scorm:probe");
      return true;
    } catch (e) { return false; }
  }

  function writeLocal(key, value) {
    try { window.localStorage.setItem(key, JSON.stringify(value)); return true; } catch (e) { return false; }
  }

  // --- the session --------------------------------------------------------------

  // asSco: the session of a launcher, which the LMS launched as a SCO; without
  // an LMS session it tells the learner their progress is not recorded (a page
  // opened on its own is a quiet preview).
  function Session(asSco) {
    this.api = findApi();
    this.asSco = !!asSco;
    this.started = new Date();
    this.open = false;
    this.finished = false;
    this.completed = false; // completion is final (every page seen and, with a quiz, checked)
    this.success = ""; // "passed" or "failed" once the quiz is checked (a SCO with a quiz)
    this.state = emptyState();
    this.omitted = []; // question indices whose answers are not in suspend_data
    this.unrestored = []; // indices marked so last time that this browser has no copy of
    this.earlier = []; // answers saved by a version of the workbook with other questions
    this.errors = []; // calls the LMS refused, for whoever debugs a package in an LMS
    this.listener = null;
    this.written = {};
    this.sco = config.sco || null; // read by the pages in the launcher's frame
    // Each SCO of a per-section package keeps its own copy: one SCO's save must
    // not overwrite another's answers. The brand, the SCORM version and the
    // layout keep other councils' packages, the other version's and other
    // editions' on the same LMS apart (pipeline/render/scorm.py backup_key).
    this.localKey = "workbook-scorm:" + [config.brand, config.workbook + (config.sco ? "/" + config.sco : ""),
      "scorm" + config.version.replace(".", ""), config.layout].join(":") + ":";
  }

  Session.prototype.call = function (method, a, b) {
    if (!this.api || !this.api[method]) { return ""; }
    var result;
    try {
      result = b === undefined ? this.api[method](a === undefined ? "" : a) : this.api[method](a, b);
    } catch (e) { result = "false"; }
    if (result === false || result === "false") {
      var code;
      try { code = String(this.api[names.lastError]()); } catch (e2) { code = "?"; }
      this.errors.push(method + "(" + (a || "") + "): error " + code);
    }
    return result;
  };

  Session.prototype.get = function (element) {
    var value = this.call(names.getValue, element);
    return value === undefined || value === null || value === false ? "" : String(value);
  };

  // Set a value only when it changed, so that commits carry only news.
  Session.prototype.set = function (element, value) {
    value = String(value);
    if (this.written[element] === value) { return true; }
    var ok = this.call(names.setValue, element, value);
    if (ok === true || ok === "true") { this.written[element] = value; return true; }
    return false;
  };

  Session.prototype.start = function () {
    var backup;
    if (this.api) {
      var init = this.call(names.initialize, "");
      this.open = init === true || init === "true";
    }
    if (this.open) {
      this.localKey += this.get(names.learnerId) || "learner";
      // The browser's copy belongs to the attempt the LMS resumes, if any: a new
      // attempt must not start with the last one's answers. Only the typed
      // answers come back from it; the LMS's data says what was seen and checked.
      var resumed = this.get(names.entry) === "resume";
      backup = resumed ? readLocal(this.localKey) : null;
      var backupAnswers = backup ? normalise(backup.state).answers : {};
      var saved = expand(this.get("cmi.suspend_data"));
      if (saved && saved.foreign) {
        if (Object.keys(backupAnswers).length) {
          this.state.answers = backupAnswers;
        } else if (saved.texts.length) {
          this.earlier = saved.texts;
          writeLocal(this.localKey + ":earlier", saved.texts);
        }
      } else if (saved) {
        this.state = saved.state;
        // Answers that did not fit last time come back from the full copy.
        saved.omitted.forEach(function (index) {
          var question = config.questions[index];
          if (!question) { return; }
          if (backupAnswers[question[0]]) {
            this.state.answers[question[0]] = backupAnswers[question[0]];
          } else {
            this.unrestored.push(index);
          }
        }, this);
      } else {
        this.state.answers = backupAnswers; // the LMS lost or never got them: keep the learner's text
      }
      var location = this.get(names.location);
      if (has(pageIndex, location)) { this.state.page = location; }
      this.markStarted();
      if (resumed && config.version === "1.2") { this.reportAnswers(this.state, true); }
    } else {
      this.localKey += "preview";
      backup = readLocal(this.localKey);
      if (backup) { this.state = normalise(backup.state); }
    }
    this.save(this.state);
    this.commit();
  };

  // The attempt is under way: incomplete, unless the LMS already has it as
  // done (1.2: completed, passed or failed; 2004: completed).
  Session.prototype.markStarted = function () {
    if (config.version === "1.2") {
      var status = this.get("cmi.core.lesson_status");
      this.completed = status === "completed" || status === "passed" || status === "failed";
      if (status === "passed" || status === "failed") { this.success = status; }
      if (!this.completed) { this.set("cmi.core.lesson_status", "incomplete"); }
    } else {
      this.completed = this.get("cmi.completion_status") === "completed";
      var success = scored() ? this.get("cmi.success_status") : "";
      if (success === "passed" || success === "failed") { this.success = success; }
      if (!this.completed) { this.set("cmi.completion_status", "incomplete"); }
    }
  };

  // The attempt is over: complete and, with a quiz, passed or failed. The LMS
  // may then close it; until then it is suspended, to be resumed.
  Session.prototype.attemptOver = function () {
    return this.completed && (!scored() || this.success !== "");
  };

  Session.prototype.load = function () {
    return JSON.parse(JSON.stringify(this.state));
  };

  // The page on screen is told of every save (one page at a time: a new page replaces the last).
  Session.prototype.onChange = function (listener) { this.listener = listener; };

  // Keep a new state: in full in localStorage, compacted in suspend_data, with
  // the place and completion. Returns what did not fit in suspend_data.
  Session.prototype.save = function (newState) {
    var state = this.state = normalise(newState);
    writeLocal(this.localKey, { savedAt: new Date().toISOString(), state: state });
    // Once the learner writes a new answer there, it is no longer missing.
    this.unrestored = this.unrestored.filter(function (index) { return !state.answers[config.questions[index][0]]; });
    var fitted = fitState(state, this.unrestored);
    if (this.open && !this.finished) {
      if (fitted.fits && !this.keep(fitted.text)) {
        // The LMS refused or changed it (a smaller limit than the standard's,
        // counted in bytes?): store the state without answers, which are all
        // in localStorage, and say so.
        var answered = config.questions.map(function (question, index) { return index; })
          .filter(function (index) { return !!state.answers[config.questions[index][0]]; });
        fitted = fitState(state, answered);
        fitted.omitted = answered;
        this.keep(fitted.text);
      }
      this.set(names.location, state.page);
      this.reportProgress();
      this.reportAnswers(state);
    }
    this.omitted = fitted.omitted.filter(function (index) { return this.unrestored.indexOf(index) === -1; }, this);
    this.lastSuspendData = fitted.text;
    var status = this.status();
    if (this.listener) {
      try { this.listener(status); } catch (e) { this.listener = null; /* the page has gone */ }
    }
    return status;
  };

  // Set suspend_data and read it back: true only if the LMS holds it exactly.
  Session.prototype.keep = function (text) {
    if (this.written["cmi.suspend_data"] === text) { return true; }
    if (this.set("cmi.suspend_data", text) && this.get("cmi.suspend_data") === text) { return true; }
    delete this.written["cmi.suspend_data"];
    return false;
  };

  // What the learner must be told: answers the LMS does not hold (kept only in
  // this browser), and answers from last time that this browser does not have.
  // Without an LMS, localStorage is the store and holds everything.
  Session.prototype.status = function () {
    var ids = function (indices) { return indices.map(function (index) { return config.questions[index][0]; }); };
    var omitted = this.open ? ids(this.omitted) : [];
    var unrestored = this.open ? ids(this.unrestored) : [];
    var unrecorded = this.asSco && !this.open; // launched as a SCO, but no LMS session
    return {
      lms: this.open, unrecorded: unrecorded, omitted: omitted, unrestored: unrestored, earlier: this.earlier.length,
      allKept: !unrecorded && !omitted.length && !unrestored.length && !this.earlier.length
    };
  };

  // Completed once every page has been seen and, in a SCO with a quiz, the
  // quiz checked; never back to incomplete. The quiz's check is one more step
  // of the progress. SCORM 1.2's one status says "passed" or "failed" rather
  // than "completed" for a SCO with a quiz, with the score (see reportScore12).
  Session.prototype.reportProgress = function () {
    var isScored = scored();
    var steps = config.pages.length + (isScored ? 1 : 0);
    var done = this.state.visited.length + (isScored && this.state.checked ? 1 : 0);
    if (config.version === "2004") {
      this.set("cmi.progress_measure", String(Math.round(done / steps * 10000) / 10000));
      if (!this.completed && done >= steps) { this.completed = this.set("cmi.completion_status", "completed"); }
      return;
    }
    if (done < steps) { return; } // "incomplete", set on starting, stays
    if (isScored) {
      this.reportScore12();
    } else if (!this.completed) {
      this.completed = this.set("cmi.core.lesson_status", "completed");
    }
  };

  // The quiz's score: right answers of the SCO's statements and choices in the state
  // (checklists and rating scales are never graded).
  Session.prototype.score = function () {
    var quiz = this.state.quiz;
    var chosen = this.state.choices;
    var right = config.statements.filter(function (statement) { return quiz[statement[0]] === statement[1]; }).length;
    right += config.choices.filter(function (choice) { return sameIds(chosen[choice[0]] || [], choice[1]); }).length;
    return { right: right, total: config.statements.length + config.choices.length };
  };

  // SCORM 1.2, every page seen and the quiz checked: the score, and passed or
  // failed against the LMS's mastery score (the manifest's), else the passing
  // score. Raw as a percentage: the scale of adlcp:masteryscore. Kept to two
  // decimals (CMIDecimal allows them): rounding to a whole percent would pass 2
  // of 3 (66.67) against a mastery score of 67, which 2004 fails.
  Session.prototype.reportScore12 = function () {
    var score = this.score();
    var raw = Math.round(score.right / score.total * 10000) / 100;
    var mastery = parseFloat(this.get("cmi.student_data.mastery_score"));
    if (isNaN(mastery)) { mastery = Math.round(config.passingScore * 100); }
    this.set("cmi.core.score.min", "0");
    this.set("cmi.core.score.max", "100");
    this.set("cmi.core.score.raw", String(raw));
    var status = raw >= mastery ? "passed" : "failed";
    if (this.set("cmi.core.lesson_status", status)) {
      this.completed = true;
      this.success = status;
    }
  };

  Session.prototype.visit = function (slug) {
    if (!has(pageIndex, slug)) { return; }
    var state = this.load();
    if (state.visited.indexOf(slug) === -1) { state.visited.push(slug); }
    state.page = slug;
    this.save(state);
  };

  // The score over every statement and choice of the SCO, one interaction each.
  Session.prototype.reportQuiz = function (results) {
    var state = this.load();
    (results || []).forEach(function (result) {
      if (!result) { return; }
      if (result.kind === "choice") {
        if (Array.isArray(result.response) && result.response.length) { state.choices[result.id] = result.response; }
      } else if (result.response === true || result.response === false) {
        state.quiz[result.id] = result.response;
      }
    });
    state.checked = true;
    this.save(state);
    if (!this.open || this.finished || !scored()) { return; }
    var right = 0;
    var total = config.statements.length + config.choices.length;
    var v12 = config.version === "1.2";
    config.statements.forEach(function (statement) {
      var id = statement[0], expected = statement[1], response = state.quiz[id];
      var answered = response === true || response === false;
      var correct = answered && response === expected;
      if (correct) { right += 1; }
      this.interaction(id, {
        type: "true-false", description: statement[2],
        pattern: v12 ? (expected ? "t" : "f") : (expected ? "true" : "false"),
        response: answered ? (v12 ? (response ? "t" : "f") : (response ? "true" : "false")) : null,
        result: answered ? (correct ? "correct" : (v12 ? "wrong" : "incorrect")) : "neutral"
      });
    }, this);
    config.choices.forEach(function (choice) {
      var chosen = state.choices[choice[0]] || [];
      var correct = chosen.length > 0 && sameIds(chosen, choice[1]);
      if (correct) { right += 1; }
      this.interaction(choice[0], {
        type: "choice", description: choice[3],
        pattern: choice[1].join(v12 ? "," : "[,]"),
        response: chosen.length ? chosen.join(v12 ? "," : "[,]") : null,
        result: chosen.length ? (correct ? "correct" : (v12 ? "wrong" : "incorrect")) : "neutral"
      });
    }, this);
    // SCORM 1.2's score and passed/failed wait for every page to be seen (save, above, reports them then).
    if (!v12) {
      var scaled = Math.round(right / total * 10000) / 10000;
      var passing = parseFloat(this.get("cmi.scaled_passing_score"));
      if (isNaN(passing)) { passing = config.passingScore; }
      var success = scaled >= passing ? "passed" : "failed";
      this.set("cmi.score.min", "0");
      this.set("cmi.score.max", String(total));
      this.set("cmi.score.raw", String(right));
      this.set("cmi.score.scaled", String(scaled));
      if (this.set("cmi.success_status", success)) { this.success = success; }
    }
    this.commit();
  };

  // --- interactions --------------------------------------------------------------
  // One per statement and choice (reported when the quiz is checked), and per rated
  // statement, checklist and reflection question (reported as the learner answers;
  // never graded: result "neutral"). Each is found again by its id, which is the
  // block's own id, so an LMS's report lines up across learners and re-publications.
  // SCORM 2004 reads the ids back on resuming and updates an interaction in place;
  // SCORM 1.2's interactions are write-only, a journal: a resumed attempt adds
  // records for what changes.

  // The 1.2 fill-in limit (CMIString255) and the 2004 long-fill-in one (4000).
  var FILL_IN_LIMIT = { "1.2": 255, "2004": 4000 };
  var CUT_MARK = " [\u2026]";

  Session.prototype.openInteractions = function () {
    this.slots = {};
    var count = parseInt(this.get("cmi.interactions._count"), 10);
    this.nextSlot = isNaN(count) ? 0 : count;
    if (config.version === "2004") {
      for (var index = 0; index < this.nextSlot; index += 1) {
        var id = this.get("cmi.interactions." + index + ".id");
        if (id && !has(this.slots, id)) { this.slots[id] = index; }
      }
    }
  };

  // Write one interaction: {type, description, pattern?, response (null: not answered), result}.
  Session.prototype.interaction = function (id, fields) {
    if (!this.slots) { this.openInteractions(); }
    var v12 = config.version === "1.2";
    var fresh = !has(this.slots, id);
    if (fresh) { this.slots[id] = this.nextSlot; this.nextSlot += 1; }
    var prefix = "cmi.interactions." + this.slots[id] + ".";
    this.set(prefix + "id", id);
    this.set(prefix + "type", fields.type);
    if (!v12) { this.set(prefix + "description", clip(fields.description || id, 250)); }
    if (fields.pattern !== undefined && (fresh || !v12)) { this.set(prefix + "correct_responses.0.pattern", fields.pattern); }
    if (fields.response !== null) { this.set(prefix + (v12 ? "student_response" : "learner_response"), fields.response); }
    this.set(prefix + "result", fields.result);
    if (!v12) { this.set(prefix + "timestamp", timestamp(new Date())); }
  };

  // What the SCO's rated statements, checklists and reflections hold, as interactions:
  // only those answered, and each only when it changed since it was last reported.
  // With `markOnly`, note the answers as reported without writing them: a resumed SCORM 1.2
  // attempt, whose journal already has them.
  Session.prototype.reportAnswers = function (state, markOnly) {
    if (!this.open || this.finished) { return; }
    var v12 = config.version === "1.2";
    var reported = this.reported || (this.reported = {});
    var report = function (id, key, fields) {
      if (reported[id] === key) { return; }
      reported[id] = key;
      if (!markOnly) { this.interaction(id, fields); }
    }.bind(this);
    config.ratings.forEach(function (rating) {
      var level = state.ratings[rating[0]];
      if (!level) { return; }
      report(rating[0], String(level), { type: "likert", description: rating[2], response: String(level), result: "neutral" });
    });
    config.checklists.forEach(function (checklist) {
      var ticked = checklist[1].filter(function (id) { return state.checks[id] === true; });
      if (!ticked.length && !has(reported, checklist[0])) { return; }
      report(checklist[0], ticked.join(","), {
        type: "choice", description: checklist[2] || checklist[3].join("; "),
        response: ticked.length ? ticked.join(v12 ? "," : "[,]") : null, result: "neutral"
      });
    });
    config.questions.forEach(function (question) {
      var text = state.answers[question[0]] || "";
      if (!text && !has(reported, question[0])) { return; } // a cleared answer clears the LMS's copy too
      var limit = FILL_IN_LIMIT[config.version];
      // 2004's characterstring may start with a {lang=...} delimiter: a text that starts
      // with "{" would be misread, so the copy sent names the language first.
      var prefix = v12 ? "" : "{lang=" + (config.lang || "en-GB") + "}";
      var room = limit - prefix.length;
      // The LMS's copy only: the learner's own text stays whole in suspend_data, the browser and
      // the download. A response is one line (scorm-again refuses a line break in one), so line
      // breaks are sent as a pilcrow; past the limit the copy is cut, and says so.
      var line = text.replace(/\r\n|\r|\n/g, " \u00b6 ");
      var cut = line.length > room;
      var sent = cut ? clip(line, room - CUT_MARK.length) + CUT_MARK : line;
      var description = question[1];
      if (cut) {
        description = clip(description, 250 - 80) + " (the answer is cut to the " + limit + " characters " +
          (v12 ? "SCORM 1.2" : "SCORM 2004") + " keeps here)";
      }
      report(question[0], text, {
        type: v12 ? "fill-in" : "long-fill-in", description: description, response: prefix + sent, result: "neutral"
      });
    });
  };

  // SCORM 2004: ask the LMS to take the learner to another SCO ("continue",
  // "previous" or "{target=<item>}choice"). Offered unless the LMS says the
  // request is not valid now ("unknown" is allowed: the LMS decides).
  Session.prototype.canRequest = function (request) {
    if (!this.open || this.finished || config.version !== "2004") { return false; }
    var choice = /^(\{target=[^}]+\})choice$/.exec(request);
    var valid = this.get("adl.nav.request_valid." + (choice ? "choice." + choice[1] : request));
    return valid === "true" || valid === "unknown";
  };

  // The LMS acts on a navigation request once the SCO terminates: save, then finish.
  Session.prototype.requestNavigation = function (request) {
    if (!this.canRequest(request) || !this.set("adl.nav.request", request)) { return false; }
    this.finish();
    return true;
  };

  Session.prototype.commit = function () {
    if (this.open && !this.finished) { this.call(names.commit, ""); }
  };

  Session.prototype.finish = function () {
    if (this.finished) { return; }
    this.save(this.state);
    if (this.open) {
      this.set(names.sessionTime, sessionTime(new Date() - this.started));
      // Suspend while the attempt is not over, so the LMS keeps suspend_data
      // for the next visit; once it is, exit normally and let the LMS close it.
      this.set(names.exit, this.attemptOver() ? names.exitFinished : "suspend");
      // Terminate persists everything (no Commit first: while the page unloads,
      // an LMS's synchronous commit request is refused).
      this.call(names.terminate, "");
    }
    this.finished = true;
  };

  // --- in a workbook page ------------------------------------------------------

  function inPage(session, inLauncherFrame) {
    var slug = thisPage;
    // A page's copy of the state may predate visits recorded since it loaded:
    // visited pages only ever add up, and the bookmark is the page on screen.
    function fromPage(state) {
      state = normalise(state);
      session.state.visited.forEach(function (visited) {
        if (state.visited.indexOf(visited) === -1) { state.visited.push(visited); }
      });
      if (has(pageIndex, slug)) { state.page = slug; }
      return state;
    }
    // The quiz's right answers: a graded quiz's page does not carry them.
    var expected = {};
    packageConfig.statements.forEach(function (statement) { expected[statement[0]] = statement[1]; });
    var expectedChoices = {};
    (packageConfig.choices || []).forEach(function (choice) { expectedChoices[choice[0]] = choice[1]; });
    window.WorkbookStore = {
      load: function () { return session.load(); },
      save: function (state) { session.save(fromPage(state)); },
      // Whether answers outlive the page: workbook.js warns the learner if not.
      persistent: session.open || localStorageWorks(),
      status: function () { return session.status(); },
      expected: expected,
      expectedChoices: expectedChoices,
      // Answers saved by an edition with other questions: in the download, not in boxes.
      earlierAnswers: session.earlier
    };
    if (config.sco) {
      // A SCO of a per-section package holds only its section's answers: the
      // learner's download lists those, not the rest as unanswered.
      window.WorkbookStore.questions = config.questions.map(function (question) { return question[0]; });
      window.WorkbookStore.statements = config.statements.map(function (statement) { return statement[0]; });
      window.WorkbookStore.choices = config.choices.map(function (choice) { return choice[0]; });
      window.WorkbookStore.checklists = config.checklists.map(function (checklist) { return checklist[0]; });
      window.WorkbookStore.scales = config.ratings.map(function (rating) { return rating[3]; });
    }

    // The alert is in the page (partials/scorm-alert.html.j2), hidden: this fills it in and shows it.
    var alertBox = null;
    var message = null;
    var shown = "";
    // The words are the page's, from its gettext catalog (the data block's `messages`, as
    // workbook.js reads them); a count picks its form by the language's CLDR plural rules.
    var dataElement = document.getElementById("workbook-data");
    var pageWords = dataElement ? JSON.parse(dataElement.textContent).messages : null;
    var pluralRules = pageWords && window.Intl && Intl.PluralRules ? new Intl.PluralRules(pageWords.lang) : null;
    function counted(forms, n) {
      var form = forms[pluralRules ? pluralRules.select(n) : (n === 1 ? "one" : "other")] || forms.other;
      return form.replace(/%\(num\)s/g, String(n));
    }
    // The download is workbook.js's (window.WorkbookAnswers): the site's file name and format.
    function downloadAnswers() {
      if (window.WorkbookAnswers) { window.WorkbookAnswers.download(); }
    }
    function showStatus(status) {
      if (!alertBox) {
        alertBox = document.querySelector("[data-scorm-alert]");
        if (!alertBox) { return; } // not parsed yet: DOMContentLoaded shows it
        message = alertBox.querySelector("[data-scorm-alert-message]");
        alertBox.querySelector("[data-scorm-download]").addEventListener("click", downloadAnswers);
      }
      if (status.allKept) {
        alertBox.hidden = true;
        shown = "";
        return;
      }
      var parts = [];
      if (status.unrecorded) { parts.push(pageWords.notRecorded); }
      if (status.omitted.length) { parts.push(counted(pageWords.omitted, status.omitted.length)); }
      if (status.unrestored.length) { parts.push(counted(pageWords.unrestored, status.unrestored.length)); }
      if (status.earlier) { parts.push(counted(pageWords.earlier, status.earlier)); }
      var text = parts.join(" ");
      // Only a change of message is announced, not every keystroke.
      if (text !== shown) { message.textContent = text; shown = text; }
      alertBox.hidden = false;
    }
    session.onChange(showStatus);

    // Inside the launcher, another site would replace the workbook in the LMS's
    // window (or show nothing, if it refuses to be framed): open it in a new tab.
    function openOtherSitesInNewTabs() {
      if (!inLauncherFrame) { return; }
      Array.prototype.forEach.call(document.querySelectorAll("a[href]"), function (anchor) {
        if (!/^https?:$/.test(anchor.protocol) || anchor.origin === window.location.origin || anchor.target) { return; }
        anchor.target = "_blank";
        anchor.rel = (anchor.rel ? anchor.rel + " " : "") + "noopener";
        var note = document.createElement("span");
        note.className = "visually-hidden";
        note.textContent = " " + (pageWords ? pageWords.opensInNewTab : "");
        anchor.appendChild(note);
      });
    }

    // In a per-section package, a link into another SCO's page must not load
    // it in this SCO's session: that page's visit and answers would be
    // recorded in the wrong SCO. In SCORM 2004 such a link asks the LMS to go
    // there (Next and Previous: continue and previous; any other: choice);
    // otherwise it is withdrawn, and the LMS's own menu and buttons move
    // between sections. A preview without an LMS, outside a launcher, browses freely.
    function keepLinksInsideSco() {
      if (!config.sco || !(inLauncherFrame || session.open)) { return; }
      var folder = window.location.pathname.replace(/[^/]*$/, "");
      var here = scoNamed(config.sco);
      var valid = {}; // the LMS's answer for each request, asked once per page
      Array.prototype.forEach.call(document.querySelectorAll("a[href]"), function (anchor) {
        if (anchor.origin !== window.location.origin || anchor.pathname.replace(/[^/]*$/, "") !== folder) { return; }
        var target = anchor.pathname.slice(folder.length).replace(/\.html$/, "");
        if (packageConfig.pages.indexOf(target) === -1 || has(pageIndex, target)) { return; }
        var request = navigationRequest(anchor, here, scoHolding(target));
        if (request && !has(valid, request)) { valid[request] = session.canRequest(request); }
        if (request && valid[request]) {
          anchor.setAttribute("data-scorm-nav", request);
          anchor.addEventListener("click", function (event) {
            event.preventDefault();
            if (!session.requestNavigation(request)) { withdraw(anchor); }
          });
        } else {
          withdraw(anchor);
        }
      });
    }

    function navigationRequest(anchor, from, to) {
      if (!from || !to) { return null; } // the contents page is in no SCO: the LMS's menu replaces it
      var scos = packageConfig.scos;
      var step = scos.indexOf(to) - scos.indexOf(from);
      var rel = " " + (anchor.getAttribute("rel") || "") + " ";
      if (step === 1 && rel.indexOf(" next ") !== -1) { return "continue"; }
      if (step === -1 && rel.indexOf(" prev ") !== -1) { return "previous"; }
      return "{target=" + to.item + "}choice";
    }

    // A navigation link (in a <nav>: previous/next, contents, breadcrumb) is
    // hidden, and its bar when no link is left in it (a breadcrumb of one
    // page, say); a link in the text becomes its words, so no sentence loses any.
    function withdraw(anchor) {
      var navigation = anchor.closest("nav");
      if (navigation) {
        var entry = anchor.closest("li");
        (entry && navigation.contains(entry) ? entry : anchor).hidden = true;
        var shown = Array.prototype.some.call(navigation.querySelectorAll("a[href]"), function (link) { return !link.closest("[hidden]"); });
        if (!shown) { navigation.hidden = true; }
        return;
      }
      var words = document.createElement("span");
      while (anchor.firstChild) { words.appendChild(anchor.firstChild); }
      anchor.parentNode.replaceChild(words, anchor);
    }

    document.addEventListener("workbook:page-visited", function (event) {
      session.visit((event.detail && event.detail.slug) || slug);
      session.commit();
    });
    document.addEventListener("workbook:quiz-checked", function (event) {
      session.reportQuiz(event.detail && event.detail.results);
    });
    var pending = null;
    document.addEventListener("workbook:answers-changed", function () {
      if (pending) { window.clearTimeout(pending); }
      pending = window.setTimeout(function () { pending = null; session.commit(); }, 2000);
    });
    // Leaving the page: hand over what is there, without a commit (a
    // synchronous request is not allowed while a page unloads); the next page
    // commits on arrival, and the launcher's Terminate on exit.
    window.addEventListener("pagehide", function () { if (!session.finished) { session.save(session.state); } });
    document.addEventListener("DOMContentLoaded", function () {
      openOtherSitesInNewTabs();
      keepLinksInsideSco();
      session.visit(slug);
      showStatus(session.status());
    });
  }

  function watchExit(session) {
    var finish = function () { session.finish(); };
    window.addEventListener("pagehide", finish);
    window.addEventListener("beforeunload", finish);
    window.addEventListener("unload", finish);
  }

  // --- in the launcher ---------------------------------------------------------

  function inLauncher() {
    var session = new Session(true);
    window.WorkbookScormSession = session;
    session.start();
    watchExit(session);
    document.addEventListener("DOMContentLoaded", function () {
      var frame = document.getElementById("workbook-frame");
      frame.addEventListener("load", function () {
        try { if (frame.contentDocument && frame.contentDocument.title) { document.title = frame.contentDocument.title; } } catch (e) { /* another origin */ }
      });
      frame.src = session.state.page + ".html"; // resume at the bookmark
    });
  }

  if (isLauncher) {
    inLauncher();
    return;
  }
  if (launcher) {
    inPage(launcher, true);
  } else {
    var own = new Session(false);
    own.start();
    watchExit(own);
    inPage(own, false);
  }
}());
