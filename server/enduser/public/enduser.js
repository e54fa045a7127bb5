// Progressive enhancement for the sign-in pages: focus the error summary, stop double submits, follow the request live.
/* global document, io */
(function () {
  'use strict';

  // The error summary carries autofocus already; this covers browsers that ignore it on a non-control.
  var summary = document.querySelector('[data-error-summary]');
  if (summary && document.activeElement !== summary) summary.focus();

  // A second click while the first submission is on its way would only repeat it.
  Array.prototype.forEach.call(
    document.querySelectorAll('form[data-submit-once]'),
    function (form) {
      form.addEventListener('submit', function (event) {
        if (form.getAttribute('data-submitting') === 'true') {
          event.preventDefault();
          return;
        }
        form.setAttribute('data-submitting', 'true');
        var button = form.querySelector('button[type="submit"]');
        if (button) button.setAttribute('aria-disabled', 'true');
      });
    },
  );

  var status = document.querySelector('[data-live-request]');
  if (!status || typeof io !== 'function') return;

  var OPEN = ['waiting', 'verifying', 'code-ready'];
  var TRACK = ['waiting', 'verifying', 'code-ready'];
  var announcer = status.querySelector('[data-announce]');
  var liveNote = status.querySelector('[data-live-note]');
  var refresh = status.querySelector('[data-refresh]');
  var tracker = status.querySelector('[data-tracker]');
  var current = status.getAttribute('data-phase-now');
  // Once the request has closed nothing more will change, so there is nothing to refresh.
  var finished = false;

  function showPhase(phase) {
    if (phase === current) return;
    current = phase;
    status.setAttribute('data-phase-now', phase);
    var announcement = '';
    Array.prototype.forEach.call(status.querySelectorAll('[data-phase]'), function (panel) {
      var match = panel.getAttribute('data-phase') === phase;
      panel.hidden = !match;
      if (match) announcement = panel.getAttribute('data-announce-text') || '';
    });
    var at = phase === 'completed' ? TRACK.length : TRACK.indexOf(phase);
    if (tracker) {
      tracker.hidden = at < 0;
      Array.prototype.forEach.call(tracker.querySelectorAll('[data-track]'), function (item, i) {
        item.className =
          'tracker-item ' + (i < at ? 'is-done' : i === at ? 'is-current' : 'is-todo');
        if (i === at) item.setAttribute('aria-current', 'step');
        else item.removeAttribute('aria-current');
      });
    }
    if (OPEN.indexOf(phase) < 0) {
      finished = true;
      Array.prototype.forEach.call(document.querySelectorAll('[data-open-only]'), function (el) {
        el.hidden = true;
      });
    }
    if (announcer) announcer.textContent = announcement;
  }

  var socket = io('/enduser', { auth: { requestId: status.getAttribute('data-live-request') } });
  socket.on('connect', function () {
    if (liveNote) liveNote.hidden = false;
    if (refresh) refresh.hidden = true;
  });
  function offline() {
    if (liveNote) liveNote.hidden = true;
    if (refresh && !finished) refresh.hidden = false;
  }
  socket.on('disconnect', offline);
  socket.on('connect_error', offline);
  socket.on('status', function (update) {
    if (!update || typeof update.phase !== 'string') return;
    showPhase(update.phase);
    // A closed request changes no more: stop listening.
    if (OPEN.indexOf(update.phase) < 0) socket.disconnect();
  });
})();
