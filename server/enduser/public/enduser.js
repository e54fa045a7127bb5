// Progressive enhancement for the sign-in pages: focus the error summary, stop double submits, count the
// code's lifetime down, follow the request live and open the code field the moment the code is ready.
/* global document, window, io */
(function () {
  'use strict';

  function each(selector, fn, root) {
    Array.prototype.forEach.call((root || document).querySelectorAll(selector), fn);
  }

  // The error summary carries autofocus already; this covers browsers that ignore it on a non-control.
  // It waits a frame, until autofocus has had its turn (focusing first makes Chromium refuse autofocus).
  var summary = document.querySelector('[data-error-summary]');
  if (summary && window.requestAnimationFrame) {
    window.requestAnimationFrame(function () {
      if (!document.activeElement || document.activeElement === document.body) summary.focus();
    });
  }

  // A second click while the first submission is on its way would only repeat it.
  each('form[data-submit-once]', function (form) {
    form.addEventListener('submit', function (event) {
      if (form.getAttribute('data-submitting') === 'true') {
        event.preventDefault();
        return;
      }
      form.setAttribute('data-submitting', 'true');
      var button = form.querySelector('button[type="submit"]');
      if (button) button.setAttribute('aria-disabled', 'true');
    });
  });

  // --- How long the code still works ------------------------------------------------------------

  /** Seconds left worth saying aloud; the visible sentence changes more often, silently. */
  var SPOKEN_AT = [300, 120, 60, 30];

  /** The same words as remainingText in pages/countdown.ts (which renders the first one). */
  function remainingText(ms) {
    if (ms <= 60000) {
      var seconds = Math.ceil(ms / 1000);
      return (
        'Your code works for ' + seconds + ' more ' + (seconds === 1 ? 'second' : 'seconds') + '.'
      );
    }
    var minutes = Math.ceil(Math.floor(ms / 1000) / 60);
    return (
      'Your code works for ' + minutes + ' more ' + (minutes === 1 ? 'minute' : 'minutes') + '.'
    );
  }

  /** The smallest spoken moment at or above `seconds` left: the one already behind us. */
  function spokenFloor(seconds) {
    var floor = Infinity;
    SPOKEN_AT.forEach(function (at) {
      if (seconds <= at && at < floor) floor = at;
    });
    return floor;
  }

  /**
   * The code's deadline is the server's (`otpExpiresAt`), so the countdown runs on the server's
   * clock: the page says what the server's clock read when it was made, and the difference from
   * this browser's clock is kept. A browser clock that is minutes off still counts the right time.
   */
  function Countdown(box, onLapse) {
    var text = box.querySelector('[data-countdown-text]');
    var announcer = box.querySelector('[data-countdown-announce]');
    var lapsedNote = box.querySelector('[data-countdown-expired]');
    var skew = Number(box.getAttribute('data-server-now')) - Date.now();
    if (!isFinite(skew)) skew = 0;
    var expiresAt = NaN;
    var spokenDown = Infinity;
    var timer = null;

    function left() {
      return expiresAt - (Date.now() + skew);
    }
    function stop() {
      if (timer !== null) window.clearInterval(timer);
      timer = null;
    }
    function lapse() {
      stop();
      var focusWasInForm = false;
      each('[data-code-form], [data-code-alt]', function (el) {
        if (el.contains(document.activeElement)) focusWasInForm = true;
        el.hidden = true;
      });
      if (text) text.hidden = true;
      if (lapsedNote) {
        lapsedNote.hidden = false;
        if (focusWasInForm) lapsedNote.focus();
      }
      if (announcer)
        announcer.textContent = 'Your code has expired. Ask again: start a new request.';
      if (onLapse) onLapse(box);
    }
    function tick() {
      var ms = left();
      if (!(ms > 0)) {
        lapse();
        return;
      }
      var sentence = remainingText(ms);
      if (text && text.textContent !== sentence) text.textContent = sentence;
      var floor = spokenFloor(Math.ceil(ms / 1000));
      if (floor < spokenDown) {
        spokenDown = floor;
        if (announcer) announcer.textContent = sentence;
      }
    }
    this.set = function (deadline) {
      if (typeof deadline !== 'number' || !isFinite(deadline)) return;
      if (deadline === expiresAt && timer !== null) return;
      expiresAt = deadline;
      box.hidden = false;
      if (text) text.hidden = false;
      if (lapsedNote) lapsedNote.hidden = true;
      each('[data-code-form], [data-code-alt]', function (el) {
        el.hidden = false;
      });
      // Nothing is said for the moments already past when the countdown starts.
      spokenDown = spokenFloor(Math.ceil(left() / 1000));
      stop();
      tick();
      if (left() > 0) timer = window.setInterval(tick, 1000);
    };
    this.stop = stop;
  }

  var countdowns = [];
  var liveStatus = document.querySelector('[data-live-request]');
  var finished = false;

  var tracker = document.querySelector('[data-tracker]');

  function closeOpenParts() {
    finished = true;
    each('[data-open-only]', function (el) {
      el.hidden = true;
    });
  }

  /** A lapsed code ends the request as far as its user can tell: "ready" no longer shows anywhere. */
  function codeLapsed(box) {
    closeOpenParts();
    if (tracker) tracker.hidden = true;
    var panel = box.closest ? box.closest('.status-panel') : null;
    if (panel) panel.setAttribute('data-lapsed', '');
  }

  each('[data-countdown]', function (box) {
    var countdown = new Countdown(box, codeLapsed);
    countdowns.push({ box: box, countdown: countdown });
    var deadline = box.getAttribute('data-expires-at');
    if (deadline) countdown.set(Number(deadline));
  });

  // --- The request, live ------------------------------------------------------------------------

  if (!liveStatus || typeof io !== 'function') return;
  var status = liveStatus;

  var OPEN = ['waiting', 'verifying', 'code-ready'];
  var TRACK = ['waiting', 'verifying', 'code-ready'];
  var announcer = status.querySelector('[data-announce]');
  var liveNote = status.querySelector('[data-live-note]');
  var refresh = status.querySelector('[data-refresh]');
  var current = status.getAttribute('data-phase-now');

  function followCountdown(phase, deadline) {
    countdowns.forEach(function (c) {
      if (!status.contains(c.box)) return;
      if (phase === 'code-ready') {
        var panel = c.box.closest ? c.box.closest('.status-panel') : null;
        if (panel) panel.removeAttribute('data-lapsed');
        c.countdown.set(deadline);
      } else c.countdown.stop();
    });
  }

  function showPhase(phase) {
    if (phase === current) return;
    var codeJustReady = phase === 'code-ready';
    current = phase;
    status.setAttribute('data-phase-now', phase);
    var announcement = '';
    each(
      '[data-phase]',
      function (panel) {
        var match = panel.getAttribute('data-phase') === phase;
        panel.hidden = !match;
        if (match) announcement = panel.getAttribute('data-announce-text') || '';
      },
      status,
    );
    var at = phase === 'completed' ? TRACK.length : TRACK.indexOf(phase);
    if (tracker) {
      tracker.hidden = at < 0;
      each(
        '[data-track]',
        function (item, i) {
          item.className =
            'tracker-item ' + (i < at ? 'is-done' : i === at ? 'is-current' : 'is-todo');
          if (i === at) item.setAttribute('aria-current', 'step');
          else item.removeAttribute('aria-current');
        },
        tracker,
      );
    }
    if (OPEN.indexOf(phase) < 0) closeOpenParts();
    if (refresh && phase === 'code-ready') refresh.hidden = true;
    if (announcer) announcer.textContent = announcement;
    // The code is what the user is waiting for: the field to type it in takes the keyboard.
    if (codeJustReady) {
      var field = status.querySelector('[data-code-form] input[name="otp"]');
      if (field) field.focus();
    }
  }

  var socket = io('/enduser', { auth: { requestId: status.getAttribute('data-live-request') } });
  socket.on('connect', function () {
    if (liveNote) liveNote.hidden = false;
    if (refresh) refresh.hidden = true;
  });
  function offline() {
    if (liveNote) liveNote.hidden = true;
    if (refresh && !finished && current !== 'code-ready') refresh.hidden = false;
  }
  socket.on('disconnect', offline);
  socket.on('connect_error', offline);
  socket.on('status', function (update) {
    if (!update || typeof update.phase !== 'string') return;
    showPhase(update.phase);
    followCountdown(update.phase, update.otpExpiresAt);
    // A closed request changes no more: stop listening.
    if (OPEN.indexOf(update.phase) < 0) socket.disconnect();
  });
})();
