// The attendance roster (出勤): 全选本页 ticks or clears every row's box on the page. It is
// hidden until this script runs: without it the rows are ticked one by one.
(function () {
  "use strict";
  document.querySelectorAll("[data-check-all]").forEach(function (all) {
    var group = 'input[type=checkbox][name="' + all.dataset.checkAll + '"]';
    all.hidden = false;
    all.addEventListener("change", function () {
      document.querySelectorAll(group).forEach(function (box) { box.checked = all.checked; });
    });
  });
})();
