// The report page follows its generation: progress bar, stage, stalled warning; reloads when done.
"use strict";

(function () {
  var card = document.getElementById("progress-card");
  if (!card || card.dataset.status !== "running") return;
  var timer = setInterval(function () {
    fetch(card.dataset.progressUrl).then(function (r) { return r.json(); }).then(function (d) {
      document.getElementById("bar").value = d.progress;
      document.getElementById("stage").textContent = d.queued
        ? card.dataset.queuedLabel + " · " + d.queued_at + " " + card.dataset.submittedLabel
        : d.stage_label + " · " + d.progress + "% · " + d.status_label;
      document.getElementById("stalled").hidden = !d.stalled;
      if (d.status !== "running") { clearInterval(timer); window.location.reload(); }
    });
  }, 1000);
})();
