/* What the participant, assistant and remote-control pages share. Plain ES5 for old
   phones: no modules, one global (FAC). Text reaches the page with textContent only. */
var FAC = (function () {
  "use strict";

  function $(id) { return document.getElementById(id); }
  function num(x) { x = Number(x); return isFinite(x) ? x : 0; }
  function now() { return Date.now ? Date.now() : new Date().getTime(); }
  function setText(id, t) { var e = $(id); if (e.textContent !== t) { e.textContent = t; } }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined) { e.textContent = text; }
    return e;
  }

  function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } }

  function mmss(s) {
    s = Math.max(0, s);
    var m = Math.floor(s / 60), r = Math.floor(s % 60);
    return (m < 10 ? "0" : "") + m + ":" + (r < 10 ? "0" : "") + r;
  }

  // A random idempotency key: one per submission, the same for its retries.
  function newKey() {
    var out = "", c = window.crypto || window.msCrypto, i;
    if (c && c.getRandomValues) {
      var b = new Uint8Array(16);
      c.getRandomValues(b);
      for (i = 0; i < b.length; i++) { out += ("0" + b[i].toString(16)).slice(-2); }
      return out;
    }
    for (i = 0; i < 4; i++) { out += Math.random().toString(36).slice(2, 10); }
    return out + now().toString(36);
  }

  // The token in the page's own link (?token=...), for the staff pages.
  function linkToken() {
    var m = /[?&]token=([^&#]*)/.exec(location.search);
    return m ? decodeURIComponent(m[1].replace(/\+/g, " ")) : "";
  }

  // One request. opts: body (an object sent as JSON, or a Blob), token, key (the
  // Idempotency-Key), blob (the answer is a Blob). cb(status, data, text); status 0 when
  // it never got there.
  function request(method, url, opts, cb) {
    var x = new XMLHttpRequest(), body = opts.body;
    var isBlob = typeof Blob !== "undefined" && body instanceof Blob;
    x.open(method, url, true);
    if (opts.token) { x.setRequestHeader("Authorization", "Bearer " + opts.token); }
    if (opts.key) { x.setRequestHeader("Idempotency-Key", opts.key); }
    if (opts.blob) { x.responseType = "blob"; } else { x.setRequestHeader("Accept", "application/json"); }
    if (isBlob) {
      x.setRequestHeader("Content-Type", body.type || "image/jpeg");
    } else if (body !== undefined && body !== null) {
      x.setRequestHeader("Content-Type", "application/json");
      body = JSON.stringify(body);
    }
    x.onreadystatechange = function () {
      if (x.readyState !== 4) { return; }
      if (opts.blob) { cb(x.status, x.status === 200 ? x.response : null); return; }
      var data = null;
      try { data = JSON.parse(x.responseText); } catch (e) { data = null; }
      cb(x.status, data, x.responseText);
    };
    try { x.send(body === undefined || body === null ? null : body); } catch (e) { cb(0, null); }
  }

  // A phone's submission. With a key, an answer that is lost (no connection, the laptop
  // restarting) is sent again with the same key, so it never counts twice; cb(-1) says
  // it is still on its way. A phone without its device cookie has just been given one:
  // it tries once more.
  function submit(method, url, opts, cb, tries) {
    tries = tries || 0;
    request(method, url, opts, function (status, data) {
      if (status === 400 && data && data.code === "no_device" && tries < 1) {
        submit(method, url, opts, cb, tries + 1);
        return;
      }
      if (opts.key && (status === 0 || status >= 500) && tries < 8) {
        cb(-1, null);
        setTimeout(function () { submit(method, url, opts, cb, tries + 1); }, 1500);
        return;
      }
      cb(status, data);
    });
  }

  function running(state) {
    return !!(state && state.phase && state.phase.started && !state.phase.paused);
  }

  // The wrap-up's word, as the projector says it: "2 min tilbage" (whole minutes, up).
  function warningText(left) { return Math.max(1, Math.ceil(left / 60)) + " min tilbage"; }

  // The phase clock dt seconds after the state came: left (seconds, negative when over
  // time), over, and warn (the wrap-up: started, not over, a warning configured and no
  // more than phase.warning_s left; paused counts too). Worked out here rather than read
  // from phase.warning, so the style changes on the second between two events.
  function clockInfo(state, dt) {
    var p = state.phase, left = num(p.remaining_s) - num(p.overrun_s) - dt, over = left < 0, warn;
    if (p.warning_s === undefined || p.warning_s === null) { warn = !!p.warning && !over; }
    else { warn = !!p.started && !over && num(p.warning_s) > 0 && left <= num(p.warning_s); }
    return { left: left, over: over, warn: warn };
  }

  // The phase clock dt seconds after the state came: #countdown, #status and the turn
  // (#turn, #turn-label, #turn-time). Returns whether the phase is over its time; in the
  // wrap-up the status is the word ("2 min tilbage").
  function showTurn(on, timed) {
    var turn = $("turn"), sep = $("turn-sep"), d = on ? "block" : "none", ds = timed ? "" : "none";
    if (turn && turn.style.display !== d) { turn.style.display = d; }
    if (sep && sep.style.display !== ds) { sep.style.display = ds; }
  }

  function drawClock(state, dt) {
    var p = state.phase, c = clockInfo(state, dt), left = c.left, over = c.over, status;
    setText("countdown", over ? "+" + mmss(Math.floor(-left)) : mmss(Math.ceil(left - 1e-6)));
    if (!p.started) { status = "Klar"; }
    else if (p.paused) { status = over ? "Pause \u2013 over tid" : c.warn ? "Pause \u2013 " + warningText(left) : "Pause"; }
    else { status = over ? "over tid" : c.warn ? warningText(left) : "K\u00f8rer"; }
    setText("status", status);
    var t = state.turn;
    if (t && typeof t === "object") {
      setText("turn-label", typeof t.label === "string" && t.label ? t.label
        : "Tur " + (num(t.index) + 1) + " af " + num(t.count));
      setText("turn-time", mmss(Math.ceil(num(t.remaining_s) - dt - 1e-6)));
      showTurn(true, true);
    } else if (typeof p.open_time === "string" && p.open_time && !over) {
      setText("turn-label", p.open_time);  // the turns are done: "Tid til opsamling"
      setText("turn-time", "");
      showTurn(true, false);
    } else {
      showTurn(false, false);
    }
    return over;
  }

  // Signals the room notices (a turn change, a phase's end, the wrap-up): a function to
  // give every state with whether it came on an event stream that was already open
  // (live, see FAC.live). It calls onSignal(signal) when state.signal's seq differs from
  // the one seen before, and only then: a state fetched, or the first after a (re)connect,
  // only records the seq (a page opened late, or a phone waking from its locked screen,
  // has nothing to signal: what happened meanwhile is over); a signal of another phase
  // than the one shown (signal.phase, where the engine says it) is old news too, and a
  // page hidden from view records only.
  function signals(onSignal) {
    var seen = null, fired = null;
    return function (state, live) {
      var s = state && state.signal, seq = (s && typeof s === "object") ? num(s.seq) : 0;
      if (!live) {
        if (live === false) { fired = null; }  // a new stream: its seqs start afresh
        seen = seq;
        return;
      }
      if (seq === seen) { return; }
      seen = seq;
      if (!s || typeof s !== "object" || seq === fired) { return; }
      if (typeof s.phase === "number" && state.phase && s.phase !== num(state.phase.index)) { return; }
      if (document.hidden) { return; }
      fired = seq;
      onSignal(s);
    };
  }

  // The phone buzzes where the browser lets it: twice for a turn or the end, once briefly
  // for the wrap-up.
  function vibrate(kind) {
    var nav = window.navigator;
    if (!nav || typeof nav.vibrate !== "function") { return false; }
    try { return !!nav.vibrate(kind === "warning" ? [120] : [200, 100, 200]); } catch (e) { return false; }
  }

  // A banner (an element with role="alert") with text for ms milliseconds.
  function banner(id, text, ms) {
    var b = $(id);
    if (b.hideTimer) { clearTimeout(b.hideTimer); }
    b.textContent = String(text || "");
    b.style.display = text ? "block" : "none";
    b.hideTimer = setTimeout(function () { b.hideTimer = null; b.style.display = "none"; }, ms);
  }

  function offline(on) {
    var e = $("offline"), d = on ? "block" : "none";
    if (e.style.display !== d) { e.style.display = d; }
  }

  // The meeting's state, live: onState(json text, live) with each state from the event
  // stream at url; live is true for a state on a stream that was already open, false for
  // the first state after the stream (re)opened, and undefined for a state fetched. After
  // a break the stream is opened again and the state fetched, and where there is no
  // EventSource the state is fetched every 2 s (live when the fetch before it got there
  // too). #offline shows while the laptop is out of reach. Returns {refresh}: fetch the
  // state now.
  function live(url, onState) {
    var es = null, reopenTimer = null, pollTimer = null, hadError = false, fresh = true, polled = false;

    function fetchState(poll) {
      request("GET", "/api/state?_=" + now(), {}, function (status, data, text) {
        if (status === 200) {
          onState(text, poll === true ? polled : undefined);
          if (poll === true) { polled = true; }
          if (!window.EventSource) { offline(false); }
        } else {
          if (poll === true) { polled = false; }
          offline(true);
        }
      });
    }

    function open() {
      if (reopenTimer) { clearTimeout(reopenTimer); reopenTimer = null; }
      if (!window.EventSource) {
        if (!pollTimer) { pollTimer = setInterval(function () { fetchState(true); }, 2000); }
        return;
      }
      try { es = new EventSource(url); } catch (e) { es = null; reopen(); return; }
      fresh = true;
      es.addEventListener("state", function (ev) {
        var first = fresh;
        fresh = false;
        offline(false);
        onState(ev.data, !first);
      });
      es.onopen = function () {
        fresh = true;
        offline(false);
        if (hadError) { hadError = false; fetchState(); }
      };
      es.onerror = function () {
        fresh = true;  // the browser opens it again by itself: its first state is not news
        offline(true);
        hadError = true;
        if (es && es.readyState === 2) { reopen(); }
      };
    }

    function reopen() {
      if (es) { try { es.close(); } catch (e) {} es = null; }
      if (reopenTimer) { return; }
      reopenTimer = setTimeout(function () {
        reopenTimer = null;
        fetchState();
        open();
      }, 3000);
    }

    fetchState();
    open();
    return { refresh: fetchState };
  }

  return {
    $: $, num: num, now: now, setText: setText, el: el, clear: clear, mmss: mmss,
    newKey: newKey, linkToken: linkToken, request: request, submit: submit,
    running: running, drawClock: drawClock, live: live, clockInfo: clockInfo,
    warningText: warningText, signals: signals, vibrate: vibrate, banner: banner
  };
})();
