// While a report is being rendered, reload its list every few seconds to show the progress;
// not once the person has started filling in the form, so nothing they typed is lost.
(function () {
  "use strict";
  if (!document.querySelector("[data-report-pending]")) { return; }
  var touched = false;
  document.addEventListener("input", function () { touched = true; });
  window.setTimeout(function () { if (!touched) { window.location.reload(); } }, 4000);
})();
