// Behaviour the pages declare in data- attributes, so no page needs an inline script or handler
// (the Content-Security-Policy runs none).
"use strict";

document.addEventListener("submit", function (event) {
  var message = event.target.dataset && event.target.dataset.confirm;
  if (message && !window.confirm(message)) event.preventDefault();
});

document.addEventListener("change", function (event) {
  var field = event.target;
  if (field.matches("select[data-autosubmit]")) HTMLFormElement.prototype.submit.call(field.form);
  if (field.matches("input[data-check-all]")) {
    var name = field.dataset.checkAll;
    field.form.querySelectorAll("input[name='" + name + "']").forEach(function (box) {
      box.checked = field.checked;
    });
  }
});

// A submit that does not reach the server keeps what was typed (issue 16 §5).  Before each POST the
// form's fields are kept in this tab's sessionStorage; offline, the submit is held with a message
// instead of leaving the page; coming back to the page (after the browser's own error page, a
// reload, a back) puts the kept values back.  A page that says the last action succeeded drops
// what was kept for it.  Passwords, files and the CSRF token are never kept.
var DRAFT_PREFIX = "unionflow-draft:";
var DRAFT_MAX_AGE_MS = 24 * 3600 * 1000;

function draftKey(form) {
  var forms = Array.prototype.slice.call(document.querySelectorAll("form[method=post], form[method=POST]"));
  return DRAFT_PREFIX + location.pathname + "#" + (form.getAttribute("action") || "") + "#" + forms.indexOf(form);
}

function keptFields(form) {
  return Array.prototype.filter.call(form.elements, function (field) {
    if (!field.name || field.disabled || field.name === "csrfmiddlewaretoken") return false;
    return !/^(password|file|hidden|submit|button|reset)$/.test(field.type);
  });
}

function keepDraft(form) {
  var values = {};
  keptFields(form).forEach(function (field) {
    if (field.type === "checkbox" || field.type === "radio") {
      if (field.checked) (values[field.name] = values[field.name] || []).push(field.value);
    } else if (field.tagName === "SELECT" && field.multiple) {
      values[field.name] = Array.prototype.filter.call(field.options, function (o) { return o.selected; })
        .map(function (o) { return o.value; });
    } else if (field.value) {
      values[field.name] = [field.value];
    }
  });
  try {
    sessionStorage.setItem(draftKey(form), JSON.stringify({ at: Date.now(), values: values }));
  } catch (e) { /* storage full or disabled: the submit goes on */ }
}

function restoreDraft(form) {
  var raw = null;
  try { raw = sessionStorage.getItem(draftKey(form)); } catch (e) { return; }
  if (!raw) return;
  var draft = JSON.parse(raw);
  if (Date.now() - draft.at > DRAFT_MAX_AGE_MS) { sessionStorage.removeItem(draftKey(form)); return; }
  var restored = false;
  keptFields(form).forEach(function (field) {
    var values = draft.values[field.name];
    if (!values) return;
    if (field.type === "checkbox" || field.type === "radio") {
      if (values.indexOf(field.value) >= 0 && !field.checked) { field.checked = true; restored = true; }
    } else if (field.tagName === "SELECT" && field.multiple) {
      Array.prototype.forEach.call(field.options, function (o) { o.selected = values.indexOf(o.value) >= 0; });
      restored = true;
    } else if (field.value !== values[0]) {
      field.value = values[0];
      restored = true;
    }
  });
  if (restored) note(form, "draft-restored", "已恢复您上次未提交成功的内容，请核对后提交。");
}

function note(form, id, text) {
  var box = form.querySelector("[data-testid=" + id + "]");
  if (!box) {
    box = document.createElement("div");
    box.className = "banner-alert";
    box.setAttribute("role", "alert");
    box.setAttribute("data-testid", id);
    form.insertBefore(box, form.firstChild);
  }
  box.textContent = text;
}

document.addEventListener("submit", function (event) {
  var form = event.target;
  // the attribute, not form.method: a field named "method" (发放方式) shadows the property
  if (event.defaultPrevented || (form.getAttribute("method") || "").toLowerCase() !== "post") return;
  keepDraft(form);
  if (navigator.onLine === false) {
    event.preventDefault();
    note(form, "offline", "网络未连接，未提交。填写的内容已保留，联网后请再次提交。");
  }
});

document.addEventListener("DOMContentLoaded", function () {
  if (document.querySelector(".messages .success")) {
    // the submit that led here went through (wherever it was made from): what was kept is done with
    try {
      Object.keys(sessionStorage).forEach(function (key) {
        if (key.indexOf(DRAFT_PREFIX) === 0) sessionStorage.removeItem(key);
      });
    } catch (e) { /* nothing kept */ }
    return;
  }
  var forms = document.querySelectorAll("form[method=post], form[method=POST]");
  Array.prototype.forEach.call(forms, restoreDraft);
});

// A wide table scrolls inside its card on a phone: such a card takes the keyboard's focus, so it
// can be scrolled without a mouse, and is named for screen readers by its heading.
function focusableScrollers() {
  document.querySelectorAll(".card").forEach(function (card) {
    if (card.scrollWidth > card.clientWidth + 1) {
      if (!card.hasAttribute("tabindex")) card.setAttribute("tabindex", "0");
      if (!card.hasAttribute("role")) card.setAttribute("role", "region");
      var heading = card.querySelector("h2, h3, caption");
      if (!card.hasAttribute("aria-label")) card.setAttribute("aria-label", heading ? heading.textContent.trim() : "表格");
    }
  });
}
document.addEventListener("DOMContentLoaded", focusableScrollers);
window.addEventListener("resize", focusableScrollers);
