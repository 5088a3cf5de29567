// A plan item's page: count a reflection's characters as they are typed (the reading
// countdown is app.js's, shared with the library's materials). The server decides; without
// this file the page still reads and every form still submits.
// On a page sent back with errors (a reflection too short, a review without its comment),
// bring the list of errors at the top into view and give the page its own address, so that
// reloading it shows the page again instead of posting the form a second time.
(function () {
  "use strict";

  var summary = document.querySelector("[data-error-summary]");
  if (summary) {
    var address = summary.getAttribute("data-replace-url");
    if (address && window.history && window.history.replaceState) {
      window.history.replaceState(null, "", address);
    }
    summary.focus();
  }

  var area = document.querySelector("textarea[data-min-length]");
  if (area) {
    var counter = document.getElementById(area.getAttribute("data-counter"));
    var minimum = parseInt(area.getAttribute("data-min-length"), 10) || 0;
    var count = function () {
      // Letters, ideographs and digits (not UTF-16 units; not spaces, line breaks,
      // punctuation or symbols), as the server counts (plans.models.character_count).
      var n = Array.from(area.value).filter(function (c) { return /[\p{L}\p{N}]/u.test(c); }).length;
      counter.textContent = counter.getAttribute("data-template")
        .replace("{n}", String(n)).replace("{min}", String(minimum));
      counter.classList.toggle("short", n < minimum);
    };
    area.addEventListener("input", count);
    count();
  }
})();
