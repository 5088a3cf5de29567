// Small enhancements of server-rendered pages; every page works without this file.
(function () {
  "use strict";
  // Destructive buttons carry data-confirm: ask before the form is sent.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });
  // Guard against a double submit (a second tap while the first is in flight). A GET form
  // (filters, downloads) changes nothing, and a download never leaves the page: let it repeat.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if ((form.getAttribute("method") || "get").toLowerCase() === "get") {
      return;
    }
    if (form.dataset.submitted === "1") {
      event.preventDefault();
      return;
    }
    form.dataset.submitted = "1";
    window.setTimeout(function () { form.dataset.submitted = ""; }, 5000);
  });
})();
// Statute font size: four steps, remembered on this device.
(function () {
  "use strict";
  var root = document.documentElement;
  var key = "lawlearn.fontStep";
  function apply(step) {
    root.classList.remove("font-1", "font-2", "font-3", "font-4");
    root.classList.add("font-" + step);
  }
  var saved = parseInt(window.localStorage.getItem(key) || "2", 10);
  apply(saved >= 1 && saved <= 4 ? saved : 2);
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-font-step]");
    if (!button) { return; }
    var current = parseInt(window.localStorage.getItem(key) || "2", 10);
    var next = Math.min(4, Math.max(1, current + parseInt(button.getAttribute("data-font-step"), 10)));
    window.localStorage.setItem(key, String(next));
    apply(next);
  });
})();
