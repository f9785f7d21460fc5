/*
 * The emulated product page's glue around Atlassian's connect-host.js (atlassian-connect-js,
 * loaded before this file with jQuery as AJS.$). The bridge itself, the iframe, resize,
 * sizeToParent, events, the flag and dialog modules' logic: all the library's. What a product adds,
 * and so what is here:
 *   - the product modules: `context` (getToken, getContext), `user` (getLocale, getTimeZone,
 *     getCurrentUser), `navigator` (go, reload, getLocation) and the `request` global; tokens
 *     and REST calls are made by the emulator server (/_emu/bridge/*), the page never holds the
 *     shared secret;
 *   - (glue-flag.js: the flag provider, how flags look on this page);
 *   - creating each module's iframe with connectHost.create(extension) from the placeholders
 *     the server rendered (emulator/pages/frame.ts), glances when opened, and the content
 *     resolver that signs a fresh iframe URL when the page's one has expired;
 *   - test hooks: data-resize-count / data-content-height on an iframe the library resized.
 */
(function () {
  'use strict';
  var $ = window.AJS.$;
  var host = window.connectHost;
  var product = JSON.parse(document.getElementById('emu-product').textContent);

  function bridge(path, body) {
    return fetch('/_emu/bridge/' + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(Object.assign({ product: product.product, as: product.as }, body)),
    });
  }

  // simple-xdm: a method marked returnsPromise answers both AP.x.y(callback) and AP.x.y().then(...).
  function promised(fn) {
    fn.returnsPromise = true;
    return fn;
  }
  function optionsOf(callback) {
    return (callback._context && callback._context.extension && callback._context.extension.options) || {};
  }

  host.defineModule('context', {
    getToken: promised(function (callback) {
      return bridge('token', { context: optionsOf(callback).structuredContext || {} }).then(function (r) {
        if (!r.ok) throw new Error('the product refused a context token (' + r.status + ')');
        return r.json().then(function (j) {
          return j.token;
        });
      });
    }),
    getContext: promised(function (callback) {
      return Promise.resolve(optionsOf(callback).structuredContext || {});
    }),
  });

  host.defineModule('user', {
    getLocale: promised(function () {
      return Promise.resolve(product.locale);
    }),
    getTimeZone: promised(function () {
      return Promise.resolve(product.timeZone);
    }),
    getCurrentUser: promised(function () {
      return Promise.resolve({ atlassianAccountId: product.accountId });
    }),
  });

  // navigator.go targets the emulated site has pages for.
  function targetUrl(target, ctx, addonKey) {
    var cp = product.contextPath;
    if (target === 'issue' && ctx.issueKey) return cp + '/browse/' + encodeURIComponent(ctx.issueKey);
    if (target === 'addonModule' && ctx.moduleKey && (!ctx.addonKey || ctx.addonKey === addonKey)) {
      return cp + '/plugins/servlet/ac/' + encodeURIComponent(addonKey) + '/' + encodeURIComponent(ctx.moduleKey);
    }
    if (target === 'site' && typeof ctx.relativeUrl === 'string' && /^\/(?!\/)/.test(ctx.relativeUrl)) return cp + ctx.relativeUrl;
    if (target === 'site' && typeof ctx.absoluteUrl === 'string') {
      var u = new URL(ctx.absoluteUrl, window.location.href);
      if (u.origin === window.location.origin) return u.href;
    }
    return null;
  }

  host.defineModule('navigator', {
    getLocation: promised(function (callback) {
      var l = optionsOf(callback).navigatorLocation || {};
      return Promise.resolve({ target: l.target, context: l.context || {}, href: window.location.href });
    }),
    go: promised(function (target, context, callback) {
      var url = targetUrl(target, context || {}, callback._context.extension.addon_key);
      if (!url) return Promise.reject('navigator.go: target "' + target + '" with this context is not available here');
      window.location.assign(url);
      return Promise.resolve(true);
    }),
    reload: promised(function () {
      window.location.reload();
      return Promise.resolve(true);
    }),
  });

  // AP.request(url[, options]) / AP.request(options): Jira's global, made as the viewing user.
  function requestOptions(a, b) {
    var o = typeof a === 'string' ? Object.assign({}, b || {}, { url: a }) : Object.assign({}, a || {});
    var type = String(o.type || 'GET').toUpperCase();
    var url = String(o.url || '');
    var data = o.data;
    var json = /json/.test(o.contentType || '');
    if (data && typeof data === 'object') {
      if (type === 'GET') {
        url += (url.indexOf('?') >= 0 ? '&' : '?') + new URLSearchParams(data).toString();
        data = undefined;
      } else {
        data = json ? JSON.stringify(data) : new URLSearchParams(data).toString();
      }
    }
    return { url: url, type: type, data: data, contentType: o.contentType };
  }
  host.defineModule({
    // (a, b, callback): simple-xdm pads the arguments to the declared length before the callback.
    request: promised(function (a, b, _callback) {
      return bridge('request', requestOptions(a, b)).then(function (r) {
        return r.text().then(function (text) {
          var xhr = { status: r.status, statusText: r.statusText, responseText: text, contentType: r.headers.get('content-type') };
          if (r.status >= 200 && r.status < 300) return { body: text, xhr: xhr };
          throw { err: r.statusText || 'error', xhr: xhr };
        });
      });
    }),
  });

  // A page URL whose JWT has expired (or expires within the library's 60 s skew) is not loaded as
  // is: the library asks the product's content resolver for a fresh one (a jQuery promise).
  host.registerContentResolver.resolveByExtension(function (extension) {
    return $.ajax({
      url: '/_emu/bridge/url',
      type: 'POST',
      contentType: 'application/json',
      dataType: 'json',
      data: JSON.stringify({ product: product.product, as: product.as, module: extension.key, productContext: (extension.options || {}).productContext || {} }),
    });
  });

  // Test hooks: the library triggers a jQuery `resized` event on the iframe it resized.
  $(document).on('resized', 'iframe.ap-iframe', function (_e, dims) {
    var h = parseInt(dims && dims.height, 10);
    if (!isNaN(h)) this.setAttribute('data-content-height', String(h));
    this.setAttribute('data-resize-count', String(Number(this.getAttribute('data-resize-count') || 0) + 1));
  });

  function createFrame(holder) {
    if (holder.getAttribute('data-ac-created')) return;
    holder.setAttribute('data-ac-created', 'true');
    var extension = JSON.parse(holder.getAttribute('data-ac-extension'));
    var attrs = JSON.parse(holder.getAttribute('data-ac-attrs') || '{}');
    extension.options.hostOrigin = window.location.origin;
    var container = host.create(extension)[0];
    // The container goes into the page once it holds the iframe, with our attributes set first
    // (`allow` is read when the iframe starts loading, which is when it enters the document).
    function attach() {
      var iframe = container.querySelector('iframe');
      if (!iframe && !container.querySelector('.connect-resolve-error')) return false;
      if (iframe) $(iframe).attr(attrs);
      holder.appendChild(container);
      holder.removeAttribute('aria-busy');
      return true;
    }
    if (attach()) return;
    // Expired URL: the library asked the content resolver and adds the iframe (or an error) later.
    holder.setAttribute('aria-busy', 'true');
    new MutationObserver(function (_records, observer) {
      if (attach()) observer.disconnect();
    }).observe(container, { childList: true });
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll('.ac-frame:not([data-ac-deferred])'), createFrame);
    Array.prototype.forEach.call(document.querySelectorAll('.ac-glance-toggle'), function (btn) {
      btn.addEventListener('click', function () {
        var body = document.getElementById(btn.getAttribute('aria-controls'));
        if (!body) return;
        var open = btn.getAttribute('aria-expanded') === 'true';
        btn.setAttribute('aria-expanded', String(!open));
        body.hidden = open;
        if (!open) Array.prototype.forEach.call(body.querySelectorAll('.ac-frame'), createFrame);
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
