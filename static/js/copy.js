// Copy buttons for the ready texts on the result page (progressive enhancement: without
// JavaScript the texts are plain, selectable blockquotes). Labels come from data attributes
// on the page, so they are translated server-side.
(function () {
  "use strict";
  // Without the asynchronous clipboard (plain http on an intranet): select the text and copy it
  // the old way. The text stays selected, so the user can also press Ctrl+C.
  function fallback(body) {
    var range = document.createRange();
    range.selectNodeContents(body);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    try {
      return document.execCommand("copy");
    } catch (error) {
      return false;
    }
  }

  function init() {
    var root = document.querySelector("[data-copy-label]");
    if (!root) { return; }
    var label = root.getAttribute("data-copy-label");
    var done = root.getAttribute("data-copied-label");
    var failed = root.getAttribute("data-copy-failed-label");
    document.querySelectorAll("[data-copy]").forEach(function (box) {
      var body = box.querySelector("blockquote");
      var heading = box.querySelector(".ready-text__label");
      if (!body) { return; }
      var button = document.createElement("button");
      button.type = "button";
      button.className = "copy-button button--secondary";
      button.textContent = label;
      if (heading && heading.id) {
        var hidden = document.createElement("span");
        hidden.className = "visually-hidden";
        hidden.textContent = ": " + heading.textContent;
        button.appendChild(hidden);
      }
      var status = document.createElement("span");
      status.className = "copy-status";
      status.setAttribute("role", "status");
      button.addEventListener("click", function () {
        var text = body.innerText.trim();
        status.textContent = "";
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(text).then(function () {
            status.textContent = done;
          }, function () {
            status.textContent = fallback(body) ? done : failed;
          });
        } else {
          status.textContent = fallback(body) ? done : failed;
        }
      });
      box.appendChild(button);
      box.appendChild(status);
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
