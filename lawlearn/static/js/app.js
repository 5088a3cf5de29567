// Small enhancements of server-rendered pages; every page works without this file.
(function () {
  "use strict";
  // Destructive buttons carry data-confirm: ask before the form is sent.
  document.addEventListener("click", function (event) {
    var clicked = event.target.closest("button, input[type=submit]");
    // A field only one button needs (the comment a 退回 must carry; the form's 通过 sends
    // it empty) is checked for that button alone: any button of the form clears first
    // what such a check marked.
    if (clicked && clicked.form) {
      clicked.form.querySelectorAll("[data-flagged]").forEach(function (field) {
        field.setCustomValidity("");
        delete field.dataset.flagged;
      });
    }
    var button = event.target.closest("[data-confirm]");
    if (!button) { return; }
    var needed = button.dataset.requires && document.getElementById(button.dataset.requires);
    if (needed && !needed.value.trim()) {
      event.preventDefault();
      needed.dataset.flagged = "1";
      needed.setCustomValidity(button.dataset.requiresMessage || "");
      needed.reportValidity();
      needed.addEventListener("input", function () { needed.setCustomValidity(""); },
                              { once: true });
      return;
    }
    // A form that will be refused (a required reason left empty) says so first, the
    // browser's way or, for a novalidate form, the server's: asking "are you sure" before
    // that leads nowhere.
    if (button.form && !button.form.checkValidity()) { return; }
    if (!window.confirm(button.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });
  // Check boxes that need one ticked (a multiple-choice answer) say so where they are, as a
  // required radio does; the server refuses an empty answer all the same.
  document.addEventListener("submit", function (event) {
    var group = event.target.querySelector("[data-require-one]");
    if (!group) { return; }
    var boxes = group.querySelectorAll("input[type=checkbox]");
    var ticked = Array.prototype.some.call(boxes, function (box) { return box.checked; });
    if (boxes.length && !ticked) {
      event.preventDefault();
      event.stopImmediatePropagation();  // not a submit: the double-submit guard stays open
      boxes[0].setCustomValidity(group.getAttribute("data-require-one"));
      boxes[0].reportValidity();
      group.addEventListener("change", function () { boxes[0].setCustomValidity(""); },
                             { once: true });
    }
  });
  // A form that deletes when its field is sent empty asks first.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var field = form.dataset && form.dataset.confirmEmpty && form.elements[form.dataset.confirmEmpty];
    if (field && !field.value.trim() && !window.confirm(form.dataset.confirmEmptyMessage)) {
      event.preventDefault();
    }
  });
  // 复制 buttons copy a field's text (a calendar feed address to paste into the phone's
  // calendar). The Clipboard API needs HTTPS, which an office intranet may not have: then the
  // text is selected and copied the old way.
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    var source = document.getElementById(button.dataset.copy);
    if (!source) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      var say = function (text) { button.textContent = text; };
      var byHand = function () {
        source.focus();
        source.setSelectionRange(0, source.value.length);  // select() misses on iOS
        var copied = false;
        try { copied = document.execCommand("copy"); } catch (error) { copied = false; }
        say(copied ? button.dataset.copied : button.dataset.copyFailed);
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(source.value)
          .then(function () { say(button.dataset.copied); }, byHand);
      } else {
        byHand();
      }
    });
  });
  // A table wider than its box scrolls sideways, with no scrollbar shown on many screens: a
  // line above it says so. (An admin page's table is its own box on a phone: app.css.)
  var hintWideTables = function () {
    document.querySelectorAll(".table-scroll, .admin-page .table").forEach(function (box) {
      var hint = box.previousElementSibling;
      var has = hint && hint.classList.contains("scroll-hint");
      var wide = box.scrollWidth > box.clientWidth + 1;
      if (wide && !has) {
        hint = document.createElement("p");
        hint.className = "scroll-hint";
        hint.textContent = document.body.dataset.scrollHint || "";
        box.parentNode.insertBefore(hint, box);
      } else if (has) {
        hint.hidden = !wide;
      }
    });
  };
  hintWideTables();
  // Again once fonts and images are in (a table measured before may fit after), and on resize.
  window.addEventListener("load", hintWideTables);
  window.addEventListener("resize", hintWideTables);
  // Guard against a double submit (a second tap while the first is in flight). A GET form
  // (filters, downloads) changes nothing, and a download never leaves the page: let it repeat.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    // A submit called off (取消) sent nothing.
    if (event.defaultPrevented || (form.getAttribute("method") || "get").toLowerCase() === "get") {
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
// A "我已读完 / 我已看完" form waits for the reading (or watching) time the server will check:
// count it down and enable the button at zero (plan items, library materials).
(function () {
  "use strict";
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
        // A video: the clock starts when it is opened; until then 我已看完 is not yet for
        // tapping (the server would refuse it).
        button.disabled = true;
        document.addEventListener("click", function (event) {
          var link = event.target.closest("[data-open-video]");
          if (link && !running) {
            // The server's clock starts when an opening reaches it (the new tab's request
            // may come seconds after the tap on a busy phone): note the opening here too,
            // and count from its answer, so the button never opens before the server agrees.
            // Only the first opening counts, whichever request it is.
            window.fetch(link.href, {credentials: "same-origin", redirect: "manual"})
              .then(start, start);
          }
        });
      }
    }
  }
})();
