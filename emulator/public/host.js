/*
 * The host side of the AP bridge in the emulated product page: answers the app iframes'
 * postMessage calls (see all.js), resizes iframes, shows flags, opens glances. Tokens and REST
 * calls are done by the emulator server (/_emu/bridge/*): the page never holds the secret.
 */
(function () {
  'use strict';
  // Looked up at message time: iframes may be added after this script runs (it runs in <head>
  // so that no early message from a fast iframe is lost).
  var configs = new WeakMap();

  function entryFor(source) {
    var list = document.querySelectorAll('iframe[data-ac-config]');
    for (var i = 0; i < list.length; i++) {
      var iframe = list[i];
      if (iframe.contentWindow !== source) continue;
      var cfg = configs.get(iframe);
      if (!cfg) {
        try {
          cfg = JSON.parse(iframe.getAttribute('data-ac-config') || '{}');
        } catch {
          cfg = {};
        }
        configs.set(iframe, cfg);
      }
      return { iframe: iframe, config: cfg };
    }
    return null;
  }

  function allFrames() {
    return Array.prototype.map.call(document.querySelectorAll('iframe[data-ac-config]'), function (iframe) {
      return entryFor(iframe.contentWindow) || { iframe: iframe, config: {} };
    });
  }

  function postTo(entry, msg) {
    msg.__ap = 1;
    if (entry.iframe.contentWindow) entry.iframe.contentWindow.postMessage(msg, entry.config.appOrigin);
  }

  function bridge(path, body) {
    return fetch('/_emu/bridge/' + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  }

  // --- sizing ---
  var MAX_HEIGHT = 20000;
  function setHeight(entry, h) {
    var n = typeof h === 'number' ? h : parseInt(String(h), 10);
    if (isNaN(n)) return;
    n = Math.max(0, Math.min(MAX_HEIGHT, n));
    entry.iframe.style.height = n + 'px';
    entry.iframe.setAttribute('data-content-height', String(n));
    entry.iframe.setAttribute('data-resize-count', String(Number(entry.iframe.getAttribute('data-resize-count') || 0) + 1));
  }

  function fillParent(entry) {
    var top = entry.iframe.getBoundingClientRect().top + window.scrollY;
    entry.iframe.style.height = Math.max(150, window.innerHeight - top - 8) + 'px';
    entry.iframe.dataset.sizeToParent = 'true';
  }

  window.addEventListener('resize', function () {
    allFrames().forEach(function (f) {
      if (f.iframe.dataset.sizeToParent) fillParent(f);
    });
  });

  // --- flags ---
  function removeFlag(id, entry) {
    var el = document.querySelector('[data-flag-id="' + CSS.escape(id) + '"]');
    if (el) el.remove();
    if (entry) postTo(entry, { kind: 'event', name: 'flag.close', data: { flagIdentifier: id } });
  }

  function createFlag(entry, id, opts) {
    var region = document.getElementById('emu-flags');
    if (!region) return;
    var type = ['info', 'success', 'warning', 'error'].indexOf(opts.type) >= 0 ? opts.type : 'info';
    var el = document.createElement('div');
    el.className = 'emu-flag emu-flag-' + type;
    el.setAttribute('role', type === 'error' || type === 'warning' ? 'alert' : 'status');
    el.setAttribute('data-testid', 'emu-flag');
    el.dataset.flagId = id;
    el.dataset.flagType = type;
    var title = document.createElement('strong');
    title.textContent = opts.title || '';
    el.appendChild(title);
    if (opts.body) {
      var body = document.createElement('p');
      body.textContent = String(opts.body);
      el.appendChild(body);
    }
    Object.keys(opts.actions || {}).forEach(function (key) {
      var b = document.createElement('button');
      b.type = 'button';
      b.textContent = opts.actions[key];
      b.addEventListener('click', function () {
        postTo(entry, { kind: 'event', name: 'flag.action', data: { flagIdentifier: id, actionIdentifier: key } });
      });
      el.appendChild(b);
    });
    var close = document.createElement('button');
    close.type = 'button';
    close.className = 'emu-flag-close';
    close.setAttribute('aria-label', 'Dismiss');
    close.textContent = '×';
    close.addEventListener('click', function () {
      removeFlag(id, entry);
    });
    el.appendChild(close);
    region.appendChild(el);
    if (opts.close === 'auto') {
      setTimeout(function () {
        removeFlag(id, entry);
      }, 8000);
    }
  }

  // --- navigation ---
  function go(entry, target, ctx) {
    var cp = document.body.getAttribute('data-site-base') || '';
    var url = null;
    if (target === 'issue' && ctx.issueKey) url = cp + '/browse/' + encodeURIComponent(ctx.issueKey);
    else if (target === 'addonModule' && ctx.moduleKey) url = cp + '/plugins/servlet/ac/' + encodeURIComponent(ctx.addonKey || entry.config.appKey) + '/' + encodeURIComponent(ctx.moduleKey);
    else if (target === 'site' && ctx.relativeUrl && ctx.relativeUrl.charAt(0) === '/') url = ctx.relativeUrl;
    if (url) window.location.assign(url);
  }

  // --- calls ---
  var handlers = {
    'context.getToken': function (entry) {
      var c = entry.config;
      return bridge('token', { product: c.product, as: c.as, context: c.context }).then(function (r) {
        if (!r.ok) throw { message: 'token refused (' + r.status + ')' };
        return r.json().then(function (j) {
          return j.token;
        });
      });
    },
    'context.getContext': function (entry) {
      return entry.config.context;
    },
    'user.getLocale': function (entry) {
      return entry.config.locale;
    },
    'user.getTimeZone': function (entry) {
      return entry.config.timeZone;
    },
    'user.getCurrentUser': function (entry) {
      return { atlassianAccountId: entry.config.accountId };
    },
    'user.getUser': function (entry) {
      return { id: entry.config.accountId, key: entry.config.accountId, fullName: '' };
    },
    'navigator.getLocation': function (entry) {
      var l = entry.config.location || {};
      return { target: l.target, context: l.context || {}, href: window.location.href };
    },
    getLocation: function () {
      return window.location.href;
    },
    'navigator.go': function (entry, args) {
      go(entry, args[0], args[1] || {});
    },
    'navigator.reload': function () {
      window.location.reload();
    },
    request: function (entry, args) {
      var c = entry.config;
      var req = args[0] || {};
      return bridge('request', { product: c.product, as: c.as, url: req.url, type: req.type, data: req.data, contentType: req.contentType })
        .then(function (r) {
          var headers = {};
          r.headers.forEach(function (v, k) {
            headers[k] = v;
          });
          return r.text().then(function (text) {
            return { status: r.status, statusText: r.statusText, body: text, headers: headers };
          });
        })
        .catch(function () {
          return { status: 0, statusText: 'error', body: '', headers: {} };
        });
    },
    'flag.create': function (entry, args) {
      createFlag(entry, String(args[0]), args[1] || {});
    },
    'flag.close': function (entry, args) {
      removeFlag(String(args[0]), entry);
    },
    'events.emit': function (entry, args) {
      allFrames().forEach(function (f) {
        if (f.config.appKey === entry.config.appKey) postTo(f, { kind: 'event', name: args[0], data: args[1] });
      });
    },
  };

  window.addEventListener('message', function (e) {
    var entry = entryFor(e.source);
    if (!entry || e.origin !== entry.config.appOrigin) return;
    var d = e.data;
    if (!d || d.__ap !== 1) return;
    if (d.kind === 'resize') {
      if (!entry.iframe.dataset.sizeToParent && d.height !== undefined && d.height !== '100%') setHeight(entry, d.height);
      return;
    }
    if (d.kind === 'sizeToParent') return fillParent(entry);
    if (d.kind !== 'call') return;
    var h = handlers[d.method];
    if (!h) return postTo(entry, { kind: 'result', id: d.id, ok: false, error: { message: 'AP.' + d.method + ' is not emulated' } });
    Promise.resolve()
      .then(function () {
        return h(entry, d.args || []);
      })
      .then(
        function (value) {
          postTo(entry, { kind: 'result', id: d.id, ok: true, value: value === undefined ? null : value });
        },
        function (err) {
          postTo(entry, { kind: 'result', id: d.id, ok: false, error: { message: (err && err.message) || String(err) } });
        },
      );
  });

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll('.ac-glance-toggle'), function (btn) {
      btn.addEventListener('click', function () {
        var body = document.getElementById(btn.getAttribute('aria-controls'));
        if (!body) return;
        var open = btn.getAttribute('aria-expanded') === 'true';
        btn.setAttribute('aria-expanded', String(!open));
        body.hidden = open;
        var iframe = body.querySelector('iframe[data-src]');
        if (!open && iframe && !iframe.getAttribute('src')) iframe.setAttribute('src', iframe.getAttribute('data-src'));
      });
    });
    // Switcher: apply on change (the Apply button stays for keyboard and no-JS use).
    Array.prototype.forEach.call(document.querySelectorAll('.emu-switcher select'), function (s) {
      s.addEventListener('change', function () {
        s.form.submit();
      });
    });
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
