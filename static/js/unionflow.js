// Behaviour the pages declare in data- attributes, so no page needs an inline script or handler
// (the Content-Security-Policy runs none).
"use strict";

document.addEventListener("submit", function (event) {
  var message = event.target.dataset && event.target.dataset.confirm;
  if (message && !window.confirm(message)) event.preventDefault();
});

document.addEventListener("change", function (event) {
  var field = event.target;
  if (field.matches("select[data-autosubmit]")) field.form.submit();
  if (field.matches("input[data-check-all]")) {
    var name = field.dataset.checkAll;
    field.form.querySelectorAll("input[name='" + name + "']").forEach(function (box) {
      box.checked = field.checked;
    });
  }
});
