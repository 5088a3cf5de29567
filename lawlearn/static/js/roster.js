// The attendance roster (出勤): 全选本页 ticks or clears every row's box on the page. It is
// hidden until this script runs: without it the rows are ticked one by one. 批量标记 with no
// row ticked says so at once, before app.js asks "are you sure" (the server refuses it too).
(function () {
  "use strict";
  document.querySelectorAll("[data-check-all]").forEach(function (all) {
    var group = 'input[type=checkbox][name="' + all.dataset.checkAll + '"]';
    all.hidden = false;
    all.addEventListener("change", function () {
      document.querySelectorAll(group).forEach(function (box) { box.checked = all.checked; });
    });
  });
  document.querySelectorAll("[data-requires-ticked]").forEach(function (button) {
    var group = 'input[type=checkbox][name="' + button.dataset.requiresTicked + '"]';
    button.addEventListener("click", function (event) {
      var boxes = document.querySelectorAll(group);
      if (boxes.length) { boxes[0].setCustomValidity(""); }  // 全选 ticks without a change event
      if (!boxes.length || Array.prototype.some.call(boxes, function (b) { return b.checked; })) {
        return;
      }
      event.preventDefault();
      event.stopPropagation();  // no confirmation for a marking that cannot happen
      boxes[0].setCustomValidity(button.dataset.requiresTickedMessage || "");
      boxes[0].reportValidity();
      boxes.forEach(function (box) {
        box.addEventListener("change", function () { boxes[0].setCustomValidity(""); },
                             { once: true });
      });
    });
  });
})();
