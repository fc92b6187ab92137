// The preview's live reload: added to pages only as `python -m pipeline serve` serves them
// (never to the files `build` writes). The server sends its build counter over Server-Sent
// Events; when it differs from the build this page was served from, the page reloads, and
// comes back at the same scroll position (kept in sessionStorage for this tab only).
(function () {
  "use strict";
  var script = document.currentScript;
  var served = script.getAttribute("data-build");
  var events = script.getAttribute("data-events");
  // The problems page (and the no-such-page page) stands in for a page: it neither keeps nor takes the scroll
  // position, so the page behind it comes back where the reader left it.
  var standIn = script.hasAttribute("data-stand-in");
  var key = "workbook-preview-scroll:" + location.pathname;

  if (!standIn) {
    var kept = sessionStorage.getItem(key);
    if (kept !== null) {
      sessionStorage.removeItem(key);
      try {
        var position = JSON.parse(kept);
        var restore = function () { window.scrollTo(position.x, position.y); };
        if (document.readyState === "complete") restore();
        else window.addEventListener("load", restore, { once: true });
      } catch (ignored) { /* a damaged entry: start at the top */ }
    }
  }

  var source = new EventSource(events);
  source.addEventListener("message", function (event) {
    if (event.data === served) return;
    source.close();
    if (!standIn) {
      sessionStorage.setItem(key, JSON.stringify({ x: window.scrollX, y: window.scrollY }));
    }
    location.reload();
  });
})();
