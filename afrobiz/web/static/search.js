// "Use my location": fills the hidden lat/lon from the browser and submits. Without
// JavaScript (or without permission) the town box still works.
(function () {
  var button = document.querySelector("[data-near-me]");
  if (!button || !("geolocation" in navigator)) return;
  button.hidden = false;
  button.addEventListener("click", function () {
    button.disabled = true;
    button.textContent = "Finding you…";
    navigator.geolocation.getCurrentPosition(function (pos) {
      var form = button.form;
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
})();
