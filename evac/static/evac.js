// Small progressive enhancements; every page works without them.
(function () {
  "use strict";
  // Deadlines count down in place (h:mm:ss), so nobody waits unseen.
  function tick() {
    var now = Date.now();
    document.querySelectorAll(".countdown[data-deadline]").forEach(function (el) {
      var left = Math.round((Date.parse(el.dataset.deadline) - now) / 1000);
      var s = Math.max(0, left);
      var text = Math.floor(s / 3600) + ":" + String(Math.floor(s / 60) % 60).padStart(2, "0") +
        ":" + String(s % 60).padStart(2, "0");
      el.textContent = "⏱ " + text;
      el.classList.toggle("late", left < 1800);
    });
  }
  if (document.querySelector(".countdown[data-deadline]")) {
    tick();
    setInterval(tick, 1000);
  }
})();
// A placement proposal recomputes its objective and feasibility when a row is overridden.
(function () {
  "use strict";
  var form = document.getElementById("proposal");
  if (!form || !form.dataset.evaluate) { return; }
  form.addEventListener("change", function () {
    var params = new URLSearchParams();
    form.querySelectorAll("select.override").forEach(function (s) { params.append(s.name, s.value); });
    fetch(form.dataset.evaluate + "?" + params.toString(), {credentials: "same-origin"})
      .then(function (r) { return r.json(); })
      .then(function (data) {
        document.getElementById("objective").textContent = data.objective === null ? "–" : data.objective.toFixed(1);
        var f = document.getElementById("feasibility");
        f.textContent = data.feasible ? f.dataset.ok || "✓" : data.problems.join("; ");
        f.className = data.feasible ? "ok" : "error";
        var body = document.getElementById("regions");
        body.innerHTML = "";
        data.regions.forEach(function (r) {
          var tr = document.createElement("tr");
          [r.region, r.category, r.placed, Math.round(r.before * 100) + "%", Math.round(r.after * 100) + "%"]
            .forEach(function (v, i) {
              var td = document.createElement("td");
              if (i > 1) { td.className = "num"; }
              td.textContent = v;
              tr.appendChild(td);
            });
          body.appendChild(tr);
        });
      });
  });
})();
