/* The review page's small helps (templates/review_process/review_detail.html). The page works without them.
 *
 * 1. After a post that came back with errors, move the focus to the error summary at the top (it is
 *    focusable: tabindex=-1), so the person and their screen reader start there.
 * 2. A link to a form inside a collapsed section (<details>) opens the section before scrolling to it.
 * 3. The invite form's name search: as one types (two characters or more), ask the page's JSON endpoint
 *    (data-people-url) for the people of the organisation's line and list them; choosing one fills the login name
 *    of the invite form.  Without it the search box is a plain GET form whose answer is a list to choose from.
 * No libraries, no inline script (the content security policy allows scripts from this origin only).
 */
(function () {
  "use strict";

  function openAround(element) {
    var node = element;
    while (node) {
      if (node.tagName === "DETAILS") {
        node.open = true;
      }
      node = node.parentElement;
    }
  }

  function openTarget(hash) {
    if (!hash || hash.length < 2) {
      return;
    }
    var target = document.getElementById(decodeURIComponent(hash.slice(1)));
    if (target) {
      openAround(target);
      target.scrollIntoView();
    }
  }

  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  } else {
    openTarget(window.location.hash);
  }
  window.addEventListener("hashchange", function () {
    openTarget(window.location.hash);
  });
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[href^='#']") : null;
    if (link) {
      var target = document.getElementById(decodeURIComponent(link.getAttribute("href").slice(1)));
      if (target) {
        openAround(target);
        if (typeof target.focus === "function" && target.matches("input, select, textarea, button")) {
          window.setTimeout(function () { target.focus(); }, 0);
        }
      }
    }
  });

  var search = document.querySelector("[data-people-search]");
  var searchForm = document.getElementById("people-search");
  var results = document.getElementById("people-results");
  var username = document.querySelector("[data-people-target]");
  if (!search || !searchForm || !results || !username || !window.fetch) {
    return;
  }
  var url = searchForm.getAttribute("data-people-url");
  var timer = null;
  var latest = 0;

  function clear() {
    while (results.firstChild) {
      results.removeChild(results.firstChild);
    }
  }

  function choose(person) {
    username.value = person.username;
    clear();
    var li = document.createElement("li");
    li.className = "people-chosen";
    li.textContent = person.label;
    results.appendChild(li);
    var submit = document.querySelector("#form-invite [type=submit]");
    if (submit) {
      submit.focus();
    }
  }

  function show(people) {
    clear();
    results.hidden = false;
    if (!people.length) {
      var none = document.createElement("li");
      none.textContent = results.getAttribute("data-none") || "—";
      results.appendChild(none);
      return;
    }
    people.forEach(function (person) {
      var li = document.createElement("li");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "button button-secondary people-choice";
      button.textContent = person.label;
      button.addEventListener("click", function () { choose(person); });
      li.appendChild(button);
      results.appendChild(li);
    });
  }

  function ask() {
    var query = search.value.trim();
    if (query.length < 2) {
      clear();
      results.hidden = true;
      return;
    }
    var ticket = ++latest;
    window.fetch(url + "?q=" + encodeURIComponent(query), {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) { return response.ok ? response.json() : { results: [] }; })
      .then(function (body) {
        if (ticket === latest) {
          show(body.results || []);
        }
      })
      .catch(function () { /* the plain search form still works */ });
  }

  search.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(ask, 250);
  });
})();
