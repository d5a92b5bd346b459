/* "My exports" on the bulk compliance page (templates/compliance/_exports.html).
 *
 * While an export is queued or running, ask its status URL every two seconds and move its progress bar, its
 * label and, once it is done, show the download link. Only a help: without JavaScript the page shows the same
 * figures when reloaded. No libraries.
 */
(function () {
  "use strict";
  var ACTIVE = { queued: true, running: true };

  function follow(row) {
    var url = row.getAttribute("data-status-url");
    var bar = row.querySelector("progress");
    var label = row.querySelector(".export-label");
    var link = row.querySelector(".export-link");

    function update(state) {
      if (state.percent !== null) {
        bar.value = state.percent;
      }
      var text = state.status_label;
      if (state.total !== null) {
        text += " · " + state.progress + " / " + state.total;
      }
      label.textContent = text;
      if (state.download && !link.querySelector("a")) {
        var a = document.createElement("a");
        a.href = state.download;
        a.textContent = link.getAttribute("data-label") || "↓";
        link.appendChild(a);
      }
      row.setAttribute("data-status", state.status);
    }

    function poll() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (state) {
          if (!state) {
            return;
          }
          update(state);
          if (ACTIVE[state.status]) {
            window.setTimeout(poll, 2000);
          }
        });
    }

    if (ACTIVE[row.getAttribute("data-status")]) {
      window.setTimeout(poll, 2000);
    }
  }

  var rows = document.querySelectorAll("tr[data-export]");
  for (var i = 0; i < rows.length; i++) {
    follow(rows[i]);
  }
})();
