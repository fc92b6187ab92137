/* workbook-state.js: the learner state's pure functions, shared by workbook.js (the site and
 * SCORM pages) and scorm-runtime.js (which carries a copy of this file ahead of its own code,
 * for the launcher page), and unit-tested in node (tests/js/).
 *
 * The learner state (docs/architecture.md), one JSON object:
 *   {"v": 2, "answers": {questionId: text}, "quiz": {statementId: true|false},
 *    "choices": {choiceId: [optionId, ...]}, "checks": {checkId: true},
 *    "ratings": {ratedStatementId: level number, 1 for the first},
 *    "checked": bool, "visited": [pageSlug, ...], "page": pageSlug}
 * Version 1 had no choices, checks or ratings: it loads as a version 2 state without them.
 *
 * Its compact form, kept in a SCORM suspend_data (pipeline/render/scorm.py compact_state
 * mirrors it to compute the budget at build time):
 *   {"v":1,"k":layout,"p":page index,"s":visited pages as a hex bitmask,"q":t/f/- per
 *    statement,"c":1 if checked,"a":{question index: answer},"x":[indices of answers
 *    kept only in localStorage]}
 * and, in version 2, when the layout has any: "h":[the chosen option indices of each choice,
 *    one base-36 digit each, "" when none], "t":the ticked checks as a hex bitmask, "r":a
 *    base-36 digit per rated statement (the level number; "-" when not rated).
 * where a layout (`config`) is {layout, pages: [slug], questions: [[id, ...]],
 * statements: [[id, expected, ...]], choices?: [[id, [correct option ids], [option ids], ...]],
 * checklists?: [[id, [check ids], ...]], ratings?: [[rated statement id, levels, ...]],
 * suspendDataLimit}.
 *
 * In a browser this defines window.WorkbookState; in node, module.exports.
 * Written as ES5: the scripts run unbundled in whatever browser an LMS learner has.
 */
(function (root, factory) {
  "use strict";
  if (typeof module === "object" && module.exports) {
    module.exports = factory();
  } else {
    root.WorkbookState = factory();
  }
}(typeof self !== "undefined" ? self : this, function () {
  "use strict";

  var VERSION = 2;
  var READABLE_VERSIONS = [1, 2]; // compact forms expand() still reads

  function isPlainObject(value) {
    return value !== null && typeof value === "object" && !Array.isArray(value);
  }

  function has(object, key) {
    return Object.prototype.hasOwnProperty.call(object, key);
  }

  // Accept whatever a store gives back, keeping only well-formed fields. With `pages` (the
  // slugs of the pages the state may name, in order), visited pages are only those, in that
  // order, and the bookmark is one of them (the first by default); without, any slug.
  function normalise(raw, pages) {
    var known = Array.isArray(pages) ? pages : null;
    var state = {
      v: VERSION, answers: {}, quiz: {}, choices: {}, checks: {}, ratings: {}, checked: false, visited: [],
      page: known && known.length ? known[0] : null
    };
    if (!isPlainObject(raw)) {
      return state;
    }
    if (isPlainObject(raw.answers)) {
      Object.keys(raw.answers).forEach(function (id) {
        if (typeof raw.answers[id] === "string") {
          state.answers[id] = raw.answers[id];
        }
      });
    }
    if (isPlainObject(raw.quiz)) {
      Object.keys(raw.quiz).forEach(function (id) {
        if (typeof raw.quiz[id] === "boolean") {
          state.quiz[id] = raw.quiz[id];
        }
      });
    }
    if (isPlainObject(raw.choices)) {
      Object.keys(raw.choices).forEach(function (id) {
        if (Array.isArray(raw.choices[id])) {
          state.choices[id] = raw.choices[id].filter(function (option, index, all) {
            return typeof option === "string" && all.indexOf(option) === index;
          });
        }
      });
    }
    if (isPlainObject(raw.checks)) {
      Object.keys(raw.checks).forEach(function (id) {
        if (raw.checks[id] === true) {
          state.checks[id] = true;
        }
      });
    }
    if (isPlainObject(raw.ratings)) {
      Object.keys(raw.ratings).forEach(function (id) {
        var level = raw.ratings[id];
        if (typeof level === "number" && level >= 1 && level % 1 === 0) {
          state.ratings[id] = level;
        }
      });
    }
    state.checked = raw.checked === true;
    if (Array.isArray(raw.visited)) {
      state.visited = known ? known.filter(function (slug) {
        return raw.visited.indexOf(slug) !== -1;
      }) : raw.visited.filter(function (slug) {
        return typeof slug === "string";
      });
    }
    if (typeof raw.page === "string" && (!known || known.indexOf(raw.page) !== -1)) {
      state.page = raw.page;
    }
    return state;
  }

  // The visited pages as a hex bitmask: bit i for pages[i], the lowest bits last.
  function visitedMask(visited, pages) {
    var digits = "";
    for (var start = 0; start < pages.length; start += 4) {
      var nibble = 0;
      for (var bit = 0; bit < 4 && start + bit < pages.length; bit += 1) {
        if (visited.indexOf(pages[start + bit]) !== -1) {
          nibble |= 1 << bit;
        }
      }
      digits = nibble.toString(16) + digits;
    }
    return digits.replace(/^0+(?=.)/, "") || "0";
  }

  function visitedFromMask(mask, pages) {
    var visited = [];
    if (typeof mask !== "string" || !/^[0-9a-f]+$/.test(mask)) {
      return visited;
    }
    pages.forEach(function (slug, index) {
      var digit = mask.length - 1 - Math.floor(index / 4);
      if (digit >= 0 && (parseInt(mask.charAt(digit), 16) >> (index % 4)) & 1) {
        visited.push(slug);
      }
    });
    return visited;
  }

  // The compact text of `state` with the answers of the question indices in `omit` left out.
  function compact(state, config, omit) {
    var answers = {};
    var page = config.pages.indexOf(state.page);
    config.questions.forEach(function (question, index) {
      var text = state.answers[question[0]];
      if (text && omit.indexOf(index) === -1) {
        answers[String(index)] = text;
      }
    });
    var form = {
      v: VERSION,
      k: config.layout,
      p: page === -1 ? 0 : page,
      s: visitedMask(state.visited, config.pages),
      q: config.statements.map(function (statement) {
        var value = state.quiz[statement[0]];
        return value === true ? "t" : value === false ? "f" : "-";
      }).join(""),
      c: state.checked ? 1 : 0,
      a: answers
    };
    compactAnswerKinds(state, config, form);
    if (omit.length) {
      form.x = omit.slice().sort(function (a, b) {
        return a - b;
      });
    }
    return JSON.stringify(form);
  }

  function listOf(config, name) {
    return Array.isArray(config[name]) ? config[name] : [];
  }

  function checkIds(config) {
    var ids = [];
    listOf(config, "checklists").forEach(function (checklist) {
      ids = ids.concat(checklist[1]);
    });
    return ids;
  }

  // Version 2's choices, checks and ratings, added to `form` only when the layout has them.
  function compactAnswerKinds(state, config, form) {
    var choices = listOf(config, "choices");
    var checks = checkIds(config);
    var ratings = listOf(config, "ratings");
    if (choices.length) {
      form.h = choices.map(function (choice) {
        var chosen = state.choices[choice[0]] || [];
        return choice[2].map(function (option, index) {
          return chosen.indexOf(option) === -1 ? "" : index.toString(36);
        }).join("");
      });
    }
    if (checks.length) {
      form.t = visitedMask(checks.filter(function (id) {
        return state.checks[id] === true;
      }), checks);
    }
    if (ratings.length) {
      form.r = ratings.map(function (rating) {
        var level = state.ratings[rating[0]];
        return level && level <= rating[1] && level < 36 ? level.toString(36) : "-";
      }).join("");
    }
  }

  function expandAnswerKinds(form, config, state) {
    var chosen = Array.isArray(form.h) ? form.h : [];
    listOf(config, "choices").forEach(function (choice, index) {
      var digits = typeof chosen[index] === "string" ? chosen[index] : "";
      var options = [];
      digits.split("").forEach(function (digit) {
        var option = choice[2][parseInt(digit, 36)];
        if (option && options.indexOf(option) === -1) {
          options.push(option);
        }
      });
      if (options.length) {
        state.choices[choice[0]] = options;
      }
    });
    var checks = checkIds(config);
    visitedFromMask(form.t, checks).forEach(function (id) {
      state.checks[id] = true;
    });
    var levels = typeof form.r === "string" ? form.r : "";
    listOf(config, "ratings").forEach(function (rating, index) {
      var level = parseInt(levels.charAt(index), 36);
      if (level >= 1 && level <= rating[1]) {
        state.ratings[rating[0]] = level;
      }
    });
  }

  // Fit the state into config.suspendDataLimit by leaving out the longest answers first;
  // never by cutting a string. `carried` are answers already marked as kept elsewhere
  // that this browser does not have: they stay marked.
  function fit(state, config, carried) {
    var omit = carried.slice();
    var text = compact(state, config, omit);
    var byLength = config.questions.map(function (question, index) {
      return index;
    }).filter(function (index) {
      return !!state.answers[config.questions[index][0]];
    }).sort(function (a, b) {
      return state.answers[config.questions[b][0]].length - state.answers[config.questions[a][0]].length || a - b;
    });
    while (text.length > config.suspendDataLimit && byLength.length) {
      omit.push(byLength.shift());
      text = compact(state, config, omit);
    }
    return {text: text, omitted: omit, fits: text.length <= config.suspendDataLimit};
  }

  // The state a compact text holds, as {state, omitted}; {foreign: true, texts} when it was
  // saved by a layout with other questions; null when it is not a compact state at all.
  function expand(text, config) {
    var form;
    try {
      form = JSON.parse(text);
    } catch (error) {
      return null;
    }
    if (!isPlainObject(form) || READABLE_VERSIONS.indexOf(form.v) === -1) {
      return null;
    }
    var answers = isPlainObject(form.a) ? form.a : {};
    if (form.k !== config.layout) {
      // Saved by a package whose questions were different: indices would put
      // answers in the wrong boxes, so hand back the texts alone.
      var texts = Object.keys(answers).sort(function (a, b) {
        return a - b;
      }).map(function (key) {
        return answers[key];
      }).filter(function (answer) {
        return typeof answer === "string" && answer;
      });
      return {foreign: true, texts: texts};
    }
    var state = normalise(null, config.pages);
    config.questions.forEach(function (question, index) {
      if (typeof answers[String(index)] === "string") {
        state.answers[question[0]] = answers[String(index)];
      }
    });
    var quiz = typeof form.q === "string" ? form.q : "";
    config.statements.forEach(function (statement, index) {
      var mark = quiz.charAt(index);
      if (mark === "t") {
        state.quiz[statement[0]] = true;
      }
      if (mark === "f") {
        state.quiz[statement[0]] = false;
      }
    });
    expandAnswerKinds(form, config, state);
    state.checked = form.c === 1;
    state.visited = visitedFromMask(form.s, config.pages);
    if (typeof form.p === "number" && has(config.pages, form.p)) {
      state.page = config.pages[form.p];
    }
    return {state: state, omitted: Array.isArray(form.x) ? form.x : []};
  }

  return {
    VERSION: VERSION,
    normalise: normalise,
    visitedMask: visitedMask,
    visitedFromMask: visitedFromMask,
    compact: compact,
    fit: fit,
    expand: expand
  };
}));
