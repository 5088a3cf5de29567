// The check-in projector: fetch the current QR code, code and counter every two seconds
// (and right when the code rotates), count the seconds down in between. No reloads.
(function () {
  "use strict";
  var root = document.getElementById("projector");
  if (!root) { return; }
  var url = root.dataset.stateUrl;
  var qr = document.getElementById("qr");
  var code = document.getElementById("code");
  var secondsLeft = document.getElementById("seconds-left");
  var checkedIn = document.getElementById("checked-in");
  var expected = document.getElementById("expected");
  var latest = document.getElementById("latest");
  var phase = document.getElementById("phase");
  var linkStatus = document.getElementById("link-status");
  var fullscreen = document.getElementById("fullscreen");
  var token = root.dataset.token;
  var left = parseInt(root.dataset.secondsLeft, 10) || 0;
  var sinceFetch = 0;
  var inFlight = false;
  var number = new Intl.NumberFormat("zh-CN");

  function apply(state) {
    if (state.token !== token) {
      token = state.token;
      qr.src = state.qr_data_uri;
      code.textContent = state.code;
    }
    left = state.seconds_left;
    secondsLeft.textContent = String(left);
    checkedIn.textContent = number.format(state.checked_in);
    expected.textContent = number.format(state.expected);
    var excused = document.getElementById("excused");
    if (excused) {
      excused.textContent = number.format(state.excused);
      document.getElementById("excused-line").hidden = !state.excused;
    }
    root.dataset.open = state.checkin_open ? "true" : "false";
    phase.dataset.phase = state.phase;
    phase.textContent = state.phase_text;
    var names = state.latest.join("\n");
    if (latest.dataset.names !== names) {
      latest.dataset.names = names;
      latest.replaceChildren.apply(latest, state.latest.map(function (name) {
        var item = document.createElement("li");
        item.textContent = name;
        return item;
      }));
    }
    linkStatus.textContent = "";
  }

  function refresh() {
    if (inFlight) { return; }
    inFlight = true;
    sinceFetch = 0;
    fetch(url, { headers: { "Accept": "application/json" }, cache: "no-store", credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(apply)
      .catch(function () { linkStatus.textContent = root.dataset.msgOffline; })
      .then(function () { inFlight = false; });
  }

  window.setInterval(function () {
    sinceFetch += 1;
    if (left > 1) {
      left -= 1;
      secondsLeft.textContent = String(left);
    }
    if (left <= 1 || sinceFetch >= 2) { refresh(); }
  }, 1000);

  if (document.documentElement.requestFullscreen) {
    fullscreen.hidden = false;
    fullscreen.addEventListener("click", function () {
      if (document.fullscreenElement) { document.exitFullscreen(); }
      else { document.documentElement.requestFullscreen(); }
    });
  }
})();
