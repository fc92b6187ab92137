/* workbook.js: keeps the learner's answers and runs the quizzes (true/false statements and choices).
 *
 * Learner state (docs/architecture.md), one JSON object:
 *   {"v": 2, "answers": {questionId: text}, "quiz": {statementId: true|false},
 *    "choices": {choiceId: [optionId, ...]}, "checks": {checkId: true},
 *    "ratings": {ratedStatementId: level number}, "checked": bool, "visited": [pageSlug, ...],
 *    "page": pageSlug}
 * read back through assets/workbook-state.js's normaliser, which must load first.
 *
 * Store: window.WorkbookStore when a host defines it before this script runs (the SCORM
 * runtime does), otherwise localStorage. A store is an object with
 *   load() -> state object or null       save(state) -> nothing
 * and may have `persistent: false` to say that answers will not outlive the page, and
 * `questions` / `statements`: arrays of the ids it keeps when it keeps only some of the
 * workbook's (a SCO of a per-section SCORM package); the answers download then lists only
 * those, rather than showing the rest as not answered. A SCORM store also has `expected`
 * ({statementId: true|false}: a graded quiz's page does not carry its answers), `expectedChoices`
 * ({choiceId: [correct option ids]}, likewise) and
 * `earlierAnswers` (texts the download adds: saved by an edition with other questions).
 *
 * Events, dispatched on document for hosts to listen to:
 *   workbook:page-visited    detail {slug}
 *   workbook:answers-changed detail {id, answers}     (id: the question whose answer changed)
 *   workbook:quiz-checked    detail {score, max, results: [{id, kind, response, correct, expected}]}
 *                            (kind "statement": response true/false/null; kind "choice": option ids or null)
 *   workbook:choices-changed detail {kind: "choice"|"check"|"rating", id}
 *
 * Answers are saved on every input event, so a reload never loses typing, and are never
 * shortened: the download holds every character typed.
 *
 * Words: this script has none of its own. The page's data block carries `messages`, in the
 * page's language from its gettext catalog (pipeline/render/script_messages.py); a message
 * with "%(name)s" places is filled in by `fill`.
 */
(function () {
  "use strict";

  var dataElement = document.getElementById("workbook-data");
  if (!dataElement) {
    return;
  }
  var data = JSON.parse(dataElement.textContent);
  var pageSlug = document.body.getAttribute("data-page");
  var messages = data.messages;

  // "You got %(score)s of %(total)s right." with {score: 2, total: 3}: the catalog decides the word order.
  function fill(message, values) {
    return message.replace(/%\((\w+)\)s/g, function (place, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : place;
    });
  }
  // The state's normaliser, shared with scorm-runtime.js (assets/workbook-state.js, loaded first).
  var normaliseState = window.WorkbookState.normalise;

  // --- state and store ------------------------------------------------------

  function localStorageStore(key) {
    var storage = null;
    try {
      storage = window.localStorage;
      storage.setItem(key + ":probe", "1");
      storage.removeItem(key + ":probe");
    } catch (error) {
      storage = null; // private browsing, or a browser that refuses storage for file://
    }
    var memory = null;
    return {
      persistent: storage !== null,
      load: function () {
        if (!storage) {
          return memory;
        }
        try {
          var text = storage.getItem(key);
          return text ? JSON.parse(text) : null;
        } catch (error) {
          return null;
        }
      },
      save: function (state) {
        var text = JSON.stringify(state);
        if (!storage) {
          memory = JSON.parse(text);
          return;
        }
        try {
          storage.setItem(key, text);
        } catch (error) {
          this.persistent = false; // the quota is full: warn rather than lose answers silently
          showStorageWarning();
        }
      }
    };
  }

  var store = window.WorkbookStore || localStorageStore(data.storageKey);
  var state = normaliseState(store.load());

  function save() {
    store.save(state);
  }

  function emit(name, detail) {
    document.dispatchEvent(new CustomEvent(name, {detail: detail}));
  }

  // Not kept: every "saved as you type" note gives way to a warning that offers the download.
  function showStorageWarning() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-storage-warning]"), function (element) {
      element.hidden = false;
    });
    Array.prototype.forEach.call(document.querySelectorAll("[data-answers-kept]"), function (element) {
      element.hidden = true;
    });
  }

  // --- answer boxes ----------------------------------------------------------

  var answerBoxes = Array.prototype.slice.call(document.querySelectorAll("textarea[data-question]"));
  var growsByItself = window.CSS && CSS.supports && CSS.supports("field-sizing", "content");

  function fitToContent(box) {
    if (growsByItself) {
      return;
    }
    box.style.height = "auto";
    // Never below the box's own minimum: 8rem, or the lines its question asks for.
    box.style.height = Math.max(box.scrollHeight + 4, parseFloat(window.getComputedStyle(box).minHeight) || 128) + "px";
  }

  function showPrintCopy(id, text) {
    Array.prototype.forEach.call(document.querySelectorAll("[data-answer-print]"), function (element) {
      if (element.getAttribute("data-answer-print") === id) {
        element.textContent = text;
      }
    });
  }

  function showAnswers() {
    answerBoxes.forEach(function (box) {
      var id = box.getAttribute("data-question");
      var text = Object.prototype.hasOwnProperty.call(state.answers, id) ? state.answers[id] : "";
      if (box.value !== text && document.activeElement !== box) {
        box.value = text;
      }
      showPrintCopy(id, text);
      fitToContent(box);
    });
  }

  answerBoxes.forEach(function (box) {
    box.addEventListener("input", function () {
      var id = box.getAttribute("data-question");
      if (box.value === "") {
        delete state.answers[id];
      } else {
        state.answers[id] = box.value;
      }
      save();
      showPrintCopy(id, box.value);
      fitToContent(box);
      emit("workbook:answers-changed", {id: id, answers: Object.assign({}, state.answers)});
    });
  });

  // --- choices, checklists and rating scales -----------------------------------

  function each(selector, callback) {
    Array.prototype.forEach.call(document.querySelectorAll(selector), callback);
  }

  // A choice's inputs (radios or check boxes) keep the chosen option ids, in the options' order.
  each("[data-choice]", function (fieldset) {
    var id = fieldset.getAttribute("data-choice");
    var inputs = Array.prototype.slice.call(fieldset.querySelectorAll("input"));
    inputs.forEach(function (input) {
      input.checked = (state.choices[id] || []).indexOf(input.value) !== -1;
      input.addEventListener("change", function () {
        var chosen = inputs.filter(function (other) {
          return other.checked;
        }).map(function (other) {
          return other.value;
        });
        if (chosen.length) {
          state.choices[id] = chosen;
        } else {
          delete state.choices[id];
        }
        save();
        var feedback = fieldset.querySelector(".quiz-feedback");
        if (feedback) {
          feedback.hidden = true; // feedback for the old choice no longer applies
        }
        emit("workbook:choices-changed", {kind: "choice", id: id});
      });
    });
  });

  each("input[data-check]", function (input) {
    var id = input.getAttribute("data-check");
    input.checked = state.checks[id] === true;
    input.addEventListener("change", function () {
      if (input.checked) {
        state.checks[id] = true;
      } else {
        delete state.checks[id];
      }
      save();
      emit("workbook:choices-changed", {kind: "check", id: id});
    });
  });

  each("input[data-rating]", function (input) {
    var id = input.getAttribute("data-rating");
    var level = parseInt(input.value, 10);
    input.checked = state.ratings[id] === level;
    input.addEventListener("change", function () {
      if (input.checked) {
        state.ratings[id] = level;
        save();
        emit("workbook:choices-changed", {kind: "rating", id: id});
      }
    });
  });

  // --- the answers download -------------------------------------------------

  function kept(ids, item) {
    return !Array.isArray(ids) || ids.indexOf(item.id) !== -1;
  }

  function underline(heading) {
    return new Array(heading.length + 1).join("=");
  }

  function answersAsText() {
    var lines = [data.title, messages.myAnswers, ""];
    var lastChallenge = null;
    var questions = data.questions.filter(function (question) {
      return kept(store.questions, question);
    });
    var statements = data.statements.filter(function (statement) {
      return kept(store.statements, statement);
    });
    questions.forEach(function (question) {
      if (question.challenge !== lastChallenge) {
        lines.push("", question.challenge, underline(question.challenge), "");
        lastChallenge = question.challenge;
      }
      var answer = state.answers[question.id];
      lines.push(messages.question + " " + question.text, messages.myAnswer, answer ? answer : messages.notAnswered, "");
    });
    var answered = statements.filter(function (statement) {
      return typeof state.quiz[statement.id] === "boolean";
    });
    if (answered.length) {
      lines.push("", messages.trueOrFalse, underline(messages.trueOrFalse), "");
      statements.forEach(function (statement, index) {
        var response = state.quiz[statement.id];
        var mine = typeof response === "boolean" ? (response ? messages["true"] : messages["false"]) : messages.notAnswered;
        lines.push((index + 1) + ". " + statement.text, messages.myAnswer + " " + mine, "");
      });
    }
    answerKindsAsText(lines);
    // SCORM: answers saved by an edition of the workbook with other questions (store.earlierAnswers).
    var earlier = Array.isArray(store.earlierAnswers) ? store.earlierAnswers : [];
    if (earlier.length) {
      lines.push("", messages.earlierAnswers, underline(messages.earlierAnswers), "");
      earlier.forEach(function (text) {
        lines.push(text, "");
      });
    }
    return lines.join("\n") + "\n";
  }

  function optionText(options, id) {
    var found = options.filter(function (option) {
      return option[0] === id;
    })[0];
    return found ? found[1] : id;
  }

  // Choices, checklists and rating scales, after the true/false statements.
  function answerKindsAsText(lines) {
    var choices = (data.choices || []).filter(function (choice) {
      return kept(store.choices, choice);
    });
    if (choices.length) {
      lines.push("", messages.choices, underline(messages.choices), "");
      choices.forEach(function (choice) {
        var chosen = state.choices[choice.id] || [];
        var mine = chosen.length ? chosen.map(function (id) {
          return optionText(choice.options, id);
        }).join("; ") : messages.notAnswered;
        lines.push(choice.text, messages.myAnswer + " " + mine, "");
      });
    }
    (data.checklists || []).filter(function (checklist) {
      return kept(store.checklists, checklist);
    }).forEach(function (checklist) {
      var title = fill(messages.checklistTitle, {challenge: checklist.challenge});
      lines.push("", title, underline(title), "");
      if (checklist.text) {
        lines.push(checklist.text);
      }
      checklist.checks.forEach(function (check) {
        lines.push((state.checks[check[0]] ? "[x] " : "[ ] ") + check[1]);
      });
      lines.push("");
    });
    (data.scales || []).filter(function (scale) {
      return kept(store.scales, scale);
    }).forEach(function (scale) {
      var title = scale.challenge + ": " + (scale.text || messages.rating);
      lines.push("", title, underline(title), "");
      scale.statements.forEach(function (statement) {
        var level = state.ratings[statement[0]];
        var mine = level && scale.levels[level - 1]
          ? fill(messages.ratingLevel, {label: scale.levels[level - 1], level: level, count: scale.levels.length})
          : messages.notRated;
        lines.push(statement[1], messages.myRating + " " + mine, "");
      });
    });
  }

  // The one answers download, behind every [data-download-answers] button: UTF-8 with a byte
  // order mark and CRLF line ends, so Windows editors show "–" and "’" and the line breaks.
  function downloadAnswers() {
    var text = "\ufeff" + answersAsText().replace(/\r\n|\r|\n/g, "\r\n");
    var blob = new Blob([text], {type: "text/plain;charset=utf-8"});
    var link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = data.answersFile;
    link.hidden = true;
    document.body.appendChild(link);
    link.click();
    document.body.removeChild(link);
    setTimeout(function () {
      URL.revokeObjectURL(link.href);
    }, 10000);
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-download-answers]"), function (button) {
    button.addEventListener("click", downloadAnswers);
  });

  // SCORM: the runtime's "not recorded" / "not stored" alert offers this same download.
  window.WorkbookAnswers = {download: downloadAnswers};

  // --- true/false quizzes ----------------------------------------------------

  var VERDICTS = {correct: messages.correct, incorrect: messages.incorrect, unanswered: messages.unanswered};

  function statementsOf(quiz) {
    return Array.prototype.slice.call(quiz.querySelectorAll("[data-statement], [data-choice]"));
  }

  function sameOptions(one, other) {
    return one.length === other.length && one.every(function (id) {
      return other.indexOf(id) !== -1;
    });
  }

  function choiceResultOf(fieldset) {
    var id = fieldset.getAttribute("data-choice");
    var expected = fieldset.hasAttribute("data-expected") ? fieldset.getAttribute("data-expected").split(" ")
      : ((store.expectedChoices && store.expectedChoices[id]) || []);
    var chosen = state.choices[id] || [];
    var response = chosen.length ? chosen.slice() : null;
    return {id: id, kind: "choice", response: response, correct: response !== null && sameOptions(response, expected), expected: expected};
  }

  function resultOf(fieldset) {
    if (fieldset.hasAttribute("data-choice")) {
      return choiceResultOf(fieldset);
    }
    var id = fieldset.getAttribute("data-statement");
    // A graded quiz (SCORM) does not carry its answers in the page: the store has them.
    var expected = fieldset.hasAttribute("data-expected") ? fieldset.getAttribute("data-expected") === "true"
      : Boolean(store.expected && store.expected[id] === true);
    var response = typeof state.quiz[id] === "boolean" ? state.quiz[id] : null;
    return {id: id, kind: "statement", response: response, correct: response === expected, expected: expected};
  }

  function showFeedback(fieldset, result) {
    var feedback = fieldset.querySelector(".quiz-feedback");
    var outcome = result.response === null ? "unanswered" : (result.correct ? "correct" : "incorrect");
    feedback.setAttribute("data-result", outcome);
    feedback.querySelector("[data-verdict]").textContent = VERDICTS[outcome];
    feedback.hidden = false;
  }

  function showScore(quiz, results) {
    var score = results.filter(function (result) {
      return result.correct;
    }).length;
    quiz.querySelector(".quiz-score").textContent = fill(messages.score, {score: score, total: results.length});
    return score;
  }

  function checkQuiz(quiz) {
    var fieldsets = statementsOf(quiz);
    var results = fieldsets.map(resultOf);
    fieldsets.forEach(function (fieldset, index) {
      showFeedback(fieldset, results[index]);
    });
    var score = showScore(quiz, results);
    state.checked = true;
    save();
    emit("workbook:quiz-checked", {score: score, max: results.length, results: results});
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-quiz]"), function (quiz) {
    Array.prototype.forEach.call(quiz.querySelectorAll("[data-statement]"), function (fieldset) {
      var id = fieldset.getAttribute("data-statement");
      Array.prototype.forEach.call(fieldset.querySelectorAll("input[type=radio]"), function (radio) {
        radio.checked = typeof state.quiz[id] === "boolean" && String(state.quiz[id]) === radio.value;
        radio.addEventListener("change", function () {
          state.quiz[id] = radio.value === "true";
          save();
          // Feedback for the old choice no longer applies.
          fieldset.querySelector(".quiz-feedback").hidden = true;
        });
      });
    });
    quiz.querySelector("[data-quiz-check]").addEventListener("click", function () {
      checkQuiz(quiz);
    });
    if (state.checked) {
      var fieldsets = statementsOf(quiz);
      var results = fieldsets.map(resultOf);
      fieldsets.forEach(function (fieldset, index) {
        showFeedback(fieldset, results[index]);
      });
      showScore(quiz, results);
    }
  });

  // --- other tabs, printing, page visits --------------------------------------

  // Another tab of the same workbook saved: show its answers here too.
  window.addEventListener("storage", function (event) {
    if (!window.WorkbookStore && event.key === data.storageKey) {
      state = normaliseState(store.load());
      showAnswers();
    }
  });

  // Printed answers to the quiz should be visible, not folded away.
  var closedBeforePrint = [];
  window.addEventListener("beforeprint", function () {
    closedBeforePrint = Array.prototype.filter.call(document.querySelectorAll("details"), function (details) {
      return !details.open;
    });
    closedBeforePrint.forEach(function (details) {
      details.open = true;
    });
  });
  window.addEventListener("afterprint", function () {
    closedBeforePrint.forEach(function (details) {
      details.open = false;
    });
    closedBeforePrint = [];
  });

  Array.prototype.forEach.call(document.querySelectorAll(".js-only"), function (element) {
    element.hidden = false;
  });
  if (store.persistent === false) {
    showStorageWarning();
  }
  showAnswers();

  if (pageSlug) {
    if (state.visited.indexOf(pageSlug) === -1) {
      state.visited.push(pageSlug);
    }
    state.page = pageSlug;
    save();
    emit("workbook:page-visited", {slug: pageSlug});
  }
}());
