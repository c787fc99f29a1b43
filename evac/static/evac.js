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
// Destructive actions ask first: a form with data-confirm names what will change.
document.addEventListener("submit", function (event) {
  "use strict";
  var form = event.target;
  if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
});
// The session clock: a warning two minutes before the session ends without activity, with a
// button that keeps it going; at the end, on to the sign-in page. Other tabs may have kept the
// session going meanwhile, so the server is asked before warning.
(function () {
  "use strict";
  var clock = document.querySelector(".session-clock[data-ends]");
  if (!clock) { return; }
  var ends = parseInt(clock.dataset.ends, 10) * 1000;
  var banner = null;
  var token = document.querySelector('meta[name="csrf-token"]');
  function refresh(method) {
    return fetch(clock.dataset.status, {
      method: method, credentials: "same-origin",
      headers: method === "POST" ? {"X-CSRFToken": token ? token.content : ""} : {}
    }).then(function (r) {
      if (!r.ok || r.redirected) { throw new Error("ended"); }
      return r.json();
    }).then(function (data) { ends = data.ends_at * 1000; });
  }
  function warn(minutes) {
    if (!banner) {
      banner = document.createElement("div");
      banner.className = "flash flash-info session-warning";
      banner.setAttribute("role", "alert");
      var text = document.createElement("span");
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = clock.dataset.stay;
      button.addEventListener("click", function () {
        refresh("POST").then(function () { banner.remove(); banner = null; });
      });
      banner.appendChild(text);
      banner.appendChild(document.createTextNode(" "));
      banner.appendChild(button);
      document.querySelector("main").prepend(banner);
    }
    banner.firstChild.textContent = clock.dataset.warning.replace("{m}", minutes);
  }
  function check() {
    var left = ends - Date.now();
    if (left <= 0) {
      refresh("GET").then(check, function () { window.location.reload(); });
    } else if (left < 120000) {
      refresh("GET").then(function () {
        if (ends - Date.now() < 120000) { warn(Math.max(1, Math.ceil((ends - Date.now()) / 60000))); }
      }, function () { window.location.reload(); });
    }
  }
  setInterval(check, 15000);
})();
// A spreading plan recomputes its cost and feasibility when a count is changed.
(function () {
  "use strict";
  var form = document.getElementById("spreadplan");
  if (!form || !form.dataset.evaluate) { return; }
  var verdict = document.getElementById("spread-verdict");
  function check() {
    var params = new URLSearchParams();
    form.querySelectorAll("input.count").forEach(function (i) { params.append(i.name, i.value); });
    fetch(form.dataset.evaluate + "?" + params.toString(), {credentials: "same-origin"})
      .then(function (r) { return r.json(); })
      .then(function (data) {
        if (!data.feasible) {
          verdict.textContent = data.problems.join(" ");
          verdict.className = "small error";
          return;
        }
        verdict.className = "small ok";
        verdict.textContent = data.extra > 0.005
          ? verdict.dataset.extra.replace("{x}", data.extra.toFixed(1))
          : verdict.dataset.best;
      });
  }
  form.addEventListener("input", check);
})();
// Pages marked data-live refresh themselves every so many seconds: the page is fetched again and
// its main part and navigation swapped in (no reload, nothing lost), unless someone is typing in
// a form. New requests and answers raise the count in the tab title, and, when the user opted
// in, a sound and a browser notification.
(function () {
  "use strict";
  var seconds = parseInt(document.body.dataset.live || "0", 10);
  if (!seconds) { return; }
  var title = document.title;
  var unseen = 0;
  function busy() {
    var el = document.activeElement;
    if (el && /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName)) { return true; }
    return Array.prototype.some.call(document.querySelectorAll("main form"), function (f) {
      return f.dataset.dirty === "1";
    });
  }
  document.addEventListener("input", function (e) {
    var form = e.target.closest && e.target.closest("form");
    if (form) { form.dataset.dirty = "1"; }
  });
  function ids(root) {
    return Array.prototype.map.call(root.querySelectorAll("main a[href^='/cases/EV-']"), function (a) {
      return a.getAttribute("href");
    });
  }
  function notify(count) {
    var prefs = window.localStorage || {};
    if (prefs.getItem && prefs.getItem("evac.sound") === "1" && window.AudioContext) {
      var ctx = new AudioContext(), osc = ctx.createOscillator();
      osc.frequency.value = 880; osc.connect(ctx.destination); osc.start(); osc.stop(ctx.currentTime + 0.15);
    }
    if (prefs.getItem && prefs.getItem("evac.notify") === "1" && window.Notification &&
        Notification.permission === "granted") {
      new Notification("evac", {body: document.body.dataset.liveMessage.replace("{n}", count)});
    }
  }
  function refresh() {
    if (document.hidden && unseen === 0 && Math.random() < 0.5) { return; }
    if (busy()) { return; }
    fetch(window.location.href, {credentials: "same-origin", headers: {"X-Evac-Live": "1"}})
      .then(function (r) {
        if (!r.ok || r.redirected) { throw new Error("no"); }
        return r.text();
      })
      .then(function (html) {
        if (busy()) { return; }
        var doc = new DOMParser().parseFromString(html, "text/html");
        var main = doc.querySelector("main"), here = document.querySelector("main");
        if (!main || !here || main.innerHTML === here.innerHTML) { return; }
        var before = ids(document), after = ids(doc);
        var fresh = after.filter(function (h) { return before.indexOf(h) < 0; }).length;
        // flashes belong to the request that made them, not to a refresh
        main.querySelectorAll(".flash").forEach(function (f) { f.remove(); });
        here.innerHTML = main.innerHTML;
        var nav = doc.querySelector(".mainnav"), navHere = document.querySelector(".mainnav");
        if (nav && navHere) { navHere.innerHTML = nav.innerHTML; }
        if (fresh) {
          unseen += fresh;
          document.title = "(" + unseen + ") " + title;
          notify(unseen);
        }
      })
      .catch(function () { /* signed out or offline: the next page load says so */ });
  }
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) { unseen = 0; document.title = title; }
  });
  setInterval(refresh, seconds * 1000);
})();
// The opt-ins for a sound and browser notifications live in this browser only.
document.querySelectorAll("input[data-pref]").forEach(function (box) {
  "use strict";
  box.checked = window.localStorage.getItem(box.dataset.pref) === "1";
  box.addEventListener("change", function () {
    window.localStorage.setItem(box.dataset.pref, box.checked ? "1" : "0");
    if (box.checked && box.dataset.pref === "evac.notify" && window.Notification) {
      Notification.requestPermission();
    }
  });
});
// A form that came back with problems says so at the top, and the focus goes there, so that a
// phone user sees at once why nothing happened.
(function () {
  "use strict";
  var summary = document.querySelector(".error-summary, .problems-card[role=alert]");
  if (summary) { summary.setAttribute("tabindex", "-1"); summary.focus(); summary.scrollIntoView(); }
})();
