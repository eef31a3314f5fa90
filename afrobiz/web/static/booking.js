// Slot picker enhancement: choosing a time scrolls to the details form and focuses the
// first empty field. Without JavaScript the links simply load the page at #details.
(function () {
  var details = document.getElementById("details");
  if (!details) return;
  var first = details.querySelector("input:not([type=hidden]):placeholder-shown, input[value='']:not([type=hidden])");
  if (location.hash === "#details" && first) first.focus({ preventScroll: false });
})();
