/*
 * How flags look on the emulated product page. Atlassian's connect-host.js keeps the AP.flag API,
 * flag ids and the flag.close / flag.action events to the app; a product registers a provider
 * that shows them (Jira registers an Atlaskit one): ACJSFrameworkAdaptor.getProviderByModuleName('flag').
 */
(function () {
  'use strict';
  var host = window.connectHost;
  var FLAG_TYPES = ['info', 'success', 'warning', 'error'];
  var flagProvider = {
    create: function (o) {
      var region = document.getElementById('emu-flags');
      var type = FLAG_TYPES.indexOf(o.type) >= 0 ? o.type : 'info';
      var el = document.createElement('div');
      var closed = false;
      function close() {
        if (closed) return;
        closed = true;
        el.remove();
        if (typeof o.onClose === 'function') o.onClose(o.id);
      }
      el.className = 'emu-flag emu-flag-' + type;
      el.setAttribute('role', type === 'error' || type === 'warning' ? 'alert' : 'status');
      el.setAttribute('data-testid', 'emu-flag');
      el.setAttribute('data-flag-id', o.id);
      el.setAttribute('data-flag-type', type);
      var title = document.createElement('strong');
      title.textContent = o.title || '';
      el.appendChild(title);
      if (o.body) {
        var body = document.createElement('p');
        body.textContent = String(o.body);
        el.appendChild(body);
      }
      (o.actions || []).forEach(function (a) {
        var b = document.createElement('button');
        b.type = 'button';
        b.textContent = a.actionText;
        b.addEventListener('click', function () {
          a.executeAction();
        });
        el.appendChild(b);
      });
      var x = document.createElement('button');
      x.type = 'button';
      x.className = 'emu-flag-close';
      x.setAttribute('aria-label', 'Dismiss');
      x.textContent = '×';
      x.addEventListener('click', close);
      el.appendChild(x);
      if (region) region.appendChild(el);
      if (o.close === 'auto') setTimeout(close, 8000);
      return { close: close };
    },
  };
  host.getFrameworkAdaptor().registerModule({
    getModuleRegistrationName: function () {
      return 'flag';
    },
    isEnabled: function () {
      return true;
    },
    getProvider: function () {
      return flagProvider;
    },
  });
})();
