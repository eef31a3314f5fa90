// AfroBiz Connect: small enhancements only. Every page works without this file.
(function () {
  "use strict";

  // Favourite hearts toggle in place; without JavaScript the form posts and comes back.
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form.classList || !form.classList.contains("fav") || !window.fetch) return;
    e.preventDefault();
    fetch(form.action, {method: "POST", body: new FormData(form), credentials: "same-origin",
                        headers: {"X-Requested-With": "fetch"}}).then(function (r) {
      if (!r.ok) { form.submit(); return; }
      var action = form.querySelector("[name=action]"), button = form.querySelector("button");
      var saved = action.value === "add";
      action.value = saved ? "remove" : "add";
      button.setAttribute("aria-pressed", saved ? "true" : "false");
      button.querySelector("[aria-hidden]").textContent = saved ? "♥" : "♡";
      button.querySelector(".fav-label").textContent = saved ? "Saved" : "Save";
    }, function () { form.submit(); });
  });

  // Count taps on a business's contact buttons (the links work without it).
  var biz = document.querySelector("[data-business-id]");
  if (biz && navigator.sendBeacon) {
    document.querySelectorAll("[data-click]").forEach(function (a) {
      a.addEventListener("click", function () {
        navigator.sendBeacon("/api/v1/businesses/" + biz.dataset.businessId + "/clicks?kind=" + a.dataset.click);
      });
    });
  }

  // "Use my location": fills the hidden lat/lon and submits; the town box works without it.
  document.querySelectorAll("[data-near-me]").forEach(function (button) {
    if (!("geolocation" in navigator)) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      var form = button.form;
      button.disabled = true;
      button.textContent = "Finding you…";
      navigator.geolocation.getCurrentPosition(function (pos) {
        form.querySelector("[data-near-lat]").value = pos.coords.latitude.toFixed(5);
        form.querySelector("[data-near-lon]").value = pos.coords.longitude.toFixed(5);
        form.querySelector("[name=near]").value = "";
        var sort = form.querySelector("[name=sort]");
        if (sort && sort.value === "relevance") sort.value = "distance";
        form.submit();
      }, function () {
        button.disabled = false;
        button.textContent = "Location unavailable — type a town";
      }, {timeout: 10000, maximumAge: 300000});
    });
  });
})();
