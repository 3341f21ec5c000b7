// Draws the statistics page's charts from the figures the page embeds (json_script): no request more.
(function () {
  "use strict";
  var source = document.getElementById("statistics-data");
  if (!source || typeof window.Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var labels = data.labels;
  var green = "#2f7d4f", orange = "#c7632b", blue = "#2b6cb0";

  function draw(name, type, datasets, title) {
    var canvas = document.querySelector('canvas[data-chart="' + name + '"]');
    if (!canvas) { return; }
    new window.Chart(canvas, {
      type: type,
      data: { labels: data.months, datasets: datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: { title: { display: true, text: title }, legend: { display: datasets.length > 1 } },
        scales: { y: { beginAtZero: true } }
      }
    });
  }

  draw("items", "bar", [
    { label: labels.items_in, data: data.items_in, backgroundColor: green },
    { label: labels.items_out, data: data.items_out, backgroundColor: orange }
  ], labels.items);
  draw("families", "line", [
    { label: labels.families_served, data: data.families_served, borderColor: blue, backgroundColor: blue }
  ], labels.families_served);
  draw("hours", "bar", [
    { label: labels.hours_given, data: data.hours_given, backgroundColor: blue }
  ], labels.hours_given);
  draw("money", "bar", [
    { label: labels.money_raised, data: data.money_raised, backgroundColor: green },
    { label: labels.money_spent, data: data.money_spent, backgroundColor: orange }
  ], labels.money);
})();
