// A plan item's page: count down the reading (or watching) time that the server will check,
// and count a reflection's characters as they are typed. The server decides; without this
// file the page still reads and every form still submits.
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

  var form = document.querySelector("form[data-seconds-left]");
  if (form) {
    var button = form.querySelector("button[type=submit]");
    var hint = form.querySelector("[data-wait]");
    var left = parseInt(form.getAttribute("data-seconds-left"), 10) || 0;
    var running = false;
    var show = function () {
      if (left > 0) {
        hint.textContent = hint.getAttribute("data-wait").replace("{n}", String(left));
        button.disabled = true;
      } else {
        hint.textContent = hint.getAttribute("data-ready");
        button.disabled = false;
      }
    };
    var start = function () {
      if (running) { return; }
      running = true;
      show();
      var timer = window.setInterval(function () {
        left -= 1;
        if (left <= 0) {
          left = 0;
          window.clearInterval(timer);
        }
        show();
      }, 1000);
    };
    if (left > 0) {
      if (form.getAttribute("data-opened") === "1") {
        start();
      } else {
        // A video: the clock starts when it is opened.
        document.addEventListener("click", function (event) {
          if (event.target.closest("[data-open-video]")) { start(); }
        });
      }
    }
  }

  var area = document.querySelector("textarea[data-min-length]");
  if (area) {
    var counter = document.getElementById(area.getAttribute("data-counter"));
    var minimum = parseInt(area.getAttribute("data-min-length"), 10) || 0;
    var count = function () {
      // Count characters (not UTF-16 units) of the trimmed text, as the server does.
      var n = Array.from(area.value.trim()).length;
      counter.textContent = counter.getAttribute("data-template")
        .replace("{n}", String(n)).replace("{min}", String(minimum));
      counter.classList.toggle("short", n < minimum);
    };
    area.addEventListener("input", count);
    count();
  }
})();
