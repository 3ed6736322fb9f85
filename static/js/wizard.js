// The wizard's progressive enhancements. Everything works without this file:
// - CPV search: without JavaScript the "Search" button posts the words and the page lists matches
//   as radio buttons. With it, matches appear as buttons under the field while typing (JSON from
//   /cpv/sok), and a live region says how many were found.
// - Copy button for the "continue later" link.
// Labels come from data attributes, so they are translated on the server. No inline scripts (CSP).
(function () {
  "use strict";

  function debounce(fn, wait) {
    var timer = null;
    return function () {
      var args = arguments;
      clearTimeout(timer);
      timer = setTimeout(function () { fn.apply(null, args); }, wait);
    };
  }

  function initCpv(box) {
    var input = box.querySelector("input[type=text]");
    var endpoint = box.getAttribute("data-endpoint");
    if (!input || !endpoint || !window.fetch) { return; }
    var status = document.createElement("p");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    var list = document.createElement("ul");
    list.className = "cpv-suggestions";
    list.setAttribute("aria-label", box.getAttribute("data-results-label") || "");
    list.hidden = true;
    box.parentNode.insertBefore(status, box.nextSibling);
    box.parentNode.insertBefore(list, status.nextSibling);
    var last = "";

    function show(results) {
      list.innerHTML = "";
      results.forEach(function (hit) {
        var item = document.createElement("li");
        var button = document.createElement("button");
        button.type = "button";
        button.className = "ds-button";
        button.setAttribute("data-variant", "tertiary");
        button.textContent = hit.code + " – " + hit.name;
        button.addEventListener("click", function () {
          input.value = hit.code;
          list.hidden = true;
          list.innerHTML = "";
          status.textContent = hit.code + " – " + hit.name;
          input.focus();
        });
        item.appendChild(button);
        list.appendChild(item);
      });
      list.hidden = results.length === 0;
      var template = box.getAttribute("data-count-label") || "{count}";
      status.textContent = results.length
        ? template.replace("{count}", String(results.length))
        : (box.getAttribute("data-none-label") || "");
    }

    var search = debounce(function (query) {
      var url = endpoint + "?q=" + encodeURIComponent(query);
      fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : { results: [] }; })
        .then(function (data) { if (query === last) { show(data.results || []); } })
        .catch(function () { /* the Search button still works */ });
    }, 250);

    input.addEventListener("input", function () {
      var query = input.value.trim();
      last = query;
      if (query.length < 2 || /^\d{8}(-\d)?$/.test(query.replace(/\s/g, ""))) {
        list.hidden = true;
        list.innerHTML = "";
        return;
      }
      search(query);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { list.hidden = true; }
    });
  }

  function initCopy(box) {
    var input = box.querySelector("input");
    if (!input || !navigator.clipboard) { return; }
    var button = document.createElement("button");
    button.type = "button";
    button.className = "ds-button";
    button.setAttribute("data-variant", "secondary");
    button.textContent = box.getAttribute("data-copy-label");
    var status = document.createElement("span");
    status.className = "copy-status";
    status.setAttribute("role", "status");
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(input.value).then(function () {
        status.textContent = box.getAttribute("data-copied-label");
      }, function () {
        status.textContent = box.getAttribute("data-copy-failed-label");
        input.select();
      });
    });
    box.appendChild(button);
    box.appendChild(status);
  }

  function init() {
    document.querySelectorAll("[data-cpv-search]").forEach(initCpv);
    document.querySelectorAll("[data-copy-link]").forEach(initCopy);
    var summary = document.querySelector("[data-error-summary]");
    if (summary) { summary.focus(); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
