/* Intake and receipt pages: add a line to the donation, ask for the expiry date of perishable goods,
 * keep a second tap from sending the donation twice, and print the receipt. Everything works without it. */
(function () {
  "use strict";

  function renumber(lines) {
    Array.prototype.forEach.call(lines.querySelectorAll("[data-line-number]"), function (span, index) {
      span.textContent = String(index + 1);
    });
  }

  function perishable(select) {
    var option = select.options[select.selectedIndex];
    var line = select.closest("fieldset");
    var expiry = line && line.querySelector("input[type=date]");
    if (expiry) {
      expiry.required = Boolean(option && option.hasAttribute("data-perishable"));
    }
  }

  function init() {
    var lines = document.querySelector("[data-lines]");
    var template = document.getElementById("line-template");
    var add = document.querySelector("[data-add-line]");
    var total = document.querySelector("input[name$='-TOTAL_FORMS']");
    var max = document.querySelector("input[name$='-MAX_NUM_FORMS']");
    if (lines && template && add && total) {
      add.hidden = false;
      add.addEventListener("click", function () {
        var count = parseInt(total.value, 10);
        if (max && count >= parseInt(max.value, 10)) {
          add.disabled = true;
          return;
        }
        var html = template.innerHTML.replace(/__prefix__/g, String(count));
        lines.insertAdjacentHTML("beforeend", html);
        total.value = String(count + 1);
        renumber(lines);
        var added = lines.lastElementChild && lines.lastElementChild.querySelector("select, input");
        if (added) {
          added.focus();
        }
      });
    }
    document.addEventListener("change", function (event) {
      if (event.target.matches && event.target.matches("select[name$='-category']")) {
        perishable(event.target);
      }
    });
    Array.prototype.forEach.call(document.querySelectorAll("select[name$='-category']"), perishable);
    Array.prototype.forEach.call(document.querySelectorAll("form[data-once]"), function (form) {
      form.addEventListener("submit", function () {
        Array.prototype.forEach.call(form.querySelectorAll("button[type=submit]"), function (button) {
          setTimeout(function () {
            button.disabled = true;
          }, 0);
        });
      });
    });
    // Back to a page from the history: its buttons work again.
    window.addEventListener("pageshow", function () {
      Array.prototype.forEach.call(document.querySelectorAll("form[data-once] button[type=submit]"), function (button) {
        button.disabled = false;
      });
    });
    Array.prototype.forEach.call(document.querySelectorAll("[data-print]"), function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        window.print();
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
