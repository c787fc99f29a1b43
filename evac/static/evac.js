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
