// Unit tests of templates/html/assets/workbook-state.js: the learner state's normaliser and
// its compact form in SCORM suspend_data. Run with `node --test tests/js/` (make test-js).
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const path = require("node:path");

const State = require(path.join(__dirname, "..", "..", "templates", "html", "assets", "workbook-state.js"));

const PAGES = ["index", "basics", "practice", "quiz", "more", "six", "seven", "eight", "nine"];
const LAYOUT = {
  layout: "0123abcd",
  pages: PAGES,
  questions: [["q-one"], ["q-two"], ["q-three"]],
  statements: [["s-a", true, "A."], ["s-b", false, "B."], ["s-c", true, "C."]],
  suspendDataLimit: 4096,
};
const EMPTY = {v: 2, answers: {}, quiz: {}, choices: {}, checks: {}, ratings: {}, checked: false, visited: [], page: null};

function state(fields) {
  return Object.assign({v: 2, answers: {}, quiz: {}, choices: {}, checks: {}, ratings: {}, checked: false, visited: [], page: "index"}, fields);
}

// --- the normaliser ---------------------------------------------------------------

test("garbage gives the empty state", () => {
  for (const raw of [null, undefined, 0, 1, "", "text", true, [], [1, 2], () => 1]) {
    assert.deepEqual(State.normalise(raw), EMPTY, String(raw));
  }
});

test("with the known pages, the empty state is bookmarked at the first page", () => {
  assert.deepEqual(State.normalise(null, PAGES), Object.assign({}, EMPTY, {page: "index"}));
  assert.equal(State.normalise(null, []).page, null);
});

test("only well-formed fields are kept", () => {
  const raw = {
    v: 7, extra: "dropped",
    answers: {"q-one": "Mine", "q-two": 42, "q-three": null, "q-four": ["x"]},
    quiz: {"s-a": true, "s-b": "false", "s-c": 0, "s-d": false},
    checked: "yes",
    visited: ["basics", 3, null, "quiz"],
    page: 12,
  };
  assert.deepEqual(State.normalise(raw), {
    v: 2, answers: {"q-one": "Mine"}, quiz: {"s-a": true, "s-d": false}, choices: {}, checks: {}, ratings: {},
    checked: false, visited: ["basics", "quiz"], page: null,
  });
});

test("answers and quiz given as arrays are not read as objects", () => {
  const normalised = State.normalise({answers: ["a", "b"], quiz: [true], checked: true});
  assert.deepEqual([normalised.answers, normalised.quiz, normalised.checked], [{}, {}, true]);
});

test("with the known pages, visited pages are only those, in their order, and the bookmark is one", () => {
  const raw = {visited: ["quiz", "elsewhere", "index", "quiz"], page: "elsewhere"};
  assert.deepEqual(State.normalise(raw, PAGES).visited, ["index", "quiz"]);
  assert.equal(State.normalise(raw, PAGES).page, "index");
  assert.equal(State.normalise({page: "practice"}, PAGES).page, "practice");
  // Without them (the site), any slug is kept as it came.
  assert.deepEqual(State.normalise(raw).visited, ["quiz", "elsewhere", "index", "quiz"]);
  assert.equal(State.normalise(raw).page, "elsewhere");
});

test("an answer that is the empty string or any text is kept exactly", () => {
  const tricky = 'He said "commission" – café </script> {"a":1}\nSecond line\n\n\tand a tab 😀';
  assert.deepEqual(State.normalise({answers: {a: "", b: tricky}}).answers, {a: "", b: tricky});
});

test("the normaliser does not share objects with its input", () => {
  const raw = {answers: {"q-one": "x"}, visited: ["index"]};
  const normalised = State.normalise(raw);
  normalised.answers["q-one"] = "changed";
  normalised.visited.push("basics");
  assert.deepEqual(raw, {answers: {"q-one": "x"}, visited: ["index"]});
});

// --- visited pages as a bitmask ---------------------------------------------------------

test("the visited mask is hex, lowest page in the lowest bit, without leading zeros", () => {
  assert.equal(State.visitedMask([], PAGES), "0");
  assert.equal(State.visitedMask(["index"], PAGES), "1");
  assert.equal(State.visitedMask(["index", "quiz"], PAGES), "9");
  assert.equal(State.visitedMask(["more"], PAGES), "10");
  assert.equal(State.visitedMask(PAGES, PAGES), "1ff");
  assert.equal(State.visitedMask(["nine", "elsewhere"], PAGES), "100");
});

test("every set of visited pages comes back from its mask", () => {
  for (let bits = 0; bits < 1 << PAGES.length; bits += 37) {
    const visited = PAGES.filter((_, index) => bits & (1 << index));
    assert.deepEqual(State.visitedFromMask(State.visitedMask(visited, PAGES), PAGES), visited, String(bits));
  }
});

test("a mask that is not lower-case hex means no page seen", () => {
  for (const mask of [undefined, null, 5, "", "1G", "FF", "-1", " 1"]) {
    assert.deepEqual(State.visitedFromMask(mask, PAGES), [], String(mask));
  }
});

// --- compaction and expansion -----------------------------------------------------------

const FULL = state({
  answers: {"q-one": "First", "q-three": "Third – with “quotes” and 😀"},
  quiz: {"s-a": true, "s-b": true},
  checked: true,
  visited: ["index", "basics", "quiz", "nine"],
  page: "quiz",
});

test("the compact form is the documented one", () => {
  assert.deepEqual(JSON.parse(State.compact(FULL, LAYOUT, [])), {
    v: 2, k: "0123abcd", p: 3, s: "10b", q: "tt-", c: 1, a: {0: "First", 2: "Third – with “quotes” and 😀"},
  });
});

test("compaction round trip: expanding the compact text gives the state back", () => {
  const cases = [
    FULL,
    State.normalise(null, PAGES),
    state({visited: PAGES.slice(), page: "nine", quiz: {"s-a": false, "s-b": false, "s-c": false}, checked: true}),
    state({answers: {"q-two": "\n\n\t\"\\"}}),
  ];
  for (const original of cases) {
    const expanded = State.expand(State.compact(original, LAYOUT, []), LAYOUT);
    assert.deepEqual(expanded, {state: State.normalise(original, PAGES), omitted: []});
  }
});

test("answers left out are marked, in order, and come back missing", () => {
  const text = State.compact(FULL, LAYOUT, [2, 0]);
  assert.deepEqual(JSON.parse(text).x, [0, 2]);
  const expanded = State.expand(text, LAYOUT);
  assert.deepEqual(expanded.omitted, [0, 2]);
  assert.deepEqual(expanded.state.answers, {});
});

test("an empty answer is not stored", () => {
  assert.deepEqual(JSON.parse(State.compact(state({answers: {"q-one": ""}}), LAYOUT, [])).a, {});
});

test("a bookmark on an unknown page is stored as the first page", () => {
  assert.equal(JSON.parse(State.compact(state({page: "elsewhere"}), LAYOUT, [])).p, 0);
});

test("text that is not a compact state expands to nothing", () => {
  for (const text of [undefined, "", "{", "null", "[]", "42", '"v"', '{"v":3}', '{"v":"1"}', '{"a":{}}']) {
    assert.equal(State.expand(text, LAYOUT), null, String(text));
  }
});

test("a compact state of another layout hands back only its answers' texts, in question order", () => {
  const text = JSON.stringify({v: 1, k: "other", a: {10: "ten", 2: "two", 0: "", 1: 5, 3: "three"}});
  assert.deepEqual(State.expand(text, LAYOUT), {foreign: true, texts: ["two", "three", "ten"]});
});

test("malformed fields of a compact state are read as nothing", () => {
  const text = JSON.stringify({v: 1, k: LAYOUT.layout, p: 99, s: "zz", q: 7, c: true, a: ["x"], x: "0"});
  assert.deepEqual(State.expand(text, LAYOUT), {state: State.normalise(null, PAGES), omitted: []});
  const fractional = JSON.stringify({v: 1, k: LAYOUT.layout, p: 1.5});
  assert.equal(State.expand(fractional, LAYOUT).state.page, "index");
});

// --- fitting into suspend_data ----------------------------------------------------------

test("a state that fits is stored whole", () => {
  assert.deepEqual(State.fit(FULL, LAYOUT, []), {text: State.compact(FULL, LAYOUT, []), omitted: [], fits: true});
});

test("the longest answers are left out first, never cut", () => {
  const answers = {"q-one": "a".repeat(50), "q-two": "b".repeat(300), "q-three": "c".repeat(120)};
  // Room for everything but the longest answer.
  const layout = Object.assign({}, LAYOUT, {suspendDataLimit: State.compact(state({answers: answers}), LAYOUT, [1]).length});
  const fitted = State.fit(state({answers: answers}), layout, []);
  assert.deepEqual(fitted.omitted, [1]);
  assert.ok(fitted.fits && fitted.text.length <= layout.suspendDataLimit);
  const kept = JSON.parse(fitted.text).a;
  assert.deepEqual(kept, {0: answers["q-one"], 2: answers["q-three"]});
});

test("answers of equal length are left out in question order", () => {
  const answers = {"q-one": "x".repeat(100), "q-two": "y".repeat(100), "q-three": "z".repeat(100)};
  const layout = Object.assign({}, LAYOUT, {suspendDataLimit: State.compact(state({answers: answers}), LAYOUT, [0, 1]).length});
  assert.deepEqual(State.fit(state({answers: answers}), layout, []).omitted, [0, 1]);
});

test("answers carried as missing stay marked, and a state too big even without answers does not fit", () => {
  const carried = State.fit(FULL, LAYOUT, [1]);
  assert.deepEqual([carried.omitted, JSON.parse(carried.text).x], [[1], [1]]);
  const tiny = Object.assign({}, LAYOUT, {suspendDataLimit: 10});
  const fitted = State.fit(FULL, tiny, []);
  assert.equal(fitted.fits, false);
  assert.deepEqual(fitted.omitted.slice().sort(), [0, 2]);
});

// --- version 2: choices, checks and ratings (issue 13) --------------------------------------

const KINDS = Object.assign({}, LAYOUT, {
  layout: "kinds123",
  choices: [["c-one", ["o-a"], ["o-a", "o-b", "o-c"], "One?"], ["c-many", ["o-d", "o-f"], ["o-d", "o-e", "o-f"], "Many?"]],
  checklists: [["list", ["k-one", "k-two", "k-three"], "Done?"]],
  ratings: [["r-one", 4, "Sure?"], ["r-two", 4, "Sure?"]],
});

test("choices, checks and ratings are normalised like the rest", () => {
  const raw = {
    choices: {"c-one": ["o-a", "o-a", 3], "c-many": "o-d", "c-x": []},
    checks: {"k-one": true, "k-two": "yes", "k-three": 1},
    ratings: {"r-one": 3, "r-two": 0, "r-three": 1.5, "r-four": "2"},
  };
  const normalised = State.normalise(raw);
  assert.deepEqual([normalised.choices, normalised.checks, normalised.ratings],
    [{"c-one": ["o-a"], "c-x": []}, {"k-one": true}, {"r-one": 3}]);
});

test("a version 1 state, saved before choices existed, loads with its answers and no choices", () => {
  const old = {v: 1, answers: {"q-one": "Mine"}, quiz: {"s-a": true}, checked: true, visited: ["basics"], page: "basics"};
  assert.deepEqual(State.normalise(old, PAGES), state({
    answers: {"q-one": "Mine"}, quiz: {"s-a": true}, checked: true, visited: ["basics"], page: "basics",
  }));
});

test("a version 1 compact state still expands (an attempt saved by the last release resumes)", () => {
  const text = JSON.stringify({v: 1, k: LAYOUT.layout, p: 2, s: "5", q: "tf-", c: 1, a: {1: "Two"}});
  assert.deepEqual(State.expand(text, LAYOUT).state, state({
    answers: {"q-two": "Two"}, quiz: {"s-a": true, "s-b": false}, checked: true, visited: ["index", "practice"], page: "practice",
  }));
});

test("choices, checks and ratings compact to the documented form and come back", () => {
  const full = state({
    choices: {"c-one": ["o-b"], "c-many": ["o-f", "o-d"]},
    checks: {"k-one": true, "k-three": true},
    ratings: {"r-two": 4},
  });
  const form = JSON.parse(State.compact(full, KINDS, []));
  assert.deepEqual([form.h, form.t, form.r], [["1", "02"], "5", "-4"]);
  const expanded = State.expand(State.compact(full, KINDS, []), KINDS).state;
  assert.deepEqual(expanded.choices, {"c-one": ["o-b"], "c-many": ["o-d", "o-f"]});
  assert.deepEqual([expanded.checks, expanded.ratings], [full.checks, full.ratings]);
});

test("a layout without the new kinds writes none of their fields", () => {
  const form = JSON.parse(State.compact(FULL, LAYOUT, []));
  assert.deepEqual(["h", "t", "r"].filter((key) => key in form), []);
});

test("malformed choices, checks and ratings in a compact state are read as nothing", () => {
  const text = JSON.stringify({v: 2, k: KINDS.layout, h: ["9z", 4], t: "q", r: "0x"});
  const expanded = State.expand(text, KINDS).state;
  assert.deepEqual([expanded.choices, expanded.checks, expanded.ratings], [{}, {}, {}]);
});
