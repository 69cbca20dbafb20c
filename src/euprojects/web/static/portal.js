// Small enhancements only: every page works without this file.
// Ticking a filter or choosing a sort submits the search form at once.
(function () {
  "use strict";
  var form = document.getElementById("search-form");
  if (!form) { return; }
  document.documentElement.classList.add("js");
  form.addEventListener("change", function (event) {
    var target = event.target;
    if (target.type === "checkbox" || target.id === "sort") {
      form.requestSubmit ? form.requestSubmit() : form.submit();
    }
  });
})();
