// An event's photo upload: add up the sizes of the chosen photos before sending them, and
// say so next to the form when together they exceed what one upload may carry (the server
// would otherwise refuse the whole request). Without this file the form still submits.
(function () {
  "use strict";

  var forms = document.querySelectorAll("form.photo-upload[data-max-total]");
  Array.prototype.forEach.call(forms, function (form) {
    var limit = parseInt(form.getAttribute("data-max-total"), 10) || 0;
    var message = form.querySelector("[data-upload-error]");
    var total = function () {
      var sum = 0;
      Array.prototype.forEach.call(form.querySelectorAll("input[type=file]"), function (input) {
        Array.prototype.forEach.call(input.files || [], function (file) { sum += file.size; });
      });
      return sum;
    };
    var check = function () {
      var sum = total();
      var tooLarge = limit > 0 && sum > limit;
      if (message) {
        message.hidden = !tooLarge;
        message.textContent = tooLarge ? form.getAttribute("data-too-large")
          .replace("{size}", (sum / 1048576).toFixed(1)) : "";
      }
      return !tooLarge;
    };
    form.addEventListener("change", check);
    form.addEventListener("submit", function (event) {
      if (!check()) {
        event.preventDefault();
        if (message) { message.scrollIntoView({block: "center"}); }
      }
    });
  });
})();
