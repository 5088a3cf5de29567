// The plan item form: show only the settings of the chosen kind, and only the chapters of
// the chosen law. Without this script every field shows and the server checks them all.
(function () {
  "use strict";
  function setUp(form) {
    var kind = form.querySelector("select[name=kind]");
    var groups = form.querySelectorAll("[data-kinds]");
    var hint = form.querySelector("[data-kind-hint]");
    function showKind() {
      for (var i = 0; i < groups.length; i++) {
        var kinds = groups[i].getAttribute("data-kinds").split(" ");
        groups[i].hidden = kinds.indexOf(kind.value) === -1;
      }
      if (hint) { hint.hidden = true; }
    }
    var law = form.querySelector("select[name=law_id]");
    var division = form.querySelector("select[name=division_id]");
    function showDivisions() {
      if (!law || !division) { return; }
      var options = division.options;
      for (var i = 0; i < options.length; i++) {
        var owner = options[i].getAttribute("data-law");
        var hide = owner !== null && owner !== law.value;
        options[i].hidden = hide;
        options[i].disabled = hide;
        if (hide && options[i].selected) { division.value = ""; }
      }
    }
    if (kind) {
      kind.addEventListener("change", showKind);
      showKind();
    }
    if (law) {
      law.addEventListener("change", showDivisions);
      showDivisions();
    }
  }
  var forms = document.querySelectorAll("form[data-item-form]");
  for (var i = 0; i < forms.length; i++) { setUp(forms[i]); }
})();
