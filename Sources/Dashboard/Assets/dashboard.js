// mailmon dashboard: refresh each page's live part without reloading the page.
// An element with data-refresh="URL" is replaced by the HTML at URL every data-interval seconds.
// Without JavaScript the pages still work (a <noscript> refresh reloads them).
(function () {
  "use strict";
  function start(element) {
    var every = Math.max(1, parseInt(element.getAttribute("data-interval") || "5", 10)) * 1000;
    function tick() {
      fetch(element.getAttribute("data-refresh"), { credentials: "same-origin", headers: { Accept: "text/html" }, cache: "no-store" })
        .then(function (response) {
          if (response.redirected || response.status === 401) { window.location.href = "/login?next=" + encodeURIComponent(window.location.pathname + window.location.search); return null; }
          return response.ok ? response.text() : null;
        })
        .then(function (html) {
          if (html !== null && html !== undefined) {
            element.innerHTML = html;
            element.setAttribute("data-refreshed", String(Date.now()));
          }
        })
        .catch(function () { /* the server is away: try again at the next tick */ })
        .then(function () { window.setTimeout(tick, every); });
    }
    window.setTimeout(tick, every);
  }
  document.addEventListener("DOMContentLoaded", function () {
    var elements = document.querySelectorAll("[data-refresh]");
    for (var i = 0; i < elements.length; i++) start(elements[i]);
  });
})();
