// Challenge mode: the countdown of the question on screen. The server's clock decides: the
// deadline comes from the page, and at zero the form is sent by itself so that the server
// ends the run. Without this script the page still works; only the countdown stands still.
(function () {
  "use strict";
  var timer = document.getElementById("challenge-countdown");
  var form = document.getElementById("challenge-form");
  if (!timer || !form) { return; }
  var bar = document.getElementById("challenge-time");
  var deadline = Date.parse(timer.dataset.deadline);
  // The phone's clock may be off: count against the server's clock.
  var offset = Date.parse(timer.dataset.now) - Date.now();
  var done = false;
  var interval = null;

  function secondsLeft() {
    return Math.max(0, Math.ceil((deadline - (Date.now() + offset)) / 1000));
  }

  function tick() {
    var left = secondsLeft();
    timer.textContent = timer.dataset.template.replace("{n}", String(left));
    timer.classList.toggle("urgent", left <= 5);
    if (bar) { bar.value = left; }
    if (left === 0 && !done) {
      done = true;
      window.clearInterval(interval);
      form.querySelector('input[name="time_up"]').value = "1";
      form.classList.add("timed-out");
      // A moment past zero so that the server's clock has passed the deadline as well;
      // submit() skips the "choose an answer first" check on purpose.
      window.setTimeout(function () { form.submit(); }, 300);
    }
  }

  form.addEventListener("submit", function () {
    // Answered in time: the countdown must not send the form a second time.
    done = true;
    window.clearInterval(interval);
  });
  interval = window.setInterval(tick, 250);
  tick();
})();
