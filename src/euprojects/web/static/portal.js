// Small enhancements only: every page works without this file.
// Ticking a filter or choosing a sort submits the search form at once; the control keeps its
// focus and its place on the page that answers. The form always shows the address's search.
(function () {
  "use strict";
  var root = document.documentElement;
  var KEY = "euprojects.search.control";  // the control that submitted, for the next page
  var each = function (list, f) { Array.prototype.forEach.call(list, f); };
  root.classList.add("js");

  // A GET form sends its empty fields (start_date_min=&sort=): left out of the address.
  each(document.querySelectorAll("form.search"), function (f) {
    f.addEventListener("formdata", function (event) {
      var data = event.formData, kept = [], names = [];
      data.forEach(function (value, name) {
        if (names.indexOf(name) < 0) { names.push(name); }
        if (typeof value !== "string" || value.trim() !== "") { kept.push([name, value]); }
      });
      names.forEach(function (name) { data.delete(name); });
      kept.forEach(function (pair) { data.append(pair[0], pair[1]); });
    });
  });

  var form = document.getElementById("search-form");
  if (!form) { return; }
  var filters = document.getElementById("filters");
  var toggle = form.querySelector(".filters-toggle");
  var phone = window.matchMedia("(max-width: 51.99rem)");

  // On a phone the filters are a drawer, opened by a button above the results.
  var isOpen = function () { return filters.classList.contains("open"); };
  function drawer(open, focus) {
    filters.classList.toggle("open", open);
    root.classList.toggle("drawer-open", open);
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    if (focus) { focus.focus(); }
  }
  toggle.addEventListener("click", function () {
    drawer(!isOpen(), isOpen() ? toggle : document.getElementById("filters-h"));
  });
  filters.querySelector(".filters-close").addEventListener("click", function () {
    drawer(false, toggle);
  });
  // The open drawer covers the page: Tab and Shift+Tab go round inside it, Escape closes it.
  var focusable = function () {
    return Array.prototype.filter.call(filters.querySelectorAll(
      "a[href], button, input, select, textarea, [tabindex]:not([tabindex='-1'])"
    ), function (el) { return !el.disabled && el.getClientRects().length > 0; });
  };
  document.addEventListener("keydown", function (event) {
    if (!isOpen()) { return; }
    if (event.key === "Escape") { drawer(false, toggle); return; }
    if (event.key !== "Tab") { return; }
    var stops = focusable();
    if (!stops.length) { return; }
    var first = stops[0], last = stops[stops.length - 1], at = document.activeElement;
    if (event.shiftKey && (at === first || !filters.contains(at))) {
      event.preventDefault(); last.focus();
    } else if (!event.shiftKey && (at === last || !filters.contains(at))) {
      event.preventDefault(); first.focus();
    }
  });
  phone.addEventListener("change", function () {
    if (!phone.matches && isOpen()) { drawer(false); }
  });

  // A facet's "more" list: a box finds values in it (the list keeps its order, top first).
  var fold = function (text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  };
  var finders = [];
  each(form.querySelectorAll(".more-find"), function (box) {
    var input = box.querySelector("input");
    var list = box.parentNode.querySelector("ul");
    var none = box.parentNode.querySelector(".find-none");
    function find() {
      var wanted = fold(input.value.trim()), shown = 0;
      each(list.children, function (item) {
        var label = item.querySelector("label");
        var text = fold(label.firstChild.textContent + " " + item.querySelector("input").value);
        item.hidden = text.indexOf(wanted) < 0;
        shown += item.hidden ? 0 : 1;
      });
      none.hidden = shown > 0;
    }
    box.hidden = false;
    input.addEventListener("input", find);
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); }  // finds, never submits
    });
    finders.push(find);
  });

  form.addEventListener("change", function (event) {
    var target = event.target;
    if (target.type !== "checkbox" && target.id !== "sort" && target.id !== "mode") { return; }
    try {
      sessionStorage.setItem(KEY, JSON.stringify({
        path: location.pathname, name: target.name, id: target.id,
        value: target.type === "checkbox" ? target.value : null,
        top: target.getBoundingClientRect().top, drawer: isOpen(), at: Date.now()
      }));
    } catch (e) { /* no storage: the page still submits */ }
    if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
  });

  // The control that submitted the last page: focused again, where it was on the screen.
  function restore() {
    var state = null;
    try {
      state = JSON.parse(sessionStorage.getItem(KEY) || "null");
      sessionStorage.removeItem(KEY);
    } catch (e) { return; }
    if (!state || state.path !== location.pathname || Date.now() - state.at > 60000) { return; }
    var target = null;
    each(form.elements, function (el) {
      if (target) { return; }
      if (state.value === null ? el.id === state.id && el.id
          : el.type === "checkbox" && el.name === state.name && el.value === state.value) {
        target = el;
      }
    });
    if (!target) { return; }
    if (state.drawer && phone.matches) { drawer(true); }
    var more = target.closest("details");
    if (more) { more.open = true; }
    target.focus({preventScroll: true});
    var shift = target.getBoundingClientRect().top - state.top;
    if (isOpen()) { filters.scrollTop += shift; } else { window.scrollBy(0, shift); }
  }

  // The form shows the address's search, not what the browser restored on Back: the server
  // wrote the address's search as the controls' defaults, which reset() brings back.
  function resync() {
    form.reset();
    finders.forEach(function (find) { find(); });
  }
  var navigation = performance.getEntriesByType ? performance.getEntriesByType("navigation") : [];
  var back = navigation.length > 0 && navigation[0].type === "back_forward";
  if (back) { resync(); }
  window.addEventListener("pageshow", function (event) {
    if (event.persisted || back) { resync(); }
  });
  restore();
})();
