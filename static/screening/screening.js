// Plan screening: show a progress indicator while a large plan is being screened.
// The page works without this script; it only tells the user that something is happening.
(function () {
  "use strict";
  var form = document.querySelector("[data-screening-form]");
  if (!form) { return; }
  form.addEventListener("submit", function () {
    var progress = form.querySelector("[data-screening-progress]");
    if (progress) { progress.hidden = false; }
    var button = form.querySelector("button[type=submit]");
    if (button) { button.setAttribute("aria-disabled", "true"); }
  });
})();
