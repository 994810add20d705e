/**
 * The failure explorer's script, inlined into the HTML report (its hash goes into the page's
 * Content-Security-Policy). It reads the JSON blob written by `_html_failures.ts`, fills the list
 * a page at a time, filters it, and renders a transcript only when its row is opened. Every text
 * from the data goes in through `textContent`, never as markup.
 * @module
 */
import { createHash } from "node:crypto";

/** The script (plain ES2020, no template literals: it lives in one). */
export const FAILURES_JS = `(function () {
  var data = JSON.parse(document.getElementById("fx-data").textContent);
  var N = data.n, R = data.r, X = data.x, L = data.l;
  var KINDS = ["user", "assistant", "call", "result", "error", "check"];
  var PAGE = 200;
  var box = document.getElementById("fx-controls");
  var list = document.getElementById("fx-list");
  var more = document.getElementById("fx-more");
  var selects = Array.prototype.slice.call(box.querySelectorAll("select"));
  var search = box.querySelector("input");
  var count = box.querySelector(".fx-count");
  var hay = [];
  var match = [];
  var shown = 0;
  box.hidden = false;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function name(row, col, key) { return N[key][row[col]]; }
  function haystack(i) {
    if (hay[i] === undefined) {
      var r = R[i], parts = [];
      ["e", "t", "a", "v", "p", "s", "k"].forEach(function (k, c) { parts.push(N[k][r[c]]); });
      if (r[10] >= 0) X[r[10]].forEach(function (code) { parts.push(L[Math.floor(code / 12)]); });
      hay[i] = parts.join("\\n").toLowerCase();
    }
    return hay[i];
  }
  function filter() {
    var want = selects.map(function (s) { return s.value === "" ? -1 : Number(s.value); });
    var cols = selects.map(function (s) { return Number(s.dataset.col); });
    var words = search.value.toLowerCase().split(/\\s+/).filter(Boolean);
    match = [];
    for (var i = 0; i < R.length; i++) {
      var r = R[i], ok = true;
      for (var j = 0; j < cols.length && ok; j++) ok = want[j] < 0 || r[cols[j]] === want[j];
      for (var w = 0; w < words.length && ok; w++) ok = haystack(i).indexOf(words[w]) >= 0;
      if (ok) match.push(i);
    }
    list.textContent = "";
    shown = 0;
    page();
  }
  function page() {
    var end = Math.min(match.length, shown + PAGE);
    for (; shown < end; shown++) list.appendChild(item(R[match[shown]]));
    count.textContent = match.length + " of " + R.length + " failures" +
      (shown < match.length ? ", " + shown + " listed" : "");
    more.hidden = shown >= match.length;
    more.textContent = "list " + Math.min(PAGE, match.length - shown) + " more";
  }
  function item(r) {
    var d = el("details", "fx-item");
    var s = el("summary");
    var where = el("span", "fx-task");
    where.appendChild(el("code", "", name(r, 0, "e") + "/" + name(r, 1, "t")));
    s.appendChild(where);
    s.appendChild(el("span", "", name(r, 2, "a")));
    s.appendChild(el("span", "", name(r, 3, "v")));
    s.appendChild(el("span", "", name(r, 4, "p")));
    s.appendChild(el("span", "muted", name(r, 5, "s")));
    s.appendChild(el("span", "bad-kind", name(r, 6, "k")));
    s.appendChild(el("span", "muted n", "seed " + r[7] + (data.samples ? " #" + r[8] : "") + " · " +
      r[9] + " calls"));
    d.appendChild(s);
    d.addEventListener("toggle", function () {
      if (d.open && d.children.length === 1) d.appendChild(transcript(r));
    });
    return d;
  }
  function transcript(r) {
    var wrap = el("div", "fx-tx");
    if (r[10] < 0) {
      wrap.appendChild(el("p", "note", "This page does not hold this transcript (size budget, or " +
        "the report was rendered without its log)."));
    } else {
      var ol = el("ol", "tx"), phase = -1;
      X[r[10]].forEach(function (code) {
        var p = code % 2, kind = KINDS[Math.floor(code / 2) % 6];
        if (p !== phase) {
          phase = p;
          ol.appendChild(el("li", "phase",
            p ? "trial phase · sandbox copy" : "execution phase · real environment"));
        }
        var li = el("li", "k-" + kind);
        li.appendChild(el("span", "kind", kind));
        li.appendChild(el("span", "text", L[Math.floor(code / 12)]));
        ol.appendChild(li);
      });
      wrap.appendChild(ol);
    }
    var cmd = "tooltrial show " + data.run + " --task " + name(r, 1, "t") + " --agent " +
      name(r, 2, "a") + " --variant " + name(r, 3, "v") + " --protocol " + name(r, 4, "p");
    var note = el("p", "note", "Whole transcript: ");
    note.appendChild(el("code", "", cmd));
    wrap.appendChild(note);
    return wrap;
  }
  var timer;
  selects.forEach(function (s) { s.addEventListener("change", filter); });
  search.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(filter, 150);
  });
  more.addEventListener("click", page);
  filter();
})();`;

/** The script's hash as a CSP source (`'sha256-…'`): the page runs this script and no other. */
export const FAILURES_JS_CSP = `'sha256-${
  createHash("sha256").update(FAILURES_JS).digest("base64")
}'`;
