/*
 * AP.js for the local product emulator: the iframe side of Atlassian Connect's JavaScript API,
 * compatible with https://connect-cdn.atl-paas.net/all.js for the calls apps commonly make.
 * Every call is a postMessage to the host page (emulator/public/host.js), which answers on the
 * same channel. Load it like the real one: <script src="{AP_JS_URL}" data-options="..."></script>
 */
(function () {
  'use strict';
  if (window.AP && window.AP.__emulator) return;

  var script = document.currentScript;
  var options = {};
  ((script && script.getAttribute('data-options')) || '').split(';').forEach(function (pair) {
    var kv = pair.split(':');
    if (kv[0] && kv[0].trim()) options[kv[0].trim()] = (kv[1] || '').trim() !== 'false';
  });

  function originOf(url) {
    try {
      return url ? new URL(url).origin : '';
    } catch {
      return '';
    }
  }
  var params = new URLSearchParams(window.location.search);
  // The product names its origin in xdm_e; messages go only there.
  var hostOrigin = originOf(params.get('xdm_e')) || originOf(document.referrer);
  var channel = params.get('xdm_c') || '';
  var inFrame = window.parent !== window && !!hostOrigin;

  var seq = 0;
  var pending = {};
  var listeners = {};

  function post(msg) {
    if (!inFrame) return false;
    msg.__ap = 1;
    msg.channel = channel;
    window.parent.postMessage(msg, hostOrigin);
    return true;
  }

  function call(method, args) {
    return new Promise(function (resolve, reject) {
      var id = ++seq;
      pending[id] = { resolve: resolve, reject: reject };
      if (!post({ kind: 'call', id: id, method: method, args: args || [] })) {
        delete pending[id];
        reject(new Error('AP: this page is not inside a product page'));
      }
    });
  }

  function withCallback(promise, cb) {
    if (typeof cb === 'function') promise.then(cb, function () {});
    return promise;
  }

  function emitLocal(name, data) {
    (listeners[name] || []).slice().forEach(function (l) {
      if (l.once) off(name, l.fn);
      try {
        l.fn(data);
      } catch (e) {
        setTimeout(function () {
          throw e;
        });
      }
    });
  }

  function off(name, fn) {
    listeners[name] = (listeners[name] || []).filter(function (l) {
      return l.fn !== fn;
    });
  }

  window.addEventListener('message', function (e) {
    if (e.source !== window.parent || e.origin !== hostOrigin) return;
    var d = e.data;
    if (!d || d.__ap !== 1) return;
    if (d.kind === 'result') {
      var p = pending[d.id];
      if (!p) return;
      delete pending[d.id];
      if (d.ok) p.resolve(d.value);
      else p.reject(d.error);
    } else if (d.kind === 'event') {
      emitLocal(d.name, d.data);
    }
  });

  // --- resizing: the iframe follows the height of `.ac-content` (or the body) ---
  var autoresize = options.resize !== false && !options.sizeToParent;
  var lastHeight = -1;
  var scheduled = false;

  function px(v) {
    var n = parseFloat(v);
    return isNaN(n) ? 0 : n;
  }

  function style(el) {
    return window.getComputedStyle(el);
  }

  // The bottom margin that collapses out of `el` through its last children (a trailing <p>'s
  // margin sits outside `.ac-content` but still takes space in the iframe).
  function collapsedMarginBelow(el) {
    var m = px(style(el).marginBottom);
    var c = el;
    while (c.lastElementChild) {
      var cs = style(c);
      if (px(cs.paddingBottom) || px(cs.borderBottomWidth) || cs.overflow !== 'visible' || cs.display !== 'block') break;
      c = c.lastElementChild;
      m = Math.max(m, px(style(c).marginBottom));
    }
    return m;
  }

  function measure() {
    var body = document.body;
    if (!body) return 0;
    var bs = style(body);
    var el = document.querySelector('.ac-content');
    if (el) {
      var bottom = el.getBoundingClientRect().bottom + window.scrollY;
      var below = collapsedMarginBelow(el);
      var bodyEdge = px(bs.paddingBottom) + px(bs.borderBottomWidth);
      // Without padding or border the body's own bottom margin collapses with the content's.
      var tail = bodyEdge ? below + bodyEdge + px(bs.marginBottom) : Math.max(below, px(bs.marginBottom));
      return Math.ceil(bottom + tail);
    }
    return Math.ceil(Math.max(body.scrollHeight, body.offsetHeight) + px(bs.marginTop) + px(bs.marginBottom));
  }

  function sendSize() {
    scheduled = false;
    if (!autoresize) return;
    var h = measure();
    if (h === lastHeight) return;
    lastHeight = h;
    post({ kind: 'resize', height: h });
  }

  function schedule() {
    if (scheduled || !autoresize) return;
    scheduled = true;
    (window.requestAnimationFrame || setTimeout)(sendSize);
  }

  function watch() {
    schedule();
    if (window.ResizeObserver) {
      var ro = new ResizeObserver(schedule);
      ro.observe(document.documentElement);
      if (document.body) ro.observe(document.body);
      var observed = null;
      var track = function () {
        var el = document.querySelector('.ac-content');
        if (el && el !== observed) {
          if (observed) ro.unobserve(observed);
          ro.observe(el);
          observed = el;
        }
      };
      track();
      // React may render `.ac-content` after this script runs, or replace it.
      new MutationObserver(function () {
        track();
        schedule();
      }).observe(document.body || document.documentElement, { childList: true, subtree: true, attributes: true, characterData: true });
    } else {
      setInterval(schedule, 250);
    }
    window.addEventListener('load', schedule);
    window.addEventListener('resize', schedule);
  }

  if (document.body) watch();
  else document.addEventListener('DOMContentLoaded', watch);

  function xhrLike(r) {
    var headers = r.headers || {};
    return {
      status: r.status,
      statusText: r.statusText,
      responseText: r.body,
      getResponseHeader: function (name) {
        var v = headers[String(name).toLowerCase()];
        return v === undefined ? null : v;
      },
      getAllResponseHeaders: function () {
        return Object.keys(headers)
          .map(function (k) {
            return k + ': ' + headers[k];
          })
          .join('\r\n');
      },
    };
  }

  function request(a, b) {
    var opts = typeof a === 'string' ? Object.assign({}, b || {}, { url: a }) : Object.assign({}, a || {});
    var type = String(opts.type || 'GET').toUpperCase();
    var url = opts.url;
    var data = opts.data;
    if (data && typeof data === 'object' && (type === 'GET' || !/json/.test(opts.contentType || ''))) {
      var qs = new URLSearchParams(data).toString();
      if (type === 'GET') {
        url += (url.indexOf('?') >= 0 ? '&' : '?') + qs;
        data = undefined;
      } else {
        data = qs;
      }
    }
    var payload = { url: url, type: type, data: data, contentType: opts.contentType, headers: opts.headers };
    return call('request', [payload]).then(function (r) {
      var xhr = xhrLike(r);
      if (r.status >= 200 && r.status < 300) {
        if (typeof opts.success === 'function') opts.success(r.body, 'success', xhr);
        return { body: r.body, xhr: xhr };
      }
      if (typeof opts.error === 'function') opts.error(xhr, 'error', r.statusText);
      throw { err: r.statusText || 'error', xhr: xhr };
    });
  }

  var flagSeq = 0;

  var AP = {
    __emulator: true,
    resize: function (width, height) {
      if (width === undefined && height === undefined) {
        autoresize = options.resize !== false;
        lastHeight = -1;
        schedule();
        return;
      }
      post({ kind: 'resize', width: width, height: height, explicit: true });
    },
    sizeToParent: function (hideFooter) {
      autoresize = false;
      post({ kind: 'sizeToParent', hideFooter: !!hideFooter });
    },
    hideFooter: function () {},
    getLocation: function (cb) {
      return withCallback(call('getLocation'), cb);
    },
    request: request,
    context: {
      getToken: function (cb) {
        return withCallback(call('context.getToken'), cb);
      },
      getContext: function (cb) {
        return withCallback(call('context.getContext'), cb);
      },
    },
    user: {
      getLocale: function (cb) {
        return withCallback(call('user.getLocale'), cb);
      },
      getTimeZone: function (cb) {
        return withCallback(call('user.getTimeZone'), cb);
      },
      getCurrentUser: function (cb) {
        return withCallback(call('user.getCurrentUser'), cb);
      },
      getUser: function (cb) {
        return withCallback(call('user.getUser'), cb);
      },
    },
    navigator: {
      getLocation: function (cb) {
        return withCallback(call('navigator.getLocation'), cb);
      },
      go: function (target, context) {
        call('navigator.go', [target, context || {}]);
      },
      reload: function () {
        call('navigator.reload');
      },
    },
    flag: {
      create: function (opts) {
        var id = 'flag-' + ++flagSeq + '-' + Date.now();
        call('flag.create', [id, opts || {}]);
        return {
          _id: id,
          close: function () {
            call('flag.close', [id]);
          },
        };
      },
    },
    events: {
      on: function (name, fn) {
        (listeners[name] = listeners[name] || []).push({ fn: fn });
      },
      once: function (name, fn) {
        (listeners[name] = listeners[name] || []).push({ fn: fn, once: true });
      },
      off: off,
      offAll: function (name) {
        delete listeners[name];
      },
      emit: function (name, data) {
        call('events.emit', [name, data]);
      },
    },
    theming: { initializeTheming: function () {} },
    history: {
      getState: function () {
        return window.location.hash.slice(1);
      },
      pushState: function () {},
      replaceState: function () {},
      back: function () {},
      forward: function () {},
      go: function () {},
      popState: function () {},
    },
  };
  // The legacy module loader: AP.require(['request', 'user'], function (request, user) { ... })
  AP.require = function (names, cb) {
    var list = Array.isArray(names) ? names : [names];
    var mods = list.map(function (n) {
      return AP[n] || AP;
    });
    if (typeof cb === 'function') cb.apply(null, mods);
  };

  window.AP = AP;
})();
