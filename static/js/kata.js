// Kata's small enhancements to server-rendered pages. Every page works without this file.
(function () {
  "use strict";

  if (window.htmx) {
    // Forms come back with their errors (422) or a conflict (409) to be shown in place;
    // 204 from the live poll means "nothing changed".
    htmx.config.responseHandling = [
      { code: "204", swap: false },
      { code: "[23]..", swap: true },
      { code: "(400|409|422)", swap: true, error: false },
      { code: "[45]..", swap: false, error: true },
    ];
    htmx.config.defaultFocusScroll = false;
  }

  const own = new Set(); // revisions this tab produced: no need to refresh or announce them
  const stale = new Set(); // sections changed by others while someone here was typing in them
  let returnFocusTo = null; // after a cancelled form, the item (or section) it was opened from

  function focusItem(id) {
    const item = id && document.getElementById(id);
    const target = item && (item.querySelector("a.editable, a, button") || item);
    if (target) target.focus();
    return !!target;
  }

  function announce(text) {
    const region = document.getElementById("live-region");
    if (!region) return;
    region.textContent = "";
    window.setTimeout(function () { region.textContent = text; }, 50);
  }

  function flash(element) {
    if (!element) return;
    element.classList.remove("flash");
    void element.offsetWidth; // restart the animation
    element.classList.add("flash");
    window.setTimeout(function () { element.classList.remove("flash"); }, 2600);
  }

  function isEditing(section) {
    return !!section.querySelector("form.item-form");
  }

  function refresh(name, highlight) {
    const section = document.querySelector('[data-section="' + name + '"]');
    if (!section || !section.dataset.refresh) return Promise.resolve();
    if (isEditing(section)) {
      stale.add(name);
      section.classList.add("is-stale");
      return Promise.resolve();
    }
    stale.delete(name);
    return htmx.ajax("GET", section.dataset.refresh, { source: section, target: section, swap: "outerHTML" })
      .then(function () {
        if (!highlight) return;
        const fresh = document.querySelector('[data-section="' + name + '"]');
        const item = highlight.element && document.getElementById(highlight.element);
        flash(item && fresh && fresh.contains(item) ? item : fresh);
      });
  }

  document.addEventListener("kata:saved", function (event) {
    const detail = event.detail || {};
    // The changes this save made: their sections are refreshed here, so the poll skips them.
    (detail.revisions || [detail.revision]).forEach(function (revision) {
      if (revision) own.add(revision);
    });
    (detail.sections || []).forEach(function (name) { refresh(name); });
    if (detail.message) announce(detail.message);
    if (detail.focus) {
      window.setTimeout(function () { focusItem(detail.focus); }, 60);
    }
  });

  // The poll's details come in its body (#live-changes), swapped in before this event fires.
  document.addEventListener("kata:changed", function () {
    const holder = document.getElementById("live-changes");
    let detail = {};
    try { detail = JSON.parse((holder && holder.dataset.changes) || "{}"); } catch (e) { return; }
    const theirs = (detail.changes || []).filter(function (c) { return !own.has(c.revision); });
    if (!theirs.length && !detail.more) return;
    const sections = new Map();
    // Each change names the sections it shows in (boards.live), the activity feed among them;
    // changes too old to be listed come as a count with the sections they touched.
    (detail.sections || []).forEach(function (name) { sections.set(name, null); });
    theirs.forEach(function (change) {
      change.sections.forEach(function (name) { sections.set(name, change); });
    });
    sections.forEach(function (change, name) { refresh(name, change); });
    const said = theirs.map(function (c) { return c.summary; });
    if (detail.more) said.unshift(detail.more + " earlier changes");
    announce(said.join(". "));
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    const target = event.detail.elt;
    if (returnFocusTo) {
      const back = returnFocusTo;
      returnFocusTo = null;
      if (!focusItem(back.item)) {
        const section = document.getElementById(back.section);
        const first = section && section.querySelector("a.button, button, a");
        if (first) first.focus();
      }
    }
    // A form just swapped in: put the cursor in it (on the first field with an error, if any).
    const form = target && target.matches && (target.matches("form.item-form") ? target : target.querySelector && target.querySelector("form.item-form"));
    if (form && !form.dataset.focused) {
      form.dataset.focused = "1";
      // A confirmation (deleting, retiring) has no field: the way back is where the keys start.
      const field = form.querySelector(".has-error input, .has-error textarea, .has-error select") ||
        form.querySelector("input:not([type=hidden]), textarea, select") ||
        (form.hasAttribute("data-confirm") && form.querySelector("a.cancel"));
      if (field) field.focus();
    }
    // Sections others changed while someone typed here: refresh them once the form is gone.
    stale.forEach(function (name) {
      const section = document.querySelector('[data-section="' + name + '"]');
      if (section && !isEditing(section)) {
        section.classList.remove("is-stale");
        refresh(name, { element: null });
      }
    });
  });

  // A refusal page says why in its [data-reason] (an archived team, a read-only role).
  function reasonIn(html) {
    const found = new DOMParser().parseFromString(html || "", "text/html").querySelector("[data-reason]");
    return found ? found.textContent.trim() : "";
  }

  document.addEventListener("htmx:responseError", function (event) {
    const status = event.detail.xhr.status;
    const text = status === 403
      ? reasonIn(event.detail.xhr.responseText) || "You can read this board but your role cannot change it."
      : status === 404 ? "That item no longer exists; reload the page."
      : "Something went wrong (" + status + "). Nothing was changed; please try again.";
    announce(text);
    window.alert(text);
  });

  document.addEventListener("keydown", function (event) {
    const form = event.target.closest && event.target.closest("form.item-form");
    if (form && event.key === "Escape") {
      event.preventDefault();
      const cancel = form.querySelector("a.cancel");
      if (cancel) cancel.click();
      return;
    }
    if (form && event.key === "Enter" && (event.ctrlKey || event.metaKey) && event.target.tagName === "TEXTAREA") {
      event.preventDefault();
      form.requestSubmit();
      return;
    }
    const typing = /^(INPUT|TEXTAREA|SELECT)$/.test(event.target.tagName) || event.target.isContentEditable;
    if (!typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
      const shortcut = document.querySelector('[data-shortcut="' + event.key + '"]');
      if (shortcut) {
        event.preventDefault();
        shortcut.focus();
      }
    }
  });

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) window.print();
    const cancel = event.target.closest("form.item-form a.cancel");
    if (cancel) {
      returnFocusTo = {
        item: cancel.closest("form").dataset.focus,
        section: (cancel.getAttribute("hx-target") || "").replace("#", ""),
      };
    }
  });

  // Wall screens and print previews show the board without edit controls; the wall screen keeps
  // itself current through the same live poll as everyone else.
})();
