// A delivery plan's page, kept live: every 10 s it asks the plan's live endpoint for the state of each
// visit and updates it in place (forms being typed into are left alone). No inline script: CSP-friendly.
(function () {
  "use strict";
  var INTERVAL = 10000;

  function apply(section, data) {
    var summary = section.querySelector("[data-live-summary]");
    if (summary) summary.textContent = data.summary;
    var planState = document.querySelector("[data-live-plan]");
    if (planState) {
      planState.textContent = data.plan.label;
      planState.className = "state " + data.plan.status;
    }
    var found = 0;
    data.deliveries.forEach(function (visit) {
      var card = section.querySelector('[data-delivery="' + visit.id + '"]');
      if (!card) return;
      found += 1;
      var state = card.querySelector('[data-field="status"]');
      if (state && state.textContent.trim() !== visit.label) {
        state.textContent = visit.label;
        state.className = "state " + visit.status + " changed";
      }
      var at = card.querySelector('[data-field="at"]');
      if (at) at.textContent = visit.at;
    });
    // A family added or taken off elsewhere: offer a reload rather than rebuild the page under the user.
    var stale = section.querySelector("[data-live-stale]");
    var cards = section.querySelectorAll("[data-delivery]").length;
    if (stale) stale.hidden = found === cards && cards === data.deliveries.length;
  }

  function poll(section) {
    fetch(section.getAttribute("data-live"), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (data) apply(section, data); })
      .catch(function () { /* offline for a moment at a door: the next poll tries again */ });
  }

  function start() {
    document.querySelectorAll("[data-live]").forEach(function (section) {
      poll(section);
      window.setInterval(function () { if (!document.hidden) poll(section); }, INTERVAL);
    });
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
      });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
