// A minimal LMS stand-in for tests: scorm-again provides the SCORM runtime
// (window.API for SCORM 1.2, window.API_1484_11 for SCORM 2004); the SCO is
// loaded from the manifest's launch href in the iframe, as an LMS would.
// The Python side (tests/validators/scorm_player/__init__.py) drives it:
//   await startLms(config)  -> builds the API, loads the SCO
//   await closeSco()        -> unloads the SCO the way closing it would
//   lmsState()              -> CMI data, call log, flags
"use strict";

(function () {
  const METHODS = {
    "1.2": ["LMSInitialize", "LMSFinish", "LMSGetValue", "LMSSetValue", "LMSCommit",
            "LMSGetLastError", "LMSGetErrorString", "LMSGetDiagnostic"],
    "2004": ["Initialize", "Terminate", "GetValue", "SetValue", "Commit",
             "GetLastError", "GetErrorString", "GetDiagnostic"],
  };
  const QUIET = new Set(["LMSGetLastError", "LMSGetErrorString", "LMSGetDiagnostic",
                         "GetLastError", "GetErrorString", "GetDiagnostic"]);

  let api = null;
  let version = null;
  const originals = {};
  let finishedByPlayer = false;
  const calls = [];
  const logMessages = [];

  // Record every call the SCO makes: method, arguments, return value and the
  // error code the API holds right after it.
  function recordCalls(target, names) {
    const lastError = (names[0] === "LMSInitialize" ? target.LMSGetLastError : target.GetLastError).bind(target);
    for (const name of names) {
      const original = target[name].bind(target);
      originals[name] = original;
      target[name] = function (...args) {
        const result = original(...args);
        if (!QUIET.has(name)) {
          calls.push({method: name, args: args.map(String), result: String(result),
                      error: String(lastError()), t: Date.now()});
        }
        return result;
      };
    }
  }

  window.startLms = function (config) {
    version = config.version;
    const settings = Object.assign({
      autocommit: false,
      logLevel: 4,
      lmsCommitUrl: config.commitUrl || false,
      terminateCommitParam: "terminate",
      onLogMessage: function (level, message) { logMessages.push({level: String(level), message: String(message)}); },
    }, config.settings || {});
    if (version === "1.2") {
      api = new window.Scorm12API(settings);
    } else if (version === "2004") {
      api = new window.Scorm2004API(settings);
    } else {
      throw new Error("unknown SCORM version " + version);
    }
    if (config.cmi) {
      api.loadFromJSON(config.cmi, "");
    }
    recordCalls(api, METHODS[version]);
    if (version === "1.2") {
      window.API = api;
    } else {
      window.API_1484_11 = api;
    }
    const frame = document.getElementById("sco");
    return new Promise(function (resolve) {
      frame.addEventListener("load", function () { resolve(true); }, {once: true});
      frame.src = config.launch;
    });
  };

  // Navigating the SCO's frame away fires its pagehide/unload (and
  // beforeunload) handlers: that is where SCOs call LMSFinish / Terminate
  // when the learner closes them.
  window.closeSco = function () {
    const frame = document.getElementById("sco");
    return new Promise(function (resolve) {
      frame.addEventListener("load", function () { resolve(window.lmsState()); }, {once: true});
      frame.src = "about:blank";
    });
  };

  // For forgiving-LMS behaviour: finish the attempt if the SCO did not.
  // Not recorded in the call log: the SCO did not make this call.
  window.forceFinish = function () {
    if (api.isInitialized() && !api.isTerminated()) {
      finishedByPlayer = true;
      return version === "1.2" ? originals.LMSFinish("") : originals.Terminate("");
    }
    return null;
  };

  window.lmsState = function () {
    return {
      version: version,
      cmi: api ? api.renderCMIToJSONObject() : null,
      initialized: api ? (api.isInitialized() || api.isTerminated()) : false,
      terminated: api ? api.isTerminated() : false,
      finishedByPlayer: finishedByPlayer,
      calls: calls.slice(),
      log: logMessages.slice(),
    };
  };
})();
