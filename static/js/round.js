/* The live quota counter of a rating round's page (templates/review_process/round_detail.html).
 *
 * As the person changes a final rating or a group, recount "excellent" and "good" per group of the round's
 * quota scope (data-scope: "round" = the whole round is one group, "group" = each group apart, "" = not capped)
 * and show whether excellent x divisor <= good.  It also marks the reason as required when the final rating is
 * below the proposed one.  Only a help: the server's check when deciding is the authority.  No libraries.
 */
(function () {
  "use strict";
  var RANK = { not_complete: 0, complete: 1, good: 2, excellent: 3 };
  var table = document.getElementById("round-entries");
  var quota = document.getElementById("quota-live");
  if (!table || !quota) {
    return;
  }
  var scope = quota.getAttribute("data-scope");
  var divisor = parseInt(quota.getAttribute("data-divisor"), 10) || 5;

  function cell(text) {
    var td = document.createElement("td");
    td.textContent = text;
    return td;
  }

  function badge(ok) {
    var td = document.createElement("td");
    if (!scope) {
      td.textContent = quota.getAttribute("data-label-free");
      return td;
    }
    var span = document.createElement("span");
    span.className = ok ? "badge badge-ok" : "badge badge-overdue";
    span.textContent = quota.getAttribute(ok ? "data-label-ok" : "data-label-over");
    td.appendChild(span);
    return td;
  }

  function recount() {
    var groups = {};
    var order = [];
    if (scope === "round") {
      groups[""] = { excellent: 0, good: 0 };
      order.push("");
    }
    var rows = table.querySelectorAll("tbody tr.entry");
    for (var i = 0; i < rows.length; i++) {
      var row = rows[i];
      var finalRating = row.querySelector(".entry-final").value;
      var proposed = row.querySelector(".entry-proposed").value;
      var reason = row.querySelector(".entry-reason");
      var below = finalRating && proposed && RANK[finalRating] < RANK[proposed];
      reason.required = !!below;
      reason.setAttribute("aria-invalid", below && !reason.value.trim() ? "true" : "false");
      var group = scope === "round" ? "" : row.querySelector(".entry-group").value.trim();
      var saved = row.querySelector("input[name=saved]") !== null;
      if (!saved && !finalRating) {
        continue; // a blank or offered row counts once it is rated (as the server counts entries)
      }
      if (!(group in groups)) {
        groups[group] = { excellent: 0, good: 0 };
        order.push(group);
      }
      if (finalRating === "excellent") {
        groups[group].excellent += 1;
      } else if (finalRating === "good") {
        groups[group].good += 1;
      }
    }
    order.sort();
    var body = quota.querySelector("tbody");
    while (body.firstChild) {
      body.removeChild(body.firstChild);
    }
    order.forEach(function (group) {
      var counts = groups[group];
      var allowed = Math.floor(counts.good / divisor);
      var tr = document.createElement("tr");
      tr.setAttribute("data-group", group);
      tr.appendChild(cell(group || quota.getAttribute("data-label-whole")));
      tr.appendChild(cell(String(counts.excellent)));
      tr.appendChild(cell(String(counts.good)));
      tr.appendChild(cell(scope ? String(allowed) : "—"));
      tr.appendChild(badge(counts.excellent * divisor <= counts.good));
      body.appendChild(tr);
    });
  }

  table.addEventListener("change", recount);
  table.addEventListener("input", recount);
  recount();
})();
