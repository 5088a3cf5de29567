// Taking a quiz: one question per screen, every answer saved the moment it is given,
// answers given offline kept on the device and sent when the connection returns.
(function () {
  "use strict";
  var form = document.getElementById("attempt-form");
  if (!form) { return; }
  var api = form.dataset.api;
  var storageKey = form.dataset.storageKey;
  var csrf = document.querySelector('meta[name="csrf-token"]').getAttribute("content");
  var status = document.getElementById("save-status");
  var questions = Array.prototype.slice.call(form.querySelectorAll("fieldset.question"));
  var sheetCells = form.querySelectorAll(".sheet-cell");
  var pending = {};
  // Questions whose last answer the server refused (422): the status says so until the
  // answer changes, rather than "saved" once nothing is left to send.
  var refused = {};
  var inFlight = false;
  var current = 0;
  var timeIsUp = false;

  // The answers not sent yet live on the device, one list for every tab of this attempt:
  // each tab adds and takes out its own answer in the stored list (read afresh each time),
  // rather than writing its whole list over the other tab's (answers given offline in a
  // tab the phone then closed were lost), and sends what any tab left there.
  var storageWorks = true;
  function stored() {
    if (!storageWorks) { return pending; }
    try { return JSON.parse(window.localStorage.getItem(storageKey) || "{}"); } catch (e) { return {}; }
  }
  function store(all) {
    pending = all;
    try { window.localStorage.setItem(storageKey, JSON.stringify(all)); } catch (e) { storageWorks = false; }
  }
  function keep(qid, answer) { var all = stored(); all[qid] = answer; store(all); }
  function sent(qid, answer) {
    var all = stored();
    if (JSON.stringify(all[qid]) === JSON.stringify(answer)) { delete all[qid]; }
    store(all);
  }
  pending = stored();

  function setStatus(state) {
    // At time-up offline the page says so until it hands in: the background retries
    // would put "未连接…自动保存" back, promising what the closed attempt cannot take.
    if (timeIsUp && state !== "timeUpOffline") { return; }
    status.dataset.state = state;
    status.textContent = form.dataset["msg" + state.charAt(0).toUpperCase() + state.slice(1)];
  }

  function answerOf(fieldset) {
    var type = fieldset.dataset.type;
    var qid = fieldset.dataset.questionId;
    if (type === "multiple") {
      var keys = [];
      fieldset.querySelectorAll("input:checked").forEach(function (input) { keys.push(input.value); });
      return keys.length ? keys : null;
    }
    if (type === "fill") {
      var values = [];
      var any = false;
      fieldset.querySelectorAll("input[type=text]").forEach(function (input) {
        values.push(input.value);
        if (input.value.trim()) { any = true; }
      });
      return any ? values : null;
    }
    var chosen = fieldset.querySelector('input[name="q-' + qid + '"]:checked');
    if (!chosen) { return null; }
    if (type === "true_false") { return chosen.value === "true"; }
    return chosen.value;
  }

  function restore(fieldset, answer) {
    var type = fieldset.dataset.type;
    if (type === "fill") {
      fieldset.querySelectorAll("input[type=text]").forEach(function (input, i) {
        input.value = answer ? (answer[i] || "") : "";
      });
      return;
    }
    fieldset.querySelectorAll("input").forEach(function (input) {
      if (type === "multiple") { input.checked = !!answer && answer.indexOf(input.value) >= 0; }
      else if (type === "true_false") { input.checked = answer !== null && String(answer) === input.value; }
      else { input.checked = answer === input.value; }
    });
  }

  // "open", "answered", or "partial": a fill-in question with a blank left (it was marked
  // answered, and handed in with a blank forgotten).
  function stateOf(fieldset) {
    var answer = answerOf(fieldset);
    if (answer === null) { return "open"; }
    if (fieldset.dataset.type === "fill" && answer.some(function (v) { return !v.trim(); })) {
      return "partial";
    }
    return "answered";
  }

  // Answered or not is said in words too (the label, and a mark), not by the fill alone.
  function markSheet() {
    questions.forEach(function (fieldset, i) {
      var cell = sheetCells[i];
      if (!cell) { return; }
      var state = stateOf(fieldset);
      cell.classList.toggle("answered", state === "answered");
      cell.classList.toggle("partial", state === "partial");
      cell.setAttribute("aria-label", cell.dataset["label" + state.charAt(0).toUpperCase() + state.slice(1)]);
    });
  }

  // One tab of this attempt sends at a time (where the browser can say so), each send
  // taking the answer stored at that moment: otherwise a tab could send an older answer
  // that arrived after the newer one another tab had just saved.
  function oneTabAtATime(send) {
    if (navigator.locks && navigator.locks.request) {
      navigator.locks.request("send:" + storageKey, send);
    } else {
      send();
    }
  }

  function flush() {
    pending = stored();  // another tab's answers too
    if (inFlight) { return; }
    if (!Object.keys(pending).length) {
      setStatus(Object.keys(refused).length ? "error" : "saved");
      return;
    }
    if (!navigator.onLine) { setStatus("offline"); return; }
    inFlight = true;
    setStatus("saving");
    oneTabAtATime(function () {
      var now = stored();
      var ids = Object.keys(now);
      if (!ids.length) {  // another tab sent them meanwhile
        inFlight = false;
        pending = now;
        setStatus(Object.keys(refused).length ? "error" : "saved");
        return Promise.resolve();
      }
      var qid = ids[0];
      var answer = now[qid];
      return fetch(api + "/answers/" + qid, {
        method: "PUT",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
        body: JSON.stringify({ answer: answer })
      }).then(function (response) {
        inFlight = false;
        if (response.status === 409) {
          window.localStorage.removeItem(storageKey);
          window.localStorage.removeItem(storageKey + ".at");
          window.location.assign(form.dataset.reviewUrl);
          return;
        }
        if (response.ok || response.status === 422) {
          // A newer answer may have been given while this one travelled.
          if (JSON.stringify(stored()[qid]) === JSON.stringify(answer)) {
            if (response.ok) { delete refused[qid]; } else { refused[qid] = true; }
          }
          sent(qid, answer);
          if (!response.ok) { setStatus("error"); return; }
          window.setTimeout(flush, 0);  // after this tab lets go of the lock
          return;
        }
        setStatus("error");
        window.setTimeout(flush, 3000);
      }).catch(function () {
        inFlight = false;
        setStatus("offline");
      });
    });
  }

  form.addEventListener("click", function (event) {
    if (timeIsUp && event.target.matches("input[type=radio], input[type=checkbox]")) {
      event.preventDefault();
    }
  }, true);
  form.addEventListener("change", function (event) {
    var fieldset = event.target.closest("fieldset.question");
    if (!fieldset) { return; }
    keep(fieldset.dataset.questionId, answerOf(fieldset));
    delete refused[fieldset.dataset.questionId];
    markSheet();
    flush();
  });
  var typingTimer = null;
  form.addEventListener("input", function (event) {
    if (event.target.type === "text") {
      var fieldset = event.target.closest("fieldset.question");
      keep(fieldset.dataset.questionId, answerOf(fieldset));
      delete refused[fieldset.dataset.questionId];
      status.dataset.state = "saving";
      status.textContent = form.dataset.msgSaving;
      // Save a typed answer once the typing pauses, not only when the field loses focus.
      window.clearTimeout(typingTimer);
      typingTimer = window.setTimeout(function () { markSheet(); flush(); }, 800);
    }
  });
  // An answer given in another tab of this attempt shows here too (its answer sheet said
  // unanswered for a question the other tab had answered).
  window.addEventListener("storage", function (event) {
    if (event.key !== storageKey) { return; }
    var all = stored();
    questions.forEach(function (fieldset) {
      var qid = fieldset.dataset.questionId;
      if (Object.prototype.hasOwnProperty.call(all, qid)) { restore(fieldset, all[qid]); }
    });
    markSheet();
  });
  window.addEventListener("online", flush);
  window.addEventListener("offline", function () { setStatus("offline"); });
  window.setInterval(flush, 5000);

  // One question per screen, with an answer sheet to jump around.
  function show(index) {
    current = Math.max(0, Math.min(questions.length - 1, index));
    try { window.localStorage.setItem(storageKey + ".at", String(current)); } catch (e) { /* private mode */ }
    questions.forEach(function (fieldset, i) { fieldset.hidden = i !== current; });
    sheetCells.forEach(function (cell, i) {
      if (i === current) { cell.setAttribute("aria-current", "step"); } else { cell.removeAttribute("aria-current"); }
    });
    form.querySelector('[data-step="-1"]').disabled = current === 0;
    form.querySelector('[data-step="1"]').disabled = current === questions.length - 1;
  }
  form.querySelector(".quiz-steps").hidden = false;
  form.querySelector(".answer-sheet").hidden = false;
  form.addEventListener("click", function (event) {
    var step = event.target.closest("[data-step]");
    var jump = event.target.closest("[data-goto]");
    if (step) { show(current + parseInt(step.dataset.step, 10)); window.scrollTo(0, 0); }
    if (jump) { show(parseInt(jump.dataset.goto, 10) - 1); window.scrollTo(0, 0); }
  });

  // Enter in a blank (the phone keyboard's Go key) would submit the form, which asks to hand
  // in: it saves the answer and goes to the next blank or question instead. Only the 交卷
  // button hands in.
  form.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.key !== "Enter" || target.tagName !== "INPUT" || target.type !== "text") { return; }
    event.preventDefault();
    window.clearTimeout(typingTimer);
    markSheet();
    flush();
    var blanks = Array.prototype.slice.call(
      target.closest("fieldset.question").querySelectorAll('input[type="text"]'));
    var next = blanks[blanks.indexOf(target) + 1];
    if (next) { next.focus(); return; }
    target.blur();
    if (current < questions.length - 1) { show(current + 1); window.scrollTo(0, 0); }
  });

  // Submitting: everything must be saved first (waiting a moment for saves in flight),
  // then a clear review of what is left.
  var submitting = false;
  function whenSaved(done, waited) {
    if (!Object.keys(pending).length) { done(true); return; }
    if (!navigator.onLine || waited >= 8000) { done(false); return; }
    flush();
    window.setTimeout(function () { whenSaved(done, waited + 250); }, 250);
  }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (submitting) { return; }
    submitting = true;
    whenSaved(function (saved) {
      if (!saved) {
        submitting = false;
        window.alert(form.dataset.msgUnsaved);
        return;
      }
      var missing = [];
      var partial = [];
      questions.forEach(function (f, i) {
        var state = stateOf(f);
        if (state === "open") { missing.push(i + 1); }
        if (state === "partial") { partial.push(i + 1); }
      });
      var comma = form.dataset.listSeparator;
      var question = (missing.length ? form.dataset.msgUnanswered.replace("{n}", missing.join(comma)) + "\n" : "") +
        (partial.length ? form.dataset.msgPartial.replace("{n}", partial.join(comma)) + "\n" : "") +
        form.dataset.msgConfirm;
      if (!window.confirm(question)) { submitting = false; return; }
      submitNow();
    }, 0);
  });

  var handingIn = false;  // 交卷 and the time-up hand in once between them
  function submitNow() {
    if (handingIn) { return; }
    handingIn = true;
    var post = document.createElement("form");
    post.method = "post";
    post.action = form.dataset.submitUrl;
    var token = document.createElement("input");
    token.type = "hidden"; token.name = "csrf_token"; token.value = csrf;
    post.appendChild(token);
    document.body.appendChild(post);
    window.localStorage.removeItem(storageKey);
    window.localStorage.removeItem(storageKey + ".at");
    post.submit();
  }

  // Time is up: hand in the page itself (the path without scripts saves every answer shown,
  // then submits), so that answers not sent yet (typed a moment ago) go with it. Offline it
  // waits for the connection, the answers kept on the device: in time if it returns before
  // the server's deadline; after it, the server has closed the attempt with what it had.
  function handInAtTimeUp() {
    if (handingIn) { return; }
    if (!navigator.onLine) {
      timeIsUp = true;
      setStatus("timeUpOffline");
      // Nothing answered now could count: the answers stay as they were at 0:00.
      form.querySelectorAll("input[type=text]").forEach(function (input) { input.readOnly = true; });
      window.addEventListener("online", handInAtTimeUp, { once: true });
      return;
    }
    handingIn = true;
    var flag = document.createElement("input");
    flag.type = "hidden"; flag.name = "submit"; flag.value = "1";
    form.appendChild(flag);
    var timeUp = document.createElement("input");  // 到时自动交卷 on the review, as the server's own
    timeUp.type = "hidden"; timeUp.name = "time_up"; timeUp.value = "1";
    form.appendChild(timeUp);
    // form.submit is the hidden button named "submit", not the method.
    HTMLFormElement.prototype.submit.call(form);
  }

  // The countdown follows the server's clock, not the phone's, and ends a few seconds
  // before the server's deadline: the page's estimate of the server's clock lags by the
  // page's own loading, and the hand-in must arrive in time (answers after it are refused).
  var HAND_IN_EARLY = 5000;
  var countdown = document.getElementById("countdown");
  if (countdown) {
    var deadline = Date.parse(countdown.dataset.deadline) - HAND_IN_EARLY;
    var offset = Date.parse(countdown.dataset.now) - Date.now();
    var tick = function () {
      var left = Math.max(0, Math.floor((deadline - (Date.now() + offset)) / 1000));
      var days = Math.floor(left / 86400);
      var hours = Math.floor((left % 86400) / 3600);
      var minutes = Math.floor((left % 3600) / 60);
      var seconds = left % 60;
      var two = function (n) { return (n < 10 ? "0" : "") + n; };
      countdown.textContent = (days ? days + countdown.dataset.dayWord + " " : "") +
        (days || hours ? hours + ":" + two(minutes) : minutes) + ":" + two(seconds);
      countdown.classList.toggle("urgent", left <= 300);
      if (left === 0) {
        window.clearInterval(timer);
        handInAtTimeUp();
      }
    };
    var timer = window.setInterval(tick, 1000);
    tick();
  }

  questions.forEach(function (fieldset) {
    var qid = fieldset.dataset.questionId;
    if (Object.prototype.hasOwnProperty.call(pending, qid)) { restore(fieldset, pending[qid]); }
  });
  markSheet();
  // Back at the question last shown on this device (a 50-question exam left at question 37
  // came back at question 1).
  var at = 0;
  try { at = parseInt(window.localStorage.getItem(storageKey + ".at"), 10) || 0; } catch (e) { at = 0; }
  show(at);
  flush();
})();
